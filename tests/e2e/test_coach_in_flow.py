"""The coach in the flow: intake answers reviewed (revise or keep), reflections gated, live nudges in
the joint space, privately and at most once per few minutes."""

from __future__ import annotations

from typing import Any

from flows.models import LoopStatus, Stage
from tests.e2e import play
from tests.support.harness import Harness

BLAMING = dict(play.ANN_ANSWERS, happened="You always change the dates without telling anyone.")


async def to_intake(h: Harness) -> None:
    await play.start(h)
    await play.accept_and_agree(h)
    await h.click_dm(h.ann, "cg_intake_open")


async def test_nudged_answers_can_be_revised(h: Harness) -> None:
    await to_intake(h)
    result = await h.submit(h.ann, play.intake_values(BLAMING))
    assert result.response_action == "update"
    review = h.top_view(h.ann)
    assert review.callback_id == "cg_intake_review"
    text = str(review.blocks)
    assert "You always change the dates" in text and "When" in text  # the span and an I-statement
    assert (await h.mediation()).initiator.answers["happened"].text == BLAMING["happened"]  # saved already
    revised = "On Monday the date moved to the 13th and I first heard it on the status call."
    result = await h.submit(h.ann, {"q_happened": {"value": revised}})
    assert h.top_view(h.ann).callback_id == "cg_sharing"
    assert (await h.mediation()).initiator.answers["happened"].text == revised


async def test_nudged_answers_can_be_kept(h: Harness) -> None:
    await to_intake(h)
    await h.submit(h.ann, play.intake_values(BLAMING))
    view = h.top_view(h.ann)
    await h.slack.click(h.ann, action_id="cg_keep_words", view_id=view.id)
    await h.settle()
    assert h.top_view(h.ann).callback_id == "cg_sharing"
    assert (await h.mediation()).initiator.answers["happened"].text == BLAMING["happened"]


async def test_clean_answers_go_straight_to_sharing(h: Harness) -> None:
    await to_intake(h)
    await h.submit(h.ann, play.intake_values(play.ANN_ANSWERS))
    assert h.top_view(h.ann).callback_id == "cg_sharing"


async def reflection_stage(h: Harness) -> None:
    await play.start(h)
    await play.accept_and_agree(h)
    await play.intake(h, h.ann, play.ANN_ANSWERS)
    await play.intake(h, h.bob, play.BOB_ANSWERS)


async def bob_reflects(h: Harness, text: str) -> Any:
    """Both have shared their answers; Bob opens the reflection modal and sends ``text``."""
    await reflection_stage(h)
    await h.click_dm(h.bob, "cg_reflect_open")
    return await h.submit(h.bob, {"reflection": {"value": text}})


async def test_a_rebuttal_is_not_forwarded_as_a_reflection(h: Harness) -> None:
    result = await bob_reflects(h, "You should just relax, dates change all the time.")
    assert result.response_action == "errors"
    assert "Not sent yet" in result.errors["reflection"]
    m = await h.mediation()
    loop = m.loop_for_listener(m.respondent.role)
    assert loop is not None and loop.rounds == [] and loop.status is LoopStatus.WAITING_REFLECTION
    assert not any("said back what they heard" in msg.text for msg in h.dm(h.ann))


async def test_a_partial_reflection_is_forwarded_with_a_private_tip(h: Harness) -> None:
    await bob_reflects(h, "The launch moved to the 13th and you heard it on the call.")
    saved = str(h.top_view(h.bob).blocks)
    assert "A thought for next time" in saved and "how it felt for them" in saved
    assert any("said back what they heard" in msg.text for msg in h.dm(h.ann))


async def test_live_nudge_in_the_joint_space_is_private_and_rate_limited(h: Harness) -> None:
    await play.to_joint(h)
    m = await h.mediation()
    assert m.stage is Stage.JOINT and m.joint is not None
    channel = m.joint.channel_id
    posted_before = len(h.standin.messages(channel))
    await h.slack.post_message(h.ann, channel, "You never listen to anyone, honestly.")
    await h.settle()
    nudges = h.standin.ephemerals(h.ann, channel)
    assert len(nudges) == 1 and "Only you can see this" not in nudges[0].text  # Slack marks ephemerals itself
    assert h.standin.ephemerals(h.bob, channel) == []
    assert len(h.standin.messages(channel)) == posted_before + 1  # only Ann's own message, no public nudge
    await h.slack.post_message(h.ann, channel, "You always do this.")
    await h.settle()
    assert len(h.standin.ephemerals(h.ann, channel)) == 1  # at most one nudge per few minutes
    await h.slack.post_message(h.bob, channel, "Thank you, I felt relieved when you said that.")
    await h.settle()
    assert h.standin.ephemerals(h.bob, channel) == []  # a clean message earns nothing


async def test_a_judgement_dressed_as_a_reflection_is_held_back(h: Harness) -> None:
    result = await bob_reflects(h, "So basically you're too sensitive to take feedback about dates.")
    assert result.response_action == "errors"
    assert "Not sent yet" in result.errors["reflection"] and "verdict" in result.errors["reflection"]
    assert not any("said back what they heard" in msg.text for msg in h.dm(h.ann))


async def test_an_off_topic_reply_is_held_back(h: Harness) -> None:
    result = await bob_reflects(h, "I've had a rough month too, honestly. The canteen has been awful.")
    assert result.response_action == "errors"
    assert "moves away from what they told you" in result.errors["reflection"]


async def test_a_wrong_detail_is_forwarded_with_a_tip_that_names_it(h: Harness) -> None:
    await bob_reflects(
        h,
        "On Tuesday the launch moved from the 20th to the 13th and you heard it on the status call. It "
        "caught you off guard and you were anxious about testing, and being consulted before dates "
        "change matters to you.",
    )
    saved = str(h.top_view(h.bob).blocks)
    assert f"<@{h.ann}> mentioned Monday, and you wrote Tuesday" in saved
    assert any("said back what they heard" in msg.text for msg in h.dm(h.ann))


async def test_saving_the_reviewed_words_unchanged_moves_on(h: Harness) -> None:
    """The coach's gentle check never loops: the same words saved again go on to sharing."""
    await to_intake(h)
    await h.submit(h.ann, play.intake_values(BLAMING))
    assert h.top_view(h.ann).callback_id == "cg_intake_review"
    await h.submit(h.ann, {"q_happened": {"value": BLAMING["happened"]}})
    assert h.top_view(h.ann).callback_id == "cg_sharing"
    assert (await h.mediation()).initiator.answers["happened"].text == BLAMING["happened"]
