"""Mediations stored as the release before issue 10 stored them (`git show 42d5ca1:bot/store.py`): the
document as a plain Fernet token of the whole model (version included) beside its version, the ids
listed in `user:<id>` (the team's `all` instead for a party who deleted their data), `hosts:<id>` and
`all`, the pair key held while open; timers in the single sorted set `{prefix}:timers` as
`team|mediation|kind`. No open sets, recent lists, "mine" sets or Outcomes counters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis

from bot.crypto import Cipher
from flows import commands as c
from flows import engine
from flows.definition import load_builtin
from flows.effects import Timer
from flows.models import Mediation
from tests.support.lifecycles import script

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def lived(
    kind: str, a: str, b: str, variant: int, *, team: str, mediation_id: str, start: datetime = NOW
) -> Mediation:
    """A peer mediation taken to `kind` (see `tests.support.lifecycles.KINDS`) by the engine alone,
    its version counting the writes an earlier release would have made."""
    peer = load_builtin("peer")
    now = start
    m = engine.start(
        c.Start(actor=a, respondent=b, topic=f"the release dates {variant}"),
        peer,
        now,
        mediation_id=mediation_id,
        team=team,
    ).mediation
    version = 1
    for after, command in script(kind, a, b, variant):
        now += after
        m = engine.apply(m, command, peer, now).mediation
        version += 1
    return m.model_copy(update={"version": version})


def hosted(host: str, a: str, b: str, *, team: str, mediation_id: str, start: datetime = NOW) -> Mediation:
    """A facilitated mediation, just started (both invited)."""
    m = engine.start_facilitated(
        c.StartFacilitated(actor=host, first=a, second=b, topic="the rota"),
        load_builtin("facilitated"),
        start,
        mediation_id=mediation_id,
        team=team,
    ).mediation
    return m.model_copy(update={"version": 1})


async def write_old(redis: aioredis.Redis, cipher: Cipher, prefix: str, m: Mediation) -> None:
    """Store `m` (at `m.version`) exactly as the earlier release's save script left it."""

    def k(*parts: str) -> str:
        return ":".join([prefix, "{" + m.team + "}", *parts])

    async with redis.pipeline(transaction=False) as pipe:
        pipe.hset(
            k("m", m.id), mapping={"v": str(m.version), "doc": cipher.encrypt(m.model_dump_json().encode())}
        )
        for party in m.parties:
            pipe.sadd(k("user", party.user_id) if party.erased_at is None else k("all"), m.id)
        pipe.sadd(k("all"), m.id)
        if m.facilitator:
            pipe.sadd(k("hosts", m.facilitator), m.id)
        if m.is_open:
            pipe.set(k("pair", *sorted((m.initiator.user_id, m.respondent.user_id))), m.id, nx=True)
        await pipe.execute()


async def write_old_timer(
    redis: aioredis.Redis, prefix: str, team: str, mediation_id: str, kind: Timer, at: datetime
) -> None:
    """A timer in the single sorted set of earlier releases."""
    await redis.zadd(f"{prefix}:timers", {f"{team}|{mediation_id}|{kind.value}": at.timestamp()})


def later(hours: int) -> datetime:
    """A moment after every scripted mediation's last step."""
    return NOW + timedelta(days=30, hours=hours)
