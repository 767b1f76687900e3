"""The worker: a reminder after a day, expiry after a week, nothing for an answered invitation."""

from __future__ import annotations

from datetime import timedelta

from bot.effects import EffectRunner
from bot.worker import run_due
from flows.models import Outcome, Stage
from tests.e2e import play
from tests.support.harness import Harness


def runner(h: Harness) -> EffectRunner:
    from slack_sdk.web.async_client import AsyncWebClient

    return EffectRunner(AsyncWebClient(token=h.standin.bot_token, base_url=h.standin.api_url), h.service)


async def test_reminder_then_expiry(h: Harness) -> None:
    await play.start(h)
    assert await run_due(h.service, runner(h)) == 0
    h.clock.now += timedelta(hours=25)
    assert await run_due(h.service, runner(h)) == 1
    assert "gentle reminder" in h.last_dm(h.bob).text
    assert "cg_invite_accept" in str(h.last_dm(h.bob).blocks)
    h.clock.now += timedelta(days=5)  # the day before it closes: both are told
    assert await run_due(h.service, runner(h)) == 1
    assert "stays open until <!date^" in h.last_dm(h.bob).text
    assert "cg_invite_accept" in str(h.last_dm(h.bob).blocks)
    assert "cg_extend_invitation" in str(h.last_dm(h.ann).blocks)
    h.clock.now += timedelta(days=2)
    assert await run_due(h.service, runner(h)) == 1
    m = await h.mediation()
    assert m.stage is Stage.CLOSED and m.outcome is Outcome.EXPIRED
    assert "expired" in h.last_dm(h.ann).text
    # Neither the invitation nor its reminder offers a button any more.
    for message in h.dm(h.bob):
        assert "cg_invite_accept" not in str(message.blocks)
        assert "This step is closed: the mediation ended (" in str(message.blocks)


async def test_timers_do_nothing_once_the_invitation_is_answered(h: Harness) -> None:
    await play.start(h)
    await h.click_dm(h.bob, "cg_invite_accept")
    before = len(h.dm(h.bob))
    h.clock.now += timedelta(days=8)
    # reminder, warning and expiry do nothing; the working agreement has waited past the flow's
    # stall_hours on both, so each gets the one kind nudge about it (nothing about the invitation)
    assert await run_due(h.service, runner(h)) == 4
    new = [message.text for message in h.dm(h.bob)[before:]]
    assert len(new) == 1 and "A kind nudge" in new[0] and "working agreement" in new[0]
    assert (await h.mediation()).stage is Stage.GROUND_RULES


async def test_private_text_is_purged_after_the_retention_period(h: Harness) -> None:
    from datetime import UTC, datetime

    from flows.config import AuditEntry
    from flows.retention import PURGED

    config = await h.configs.get(h.team)
    entry = AuditEntry(actor="UADMIN", at=datetime(2026, 12, 1, tzinfo=UTC), action="retention")
    await h.configs.save(h.team, config.model_copy(update={"retention_days": 30}), entry)
    mid = await play.to_joint(h)
    m = await h.mediation(mid)
    summary = h.standin.messages(m.joint.channel_id)[0] if m.joint else None
    assert summary is not None
    await play.finish(h, mid, h.ann, h.bob, "no_agreement")
    closed = await h.mediation(mid)
    assert closed.outcome is Outcome.NO_AGREEMENT and closed.initiator.answers["happened"].text != PURGED
    h.clock.now += timedelta(days=29)
    await run_due(h.service, runner(h))
    assert (await h.mediation(mid)).purged_at is None
    h.clock.now += timedelta(days=2)
    await run_due(h.service, runner(h))
    purged = await h.mediation(mid)
    assert purged.purged_at is not None
    dumped = purged.model_dump_json()
    for text in play.ANN_ANSWERS.values():
        assert text not in dumped
    assert "the release dates" not in dumped
    # What aggregates need stays: outcome, stages, timings, check-ins, round counts.
    assert purged.outcome is Outcome.NO_AGREEMENT and purged.initiator.check_in == closed.initiator.check_in
    assert [len(loop.rounds) for loop in purged.loops] == [len(loop.rounds) for loop in closed.loops]


async def test_follow_up_asks_and_not_holding_reopens_the_conversation(h: Harness) -> None:
    mid = await play.to_joint(h)
    m = await h.mediation(mid)
    assert m.joint is not None
    channel = m.joint.channel_id
    summary = h.standin.messages(channel)[0]
    await h.click_message(h.ann, summary, "cg_item_propose")
    await h.submit(h.ann, {"who": {"value": "Bob"}, "what": {"value": "Share date changes first"}})
    await h.click_message(h.bob, h.standin.messages(channel)[-1], "cg_item_accept")
    await play.finish(h, mid, h.bob, h.ann, "agreed")
    assert (await h.mediation(mid)).outcome is Outcome.AGREED
    assert await h.store.open_between(h.team, h.ann, h.bob) is None
    h.clock.now += timedelta(days=15)
    await run_due(h.service, runner(h))
    assert "Is the agreement holding" in h.last_dm(h.ann).text
    await h.click_dm(h.ann, "cg_follow_up_yes")
    await h.click_dm(h.bob, "cg_follow_up_no")
    m = await h.mediation(mid)
    assert m.stage is Stage.JOINT and m.outcome is None
    assert "open again" in h.last_dm(h.ann).text
    assert await h.store.open_between(h.team, h.ann, h.bob) == mid  # the pair is held again
    await h.click_message(h.ann, summary, "cg_item_propose")
    assert h.top_view(h.ann).callback_id == "cg_propose"
