"""Bad input at the start and in modals: refused kindly, under the right field, never a crash."""

from __future__ import annotations

import pytest

from bot import texts as t
from flows.models import Stage
from tests.e2e import play
from tests.support.harness import Harness


async def test_mediating_yourself_is_refused_before_any_modal(h: Harness) -> None:
    result = await h.command(h.ann, f"<@{h.ann}|ann> my own habits")
    assert result.status == 200
    assert h.standin.open_views(h.ann) == []
    assert t.SELF in h.ephemeral_texts(h.ann)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("self", t.SELF),
        ("robot", "is an app, not a person"),
        ("gone", "deactivated"),
    ],
)
async def test_start_modal_refuses_the_wrong_colleague(h: Harness, who: str, expected: str) -> None:
    await h.command(h.ann, "the release dates")
    colleague = {"self": h.ann, "robot": h.robot, "gone": h.gone}[who]
    result = await h.submit(h.ann, {"colleague": {"value": colleague}})
    assert result.response_action == "errors"
    assert expected in result.errors["colleague"]
    assert h.top_view(h.ann).callback_id == "cg_start"  # the modal stays, with what was typed
    assert await h.store.for_user(h.team, h.ann) == []


async def test_already_open_mediation_with_the_same_colleague(h: Harness) -> None:
    await play.start(h)
    await h.command(h.ann, f"<@{h.bob}|bob> again")
    result = await h.submit(h.ann, {})
    assert result.response_action == "errors"
    assert result.errors["colleague"] == t.ALREADY_OPEN_FIELD
    # and from Bob's side too: the pair is the same
    await h.command(h.bob, f"<@{h.ann}|ann> the other way round")
    result = await h.submit(h.bob, {})
    assert result.errors["colleague"] == t.ALREADY_OPEN_FIELD
    assert len(await h.store.for_user(h.team, h.ann)) == 1


async def test_blank_topic_is_a_field_error(h: Harness) -> None:
    await h.command(h.ann, f"<@{h.bob}|bob>")
    result = await h.submit(h.ann, {"topic": {"value": "   "}})
    assert result.response_action == "errors"
    assert result.errors["topic"] == t.field_problem(t.FieldProblem.EMPTY)


async def test_over_long_topic_in_a_forged_submission_is_a_field_error(h: Harness) -> None:
    await h.command(h.ann, f"<@{h.bob}|bob> x")
    view = h.top_view(h.ann)
    # Slack's client enforces max_length; a forged payload does not. Remove the limit client-side.
    for block in view.blocks:
        if block.get("block_id") == "topic":
            block["element"].pop("max_length", None)
    result = await h.submit(h.ann, {"topic": {"value": "a" * 400}})
    assert result.response_action == "errors"
    assert "under" in result.errors["topic"]


async def test_blank_intake_answer_is_a_field_error_and_nothing_is_lost(h: Harness) -> None:
    await play.start(h)
    await play.accept_and_agree(h)
    await h.click_dm(h.ann, "cg_intake_open")
    answers = dict(play.ANN_ANSWERS, feelings="  ")
    result = await h.submit(h.ann, play.intake_values(answers))
    assert result.response_action == "errors"
    assert set(result.errors) == {"q_feelings"}
    view = h.top_view(h.ann)
    assert view.callback_id == "cg_intake"
    assert view.state["q_happened"]["value"]["value"] == play.ANN_ANSWERS["happened"]
    m = await h.mediation()
    assert m.initiator.answers == {}


async def test_summary_chosen_without_text_is_a_field_error(h: Harness) -> None:
    await play.start(h)
    await play.accept_and_agree(h)
    await h.click_dm(h.ann, "cg_intake_open")
    await h.submit(h.ann, play.intake_values(play.ANN_ANSWERS))
    result = await h.submit(h.ann, play.sharing_values(dict(play.ALL, needs="summary")))
    assert result.response_action == "errors"
    assert set(result.errors) == {"summary_needs"}


async def test_partly_without_saying_what_is_missing(h: Harness) -> None:
    await play.start(h)
    await play.accept_and_agree(h)
    await play.intake(h, h.ann, play.ANN_ANSWERS)
    await play.intake(h, h.bob, play.BOB_ANSWERS)
    await play.reflect(h, h.bob, "You heard about the date on the call.")
    await h.click_dm(h.ann, "cg_answer_open")
    result = await h.submit(h.ann, {"verdict": {"value": "partly"}})
    assert result.response_action == "errors"
    assert result.errors == {"missing": t.MISSING_NEEDED}


async def test_check_in_out_of_range_in_a_forged_submission(h: Harness) -> None:
    await play.start(h)
    await play.accept_and_agree(h)
    await play.intake(h, h.ann, play.ANN_ANSWERS)
    await play.intake(h, h.bob, play.BOB_ANSWERS)
    await play.reflect(h, h.bob, "You were anxious.")
    await play.answer(h, h.ann, confirmed=True)
    await play.reflect(h, h.ann, "You felt pressured.")
    await play.answer(h, h.bob, confirmed=True)
    await h.click_dm(h.ann, "cg_check_in_open")
    view = h.top_view(h.ann)
    for block in view.blocks:
        if block.get("block_id") == "item2":
            block["element"].pop("max_value", None)
    result = await h.submit(h.ann, {f"item{i}": {"value": v} for i, v in enumerate(["9", "9", "42", "9"])})
    assert result.response_action == "errors"
    assert set(result.errors) == {"item2"}
    assert (await h.mediation()).stage is Stage.ALLIANCE


async def test_low_check_in_offers_repair_and_pause_holds_the_joint_space(h: Harness) -> None:
    await play.start(h)
    await play.accept_and_agree(h)
    await play.intake(h, h.ann, play.ANN_ANSWERS)
    await play.intake(h, h.bob, play.BOB_ANSWERS)
    await play.reflect(h, h.bob, "You were anxious.")
    await play.answer(h, h.ann, confirmed=True)
    await play.reflect(h, h.ann, "You felt pressured.")
    await play.answer(h, h.bob, confirmed=True)
    await play.check_in(h, h.ann, [10, 10, 10, 10])
    await play.check_in(h, h.bob, [4, 6, 5, 5])
    assert "take a break" in h.last_dm(h.bob).text
    await h.click_dm(h.bob, "cg_repair_pause")
    m = await h.mediation()
    assert m.paused and m.stage is Stage.ALLIANCE and m.joint is None
    await h.click_dm(h.ann, "cg_resume")
    m = await h.mediation()
    assert not m.paused and m.stage is Stage.JOINT and m.joint is not None
