"""The worker under faults: killed mid-batch, two at once, a delivery that fails, a timer delivered
again, Redis gone. Real Redis, the Slack stand-in, the harness's clock."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

import pytest
import redis.asyncio as aioredis
from slack_sdk.web.async_client import AsyncWebClient

from bot.crypto import Cipher
from bot.definitions import DefinitionSource
from bot.effects import EffectRunner
from bot.service import MediationService
from bot.store import MediationStore
from bot.worker import TimerWorker, WorkerOptions, run_worker
from flows import commands as c
from flows.effects import Timer
from flows.models import Outcome, Stage
from tests.e2e import play
from tests.support.harness import Harness

LEASE = timedelta(seconds=60)
REMINDER = "gentle reminder"


def runner(h: Harness, service: MediationService | None = None) -> EffectRunner:
    client = AsyncWebClient(token=h.standin.bot_token, base_url=h.standin.api_url)
    return EffectRunner(client, service or h.service)


def worker(h: Harness, service: MediationService | None = None, **options: object) -> TimerWorker:
    settings = WorkerOptions(**{"lease": LEASE, **options})  # type: ignore[arg-type]
    return TimerWorker(service or h.service, runner(h, service), settings)


async def invite_many(h: Harness, n: int) -> list[tuple[str, str]]:
    """`n` peer mediations waiting on their invitations: (mediation id, the invited person)."""
    started = []
    for i in range(n):
        a = h.standin.add_user(f"asker{i}", real_name=f"Asker {i}")
        b = h.standin.add_user(f"invitee{i}", real_name=f"Invitee {i}")
        transition = await h.service.start(h.team, c.Start(actor=a, respondent=b, topic="the rota"))
        await runner(h).run(transition)
        started.append((transition.mediation.id, b))
    return started


def reminders(h: Harness, user: str) -> int:
    return sum(REMINDER in m.text for m in h.dm(user))


async def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(h: Harness) -> None:
    invited = await invite_many(h, 20)
    h.clock.now += timedelta(hours=25)
    slow = worker(h, concurrency=2)
    sweep = asyncio.create_task(slow.sweep())
    for _ in range(2000):  # until some are delivered, most not yet
        if sum(reminders(h, b) for _, b in invited) >= 3:
            break
        await asyncio.sleep(0.005)
    sweep.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sweep
    await slow.drain()  # deliveries already begun finish; nothing was acknowledged
    sent = sum(reminders(h, b) for _, b in invited)
    assert 3 <= sent < len(invited)
    assert (await h.store.timers.counts())["leased"] == len(invited)
    # Until the lease runs out, no other worker takes them.
    assert await worker(h).sweep() == 0
    h.clock.now += LEASE + timedelta(seconds=1)
    assert await worker(h).sweep() == len(invited)
    for _, invitee in invited:
        assert reminders(h, invitee) == 1  # at least once, and never twice to a person
    assert await h.store.timers.counts() == {
        "due": 2 * len(invited),
        "leased": 0,
        "dead": 0,
    }  # warnings, expiries


async def test_a_worker_that_died_after_taking_leaves_the_timers_to_the_next(h: Harness) -> None:
    invited = await invite_many(h, 3)
    h.clock.now += timedelta(hours=25)
    taken = await h.store.timers.take_due(h.clock(), lease=LEASE)  # taken, then the process died
    assert len(taken.due) == 3
    assert await worker(h).sweep() == 0
    h.clock.now += LEASE + timedelta(seconds=1)
    assert await worker(h).sweep() == 3
    assert [reminders(h, b) for _, b in invited] == [1, 1, 1]


async def test_two_workers_at_once_deliver_each_timer_once(h: Harness, redis_url: str) -> None:
    invited = await invite_many(h, 10)
    other_redis = aioredis.Redis.from_url(redis_url)
    try:
        other_store = MediationStore(other_redis, Cipher(h.encryption_key), prefix=h.key_prefix)
        other = MediationService(other_store, DefinitionSource(h.configs), configs=h.configs, clock=h.clock)
        h.clock.now += timedelta(days=8)  # reminders and expiries, all due
        first, second = worker(h, batch=3), worker(h, service=other, batch=3)
        for _ in range(100):
            taken = await asyncio.gather(first.sweep(), second.sweep())
            if sum(taken) == 0 and (await h.store.timers.counts())["leased"] == 0:
                break
            h.clock.now += timedelta(seconds=10)  # a timer the other had in hand comes back after a backoff
    finally:
        await other_redis.aclose()
    for mediation_id, invitee in invited:
        assert reminders(h, invitee) <= 1  # the expiry may come first: then no reminder at all
        m = await h.mediation(mediation_id)
        assert m.stage is Stage.CLOSED
        asker = m.initiator.user_id
        assert sum("expired" in message.text for message in h.dm(asker)) == 1
    # What is left: each closed mediation's retention purge, months away.
    assert await h.store.timers.counts() == {"due": len(invited), "leased": 0, "dead": 0}


async def test_a_timer_delivered_again_does_nothing_twice(h: Harness) -> None:
    """The follow-up was delivered and both answered; its acknowledgement was lost, so the timer
    comes back: the engine alone would ask again, the delivery record says it was done."""
    mid = await play.to_joint(h)
    m = await h.mediation(mid)
    assert m.joint is not None
    summary = h.standin.messages(m.joint.channel_id)[0]
    await h.click_message(h.ann, summary, "cg_item_propose")
    await h.submit(h.ann, {"who": {"value": "Bob"}, "what": {"value": "Share date changes first"}})
    await h.click_message(h.bob, h.standin.messages(m.joint.channel_id)[-1], "cg_item_accept")
    await play.finish(h, mid, h.bob, h.ann, "agreed")
    h.clock.now += timedelta(days=15)
    taken = await h.store.timers.take_due(h.clock(), lease=LEASE)
    follow_up = next(t for t in taken.due if t.kind is Timer.FOLLOW_UP)
    await h.store.timers.retry_later([(t, h.clock()) for t in taken.due])  # as if never taken
    assert await worker(h).sweep() >= 1
    asked = sum("Is the agreement holding" in message.text for message in h.dm(h.ann))
    assert asked == 1
    await h.click_dm(h.ann, "cg_follow_up_yes")
    await h.click_dm(h.bob, "cg_follow_up_yes")
    # The same timer again (a lease that ran out after the delivery, before its acknowledgement).
    await h.store.timers.schedule(h.team, mid, Timer.FOLLOW_UP, h.clock(), follow_up.version)
    assert await worker(h).sweep() == 1
    assert sum("Is the agreement holding" in message.text for message in h.dm(h.ann)) == asked


async def test_a_failing_delivery_stops_neither_the_others_nor_the_loop(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    invited = await invite_many(h, 5)
    broken_id, broken_invitee = invited[2]
    broken = await h.mediation(broken_id)  # started with a flow version nobody can find: delivery raises
    await h.store.save(broken.model_copy(update={"definition_version": 999}))
    h.standin.set_error("chat.postMessage", "internal_error", times=1)  # and Slack fails once
    h.clock.now += timedelta(hours=25)
    caplog.set_level(logging.WARNING, logger="commonground.worker")
    options = WorkerOptions(lease=LEASE, idle=0.01, backoff=timedelta(0), max_tries=3)
    loop = asyncio.create_task(run_worker(h.service, runner(h), options))
    try:
        for _ in range(500):
            delivered = [reminders(h, b) for mid, b in invited if mid != broken_id]
            if delivered == [1, 1, 1, 1] and (await h.store.timers.counts())["dead"] == 1:
                break
            await asyncio.sleep(0.01)
        assert delivered == [1, 1, 1, 1]  # the one Slack refused once was tried again
        assert reminders(h, broken_invitee) == 0
        assert await h.store.timers.dead() == [f"{h.team}|{broken_id}|reminder|1"]
        # The loop lives on and delivers what falls due next: the invitations expire.
        first_id, _ = invited[0]
        h.clock.now += timedelta(days=7)
        for _ in range(500):
            if not (await h.mediation(first_id)).is_open:
                break
            await asyncio.sleep(0.01)
        assert (await h.mediation(first_id)).outcome is Outcome.EXPIRED
        assert not loop.done()
    finally:
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop
    failures = [r for r in caplog.records if r.getMessage() == "timer delivery failed"]
    # the reminder is written to the outbox with its change, so Slack's bad moment is the outbox's to
    # retry (it was delivered above); only the unreadable flow version fails the timer itself
    assert {getattr(r, "error", None) for r in failures} == {"LookupError"}
    for record in caplog.records:  # ids and the kind of error only, never a text, never a traceback
        assert "the rota" not in record.getMessage() + str(record.__dict__)
        assert "not stored" not in str(record.__dict__)  # the exception's message
        assert record.exc_info is None


async def test_the_loop_survives_redis_being_unreachable(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    gone = aioredis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    store = MediationStore(gone, Cipher(h.encryption_key), prefix=h.key_prefix)
    service = MediationService(store, DefinitionSource(), clock=h.clock)
    caplog.set_level(logging.WARNING, logger="commonground.worker")
    loop = asyncio.create_task(run_worker(service, runner(h, service), WorkerOptions(idle=0.01)))
    await asyncio.sleep(0.3)
    assert not loop.done()
    loop.cancel()
    with pytest.raises(asyncio.CancelledError):
        await loop
    await gone.aclose()
    errors = {
        getattr(r, "error", None) for r in caplog.records if r.getMessage() == "timer sweep failed; retrying"
    }
    assert errors == {"StoreUnavailable"}


async def test_a_purge_timer_for_a_mediation_that_is_gone_is_acknowledged_and_gone(h: Harness) -> None:
    await h.store.timers.schedule(h.team, "mgone", Timer.PURGE, h.clock(), version=4)
    mid = await play.start(h)
    await h.store.timers.schedule(h.team, mid, Timer.PURGE, h.clock(), version=1)  # still open
    assert await worker(h).sweep() == 2
    counts = await h.store.timers.counts()
    assert counts == {"due": 3, "leased": 0, "dead": 0}  # only the invitation's reminder, warning, expiry


async def test_a_cancellation_a_library_turned_into_an_error_still_stops_the_loop(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """redis-py can turn a cancellation that arrives mid-call into a connection error: the loop,
    which logs errors and goes on, must still stop when it was asked to."""

    async def swallowing_sweep(self: TimerWorker) -> int:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            raise ConnectionError("connection lost while reading") from None
        return 0

    monkeypatch.setattr(TimerWorker, "sweep", swallowing_sweep)
    loop = asyncio.create_task(run_worker(h.service, runner(h), WorkerOptions(idle=0.01)))
    await asyncio.sleep(0.05)
    loop.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(loop, 5)


async def test_a_cancellation_a_library_swallowed_whole_still_stops_the_loop(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A blocking redis-py call can return as if it had timed out when cancelled (redis/redis-py#2028)."""

    async def swallowing_sweep(self: TimerWorker) -> int:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(30)
        return 0

    monkeypatch.setattr(TimerWorker, "sweep", swallowing_sweep)
    loop = asyncio.create_task(run_worker(h.service, runner(h), WorkerOptions(idle=0.01)))
    await asyncio.sleep(0.05)
    loop.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(loop, 5)
