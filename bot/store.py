"""Redis storage: one encrypted, versioned document per mediation, written by compare-and-set.

Keys share a hash tag per team (`{prefix}:{team}:…` with the team in braces) so that every script
touches one cluster slot. What a read touches does not grow with history:

- `m:<id>`: the document (a hash of its version and its packed value: compressed, then encrypted);
- `open:<user>` / `closed:<user>`: the open mediations a person is a party to, and the last
  `RECENT_CLOSED` they were in that closed (a sorted set by closing time, trimmed at every close);
  `hopen:<user>` / `hclosed:<user>` the same for a facilitator;
- `mine:<user>`: every mediation of the person's not yet purged by retention (read only by "delete my
  data": a purged mediation holds no words of theirs);
- `open`: the workspace's open mediations; `pair:<a>:<b>`: the one open mediation between two people;
- `agg`: the counters the admins' *Outcomes* report is made of (`flows.aggregates.tally`: outcomes,
  stage-duration buckets, check-in and round histograms per flow), and `aggrun`: the running stage of
  each open mediation (flow, stage, since when: no text, no person); both change in the same script
  as the document, so *Outcomes* never reads a document.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar, cast

import redis.asyncio as aioredis
from cryptography.fernet import InvalidToken
from pydantic import BaseModel, ConfigDict, ValidationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.crypto import Cipher
from flows import retention
from flows.aggregates import Running, contribution, running, tally_delta
from flows.effects import Notice, Timer
from flows.models import Mediation, Party, Role
from flows.steps import Offer

if TYPE_CHECKING:
    from bot.timers import TimerQueue

log = logging.getLogger("commonground.store")

RECENT_CLOSED = 10
"""How many closed mediations each person's (and host's) list keeps: App Home and /mediate status show
the open ones and these."""

# What a damaged or foreign value raises when it is read.
UNREADABLE_ERRORS = (InvalidToken, ValidationError, ValueError, zlib.error, UnicodeDecodeError)


class StoreUnavailable(Exception):
    """Redis could not be reached; nothing was written."""


class UnreadableMediation(StoreUnavailable):
    """One stored mediation cannot be decrypted or validated (wrong key, damaged value); the rest of
    the store is fine. A kind of `StoreUnavailable` so that every listener that handles a storage
    problem handles it too; `error_text` gives it its own words."""

    def __init__(self, mediation_id: str) -> None:
        super().__init__(mediation_id)
        self.mediation_id = mediation_id


class VersionConflict(Exception):
    """Somebody else wrote the document first; reload and try again."""


class PairTaken(Exception):
    """These two people already have an open mediation."""

    def __init__(self, mediation_id: str) -> None:
        super().__init__(mediation_id)
        self.mediation_id = mediation_id


def person_lists_lua(*, first_key: int, pairs: int, closed_at: int, kept: int, mine: int) -> str:
    """The Lua that puts mediation `id` (open or not, in `open`) into each person's lists: from
    KEYS[first_key], ARGV[pairs] (open set, recent closed sorted set) pairs — open: in the set; closed:
    in the sorted set at ARGV[closed_at], trimmed to the last ARGV[kept] — then every later key, a
    "mine" set, joined or left as ARGV[mine] is "1" or not. One text for the save script and
    `commonground migrate`, so the two never disagree on the layout."""
    return f"""local pairs_end = {first_key - 1} + 2 * tonumber(ARGV[{pairs}])
for i = {first_key}, pairs_end, 2 do
  if open then
    redis.call('SADD', KEYS[i], id)
    redis.call('ZREM', KEYS[i + 1], id)
  else
    redis.call('SREM', KEYS[i], id)
    redis.call('ZADD', KEYS[i + 1], ARGV[{closed_at}], id)
    redis.call('ZREMRANGEBYRANK', KEYS[i + 1], 0, -1 - tonumber(ARGV[{kept}]))
  end
end
for i = pairs_end + 1, #KEYS do
  if ARGV[{mine}] == '1' then redis.call('SADD', KEYS[i], id) else redis.call('SREM', KEYS[i], id) end
end
"""


# KEYS: 1 doc, 2 pair, 3 team's open set, 4 Outcomes counters, 5 running stages of open ones,
#       6 outbox entries, 7 outbox due,
#       then per indexed person an (open set, recent closed sorted set) pair, then "mine" sets
# ARGV: 1 expected version ("0" = create), 2 new version, 3 document, 4 id, 5 pair action
#       (claim|release|keep), 6 open ("1"|"0"), 7 closing time (score), 8 closed kept per person,
#       9 in the "mine" sets ("1"|"0"), 10 running stage ("" for none), 11 number of (open, closed)
#       pairs, 12 outbox due time, 13 number of outbox entries, then the outbox (id, entry) pairs,
#       then counter changes as field, delta
_SAVE = (
    """
local current = redis.call('HGET', KEYS[1], 'v')
if ARGV[1] == '0' then
  if current then return {-1, current} end
  if ARGV[5] == 'claim' then
    local holder = redis.call('GET', KEYS[2])
    if holder then return {-2, holder} end
    redis.call('SET', KEYS[2], ARGV[4])
  end
elseif current ~= ARGV[1] then
  return {-1, current or ''}
end
local id = ARGV[4]
local open = ARGV[6] == '1'
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'doc', ARGV[3])
if open then redis.call('SADD', KEYS[3], id) else redis.call('SREM', KEYS[3], id) end
if ARGV[10] ~= '' then redis.call('HSET', KEYS[5], id, ARGV[10]) else redis.call('HDEL', KEYS[5], id) end
"""
    + person_lists_lua(first_key=8, pairs=11, closed_at=7, kept=8, mine=9)
    + """-- the outbox (bot/outbox.py): this change's Slack effects, written with it. KEYS[6] the entries
-- (hash), KEYS[7] when each is due (sorted set); ARGV[12] the due time, ARGV[13] how many (id, entry)
-- pairs follow.
local outbox_end = 13 + 2 * tonumber(ARGV[13])
for i = 14, outbox_end, 2 do
  redis.call('HSET', KEYS[6], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[7], ARGV[12], ARGV[i])
end
for j = outbox_end + 1, #ARGV, 2 do
  if redis.call('HINCRBY', KEYS[4], ARGV[j], ARGV[j + 1]) == 0 then redis.call('HDEL', KEYS[4], ARGV[j]) end
end
if ARGV[5] == 'release' and redis.call('GET', KEYS[2]) == id then
  redis.call('DEL', KEYS[2])
elseif ARGV[5] == 'keep' then
  redis.call('SET', KEYS[2], id, 'NX')  -- a reopened mediation takes the pair back when free
end
return {1, ARGV[2]}
"""
)


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


def _is_recent_list(index: str) -> bool:
    """Whether an index is a sorted set of recently closed mediations (`closed:`, `hclosed:`); every
    other list is a set. Known from the name, so a list read is two round trips, not three."""
    return index.rsplit(":", 2)[-2] in ("closed", "hclosed")


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
        """The stored value: the document without its version (kept beside it) or empty defaults,
        compressed, then encrypted."""
        doc = mediation.model_dump_json(exclude_defaults=True, exclude={"version"})
        return self._cipher.pack(doc.encode())

    def _decode(self, mediation_id: str, version: bytes, blob: bytes) -> Mediation:
        """A stored document, or `UnreadableMediation` (logged by id only, never its content)."""
        try:
            mediation = Mediation.model_validate_json(self._cipher.unpack(blob))
        except UNREADABLE_ERRORS as exc:
            log.warning(
                "unreadable mediation", extra={"mediation": mediation_id, "error": type(exc).__name__}
            )
            raise UnreadableMediation(mediation_id) from None
        return mediation.model_copy(update={"version": int(version)})

    def encode(self, mediation: Mediation) -> bytes:
        """The value `save` stores for a mediation (for `bot.migrate`, which re-encodes old ones)."""
        return self._encode(mediation)

    def decode(self, mediation_id: str, version: bytes, blob: bytes) -> Mediation:
        """A stored value read as `get` reads it, in either format; raises `UnreadableMediation`."""
        return self._decode(mediation_id, version, blob)

    async def get(self, team: str, mediation_id: str) -> Mediation | None:
        """Load one mediation, or None; raises `UnreadableMediation` when it cannot be read."""
        key = self._k(team, "m", mediation_id)

        async def call() -> list[bytes | None]:
            return cast(list[bytes | None], await self._redis.hmget(key, ["v", "doc"]))

        version, blob = await unavailable(call)()
        if version is None or blob is None:
            return None
        return self._decode(mediation_id, version, blob)

    async def create(self, mediation: Mediation, outbox: Outgoing = (), due: float = 0.0) -> Mediation:
        """Write a new mediation (version 1), claiming the pair; raises `PairTaken`. `outbox`
        entries (id, JSON) are written in the same step, due at `due`."""
        return await self._write(mediation, expected=0, pair="claim", previous=None, outbox=outbox, due=due)

    async def save(
        self,
        mediation: Mediation,
        outbox: Outgoing = (),
        due: float = 0.0,
        *,
        previous: Mediation | None = None,
    ) -> Mediation:
        """Write a changed mediation if nobody else did since it was read; raises `VersionConflict`.
        `outbox` entries (id, JSON) are written in the same step, due at `due`, or not at all.

        `previous` is the version it was changed from (as read, the service has it): the *Outcomes*
        counters follow the change from it. Without it, it is read first."""
        pair = "keep" if mediation.is_open else "release"
        return await self._write(
            mediation, expected=mediation.version, pair=pair, previous=previous, outbox=outbox, due=due
        )

    def _indexed(self, mediation: Mediation) -> list[Party]:
        """The parties whose lists name the mediation: not one who deleted their data, so that no
        later write lists the mediation as theirs."""
        return [party for party in mediation.parties if party.erased_at is None]

    async def _write(
        self,
        mediation: Mediation,
        *,
        expected: int,
        pair: str,
        previous: Mediation | None,
        outbox: Outgoing = (),
        due: float = 0.0,
    ) -> Mediation:
        new = mediation.model_copy(update={"version": expected + 1})
        team = mediation.team
        people = self._indexed(mediation)
        recent = [
            key
            for p in people
            for key in (self._k(team, "open", p.user_id), self._k(team, "closed", p.user_id))
        ]
        if mediation.facilitator:
            host = mediation.facilitator
            recent += [self._k(team, "hopen", host), self._k(team, "hclosed", host)]
        keys = [
            self._k(team, "m", mediation.id),
            self._pair_key(team, mediation.initiator.user_id, mediation.respondent.user_id),
            self._k(team, "open"),
            self._k(team, "agg"),
            self._k(team, "aggrun"),
            self._k(team, OUTBOX),
            self._k(team, OUTBOX_DUE),
            *recent,
            *(self._k(team, "mine", p.user_id) for p in people),
        ]
        if previous is None and expected:
            previous = await self.get(team, mediation.id)  # a stale read fails the version check
        now = contribution(mediation)
        before = contribution(previous) if previous is not None else None
        delta = tally_delta(before, now)
        run = running(now)
        closed_at = retention.closed_at(mediation)
        args: list[str | bytes | int | float] = [
            str(expected),
            str(expected + 1),
            self._encode(new),
            mediation.id,
            pair,
            "1" if mediation.is_open else "0",
            closed_at.timestamp() if closed_at else 0,
            RECENT_CLOSED,
            "0" if mediation.purged_at is not None else "1",
            run.encode() if run is not None else "",
            len(recent) // 2,
            str(due),
            len(outbox),
            *(part for entry in outbox for part in entry),
        ]
        for field, change in sorted(delta.items()):
            args += [field, change]

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
        """The open mediations this user is a party to and the last `RECENT_CLOSED` that closed,
        newest first (unreadable ones left out)."""
        return await self._load(team, self._k(team, "open", user_id), self._k(team, "closed", user_id))

    async def for_facilitator(self, team: str, user_id: str) -> list[Mediation]:
        """The open mediations this user hosts and the last `RECENT_CLOSED` that closed, newest first."""
        return await self._load(team, self._k(team, "hopen", user_id), self._k(team, "hclosed", user_id))

    async def every_for_user(self, team: str, user_id: str) -> list[Mediation]:
        """Every mediation this user is a party to that still holds words (not purged by retention),
        open or closed: for "delete my data" only, never for a screen."""
        return await self._load(team, self._k(team, "mine", user_id), self._k(team, "open", user_id))

    async def open_in_team(self, team: str) -> list[Mediation]:
        """The workspace's open mediations, newest first."""
        return await self._load(team, self._k(team, "open"))

    async def outcome_inputs(self, team: str) -> tuple[dict[str, int], list[Running]]:
        """What the admins' *Outcomes* report is made of: the workspace's counters and the running
        stage of each open mediation. Two keys, whatever the history; no document is read (the
        running stages are as many as the open mediations: their values only, not their ids)."""
        counters_key, runs_key = self._k(team, "agg"), self._k(team, "aggrun")

        async def call() -> tuple[dict[bytes, bytes], list[bytes]]:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.hgetall(counters_key)
                pipe.hvals(runs_key)
                counters, runs = await pipe.execute()
            return cast(dict[bytes, bytes], counters), cast(list[bytes], runs)

        counters, runs = await unavailable(call)()
        found = []
        for text in runs:
            try:
                found.append(Running.decode(text.decode()))
            except (ValueError, UnicodeDecodeError):
                log.warning("unreadable running stage", extra={"team": team})
        return {name.decode(): int(n) for name, n in counters.items()}, found

    async def _load(self, team: str, *indexes: str) -> list[Mediation]:
        """The mediations some indexes name (sets, or sorted sets), newest first: one round trip for
        the indexes, one for the documents. An unreadable one is logged by id and left out."""

        async def call() -> list[tuple[str, bytes | None, bytes | None]]:
            async with self._redis.pipeline(transaction=False) as pipe:
                for index in indexes:
                    if _is_recent_list(index):
                        pipe.zrevrange(index, 0, RECENT_CLOSED - 1)
                    else:
                        pipe.smembers(index)
                found = await pipe.execute()
            ids = sorted({i.decode() for members in found for i in members})
            if not ids:
                return []
            async with self._redis.pipeline(transaction=False) as pipe:
                for mediation_id in ids:
                    pipe.hmget(self._k(team, "m", mediation_id), ["v", "doc"])
                rows = await pipe.execute()
            return [(i, row[0], row[1]) for i, row in zip(ids, rows, strict=True)]

        mediations = []
        for mediation_id, version, blob in await unavailable(call)():
            if version is None or blob is None:
                continue
            try:
                mediations.append(self._decode(mediation_id, version, blob))
            except UnreadableMediation:
                continue
        return sorted(mediations, key=lambda m: m.created_at, reverse=True)

    async def delete(self, team: str, mediation_id: str) -> None:
        """Remove a mediation and its index entries (the counters keep it: they are anonymous)."""
        mediation = await self.get(team, mediation_id)
        if mediation is None:
            return
        users = [*mediation.user_ids]

        async def call() -> None:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.delete(self._k(team, "m", mediation_id))
                pipe.delete(self._k(team, "offers", mediation_id))
                pipe.delete(self._k(team, "posted", mediation_id))
                for user in users:
                    pipe.srem(self._k(team, "open", user), mediation_id)
                    pipe.zrem(self._k(team, "closed", user), mediation_id)
                    pipe.srem(self._k(team, "mine", user), mediation_id)
                if mediation.facilitator:
                    pipe.srem(self._k(team, "hopen", mediation.facilitator), mediation_id)
                    pipe.zrem(self._k(team, "hclosed", mediation.facilitator), mediation_id)
                pipe.srem(self._k(team, "open"), mediation_id)
                pipe.hdel(self._k(team, "aggrun"), mediation_id)
                await pipe.execute()

        await unavailable(call)()

    async def forget_user(self, team: str, user_id: str, mediations: list[Mediation]) -> None:
        """Remove what names this person as taking part: their lists of mediations, a pair lock one
        of `mediations` still holds, and their live-coaching pause in each (for "delete my data",
        after each mediation was erased and saved)."""
        pairs = [self._pair_key(team, *m.user_ids) for m in mediations]
        ids = [m.id for m in mediations]

        async def call() -> None:
            if pairs:
                await self._release_pairs(keys=pairs, args=ids)
            async with self._redis.pipeline(transaction=False) as pipe:
                for index in ("open", "closed", "mine", "user"):  # "user": the list before issue 10
                    pipe.delete(self._k(team, index, user_id))
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
                pipe.hset(key, sent.hash_field, self._cipher.pack(sent.model_dump_json().encode()))
                pipe.expire(key, OFFERS_TTL_SECONDS)
                await pipe.execute()

        await unavailable(call)()

    async def offers(self, team: str, mediation_id: str) -> list[SentOffer]:
        """The step messages of a mediation that were not yet turned into what happened."""
        key = self._k(team, "offers", mediation_id)

        async def call() -> dict[bytes, bytes]:
            return cast(dict[bytes, bytes], await self._redis.hgetall(key))

        rows = await unavailable(call)()
        found = [SentOffer.model_validate_json(self._cipher.unpack(raw)) for raw in rows.values()]
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
