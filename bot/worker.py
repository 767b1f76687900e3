"""The worker process: delivers due timers (reminders, expiry and its warning, stalled steps,
check-ins, the follow-up, the retention purge).

A pure deliverer: a timer names a mediation, a kind and the version it was scheduled at; delivering
it applies that kind's engine command (`flows.commands.TIMER_COMMANDS`), carrying the time zone and
working hours of the people it may reach, and runs the effects. The engine decides everything: that
a timer for a mediation that moved on does nothing, and that a notice due in someone's quiet hours
waits for their next working hour (a new timer). Timers are leased and acknowledged (`bot.timers`):
a worker that dies mid-batch loses nothing, and each delivery is recorded so that a timer delivered
again does nothing twice. Nothing a delivery raises stops the loop: the timer is logged (its kind and
ids, never any text) and tried again after a backoff, and given up after `max_tries`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from bot.effects import EffectRunner
from bot.jobs import JobQueue, Leased
from bot.listeners.common import Deps
from bot.listeners.handover import run_job
from bot.local_time import LocalTimes
from bot.service import MediationNotFound, MediationService
from bot.settings import Settings
from bot.store import StoreUnavailable, VersionConflict
from bot.timers import Claim, DueTimer, TimerQueue, parse
from bot.workspaces import WorkspaceClients
from flows import commands as c
from flows.engine import timer_audience
from flows.errors import Refused
from flows.models import Mediation

log = logging.getLogger("commonground.worker")


@dataclass(frozen=True)
class WorkerOptions:
    """How the worker takes and delivers timers (settings `COMMONGROUND_TIMER_*`)."""

    batch: int = 200  # timers taken per shard per round trip
    concurrency: int = 32  # deliveries in flight at once
    lease: timedelta = timedelta(seconds=120)  # a timer not acknowledged by then is due again
    idle: float = 1.0  # seconds to sleep when nothing was due
    max_tries: int = 8  # then the timer goes to the dead letters
    backoff: timedelta = timedelta(seconds=5)  # after a failed delivery: 5 s, 10 s, 20 s… (doubling)
    backoff_max: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkerOptions:
        """The options `COMMONGROUND_TIMER_*` and `COMMONGROUND_WORKER_IDLE_SECONDS` set."""
        return cls(
            batch=settings.timer_batch,
            concurrency=settings.timer_concurrency,
            lease=timedelta(seconds=settings.timer_lease_seconds),
            idle=settings.worker_idle_seconds,
            max_tries=settings.timer_max_tries,
        )

    def retry_in(self, tries: int) -> timedelta:
        """How long a timer waits after its `tries`-th failed delivery."""
        wait: timedelta = self.backoff * (2 ** max(0, tries - 1))
        return min(wait, self.backoff_max)


class TimerWorker:
    """Sweeps every shard, delivers what is due concurrently, acknowledges what was delivered."""

    def __init__(
        self,
        service: MediationService,
        runner: EffectRunner,
        options: WorkerOptions | None = None,
        times: LocalTimes | None = None,
    ) -> None:
        self.service = service
        self.runner = runner
        self.options = options or WorkerOptions()
        self.queue: TimerQueue = service.store.timers
        self.times = times or LocalTimes(service.store, runner.clients, service.configs)
        self._slots = asyncio.Semaphore(self.options.concurrency)
        self._in_flight: set[asyncio.Task[bool]] = set()
        self._migrated = False

    async def sweep(self) -> int:
        """Take what is due in every shard (one round trip), deliver it, acknowledge what was
        delivered (one round trip) and hand the rest back with a backoff; returns how many timers
        were taken. Raises `StoreUnavailable` when Redis cannot be reached (nothing is lost)."""
        if not self._migrated:
            moved = await self.queue.migrate_legacy()
            if moved:
                log.info("timers moved into shards", extra={"count": moved})
            self._migrated = True
        now = self.service.clock()
        o = self.options
        taken = await self.queue.take_due(now, limit=o.batch, lease=o.lease, max_tries=o.max_tries)
        for member in taken.dead:
            gone = parse(member, shard=-1)
            log.error("timer given up", extra=_ids(gone) if gone else {})
        outcomes = await asyncio.gather(*(self._deliver_one(timer) for timer in taken.due))
        delivered = [t for t, ok in zip(taken.due, outcomes, strict=True) if ok]
        failed = [(t, now + o.retry_in(t.tries)) for t, ok in zip(taken.due, outcomes, strict=True) if not ok]
        await self.queue.ack(delivered)
        await self.queue.retry_later(failed)
        return len(taken.due) + len(taken.dead)

    async def drain(self) -> None:
        """Wait for deliveries still in flight (they go on when a sweep is cancelled)."""
        while self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def _deliver_one(self, timer: DueTimer) -> bool:
        """Deliver one timer; True when it needs no more delivering. A delivery that has begun
        finishes even when the sweep is cancelled, so its record says what happened."""
        async with self._slots:
            task = asyncio.create_task(self._deliver(timer))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
            return await asyncio.shield(task)

    async def _deliver(self, timer: DueTimer) -> bool:
        ids = _ids(timer)
        try:
            claim = await self.queue.claim(timer, self.options.lease)
            if claim is Claim.DONE:
                return True  # delivered before; its acknowledgement was lost
            if claim is Claim.FLIGHT:
                return False  # another worker is at it: look again after a backoff
        except Exception as exc:
            log.warning("timer delivery failed", extra={**ids, "error": type(exc).__name__})
            return False
        try:
            await self._apply(timer)
        except (Refused, MediationNotFound):
            pass  # answered, closed or removed meanwhile: nothing to do
        except Exception as exc:  # never the message: it may quote what someone wrote
            log.warning(
                "timer delivery failed", extra={**ids, "tries": timer.tries, "error": type(exc).__name__}
            )
            try:
                await self.queue.release(timer)
            except Exception as release_exc:  # the record runs out with the lease
                log.warning("timer record not released", extra={**ids, "error": type(release_exc).__name__})
            return False
        try:
            await self.queue.done(timer)
        except Exception as exc:  # delivered; a repeat finds the mediation moved on, or re-sends
            log.warning("timer record not written", extra={**ids, "error": type(exc).__name__})
        return True

    async def _apply(self, timer: DueTimer) -> None:
        """Apply the timer's command to the mediation and run what the engine answered."""
        kind = c.TIMER_COMMANDS[timer.kind]

        async def command_for(m: Mediation) -> c.Command:
            people = await self.times.people(m.team, timer_audience(m, timer.kind))
            return cast(c.Command, kind(version=timer.version, people=people))

        await self.runner.run(await self.service.act_with(timer.team, timer.mediation_id, command_for))


def _ids(timer: DueTimer) -> dict[str, str]:
    """What a log line says about a timer: ids and its kind, never any text."""
    return {"team": timer.team, "mediation": timer.mediation_id, "timer": timer.kind.value}


async def run_due(service: MediationService, runner: EffectRunner, times: LocalTimes | None = None) -> int:
    """Deliver every timer that is due now (one sweep); returns how many were taken."""
    return await TimerWorker(service, runner, times=times).sweep()


async def deliver_outbox(
    service: MediationService, runner: EffectRunner, now: datetime | None = None, limit: int = 100
) -> int:
    """Deliver the outbox entries that are due (leased, so two workers never deliver one entry at
    once; each marked done once): what the web process could not deliver, or never got to.
    Returns how many were taken."""
    entries = await service.outbox.take_due(now or service.clock(), limit)
    for entry in entries:
        try:
            await runner.deliver_entry(entry)
        except (Refused, MediationNotFound, StoreUnavailable, VersionConflict) as exc:
            # the lease runs out and the entry is taken again later
            log.warning("outbox entry not delivered", extra={"entry": entry.id, "error": type(exc).__name__})
    return len(entries)


async def run_worker(
    service: MediationService,
    runner: EffectRunner,
    options: WorkerOptions | None = None,
    hand_over: tuple[Deps, WorkspaceClients] | None = None,
) -> None:
    """Deliver due timers and the outbox forever: sweep again at once while there is a backlog, sleep
    only when nothing was due. No exception ends the loop. With `hand_over` (what the listeners share,
    and their client), it also does the jobs the web process hands over (`run_jobs`), alongside."""
    worker = TimerWorker(service, runner, options)
    jobs = asyncio.create_task(run_jobs(*hand_over)) if hand_over and hand_over[0].jobs else None
    try:
        while True:
            stop_if_cancelled()  # a cancellation a Redis call swallowed whole
            taken = 0
            try:
                taken = await worker.sweep()
            except Exception as exc:  # StoreUnavailable, VersionConflict, anything: log, wait, go on
                stop_if_cancelled()
                log.warning("timer sweep failed; retrying", extra={"error": type(exc).__name__})
            try:
                taken += await deliver_outbox(service, runner)
            except Exception as exc:  # the same: the outbox is drained again on the next round
                stop_if_cancelled()
                log.warning("outbox drain failed; retrying", extra={"error": type(exc).__name__})
            if not taken:
                await asyncio.sleep(worker.options.idle)
    finally:
        if jobs is not None:
            jobs.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await jobs


def stop_if_cancelled() -> None:
    """Raise `CancelledError` when this task was asked to stop: a cancellation that arrived inside a
    library call can come out as another error, or not at all (redis-py, redis/redis-py#2028 and
    #2551: a blocking call returns as if it had timed out), and a loop that goes on would never stop."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def run_jobs(deps: Deps, clients: WorkspaceClients) -> None:
    """Do the jobs the web process hands over (bot/jobs.py) forever: say this worker is alive, take
    what is queued (jobs whose lease ran out too), do each as its listener would have, mark it done;
    block on the wake list when nothing is queued. No exception ends the loop."""
    queue = deps.jobs
    assert queue is not None
    policy = queue.policy
    slots = asyncio.Semaphore(policy.batch)

    async def one(leased: Leased) -> None:
        async with slots:
            try:
                await run_job(deps, await clients.for_team(leased.job.team), leased.job)
            except Exception as exc:  # a job that cannot be done now is taken again when its lease ends
                log.warning("job failed", extra={"job": leased.job.kind.value, "error": type(exc).__name__})
                return
            try:
                await queue.done(leased)
            except Exception as exc:  # done again after the lease: the engine refuses a repeat
                log.warning("job not marked done", extra={"error": type(exc).__name__})

    heart = asyncio.create_task(beat_forever(queue))  # alive while busy too: a long batch included
    try:
        while True:
            stop_if_cancelled()  # a cancellation a blocking Redis call swallowed whole
            try:
                taken = await queue.take()
                if not taken:
                    await queue.wait(policy.heartbeat_seconds / 2)
                    continue
                await asyncio.gather(*(one(leased) for leased in taken))
            except Exception as exc:
                stop_if_cancelled()
                log.warning("job round failed; retrying", extra={"error": type(exc).__name__})
                await asyncio.sleep(policy.heartbeat_seconds / 2)
    finally:
        heart.cancel()


async def beat_forever(queue: JobQueue) -> None:
    """Say this worker is alive every `heartbeat_seconds`, whatever its jobs are doing."""
    while True:
        stop_if_cancelled()
        try:
            await queue.beat()
        except Exception as exc:  # Redis away: the web processes do the work meanwhile
            stop_if_cancelled()
            log.warning("heartbeat failed", extra={"error": type(exc).__name__})
        await asyncio.sleep(queue.policy.heartbeat_seconds)
