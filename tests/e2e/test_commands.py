"""`/mediate help`, `status`, `cancel`, and App Home."""

from __future__ import annotations

import pytest

from bot import texts as t
from bot.listeners import status
from flows.models import Outcome, Stage
from tests.e2e import play
from tests.support.harness import Harness


async def test_help(h: Harness) -> None:
    result = await h.command(h.ann, "help")
    assert result.status == 200
    assert any("/mediate @colleague" in text for text in h.ephemeral_texts(h.ann))


async def test_status_lists_mediations_and_stage(h: Harness) -> None:
    await h.command(h.ann, "status")
    assert t.STATUS_NONE in h.ephemeral_texts(h.ann)
    await play.start(h)
    await h.command(h.ann, "status")
    latest = h.standin.ephemerals(h.ann)[-1]
    assert "the release dates" in str(latest.blocks) and t.STAGES[Stage.INVITATION] in str(latest.blocks)


async def test_status_is_answered_in_the_ack(h: Harness) -> None:
    await play.start(h)
    before = len(h.standin.calls)
    result = await h.command(h.ann, "status")
    assert result.error is None and "the release dates" in result.body  # the ack carries the answer
    assert not [call for call in h.standin.calls[before:] if call.method == "response_url"]
    assert "the release dates" in str(h.standin.ephemerals(h.ann)[-1].blocks)


async def test_a_slow_status_read_acks_first_and_answers_through_the_response_url(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await play.start(h)
    monkeypatch.setattr(status, "STATUS_ACK_SECONDS", 0)  # every read is "too slow" for the ack
    result = await h.command(h.ann, "status")
    assert result.status == 200 and result.body.strip() == ""
    latest = h.standin.ephemerals(h.ann)[-1]
    assert "the release dates" in str(latest.blocks) and t.STAGES[Stage.INVITATION] in str(latest.blocks)


async def test_cancel_the_only_open_mediation(h: Harness) -> None:
    await play.start(h)
    await h.command(h.ann, "cancel")
    m = await h.mediation()
    assert m.stage is Stage.CLOSED and m.outcome is Outcome.CANCELLED
    assert t.CANCELLED_BY_YOU.format(other=h.bob) in h.ephemeral_texts(h.ann)
    assert "has ended the mediation" in h.last_dm(h.bob).text
    await h.command(h.ann, "cancel")
    assert t.CANCEL_NONE in h.ephemeral_texts(h.ann)


async def test_cancel_asks_which_when_there_are_several(h: Harness) -> None:
    await play.start(h)
    await h.command(h.ann, f"<@{h.cat}|cat> the rota")
    await h.submit(h.ann, {})
    await h.command(h.ann, "cancel")
    choice = h.standin.ephemerals(h.ann)[-1]
    assert t.CANCEL_WHICH in choice.text
    await h.command(h.ann, f"cancel <@{h.cat}|cat>")
    mediations = {m.respondent.user_id: m for m in await h.store.for_user(h.team, h.ann)}
    assert mediations[h.cat].stage is Stage.CLOSED
    assert mediations[h.bob].stage is Stage.INVITATION
    await h.command(h.ann, f"cancel <@{h.cat}|cat>")
    assert t.CANCEL_NOT_FOUND.format(other=h.cat) in h.ephemeral_texts(h.ann)


async def test_cancel_button_from_the_choice(h: Harness) -> None:
    await play.start(h)
    await h.command(h.ann, f"<@{h.cat}|cat> the rota")
    await h.submit(h.ann, {})
    await h.command(h.ann, "cancel")
    choice = h.standin.ephemerals(h.ann)[-1]
    mediations = {m.respondent.user_id: m for m in await h.store.for_user(h.team, h.ann)}
    await h.click_message(h.ann, choice, "cg_cancel_one", value=mediations[h.bob].id)
    assert (await h.mediation(mediations[h.bob].id)).stage is Stage.CLOSED


async def test_app_home_shows_what_waits_on_whom(h: Harness) -> None:
    await h.slack.app_home_opened(h.ann)
    await h.settle()
    assert t.HOME_EMPTY in str(h.standin.home(h.ann).blocks)
    await play.start(h)
    bob_home = str(h.standin.home(h.bob).blocks)
    assert t.WAITING["accept"] in bob_home and "cg_invite_accept" in bob_home
    assert t.HOME_WAITING_OTHER.format(other=h.bob) in str(h.standin.home(h.ann).blocks)
    # Acting from App Home works like acting from the DM.
    await h.click_home(h.bob, "cg_invite_accept")
    assert (await h.mediation()).stage is Stage.GROUND_RULES
    await h.click_home(h.ann, "cg_rules_agree")
    await h.click_home(h.bob, "cg_rules_agree")
    await h.click_home(h.ann, "cg_intake_open")
    assert h.top_view(h.ann).callback_id == "cg_intake"


async def test_mediate_without_a_mention_opens_the_modal_with_the_topic(h: Harness) -> None:
    await h.command(h.ann, "our shared calendar")
    view = h.top_view(h.ann)
    assert view.callback_id == "cg_start"
    topic = next(b for b in view.blocks if b.get("block_id") == "topic")
    assert topic["element"]["initial_value"] == "our shared calendar"


async def test_global_shortcut_opens_the_start_modal(h: Harness) -> None:
    await h.slack.shortcut(h.ann, "cg_start")
    await h.settle()
    assert h.top_view(h.ann).callback_id == "cg_start"


async def test_a_flow_the_admins_switched_off_does_not_start(h: Harness) -> None:
    from datetime import UTC, datetime

    from flows.config import AuditEntry

    config = await h.configs.get(h.team)
    entry = AuditEntry(actor="UADMIN", at=datetime(2026, 12, 1, tzinfo=UTC), action="flows")
    await h.configs.save(h.team, config.model_copy(update={"enabled_flows": ["facilitated"]}), entry)
    await h.command(h.ann, f"<@{h.bob}|bob> the rota")
    assert t.FLOW_OFF in str(h.top_view(h.ann).blocks)
    await h.command(h.bob, "prepare")
    assert t.FLOW_OFF in str(h.top_view(h.bob).blocks)
    await h.slack.shortcut(h.cat, "cg_start")
    await h.settle()
    assert t.FLOW_OFF in str(h.top_view(h.cat).blocks)
    assert await h.store.for_user(h.team, h.ann) == []


async def test_switching_peer_off_while_the_modal_is_open_refuses_the_submission(h: Harness) -> None:
    from datetime import UTC, datetime

    from flows.config import AuditEntry

    await h.command(h.ann, f"<@{h.bob}|bob> the rota")
    config = await h.configs.get(h.team)
    entry = AuditEntry(actor="UADMIN", at=datetime(2026, 12, 1, tzinfo=UTC), action="flows")
    await h.configs.save(h.team, config.model_copy(update={"enabled_flows": ["prepare"]}), entry)
    result = await h.submit(h.ann, {})
    assert result.response_action == "errors" and result.errors == {"colleague": t.FLOW_OFF}
    assert await h.store.for_user(h.team, h.ann) == []
