"""Work handed from the web process to the worker: the web process acks, the worker does the work.

A click that moves a mediation on (accepting an invitation, pausing, answering the follow-up…) and
`/mediate status` cost the web process far more than the ack: the compare-and-set, rendering, a
dozen Web API calls. When a worker is alive, the web process only writes a `Job` (ids, the engine
command and where to answer; never private text: these commands carry none) and acks; the worker is
woken at once and does what the listener would have done. When no worker answers, the web process
does it itself after the ack, as before (the sandbox and the tests without a worker).

One Lua script both claims the delivery (Slack retries and replays: the same key the dedupe middleware
uses, so a retry is dropped whichever process saw the first) and queues the job: one round trip.

Keys (one hash tag, so every script touches one cluster slot; jobs are small and short-lived):

- `{p}:{jobs}:queue` list: jobs waiting (JSON)
- `{p}:{jobs}:leased` sorted set: job -> when its lease runs out (a worker that dies mid-job: the job
  is queued again and done at least once; the engine refuses a command already carried out)
- `{p}:{jobs}:wake` list: at most one token; the worker blocks on it (BLPOP)
- `{p}:{jobs}:worker` string with a TTL: a worker's heartbeat
- `{p}:{jobs}:once:{delivery key}`: the delivery claims
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast, get_args

import redis.asyncio as aioredis
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.store import unavailable
from flows import commands as c

log = logging.getLogger("commonground.jobs")

# Commands by name: several have the same fields (an actor), so a job names the one it carries.
COMMANDS: dict[str, type[BaseModel]] = {cls.__name__: cls for cls in get_args(c.Command)}


class JobKind(StrEnum):
    """What the worker does with a job."""

    CHANGE = "change"  # carry out a command on a mediation, tell the person if it did not happen
    STATUS = "status"  # answer `/mediate status` through the command's response_url


class Job(BaseModel):
    """One piece of work the web process acked and the worker does: ids and where to answer."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: JobKind
    team: str
    user: str
    mediation_id: str | None = None
    command: str | None = None  # the name of a `flows.commands.Command`…
    fields: dict[str, Any] | None = None  # …and its fields, as JSON
    channel: str | None = None
    response_url: str | None = None
    trigger_id: str | None = None
    queued_at: float = 0.0

    def to_command(self) -> c.Command:
        """The engine command this job carries out (`KeyError`/`ValidationError` when it names none)."""
        return cast(c.Command, COMMANDS[self.command or ""].model_validate(self.fields or {}))


def carrying(command: c.Command) -> dict[str, Any]:
    """The job fields that carry `command`."""
    return {"command": type(command).__name__, "fields": command.model_dump(mode="json")}


@dataclass(frozen=True)
class Leased:
    """A job a worker took, with the exact bytes it was queued as (its lease is kept under them)."""

    job: Job
    raw: bytes


def new_job(kind: JobKind, team: str, user: str, **fields: Any) -> Job:
    """A job with a fresh id."""
    return Job(id=secrets.token_hex(8), kind=kind, team=team, user=user, queued_at=time.time(), **fields)


@dataclass(frozen=True)
class _Pending:
    """A job waiting for its batch's round trip (`JobQueue.enqueue`)."""

    job: str
    delivery: str | None
    queued: asyncio.Future[bool]


@dataclass(frozen=True)
class JobPolicy:
    """How jobs are handed over (settings `COMMONGROUND_JOBS_*`)."""

    enabled: bool = True  # False: the web process always does the work itself
    lease_seconds: float = 60.0  # a job not done by then is queued again
    heartbeat_seconds: float = 2.0  # how often a worker says it is alive
    alive_seconds: float = 6.0  # how long a heartbeat counts
    check_seconds: float = 1.0  # how long the web process trusts what it last read about the worker
    batch: int = 64  # jobs taken per round trip, and queued per round trip at most
    claim_ttl_seconds: int = 600  # a delivery claim outlasts Slack's retries


# KEYS: queue, wake, then each claim. ARGV: claim ttl, then per job its JSON and the index of its claim
# in KEYS (0: none). Returns per job 1 (queued) or 0 (its delivery was claimed before: nothing queued).
_ENQUEUE = """
local results = {}
local queued = 0
for i = 2, #ARGV, 2 do
  local claim = tonumber(ARGV[i + 1])
  if claim > 0 and redis.call('SET', KEYS[claim], '1', 'NX', 'EX', ARGV[1]) == false then
    table.insert(results, 0)
  else
    redis.call('RPUSH', KEYS[1], ARGV[i])
    queued = queued + 1
    table.insert(results, 1)
  end
end
if queued > 0 and redis.call('LLEN', KEYS[2]) == 0 then
  redis.call('RPUSH', KEYS[2], '1')
end
return results
"""

# KEYS: queue, leased. ARGV: now, lease until, limit. Jobs whose lease ran out come first.
_TAKE = """
local limit = tonumber(ARGV[3])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, limit)
local taken = {}
for _, job in ipairs(expired) do
  redis.call('ZADD', KEYS[2], ARGV[2], job)
  table.insert(taken, job)
end
while #taken < limit do
  local job = redis.call('LPOP', KEYS[1])
  if not job then break end
  redis.call('ZADD', KEYS[2], ARGV[2], job)
  table.insert(taken, job)
end
return taken
"""


class JobQueue:
    """The hand-over between the web process and the worker (see the module docstring)."""

    def __init__(self, redis: aioredis.Redis, *, prefix: str, policy: JobPolicy | None = None) -> None:
        self._redis = redis
        self.policy = policy or JobPolicy()
        tag = f"{prefix}:{{jobs}}"
        self._queue, self._leased = f"{tag}:queue", f"{tag}:leased"
        self._wake, self._heartbeat = f"{tag}:wake", f"{tag}:worker"
        self._claim_prefix = f"{tag}:once:"
        self._enqueue = redis.register_script(_ENQUEUE)
        self._take = redis.register_script(_TAKE)
        self._alive = False
        self._checked = float("-inf")
        self._pending: list[_Pending] = []
        self._flushing: set[asyncio.Task[None]] = set()  # batches on their way (kept from the GC)
        self.handed_over = 0  # jobs this process queued (for operators and the benchmark)

    def claim_key(self, delivery: str) -> str:
        """Where the claim of one delivery is kept (the dedupe middleware uses it too)."""
        return self._claim_prefix + delivery

    async def claim_once(self, delivery: str) -> bool:
        """True the first time this delivery is claimed (a retry or a replay gets False)."""

        async def call() -> bool:
            key = self.claim_key(delivery)
            return bool(await self._redis.set(key, "1", nx=True, ex=self.policy.claim_ttl_seconds))

        return await unavailable(call)()

    async def worker_alive(self) -> bool:
        """Whether a worker takes jobs now; read from Redis at most once per `check_seconds` (a job
        queued just as the last worker stopped waits for the next one)."""
        if not self.policy.enabled:
            return False
        if time.monotonic() - self._checked >= self.policy.check_seconds:
            return await self.read_worker()
        return self._alive

    async def read_worker(self) -> bool:
        """Read the heartbeat now (False when Redis cannot be reached: the web process does the work,
        and its own attempt tells the person that storage is down)."""
        self._checked = time.monotonic()
        was_alive = self._alive
        try:
            self._alive = self.policy.enabled and bool(await self._redis.exists(self._heartbeat))
        except Exception as exc:
            log.info("worker heartbeat unreadable", extra={"error": type(exc).__name__})
            self._alive = False
        if self._alive != was_alive:
            log.info(
                "worker %s", "answering: handing work over" if self._alive else "silent: doing the work here"
            )
        return self._alive

    async def enqueue(self, job: Job, delivery: str | None = None) -> bool:
        """Queue a job for the worker, claiming `delivery` in the same step; False when the delivery
        was claimed before (a retry or a replay: nothing queued). Raises `StoreUnavailable`.

        Jobs queued by requests handled in the same turn of the event loop go to Redis together, in
        one script call: under load, one round trip serves several requests."""
        pending = _Pending(job.model_dump_json(exclude_none=True), delivery, asyncio.Future())
        self._pending.append(pending)
        if len(self._pending) == 1:  # the first of this turn: its task sends the turn's jobs
            task = asyncio.ensure_future(self._flush_pending())
            self._flushing.add(task)
            task.add_done_callback(self._flushing.discard)
        return await pending.queued

    async def _flush_pending(self) -> None:
        # runs after the requests already ready in this turn have queued theirs; one call after another,
        # so jobs reach the queue (and claims are won) in the order they came
        batch, self._pending = self._pending, []
        try:
            for start in range(0, len(batch), self.policy.batch):
                await self._flush(batch[start : start + self.policy.batch])
        except BaseException:  # cancelled (the process stops): so is every request still waiting
            for item in batch:
                item.queued.cancel()
            raise

    async def _flush(self, batch: list[_Pending]) -> None:
        keys = [self._queue, self._wake]
        args: list[str | int] = [self.policy.claim_ttl_seconds]
        for item in batch:
            if item.delivery is not None:
                keys.append(self.claim_key(item.delivery))
            args += [item.job, len(keys) if item.delivery is not None else 0]

        async def call() -> list[int]:
            found: list[int] = await self._enqueue(keys=keys, args=args)
            return found

        try:
            results = await unavailable(call)()
        except Exception as exc:  # StoreUnavailable: every request in the batch hears it
            for item in batch:
                if not item.queued.done():
                    item.queued.set_exception(exc)
            return
        for item, result in zip(batch, results, strict=True):
            self.handed_over += bool(result)
            if not item.queued.done():
                item.queued.set_result(bool(result))

    async def beat(self) -> None:
        """Say a worker is alive (for `alive_seconds`)."""
        await self._redis.set(self._heartbeat, "1", px=int(self.policy.alive_seconds * 1000))

    async def wait(self, seconds: float) -> None:
        """Block until a job is queued (or `seconds` pass)."""
        await self._redis.blpop([self._wake], timeout=seconds)

    async def take(self, now: float | None = None) -> list[Leased]:
        """Lease up to `batch` jobs (those whose lease ran out first). A job that no longer parses is
        dropped with a log line."""
        moment = time.time() if now is None else now
        args = [moment, moment + self.policy.lease_seconds, self.policy.batch]

        async def call() -> list[bytes]:
            found: list[bytes] = await self._take(keys=[self._queue, self._leased], args=args)
            return found

        jobs: list[Leased] = []
        for raw in await unavailable(call)():
            try:
                jobs.append(Leased(Job.model_validate_json(raw), raw))
            except ValidationError:
                log.error("unreadable job dropped")
                await self._redis.zrem(self._leased, raw)
        return jobs

    async def done(self, leased: Leased) -> None:
        """The job is done: its lease goes (it is never done again)."""
        await self._redis.zrem(self._leased, leased.raw)

    async def counts(self) -> dict[str, int]:
        """How many jobs wait and how many are leased (for the benchmark and operators)."""
        waiting, leased = await self._redis.llen(self._queue), await self._redis.zcard(self._leased)
        return {"waiting": int(waiting), "leased": int(leased)}
