"""Redis storage: one encrypted, versioned document per mediation, written by compare-and-set.

Keys share a hash tag per team (`{prefix}:{team}:…` with the team in braces) so that every script
touches one cluster slot. Indexes: the mediations of a user and of a team, and a "pair" key that
holds the one open mediation between two people.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar, cast

import redis.asyncio as aioredis
from pydantic import BaseModel, ConfigDict
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.crypto import Cipher
from flows.effects import Notice, Timer
from flows.models import Mediation, Party, Role
from flows.steps import Offer

if TYPE_CHECKING:
    from bot.timers import TimerQueue


class StoreUnavailable(Exception):
    """Redis could not be reached; nothing was written."""


class VersionConflict(Exception):
    """Somebody else wrote the document first; reload and try again."""


class PairTaken(Exception):
    """These two people already have an open mediation."""

    def __init__(self, mediation_id: str) -> None:
        super().__init__(mediation_id)
        self.mediation_id = mediation_id


# KEYS: doc, user index a, user index b, team index, pair, facilitator index (or the team index again),
#       outbox entries, outbox due
# ARGV: expected version ("0" = create), new version, document, id, pair action (claim|release|keep),
#       outbox due time, then outbox (id, entry) pairs
_SAVE = """
local current = redis.call('HGET', KEYS[1], 'v')
if ARGV[1] == '0' then
  if current then return {-1, current} end
  if ARGV[5] == 'claim' then
    local holder = redis.call('GET', KEYS[5])
    if holder then return {-2, holder} end
    redis.call('SET', KEYS[5], ARGV[4])
  end
elseif current ~= ARGV[1] then
  return {-1, current or ''}
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'doc', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('SADD', KEYS[3], ARGV[4])
redis.call('SADD', KEYS[4], ARGV[4])
redis.call('SADD', KEYS[6], ARGV[4])
if ARGV[5] == 'release' and redis.call('GET', KEYS[5]) == ARGV[4] then
  redis.call('DEL', KEYS[5])
elseif ARGV[5] == 'keep' then
  redis.call('SET', KEYS[5], ARGV[4], 'NX')  -- a reopened mediation takes the pair back when free
end
-- the outbox (bot/outbox.py): this change's Slack effects, written with it. KEYS[7] the entries (hash),
-- KEYS[8] when each is due (sorted set); ARGV[6] the due time, then (id, entry) pairs from ARGV[7].
for i = 7, #ARGV, 2 do
  redis.call('HSET', KEYS[7], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[8], ARGV[6], ARGV[i])
end
return {1, ARGV[2]}
"""


# KEYS: pair keys; ARGV: the mediation id each must hold to be removed
_RELEASE_PAIRS = """
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[i] then redis.call('DEL', key) end
end
return 1
"""


T = TypeVar("T")

# The outbox's keys under a team (bot/outbox.py reads and removes what `save` writes there).
OUTBOX = "outbox"
OUTBOX_DUE = "outbox:due"
Outgoing = Sequence[tuple[str, str]]  # outbox (id, entry JSON) pairs written with a document

# How long the record of a sent step message is kept at most (a mediation that is never finished).
OFFERS_TTL_SECONDS = 400 * 24 * 3600


class SentOffer(BaseModel):
    """A direct message that offered a party a step: where it is, and what it offered. It holds no
    private text (ids, the notice, the step); like every value in the store it is encrypted."""

    model_config = ConfigDict(frozen=True)

    notice: Notice
    speaker: Role | None = None
    offer: Offer
    channel: str
    ts: str

    @property
    def hash_field(self) -> str:
        """The message's field in its mediation's hash."""
        return f"{self.channel}:{self.ts}"


def unavailable(call: Callable[[], Awaitable[T]]) -> Callable[[], Awaitable[T]]:
    async def wrapped() -> T:
        try:
            return await call()
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise StoreUnavailable(str(exc)) from exc

    return wrapped


class MediationStore:
    """Mediations, indexes, idempotency keys and timers in Redis."""

    def __init__(self, redis: aioredis.Redis, cipher: Cipher, *, prefix: str = "cg") -> None:
        self._redis = redis
        self.redis = redis
        self._cipher = cipher
        self._prefix = prefix
        self.prefix = prefix
        self._save = redis.register_script(_SAVE)
        self._release_pairs = redis.register_script(_RELEASE_PAIRS)
        from bot.timers import TimerQueue  # it uses this module's error handling

        self.timers: TimerQueue = TimerQueue(redis, prefix=prefix)

    # keys -------------------------------------------------------------------------------------

    def _k(self, team: str, *parts: str) -> str:
        return ":".join([self._prefix, "{" + team + "}", *parts])

    def key(self, team: str, *parts: str) -> str:
        """A key under the team's hash tag (one cluster slot per workspace)."""
        return self._k(team, *parts)

    def _pair_key(self, team: str, a: str, b: str) -> str:
        first, second = sorted((a, b))
        return self._k(team, "pair", first, second)

    # documents --------------------------------------------------------------------------------

    def _encode(self, mediation: Mediation) -> bytes:
        return self._cipher.encrypt(mediation.model_dump_json().encode())

    def _decode(self, blob: bytes) -> Mediation:
        return Mediation.model_validate_json(self._cipher.decrypt(blob))

    async def get(self, team: str, mediation_id: str) -> Mediation | None:
        """Load one mediation, or None."""
        key = self._k(team, "m", mediation_id)

        async def call() -> list[bytes | None]:
            return cast(list[bytes | None], await self._redis.hmget(key, ["v", "doc"]))

        version, blob = await unavailable(call)()
        if version is None or blob is None:
            return None
        mediation = self._decode(blob)
        return mediation.model_copy(update={"version": int(version)})

    async def create(self, mediation: Mediation, outbox: Outgoing = (), due: float = 0.0) -> Mediation:
        """Write a new mediation (version 1), claiming the pair; raises `PairTaken`. `outbox`
        entries (id, JSON) are written in the same step, due at `due`."""
        return await self._write(mediation, expected=0, pair="claim", outbox=outbox, due=due)

    async def save(self, mediation: Mediation, outbox: Outgoing = (), due: float = 0.0) -> Mediation:
        """Write a changed mediation if nobody else did since it was read; raises `VersionConflict`.
        `outbox` entries (id, JSON) are written in the same step, due at `due`, or not at all."""
        pair = "keep" if mediation.is_open else "release"
        return await self._write(mediation, expected=mediation.version, pair=pair, outbox=outbox, due=due)

    def _user_index(self, mediation: Mediation, party: Party) -> str:
        """The party's index of mediations; for a party who deleted their data, the team's index
        instead (the script adds to it anyway), so that no later write lists the mediation as theirs."""
        if party.erased_at is not None:
            return self._k(mediation.team, "all")
        return self._k(mediation.team, "user", party.user_id)

    async def _write(
        self, mediation: Mediation, *, expected: int, pair: str, outbox: Outgoing = (), due: float = 0.0
    ) -> Mediation:
        new = mediation.model_copy(update={"version": expected + 1})
        team = mediation.team
        keys = [
            self._k(team, "m", mediation.id),
            self._user_index(mediation, mediation.initiator),
            self._user_index(mediation, mediation.respondent),
            self._k(team, "all"),
            self._pair_key(team, mediation.initiator.user_id, mediation.respondent.user_id),
            self._k(team, "hosts", mediation.facilitator) if mediation.facilitator else self._k(team, "all"),
            self._k(team, OUTBOX),
            self._k(team, OUTBOX_DUE),
        ]
        args: list[str | bytes] = [str(expected), str(expected + 1), self._encode(new), mediation.id, pair]
        args += [str(due), *(part for entry in outbox for part in entry)]

        async def call() -> list[object]:
            return cast(list[object], await self._save(keys=keys, args=args))

        status, detail = await unavailable(call)()
        if status == -1:
            raise VersionConflict(mediation.id)
        if status == -2:
            holder = detail.decode() if isinstance(detail, bytes) else str(detail)
            raise PairTaken(holder)
        return new

    async def open_between(self, team: str, a: str, b: str) -> str | None:
        """The id of the open mediation between these two people, if any."""
        key = self._pair_key(team, a, b)

        async def call() -> bytes | None:
            return cast(bytes | None, await self._redis.get(key))

        holder = await unavailable(call)()
        return holder.decode() if holder else None

    async def for_user(self, team: str, user_id: str) -> list[Mediation]:
        """Every mediation this user is a party to, newest first."""
        return await self._load_index(team, self._k(team, "user", user_id))

    async def for_facilitator(self, team: str, user_id: str) -> list[Mediation]:
        """Every mediation this user hosts, newest first."""
        return await self._load_index(team, self._k(team, "hosts", user_id))

    async def for_team(self, team: str) -> list[Mediation]:
        """Every mediation of the workspace, newest first (for aggregate counts)."""
        return await self._load_index(team, self._k(team, "all"))

    async def _load_index(self, team: str, index: str) -> list[Mediation]:
        """The mediations an index names: one round trip for the index, one for the documents."""

        async def call() -> list[tuple[str, bytes | None, bytes | None]]:
            members = cast(set[bytes], await self._redis.smembers(index))
            ids = sorted(i.decode() for i in members)
            if not ids:
                return []
            async with self._redis.pipeline(transaction=False) as pipe:
                for mediation_id in ids:
                    pipe.hmget(self._k(team, "m", mediation_id), ["v", "doc"])
                rows = await pipe.execute()
            return [(i, row[0], row[1]) for i, row in zip(ids, rows, strict=True)]

        mediations = []
        for _, version, blob in await unavailable(call)():
            if version is not None and blob is not None:
                mediations.append(self._decode(blob).model_copy(update={"version": int(version)}))
        return sorted(mediations, key=lambda m: m.created_at, reverse=True)

    async def delete(self, team: str, mediation_id: str) -> None:
        """Remove a mediation and its index entries."""
        mediation = await self.get(team, mediation_id)
        if mediation is None:
            return

        async def call() -> None:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.delete(self._k(team, "m", mediation_id))
                pipe.delete(self._k(team, "offers", mediation_id))
                pipe.delete(self._k(team, "posted", mediation_id))
                for user in mediation.user_ids:
                    pipe.srem(self._k(team, "user", user), mediation_id)
                pipe.srem(self._k(team, "all"), mediation_id)
                await pipe.execute()

        await unavailable(call)()

    async def forget_user(self, team: str, user_id: str, mediations: list[Mediation]) -> None:
        """Remove what names this person as taking part: their index of mediations, a pair lock one
        of `mediations` still holds, and their live-coaching pause in each (for "delete my data",
        after each mediation was erased and saved)."""
        pairs = [self._pair_key(team, *m.user_ids) for m in mediations]
        ids = [m.id for m in mediations]

        async def call() -> None:
            if pairs:
                await self._release_pairs(keys=pairs, args=ids)
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.delete(self._k(team, "user", user_id))
                for mediation_id in ids:  # not under the team's hash tag: one key per command
                    pipe.delete(f"{self._prefix}:once:live:{team}:{mediation_id}:{user_id}")
                await pipe.execute()

        await unavailable(call)()

    # joint spaces -----------------------------------------------------------------------------

    async def link_joint(self, team: str, channel_id: str, mediation_id: str) -> None:
        """Remember which mediation a joint-space conversation belongs to."""
        key = self._k(team, "joint", channel_id)

        async def call() -> None:
            await self._redis.set(key, mediation_id)

        await unavailable(call)()

    async def record_posted(self, team: str, mediation_id: str, ref: str, channel: str, ts: str) -> None:
        """Remember where a message that is redrawn later was posted (an agreement item, a proposal
        to finish): its channel and ts only, next to the mediation, never any text."""
        key = self._k(team, "posted", mediation_id)

        async def call() -> None:
            await self._redis.hset(key, ref, f"{channel} {ts}")

        await unavailable(call)()

    async def posted(self, team: str, mediation_id: str, ref: str) -> tuple[str, str] | None:
        """(channel, ts) of a message recorded with `record_posted`, or None."""
        key = self._k(team, "posted", mediation_id)

        async def call() -> bytes | None:
            return cast(bytes | None, await self._redis.hget(key, ref))

        found = await unavailable(call)()
        if not found:
            return None
        channel, _, ts = found.decode().partition(" ")
        return channel, ts

    async def joint_mediation(self, team: str, channel_id: str) -> str | None:
        """The mediation whose joint space this conversation is, if any."""
        key = self._k(team, "joint", channel_id)

        async def call() -> bytes | None:
            return cast(bytes | None, await self._redis.get(key))

        found = await unavailable(call)()
        return found.decode() if found else None

    # step messages ----------------------------------------------------------------------------

    async def record_offer(self, team: str, mediation_id: str, sent: SentOffer) -> None:
        """Remember a direct message that offers a step, to update it once the step is done."""
        key = self._k(team, "offers", mediation_id)

        async def call() -> None:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(key, sent.hash_field, self._cipher.encrypt(sent.model_dump_json().encode()))
                pipe.expire(key, OFFERS_TTL_SECONDS)
                await pipe.execute()

        await unavailable(call)()

    async def offers(self, team: str, mediation_id: str) -> list[SentOffer]:
        """The step messages of a mediation that were not yet turned into what happened."""
        key = self._k(team, "offers", mediation_id)

        async def call() -> dict[bytes, bytes]:
            return cast(dict[bytes, bytes], await self._redis.hgetall(key))

        rows = await unavailable(call)()
        found = [SentOffer.model_validate_json(self._cipher.decrypt(raw)) for raw in rows.values()]
        return sorted(found, key=lambda sent: sent.ts)

    async def forget_offer(self, team: str, mediation_id: str, sent: SentOffer) -> None:
        """A step message is done: it needs no more updates."""
        key = self._k(team, "offers", mediation_id)

        async def call() -> None:
            await self._redis.hdel(key, sent.hash_field)

        await unavailable(call)()

    # idempotency ------------------------------------------------------------------------------

    async def claim_once(self, key: str, ttl_seconds: int = 600) -> bool:
        """True the first time `key` is claimed within the TTL (Slack retries and replays)."""
        full = f"{self._prefix}:once:{key}"

        async def call() -> bool:
            return bool(await self._redis.set(full, "1", nx=True, ex=ttl_seconds))

        return await unavailable(call)()

    # timers -----------------------------------------------------------------------------------

    async def schedule(
        self, team: str, mediation_id: str, timer: Timer, at: datetime, *, version: int = 0
    ) -> None:
        """Ask the worker to deliver `timer` to this mediation at `at`; `version` is the mediation's
        version when it was scheduled (see `bot.timers`)."""
        await self.timers.schedule(team, mediation_id, Timer(timer), at, version)

    async def ping(self) -> bool:
        """True when Redis answers."""
        try:
            return bool(await self._redis.ping())
        except (RedisError, OSError):
            return False


def team_key(enterprise_id: str | None, team_id: str | None) -> str:
    """The storage namespace of a workspace (Enterprise Grid org and team)."""
    return f"{enterprise_id or '-'}.{team_id or '-'}"
