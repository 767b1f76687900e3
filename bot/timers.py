"""Timers in Redis: sharded, leased, delivered at least once, each delivery recorded once.

A timer is (team, mediation id, kind, the mediation version it was scheduled at); its id is those four
joined by `|`. Timers live in `SHARDS` shards chosen by a stable hash of team and mediation, so no
single key is hot; every key of a shard shares that shard's hash tag, so each script touches one
Redis Cluster slot:

    {prefix}:timers:{<n>}          sorted set: timer id -> when it is due
    {prefix}:timers:{<n>}:lease    sorted set: timer id -> when the lease of the worker delivering it ends
    {prefix}:timers:{<n>}:tries    hash: timer id -> how many times it was taken
    {prefix}:timers:{<n>}:dead     sorted set: timer id -> when it was given up (the dead letters)

Taking moves due timers into the lease set (one script per shard); the worker acknowledges each
after it was delivered, or hands it back with a backoff. A lease that runs out (a worker killed
mid-batch) makes its timers due again. A timer taken more than `max_tries` times is dead-lettered.

Each delivery is recorded under the mediation's team hash tag (`{prefix}:{team}:timer:<mediation>:
<kind>:<version>`): "flight" while one worker delivers it, "done" after; a timer delivered again
(its lease ran out after delivery, before the acknowledgement) finds "done" and is only acknowledged.
"""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import cast

import redis.asyncio as aioredis

from bot.store import unavailable
from flows.effects import Timer

SHARDS = 16  # the same in every process that schedules or delivers (changing it strands timers)
DONE_TTL_SECONDS = 2 * 24 * 3600  # how long a delivered timer is remembered (far beyond lease and backoffs)

# KEYS: due, lease, tries, dead. ARGV: now, lease deadline, limit, max tries.
# Returns {taken ids and their tries, interleaved; dead-lettered ids}.
_TAKE = """
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[3])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, limit)
for _, id in ipairs(expired) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[1], 'NX', now, id)  -- a timer rescheduled meanwhile keeps its new time
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
local taken, dead = {}, {}
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
  local tries = redis.call('HINCRBY', KEYS[3], id, 1)
  if tries > tonumber(ARGV[4]) then
    redis.call('HDEL', KEYS[3], id)
    redis.call('ZADD', KEYS[4], now, id)
    dead[#dead + 1] = id
  else
    redis.call('ZADD', KEYS[2], ARGV[2], id)
    taken[#taken + 1] = id
    taken[#taken + 1] = tries
  end
end
return {taken, dead}
"""

# KEYS: lease, tries. ARGV: timer ids delivered.
_ACK = """
for _, id in ipairs(ARGV) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
end
return #ARGV
"""

# KEYS: due, lease. ARGV: timer id, when to try again, interleaved. Only a timer still leased goes back.
_RETRY = """
local n = 0
for i = 1, #ARGV, 2 do
  if redis.call('ZREM', KEYS[2], ARGV[i]) == 1 then
    redis.call('ZADD', KEYS[1], 'NX', ARGV[i + 1], ARGV[i])
    n = n + 1
  end
end
return n
"""

# KEYS: lease, tries, dead. ARGV: now, timer ids that can never be delivered.
_BURY = """
for i = 2, #ARGV do
  redis.call('ZREM', KEYS[1], ARGV[i])
  redis.call('HDEL', KEYS[2], ARGV[i])
  redis.call('ZADD', KEYS[3], ARGV[1], ARGV[i])
end
return #ARGV - 1
"""

# KEYS: the delivery record. ARGV: seconds an unfinished delivery holds it.
_CLAIM = """
local state = redis.call('GET', KEYS[1])
if state then return state end
redis.call('SET', KEYS[1], 'flight', 'EX', ARGV[1])
return 'claimed'
"""


class Claim(StrEnum):
    """What the delivery record of a timer says when a worker is about to deliver it."""

    CLAIMED = "claimed"  # nobody delivered it: this worker does now
    FLIGHT = "flight"  # another worker is delivering it (or died doing so: the record runs out)
    DONE = "done"  # delivered before: acknowledge it and do nothing


@dataclass(frozen=True)
class DueTimer:
    """A timer a worker has taken (leased) and must deliver, then acknowledge."""

    team: str
    mediation_id: str
    kind: Timer
    version: int
    shard: int
    tries: int = 1

    @property
    def id(self) -> str:
        """The timer's member in its shard: team, mediation, kind and version."""
        return timer_id(self.team, self.mediation_id, self.kind, self.version)


@dataclass(frozen=True)
class Waiting:
    """The timer that falls due first, wherever it waits (see `TimerQueue.next_waiting`)."""

    at: datetime
    kind: Timer | None  # None: a member that names no timer (taking it dead-letters it)


@dataclass(frozen=True)
class Taken:
    """One sweep's take: the timers to deliver now, and the ids given up for good (dead-lettered)."""

    due: list[DueTimer]
    dead: list[str]


def timer_id(team: str, mediation_id: str, kind: Timer, version: int) -> str:
    """A timer's id: the same for the same timer scheduled twice (an effect delivered again)."""
    return f"{team}|{mediation_id}|{kind.value}|{version}"


def shard_of(team: str, mediation_id: str, shards: int = SHARDS) -> int:
    """The shard of a mediation's timers: a stable hash (the same in every process)."""
    return zlib.crc32(f"{team}|{mediation_id}".encode()) % shards


def parse(member: str, shard: int, tries: int = 1) -> DueTimer | None:
    """A timer from its id, or None for a member that names no timer."""
    parts = member.split("|")
    if len(parts) != 4 or not parts[0] or not parts[1] or not parts[3].isdigit():
        return None
    try:
        kind = Timer(parts[2])
    except ValueError:
        return None
    return DueTimer(parts[0], parts[1], kind, int(parts[3]), shard, tries)


def _score(at: datetime) -> str:
    return f"{at.timestamp():.6f}"


class TimerQueue:
    """Scheduling, leasing, acknowledging and recording the delivery of timers."""

    def __init__(self, redis: aioredis.Redis, *, prefix: str, shards: int = SHARDS) -> None:
        self._redis = redis
        self._prefix = prefix
        self.shards = shards
        self._take = redis.register_script(_TAKE)
        self._ack = redis.register_script(_ACK)
        self._retry = redis.register_script(_RETRY)
        self._bury = redis.register_script(_BURY)
        self._claim = redis.register_script(_CLAIM)

    # keys -------------------------------------------------------------------------------------

    def key(self, shard: int, part: str = "") -> str:
        """A shard's key: due timers, or its `lease`, `tries` or `dead` set."""
        base = f"{self._prefix}:timers:{{{shard}}}"
        return f"{base}:{part}" if part else base

    def _record_key(self, timer: DueTimer) -> str:
        return (
            f"{self._prefix}:{{{timer.team}}}:timer:{timer.mediation_id}:{timer.kind.value}:{timer.version}"
        )

    # scheduling -------------------------------------------------------------------------------

    async def schedule(self, team: str, mediation_id: str, kind: Timer, at: datetime, version: int) -> None:
        """Deliver `kind` to this mediation at `at`; the same timer scheduled again only moves."""
        key = self.key(shard_of(team, mediation_id, self.shards))
        member = timer_id(team, mediation_id, kind, version)

        async def call() -> None:
            await self._redis.zadd(key, {member: float(_score(at))})

        await unavailable(call)()

    # taking and acknowledging -----------------------------------------------------------------

    async def take_due(
        self,
        now: datetime,
        *,
        limit: int = 200,
        lease: timedelta = timedelta(seconds=120),
        max_tries: int = 8,
    ) -> Taken:
        """Lease up to `limit` due timers from every shard (one script per shard, all at once); a lease that
        ran out counts as due. A timer taken more than `max_tries` times goes to the dead letters."""
        args = [_score(now), _score(now + lease), str(limit), str(max_tries)]

        async def call() -> list[list[list[bytes | int]]]:
            return await asyncio.gather(*(self._take_shard(shard, args) for shard in range(self.shards)))

        due: list[DueTimer] = []
        dead: list[str] = []
        unreadable: dict[int, list[str]] = {}
        for shard, (taken, buried) in enumerate(await unavailable(call)()):
            dead += [_text(member) for member in buried]
            for i in range(0, len(taken), 2):
                member, tries = _text(taken[i]), int(taken[i + 1])
                timer = parse(member, shard, tries)
                if timer is None:
                    unreadable.setdefault(shard, []).append(member)
                else:
                    due.append(timer)
        if unreadable:
            await self._bury_members(now, unreadable)
            dead += [member for members in unreadable.values() for member in members]
        return Taken(due, dead)

    async def _take_shard(self, shard: int, args: list[str]) -> list[list[bytes | int]]:
        keys = [self.key(shard), self.key(shard, "lease"), self.key(shard, "tries"), self.key(shard, "dead")]
        return cast(list[list[bytes | int]], await self._take(keys=keys, args=args))

    async def ack(self, timers: list[DueTimer]) -> None:
        """These timers were delivered: their leases and try counts go (one script per shard)."""
        by_shard = _by_shard(timers)
        if not by_shard:
            return

        async def call() -> None:
            await asyncio.gather(
                *(
                    self._ack(keys=[self.key(shard, "lease"), self.key(shard, "tries")], args=members)
                    for shard, members in by_shard.items()
                )
            )

        await unavailable(call)()

    async def retry_later(self, timers: list[tuple[DueTimer, datetime]]) -> None:
        """Hand timers back, each due again at its time (a failed delivery's backoff)."""
        by_shard: dict[int, list[str]] = {}
        for timer, at in timers:
            by_shard.setdefault(timer.shard, []).extend([timer.id, _score(at)])
        if not by_shard:
            return

        async def call() -> None:
            await asyncio.gather(
                *(
                    self._retry(keys=[self.key(shard), self.key(shard, "lease")], args=args)
                    for shard, args in by_shard.items()
                )
            )

        await unavailable(call)()

    async def _bury_members(self, now: datetime, by_shard: dict[int, list[str]]) -> None:
        async def call() -> None:
            for shard, members in by_shard.items():
                keys = [self.key(shard, "lease"), self.key(shard, "tries"), self.key(shard, "dead")]
                await self._bury(keys=keys, args=[_score(now), *members])

        await unavailable(call)()

    # the record of each delivery --------------------------------------------------------------

    async def claim(self, timer: DueTimer, hold: timedelta) -> Claim:
        """Mark the timer as being delivered by this worker for `hold`, unless it is already being
        delivered or was delivered."""
        key = self._record_key(timer)

        async def call() -> bytes:
            return cast(bytes, await self._claim(keys=[key], args=[max(1, int(hold.total_seconds()))]))

        return Claim(_text(await unavailable(call)()))

    async def done(self, timer: DueTimer) -> None:
        """The timer was delivered: a later delivery of it does nothing."""
        key = self._record_key(timer)

        async def call() -> None:
            await self._redis.set(key, Claim.DONE.value, ex=DONE_TTL_SECONDS)

        await unavailable(call)()

    async def release(self, timer: DueTimer) -> None:
        """Delivering the timer failed: it may be delivered again (after its backoff)."""
        key = self._record_key(timer)

        async def call() -> None:
            await self._redis.delete(key)

        await unavailable(call)()

    # looking ----------------------------------------------------------------------------------

    async def counts(self) -> dict[str, int]:
        """How many timers are waiting (`due`, whenever they fall due), leased and dead-lettered."""

        async def call() -> list[int]:
            async with self._redis.pipeline(transaction=False) as pipe:
                for shard in range(self.shards):
                    pipe.zcard(self.key(shard))
                    pipe.zcard(self.key(shard, "lease"))
                    pipe.zcard(self.key(shard, "dead"))
                return cast(list[int], await pipe.execute())

        found = await unavailable(call)()
        return {
            "due": sum(found[0::3]),
            "leased": sum(found[1::3]),
            "dead": sum(found[2::3]),
        }

    async def next_due(self) -> datetime | None:
        """When the earliest waiting timer falls due (across shards, a lease that runs out included;
        None when none waits): what a clock that jumps "to the next timer" jumps to."""
        waiting = await self.next_waiting()
        return waiting.at if waiting else None

    async def shard_sizes(self) -> list[int]:
        """How many timers wait in each shard."""

        async def call() -> list[int]:
            async with self._redis.pipeline(transaction=False) as pipe:
                for shard in range(self.shards):
                    pipe.zcard(self.key(shard))
                return cast(list[int], await pipe.execute())

        return await unavailable(call)()

    async def next_waiting(self) -> Waiting | None:
        """The earliest time a sweep would take something, and that timer's kind: the first due
        timer of every shard, and the first lease to run out (a delivery that never acknowledged);
        None when no timer waits anywhere."""

        async def call() -> list[list[tuple[bytes, float]]]:
            async with self._redis.pipeline(transaction=False) as pipe:
                for shard in range(self.shards):
                    pipe.zrange(self.key(shard), 0, 0, withscores=True)
                    pipe.zrange(self.key(shard, "lease"), 0, 0, withscores=True)
                return cast(list[list[tuple[bytes, float]]], await pipe.execute())

        rows = await unavailable(call)()
        firsts = [row[0] for row in rows if row]
        if not firsts:
            return None
        member, score = min(firsts, key=lambda pair: pair[1])
        timer = parse(_text(member), shard=-1)
        return Waiting(datetime.fromtimestamp(score, UTC), timer.kind if timer else None)

    async def dead(self, limit: int = 100) -> list[str]:
        """The ids of timers given up on, across shards (for an operator)."""

        async def call() -> list[bytes]:
            async with self._redis.pipeline(transaction=False) as pipe:
                for shard in range(self.shards):
                    pipe.zrange(self.key(shard, "dead"), 0, limit - 1)
                rows = cast(list[list[bytes]], await pipe.execute())
            return [member for row in rows for member in row]

        return [_text(member) for member in await unavailable(call)()][:limit]

    # timers written before shards --------------------------------------------------------------

    async def migrate_legacy(self, batch: int = 1000) -> int:
        """Move timers from the single sorted set of earlier releases (`{prefix}:timers`, members
        `team|mediation|kind`) into the shards, at version 0; returns how many moved."""
        legacy = f"{self._prefix}:timers"

        async def read() -> list[tuple[bytes, float]]:
            return cast(
                list[tuple[bytes, float]], await self._redis.zrange(legacy, 0, batch - 1, withscores=True)
            )

        kinds = {kind.value for kind in Timer}
        moved = 0
        while rows := await unavailable(read)():
            for member, score in rows:
                parts = _text(member).split("|")
                if len(parts) == 3 and parts[2] in kinds:
                    at = datetime.fromtimestamp(score, UTC)
                    await self.schedule(parts[0], parts[1], Timer(parts[2]), at, version=0)
                    moved += 1
            members = [member for member, _ in rows]

            async def remove(members: list[bytes] = members) -> None:
                await self._redis.zrem(legacy, *members)

            await unavailable(remove)()
        return moved


def _text(value: bytes | str | int) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _by_shard(timers: list[DueTimer]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for timer in timers:
        found.setdefault(timer.shard, []).append(timer.id)
    return found
