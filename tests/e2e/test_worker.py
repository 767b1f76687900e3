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
    h.clock.now += timedelta(days=7)
    assert await run_due(h.service, runner(h)) == 1
    m = await h.mediation()
    assert m.stage is Stage.CLOSED and m.outcome is Outcome.EXPIRED
    assert "expired" in h.last_dm(h.ann).text


async def test_timers_do_nothing_once_the_invitation_is_answered(h: Harness) -> None:
    await play.start(h)
    await h.click_dm(h.bob, "cg_invite_accept")
    before = len(h.dm(h.bob))
    h.clock.now += timedelta(days=8)
    assert await run_due(h.service, runner(h)) == 2
    assert len(h.dm(h.bob)) == before
    assert (await h.mediation()).stage is Stage.GROUND_RULES
