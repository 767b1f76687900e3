"""The outbox: the effects of a change that talk to Slack, written with the change, delivered once.

When `MediationService.act` saves a transition, its Slack effects (a DM, a post in the joint space,
an App Home refresh…) are written in the same Lua script as the document, under the workspace's hash
tag (one slot), each with the id `{mediation}:{version}:{index}`. An entry holds ids, roles and
notices, never private text: the runner renders the message from the stored mediation when it
delivers it.

Delivery: the web process delivers a transition's entries right after the ack (a few quick tries),
and the worker drains entries that are still there when due (a crash between the save and the
delivery, or Slack having a bad moment), with exponential backoff and jitter. A deliverer first
takes a lease on the entry (SET NX PX with its own token), so two never deliver the same entry at
once, and marks it done with an idempotency record (SET NX with a TTL) as it removes it, so an
entry delivered once is never delivered again.

Keys (all under the team's hash tag, except the set naming the workspaces that ever had one):

- `{p}:{team}:outbox` hash: id -> the entry (JSON)
- `{p}:{team}:outbox:due` sorted set: id -> when the worker may take it (service clock)
- `{p}:{team}:outbox:lease:{id}`, `{p}:{team}:outbox:done:{id}`
- `{p}:outbox:teams` set: the workspaces whose outbox the worker looks at
"""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.store import OUTBOX, OUTBOX_DUE, MediationStore, unavailable
from flows.effects import (
    Effect,
    Notify,
    NotifyFacilitator,
    OpenJointSpace,
    PostToJoint,
    RefreshHome,
    Schedule,
    UpdatePosted,
)

log = logging.getLogger("commonground.outbox")

EFFECT_TYPES: dict[str, type[BaseModel]] = {
    cls.__name__: cls
    for cls in (Notify, NotifyFacilitator, OpenJointSpace, PostToJoint, UpdatePosted, RefreshHome)
}


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard delivery tries, and for how long."""

    quick_tries: int = 3  # the web process, after the first attempt (and the client's own retries)
    quick_base_seconds: float = 0.5  # 0.5 s, 1 s, 2 s, with jitter
    base_seconds: float = 30.0  # the worker: 30 s, 1 min, 2 min… with jitter
    cap_seconds: float = 3600.0
    max_attempts: int = 8  # then given up, and the person who acted is told
    grace_seconds: float = 30.0  # a fresh entry is the web process's for this long
    lease_seconds: float = 120.0
    # An entry is removed in the same step as its done record is set, so the record only has to
    # outlast any delivery still in flight (a lease); an hour keeps Redis small.
    done_ttl_seconds: int = 3600

    def quick_delay(self, attempt: int, retry_after: float | None = None) -> float:
        """The wait before quick try number `attempt` (0-based)."""
        return max(retry_after or 0.0, _jittered(self.quick_base_seconds * 2**attempt))

    def later(self, attempts: int, retry_after: float | None = None) -> float:
        """The wait before the worker tries an entry that failed `attempts` times."""
        delay = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        return max(retry_after or 0.0, _jittered(delay))


def _jittered(delay: float) -> float:
    """Half fixed, half random ("equal jitter"): spread out, never zero."""
    return delay / 2 + random.uniform(0, delay / 2)


def effect_id(mediation_id: str, version: int, index: int) -> str:
    """The id of the `index`-th effect of the transition that gave `version`."""
    return f"{mediation_id}:{version}:{index}"


class OutboxEntry(BaseModel):
    """One effect waiting to be delivered: ids, roles and notices only."""

    model_config = ConfigDict(frozen=True)

    id: str
    team: str
    mediation_id: str
    version: int
    kind: str
    effect: dict[str, Any]
    actor: str | None = None  # who acted: told when it cannot be delivered
    attempts: int = 0
    lease: str = Field(default="", exclude=True)  # the token of the lease this copy was taken with

    def to_effect(self) -> Effect:
        """The effect, as the engine made it."""
        return cast(Effect, EFFECT_TYPES[self.kind].model_validate(self.effect))


def in_outbox(effect: Effect) -> bool:
    """Whether an effect goes through the outbox (timers do not: they are timers already)."""
    return not isinstance(effect, Schedule)


def entries_for(
    team: str, mediation_id: str, version: int, effects: Sequence[Effect], actor: str | None
) -> list[OutboxEntry]:
    """The outbox entries of a transition that gave `version`."""
    return [
        OutboxEntry(
            id=effect_id(mediation_id, version, index),
            team=team,
            mediation_id=mediation_id,
            version=version,
            kind=type(effect).__name__,
            effect=effect.model_dump(mode="json"),
            actor=actor,
        )
        for index, effect in enumerate(effects)
        if in_outbox(effect)
    ]


# KEYS: entries, due, then a (lease, done) pair per id; ARGV: lease ms, token, ids
# Returns id, entry, id, entry… for the entries leased to this token (not done, not leased by another).
_CLAIM = """
local out = {}
for i = 3, #ARGV do
  local id = ARGV[i]
  local lease = KEYS[2 * (i - 2) + 1]
  local done = KEYS[2 * (i - 2) + 2]
  if redis.call('EXISTS', done) == 1 then
    redis.call('HDEL', KEYS[1], id)
    redis.call('ZREM', KEYS[2], id)
  else
    local entry = redis.call('HGET', KEYS[1], id)
    if entry and redis.call('SET', lease, ARGV[2], 'NX', 'PX', ARGV[1]) then
      table.insert(out, id)
      table.insert(out, entry)
    end
  end
end
return out
"""

# KEYS: entries, due, lease, done; ARGV: id, token, done TTL seconds. 1 when this marked it done first.
_DONE = """
local first = redis.call('SET', KEYS[4], ARGV[2], 'NX', 'EX', ARGV[3])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('GET', KEYS[3]) == ARGV[2] then redis.call('DEL', KEYS[3]) end
if first then return 1 end
return 0
"""

# KEYS: entries, due, lease; ARGV: id, token, entry, due time
_LATER = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
end
if redis.call('GET', KEYS[3]) == ARGV[2] then redis.call('DEL', KEYS[3]) end
return 1
"""


class Outbox:
    """The outbox's Redis side (the store writes new entries with the document)."""

    def __init__(self, store: MediationStore, policy: DeliveryPolicy | None = None) -> None:
        self.store = store
        self.policy = policy or DeliveryPolicy()
        self._redis = store.redis
        self._claim = self._redis.register_script(_CLAIM)
        self._done = self._redis.register_script(_DONE)
        self._later = self._redis.register_script(_LATER)
        self._teams_key = f"{store.prefix}:outbox:teams"
        self._marked: set[str] = set()

    def _keys(self, team: str) -> tuple[str, str]:
        return self.store.key(team, OUTBOX), self.store.key(team, OUTBOX_DUE)

    def _lease_key(self, team: str, entry_id: str) -> str:
        return self.store.key(team, OUTBOX, "lease", entry_id)

    def _done_key(self, team: str, entry_id: str) -> str:
        return self.store.key(team, OUTBOX, "done", entry_id)

    def encode(self, entries: Sequence[OutboxEntry]) -> list[tuple[str, str]]:
        """What the store's save script writes: (id, entry JSON) pairs."""
        return [(entry.id, entry.model_dump_json()) for entry in entries]

    def first_due(self, now: datetime) -> float:
        """When the worker may take a fresh entry: after the web process has had its go."""
        return now.timestamp() + self.policy.grace_seconds

    async def mark_team(self, team: str) -> None:
        """Name the workspace in the set the worker drains (once per process: it is never removed).
        Done before a save, so that an entry whose delivery never happened is always found."""
        if team in self._marked:
            return

        async def call() -> None:
            await self._redis.sadd(self._teams_key, team)

        await unavailable(call)()
        self._marked.add(team)

    async def claim(self, team: str, ids: Sequence[str]) -> dict[str, OutboxEntry]:
        """Lease the entries among `ids` that are still waiting and free: id -> entry."""
        if not ids:
            return {}
        token = secrets.token_hex(8)
        entries, due = self._keys(team)
        keys = [entries, due]
        for entry_id in ids:
            keys += [self._lease_key(team, entry_id), self._done_key(team, entry_id)]
        lease_ms = str(int(self.policy.lease_seconds * 1000))

        async def call() -> list[bytes]:
            return cast(list[bytes], await self._claim(keys=keys, args=[lease_ms, token, *ids]))

        found = await unavailable(call)()
        claimed = {}
        for raw_id, raw in zip(found[::2], found[1::2], strict=True):
            try:
                entry = OutboxEntry.model_validate_json(raw).model_copy(update={"lease": token})
                entry.to_effect()
            except (ValidationError, KeyError):
                # written by a version that knew another effect: it can never be sent, so it goes
                log.error("unreadable outbox entry dropped", extra={"entry": raw_id.decode()})
                bad = OutboxEntry(
                    id=raw_id.decode(), team=team, mediation_id="", version=0, kind="", effect={}
                )
                await self.done(bad.model_copy(update={"lease": token}))
                continue
            claimed[raw_id.decode()] = entry
        return claimed

    async def done(self, entry: OutboxEntry) -> bool:
        """Mark an entry delivered (or given up) and remove it; True when this was the first mark."""
        entries, due = self._keys(entry.team)
        keys = [entries, due, self._lease_key(entry.team, entry.id), self._done_key(entry.team, entry.id)]
        args = [entry.id, entry.lease or "-", str(self.policy.done_ttl_seconds)]

        async def call() -> int:
            return int(await self._done(keys=keys, args=args))

        return bool(await unavailable(call)())

    async def retry_later(self, entry: OutboxEntry, at: float) -> None:
        """Put an entry back for the worker at `at` (a timestamp), counting one more failed attempt."""
        entries, due = self._keys(entry.team)
        keys = [entries, due, self._lease_key(entry.team, entry.id)]
        again = entry.model_copy(update={"attempts": entry.attempts + 1})
        args = [entry.id, entry.lease or "-", again.model_dump_json(), str(at)]

        async def call() -> None:
            await self._later(keys=keys, args=args)

        await unavailable(call)()

    async def take_due(self, now: datetime, limit: int = 100) -> list[OutboxEntry]:
        """Lease up to `limit` entries due by `now`, across workspaces (the worker's drain)."""

        async def due_ids() -> list[tuple[str, list[str]]]:
            teams = sorted(t.decode() for t in cast(set[bytes], await self._redis.smembers(self._teams_key)))
            if not teams:
                return []
            async with self._redis.pipeline(transaction=False) as pipe:
                for team in teams:
                    pipe.zrangebyscore(self._keys(team)[1], "-inf", now.timestamp(), 0, limit)
                rows = await pipe.execute()
            return [(team, [i.decode() for i in row]) for team, row in zip(teams, rows, strict=True) if row]

        taken: list[OutboxEntry] = []
        for team, ids in await unavailable(due_ids)():
            if len(taken) >= limit:
                break
            claimed = await self.claim(team, ids[: limit - len(taken)])
            taken += [claimed[i] for i in ids if i in claimed]
        return taken

    async def pending(self, team: str) -> dict[str, OutboxEntry]:
        """Every entry of a workspace still waiting (for tests and operators): id -> entry."""
        entries, _ = self._keys(team)

        async def call() -> dict[bytes, bytes]:
            return cast(dict[bytes, bytes], await self._redis.hgetall(entries))

        rows = await unavailable(call)()
        return {k.decode(): OutboxEntry.model_validate_json(v) for k, v in rows.items()}
