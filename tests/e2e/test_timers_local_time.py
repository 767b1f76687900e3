"""Timers in each person's own time, end to end: the real app, a real Redis, the Slack stand-in (whose
`users.info` gives each person's `tz`) and the worker on the test's clock.

The clock starts on Tuesday 1 December 2026, 09:00 UTC. Ann works in London, Bob in New York.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot.effects import EffectRunner
from bot.local_time import LocalTimes
from bot.worker import run_due
from flows.config import AuditEntry
from flows.hours import WorkingHours
from flows.models import Outcome, Stage
from tests.e2e import play
from tests.support.harness import Harness

BOB_MORNING = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)  # Wednesday 08:00 in New York


def runner(h: Harness) -> EffectRunner:
    return EffectRunner(AsyncWebClient(token=h.standin.bot_token, base_url=h.standin.api_url), h.service)


def in_new_york(h: Harness, user: str) -> None:
    h.standin.users[user].tz = "America/New_York"


def reminders(h: Harness, user: str) -> int:
    return sum("gentle reminder" in message.text for message in h.dm(user))


def users_info_calls(h: Harness) -> int:
    return sum(call.method == "users.info" for call in h.standin.calls)


async def test_a_reminder_waits_for_bobs_morning_in_new_york(h: Harness) -> None:
    in_new_york(h, h.bob)
    await play.start(h)
    h.clock.now += timedelta(hours=24)  # Wednesday 09:00 UTC: 04:00 for Bob
    assert await run_due(h.service, runner(h)) == 1
    assert reminders(h, h.bob) == 0
    h.clock.now = BOB_MORNING - timedelta(minutes=1)
    assert await run_due(h.service, runner(h)) == 0
    h.clock.now = BOB_MORNING
    assert await run_due(h.service, runner(h)) == 1
    assert reminders(h, h.bob) == 1
    assert "cg_invite_accept" in str(h.last_dm(h.bob).blocks)
    # Bob's zone was asked of Slack once, then read from Redis
    calls = users_info_calls(h)
    await LocalTimes(h.store, None, h.configs).people(h.team, [h.bob])
    assert users_info_calls(h) == calls


async def test_the_same_moment_reaches_ann_and_waits_for_bob(h: Harness) -> None:
    """A stalled step in a London morning: Ann (who waits) hears at once that Bob has not had time
    yet only after Bob got his kind reminder, in his own morning."""
    in_new_york(h, h.bob)
    await play.start(h)
    await h.click_dm(h.bob, "cg_invite_accept")
    await h.click_dm(h.ann, "cg_rules_agree")  # now only Bob's agreement is awaited
    h.clock.now += timedelta(hours=48)  # Thursday 09:00 UTC: Ann at work, Bob asleep
    await run_due(h.service, runner(h))
    assert not any("A kind nudge" in m.text for m in h.dm(h.bob))
    assert not any("has not had time yet" in m.text for m in h.dm(h.ann))
    h.clock.now = BOB_MORNING + timedelta(days=1)
    await run_due(h.service, runner(h))
    nudge = h.last_dm(h.bob)
    assert "A kind nudge" in nudge.text and "cg_rules_agree" in str(nudge.blocks)
    assert "has not had time yet" in h.last_dm(h.ann).text
    # one reminder only: nothing more however long it waits
    before = (len(h.dm(h.ann)), len(h.dm(h.bob)))
    h.clock.now += timedelta(days=5)
    await run_due(h.service, runner(h))
    assert (len(h.dm(h.ann)), len(h.dm(h.bob))) == before
    # doing the step turns the nudge's button into what happened
    await h.click_dm(h.bob, "cg_rules_agree")
    assert (await h.mediation()).stage is Stage.INTAKE
    assert "cg_rules_agree" not in str(h.standin.message(nudge.channel, nudge.ts).blocks)


async def test_when_slack_cannot_say_the_workspace_default_stands_in(h: Harness) -> None:
    config = await h.configs.get(h.team)
    entry = AuditEntry(actor="UADMIN", at=h.clock(), action="working hours")
    await h.configs.save(h.team, config.model_copy(update={"default_timezone": "Asia/Tokyo"}), entry)
    await play.start(h)
    h.standin.set_error("users.info", "internal_error", times=10)
    h.clock.now += timedelta(hours=24)  # 18:00 in Tokyo: still working hours there
    assert await run_due(h.service, runner(h)) == 1
    assert reminders(h, h.bob) == 1  # never blocked
    times = await LocalTimes(h.store, None, h.configs).people(h.team, [h.bob])
    assert times[h.bob].tz == "Asia/Tokyo"  # nothing was cached from the failure


async def test_the_workspace_and_a_person_set_their_working_hours(h: Harness) -> None:
    config = await h.configs.get(h.team)
    late = WorkingHours(
        quiet_start=datetime(2026, 1, 1, 22).time(), quiet_end=datetime(2026, 1, 1, 10).time()
    )
    entry = AuditEntry(actor="UADMIN", at=h.clock(), action="working hours")
    await h.configs.save(h.team, config.model_copy(update={"working_hours": late}), entry)
    await play.start(h)
    h.clock.now += timedelta(hours=24)  # Wednesday 09:00 in London: before the workspace's 10:00
    await run_due(h.service, runner(h))
    assert reminders(h, h.bob) == 0
    h.clock.now += timedelta(hours=1)
    await run_due(h.service, runner(h))
    assert reminders(h, h.bob) == 1
    # Bob's own hours win over the workspace's
    times = LocalTimes(h.store, None, h.configs)
    await times.set_own_hours(h.team, h.bob, WorkingHours(working_days=[5, 6]))
    assert (await times.people(h.team, [h.bob]))[h.bob].hours.working_days == [5, 6]
    await times.set_own_hours(h.team, h.bob, None)
    assert (await times.people(h.team, [h.bob]))[h.bob].hours == late


async def test_the_last_day_is_announced_and_the_invitation_extended_once(h: Harness) -> None:
    await play.start(h)
    h.clock.now += timedelta(days=6)  # Monday 09:00 UTC, the day before it closes
    await run_due(h.service, runner(h))
    soon = h.dm_with_action(h.ann, "cg_extend_invitation")
    assert "<!date^" in soon.text
    await h.click_dm(h.ann, "cg_extend_invitation")
    m = await h.mediation()
    assert m.expiry_extended and m.expires_at == datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
    assert "now stays open until" in h.last_dm(h.ann).text
    assert "cg_extend_invitation" not in str(h.standin.message(soon.channel, soon.ts).blocks)
    h.clock.now += timedelta(days=2)  # the first expiry passes: still open
    await run_due(h.service, runner(h))
    assert (await h.mediation()).is_open
    h.clock.now = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)  # announced again, with no second extension
    await run_due(h.service, runner(h))
    assert "stays open until" in h.last_dm(h.bob).text
    assert sum("cg_extend_invitation" in str(message.blocks) for message in h.dm(h.ann)) == 0
    h.clock.now += timedelta(days=1)
    await run_due(h.service, runner(h))
    assert (await h.mediation()).outcome is Outcome.EXPIRED


async def test_a_check_in_days_into_the_conversation(h: Harness) -> None:
    mid = await play.to_joint(h)
    h.clock.now += timedelta(days=7)
    await run_due(h.service, runner(h))
    asked = h.dm_with_action(h.bob, "cg_check_in_open")
    assert "How is it going" in asked.text or "how is it going" in asked.text
    await play.check_in(h, h.bob, [3, 4, 5, 6])
    low = h.last_dm(h.bob)
    assert "cg_joint_pause" in str(low.blocks)
    m = await h.mediation(mid)
    assert m.respondent.pulse == [3, 4, 5, 6] and m.stage is Stage.JOINT
    await play.check_in(h, h.ann, [10, 10, 10, 10])
    assert "Thank you for checking in" in h.last_dm(h.ann).text
    # Ann sees none of Bob's numbers
    assert not any("3, 4, 5, 6" in text for text in h.shown_to(h.ann))
    await h.click_message(h.bob, low, "cg_joint_pause")
    assert (await h.mediation(mid)).paused


async def test_a_person_sets_their_own_working_hours_in_app_home(h: Harness) -> None:
    await play.start(h)  # Bob's App Home is published with the invitation
    assert "The workspace's hours: quiet 20:00–08:00" in str(h.standin.home(h.bob).blocks)
    await h.click_home(h.bob, "cg_my_hours_open")
    assert h.top_view(h.bob).callback_id == "cg_my_hours"
    result = await h.submit(
        h.bob,
        {
            "follow": {"value": []},
            "quiet_start": {"value": "18:00"},
            "quiet_end": {"value": "11:00"},
            "working_days": {"value": ["2", "3"]},  # Wednesday and Thursday
        },
    )
    assert result.response_action == "update", result.errors
    assert "Your own hours: quiet 18:00–11:00; working days Wed, Thu" in str(h.standin.home(h.bob).blocks)
    h.clock.now += timedelta(hours=24)  # Wednesday 09:00 in London: before Bob's 11:00
    await run_due(h.service, runner(h))
    assert reminders(h, h.bob) == 0
    h.clock.now += timedelta(hours=2)
    await run_due(h.service, runner(h))
    assert reminders(h, h.bob) == 1
    # back to the workspace's hours (App Home opened again: the test's worker draws only Bob's list)
    await h.slack.app_home_opened(h.bob)
    await h.settle()
    await h.click_home(h.bob, "cg_my_hours_open")
    await h.submit(h.bob, {"follow": {"value": ["yes"]}})
    assert "The workspace's hours" in str(h.standin.home(h.bob).blocks)
    assert await LocalTimes(h.store, None, h.configs).own_hours(h.team, h.bob) is None


async def test_a_host_sees_a_stalled_step_in_app_home(h: Harness) -> None:
    maya = h.standin.add_user("maya", real_name="Maya Example", tz="Europe/Berlin")
    await h.command(maya, f"facilitate <@{h.ann}> <@{h.bob}> the rota")
    await h.submit(maya, {})
    await h.click_dm(h.ann, "cg_invite_accept")
    await h.click_dm(h.bob, "cg_invite_accept")
    await h.click_dm(h.ann, "cg_rules_agree")
    h.clock.now += timedelta(hours=49)  # Thursday 10:00 UTC: working hours in London and Berlin
    await run_due(h.service, runner(h))
    assert "A kind nudge" in h.last_dm(h.bob).text
    assert "has not had time yet" in h.last_dm(h.ann).text
    await h.slack.app_home_opened(maya)
    await h.settle()
    home = str(h.standin.home(maya).blocks)
    assert f"<@{h.bob}> had a kind reminder <!date^" in home
    assert f"<@{h.ann}> had a kind reminder" not in home


async def test_the_next_timer_is_found_across_shards(h: Harness) -> None:
    assert await h.store.timers.next_due() is None
    await play.start(h)
    assert await h.store.timers.next_due() == h.clock() + timedelta(hours=24)  # the reminder
    h.clock.now += timedelta(hours=24)
    await run_due(h.service, runner(h))
    assert await h.store.timers.next_due() == h.clock() + timedelta(days=5)  # the last day's warning


async def test_a_worker_killed_after_holding_a_reminder_repeats_nothing(h: Harness) -> None:
    """The worker held Bob's reminder for his morning (the new timer saved) and died before it
    acknowledged: the lease runs out, the timer is delivered again and held again, and Bob still
    gets one reminder, in his morning."""
    from bot.worker import TimerWorker, WorkerOptions

    in_new_york(h, h.bob)
    await play.start(h)
    h.clock.now += timedelta(hours=24)
    lease = timedelta(seconds=30)
    taken = await h.store.timers.take_due(h.clock(), lease=lease)
    assert [t.kind.value for t in taken.due] == ["reminder"]
    worker = TimerWorker(h.service, runner(h), WorkerOptions(lease=lease))
    await worker._apply(taken.due[0])  # delivered (held for Bob's morning), then the process died
    h.clock.now += lease + timedelta(seconds=1)
    assert await worker.sweep() == 1  # the same timer again: held again
    assert reminders(h, h.bob) == 0
    h.clock.now = BOB_MORNING
    await worker.sweep()
    h.clock.now += timedelta(minutes=5)
    await worker.sweep()
    assert reminders(h, h.bob) == 1
    assert (await h.store.timers.counts())["leased"] == 0
