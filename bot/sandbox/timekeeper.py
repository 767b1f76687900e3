"""The worker inside the sandbox, on the sandbox clock.

:class:`SandboxTime` runs the app's own timer worker (:class:`bot.worker.TimerWorker`) and outbox
drain (:func:`bot.worker.deliver_outbox`) in the sandbox process, on the one
:class:`~bot.sandbox.clock.SandboxClock`: in the background every `idle` seconds, as `commonground
worker` does, and at once when a person moves the clock (:meth:`SandboxTime.advance`), until nothing
more is due at the new time. Every timer kind the worker knows is delivered here the same way, so a
kind added to the worker needs nothing from the sandbox; what fired is reported by kind only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.effects import EffectRunner
from bot.sandbox.clock import SandboxClock
from bot.sandbox.models import zone
from bot.service import MediationService
from bot.store import StoreUnavailable
from bot.timers import DueTimer, Waiting
from bot.worker import TimerWorker, WorkerOptions, deliver_outbox

log = logging.getLogger("commonground.sandbox.time")

MAX_ROUNDS = 50
"""Worker rounds after one move of the clock; each delivers up to a batch per shard, so this only
stops a delivery that keeps scheduling timers already due."""

TIMER_NAMES = {
    "reminder": "reminder",
    "expire": "expiry",
    "expiry_warning": "expiry warning",
    "follow_up": "follow-up",
    "purge": "retention purge",
    "stalled": "stalled step",
    "check_in": "check-in",
}
"""How the page names a timer kind (the domain's newer kinds included); a kind not listed is named by
its value ("a_new_kind": "a new kind")."""


def timer_name(kind: str) -> str:
    """A timer kind as the page names it."""
    return TIMER_NAMES.get(kind, kind.replace("_", " "))


def moment_text(at: datetime, tz: str = "UTC") -> str:
    """A moment as the clock control shows it: "Tue 8 Dec 2026, 09:12 GMT"."""
    local = at.astimezone(zone(tz))
    return local.strftime("%a %-d %b %Y, %H:%M ") + (local.tzname() or tz)


def local_text(at: datetime, tz: str) -> str:
    """A person's own day and hour at `at`: "Tue 04:12 EST"."""
    local = at.astimezone(zone(tz))
    return local.strftime("%a %H:%M ") + (local.tzname() or tz)


def span_text(seconds: float) -> str:
    """A length of time in at most two units: "1 day 2 hours", "5 hours", "12 minutes"."""
    minutes = int(seconds // 60)
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    units = [(days, "day"), (hours, "hour"), (mins, "minute")]
    parts = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in units if n][:2]
    return " ".join(parts) or "less than a minute"


@dataclass
class Advanced:
    """What one move of the clock did: the new time, how far it moved, the kinds of the timers
    delivered (in order; a kind twice when two fired) and the outbox entries delivered."""

    now: datetime
    seconds: float
    fired: list[str] = field(default_factory=list)
    outbox: int = 0

    def message(self) -> str:
        """The sentence the page shows after the move."""
        fired = ", ".join(timer_name(kind) for kind in self.fired)
        said = f"Fired: {fired}." if fired else "No timer fell due."
        return f"The sandbox is now {moment_text(self.now)}. {said}"


class _NotingWorker(TimerWorker):
    """The app's timer worker, noting the kind of each timer it delivered."""

    def __init__(self, service: MediationService, runner: EffectRunner, options: WorkerOptions) -> None:
        super().__init__(service, runner, options)
        self.fired: list[str] = []

    async def _deliver_one(self, timer: DueTimer) -> bool:
        delivered = await super()._deliver_one(timer)
        if delivered:
            self.fired.append(timer.kind.value)
        return delivered


class SandboxTime:
    """The sandbox clock and the worker that runs on it (see the module's docstring)."""

    def __init__(
        self,
        clock: SandboxClock,
        service: MediationService,
        runner: EffectRunner,
        options: WorkerOptions | None = None,
    ) -> None:
        """Run `service`'s timers and outbox through `runner`; `service` must read `clock` too."""
        self.clock = clock
        self.service = service
        self.runner = runner
        self.options = options or WorkerOptions()
        self.worker = _NotingWorker(service, runner, self.options)
        self._lock = asyncio.Lock()  # one round at a time: the background loop or a move of the clock
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    # the worker --------------------------------------------------------------------------------

    async def _round(self) -> tuple[int, int]:
        """One sweep of the timers and one drain of the outbox: (timers taken, entries taken)."""
        taken = await self.worker.sweep()
        return taken, await deliver_outbox(self.service, self.runner)

    async def _run_due(self, seconds: float) -> Advanced:
        """Deliver everything due at the clock's time, round after round until a round finds nothing
        (at most :data:`MAX_ROUNDS`). Raises `StoreUnavailable` when Redis cannot be reached."""
        self.worker.fired = []
        entries = 0
        for _ in range(MAX_ROUNDS):
            timers, taken = await self._round()
            entries += taken
            if not timers and not taken:
                break
        return Advanced(self.clock.now(), seconds, list(self.worker.fired), entries)

    async def advance(self, seconds: float) -> Advanced:
        """Move the clock `seconds` forward, then deliver everything due at the new time."""
        async with self._lock:
            self.clock.advance(seconds)
            return await self._run_due(seconds)

    async def to_next_timer(self) -> Advanced | None:
        """Move the clock to the next timer (not at all when it is due already), then deliver
        everything due; None when no timer waits."""
        async with self._lock:
            waiting = await self.next_timer()
            if waiting is None:
                return None
            seconds = max(0.0, waiting.at.timestamp() - self.clock())
            if seconds > 0:
                self.clock.advance(seconds)
            return await self._run_due(seconds)

    async def next_timer(self) -> Waiting | None:
        """The timer that falls due first, if any."""
        return await self.service.store.timers.next_waiting()

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            busy = False
            try:
                async with self._lock:
                    self.worker.fired = []
                    busy = any(await self._round())
            except Exception as exc:  # as the worker process: log, wait, go on
                log.warning("sandbox worker round failed; retrying", extra={"error": type(exc).__name__})
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.options.idle)

    def start(self) -> None:
        """Run the worker in the background, as `commonground worker` would run beside the app."""
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="sandbox-worker")

    async def stop(self) -> None:
        """Stop the background worker once its round is over (it is not cancelled: a Redis client
        cancelled mid-command may swallow the cancellation), then wait for deliveries in flight."""
        task, self._task = self._task, None
        self._stopping.set()
        if task is not None:
            await task
        await self.worker.drain()

    # what the page shows -----------------------------------------------------------------------

    async def summary(self, people: Iterable[tuple[str, str]]) -> dict[str, Any]:
        """The clock as the page shows it: the sandbox time, how far ahead of real time it is, each
        person's local time (`people`: name and time zone), and the next timer (its kind and when;
        None when none waits or Redis cannot say)."""
        now = self.clock.now()
        try:
            waiting = await self.next_timer()
        except StoreUnavailable:
            waiting = None
        next_timer = None
        if waiting is not None:
            kind = waiting.kind.value if waiting.kind else "unknown"
            wait = (waiting.at - now).total_seconds()
            next_timer = {
                "kind": kind,
                "at": waiting.at.isoformat(),
                "text": f"{timer_name(kind)}, "
                + (f"in {span_text(wait)}" if wait >= 60 else "due now")
                + f" ({moment_text(waiting.at)})",
            }
        return {
            "now": now.isoformat(),
            "text": moment_text(now),
            "ahead_seconds": int(self.clock.offset),
            "ahead": f"{span_text(self.clock.offset)} ahead of real time"
            if self.clock.offset >= 60
            else "real time",
            "people": [
                {
                    "name": name,
                    "tz": tz,
                    "place": tz.rsplit("/", 1)[-1].replace("_", " "),
                    "local": local_text(now, tz),
                }
                for name, tz in people
            ],
            "next_timer": next_timer,
        }
