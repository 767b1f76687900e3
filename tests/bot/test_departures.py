"""Departed workspaces on a real Redis: due after their retention period, forgotten entirely when due
(and only they), an org-wide departure taking every workspace of the org, a return cancelling it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis

from bot.departures import Departures
from bot.store import team_key

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def fill(redis: aioredis.Redis, prefix: str, team: str) -> None:
    await redis.hset(f"{prefix}:{{{team}}}:m:m1", mapping={"v": "1", "doc": "x"})
    await redis.sadd(f"{prefix}:{{{team}}}:open", "m1")
    await redis.set(f"{prefix}:{{{team}}}:inst:bot", "sealed")


async def keys_of(redis: aioredis.Redis, prefix: str, team: str) -> int:
    return len([k async for k in redis.scan_iter(match=f"{prefix}:{{{team}}}:*")])


async def test_forgotten_when_due_and_only_that_workspace(
    redis_client: aioredis.Redis, key_prefix: str
) -> None:
    departures = Departures(redis_client, prefix=key_prefix)
    gone, staying = team_key(None, "T1"), team_key(None, "T2")
    for team in (gone, staying):
        await fill(redis_client, key_prefix, team)
    due = await departures.left(gone, NOW, retention_days=30)
    assert due == NOW + timedelta(days=30)
    # leaving again later keeps the first date
    assert await departures.left(gone, NOW + timedelta(days=5), 30) == due
    assert (await departures.when(gone)) == due

    assert await departures.sweep(NOW + timedelta(days=29)) == 0
    assert await keys_of(redis_client, key_prefix, gone) == 3
    assert await departures.sweep(NOW + timedelta(days=30)) == 1
    assert await keys_of(redis_client, key_prefix, gone) == 0
    assert await keys_of(redis_client, key_prefix, staying) == 3
    assert await departures.when(gone) is None


async def test_a_return_cancels_the_removal(redis_client: aioredis.Redis, key_prefix: str) -> None:
    departures = Departures(redis_client, prefix=key_prefix)
    team = team_key("E1", "T1")
    await fill(redis_client, key_prefix, team)
    await departures.left(team, NOW, 7)
    assert await departures.returned(team) is True
    assert await departures.returned(team) is False
    assert await departures.sweep(NOW + timedelta(days=400)) == 0
    assert await keys_of(redis_client, key_prefix, team) == 3


async def test_an_org_wide_departure_takes_every_workspace_of_the_org(
    redis_client: aioredis.Redis, key_prefix: str
) -> None:
    departures = Departures(redis_client, prefix=key_prefix)
    org = team_key("E1", None)
    teams = [team_key("E1", "T1"), team_key("E1", "T2"), org]
    other_org, no_org = team_key("E2", "T1"), team_key(None, "T1")
    for team in [*teams, other_org, no_org]:
        await fill(redis_client, key_prefix, team)
    await departures.left(org, NOW, 7)
    assert await departures.sweep(NOW + timedelta(days=7)) == 1
    assert [await keys_of(redis_client, key_prefix, t) for t in teams] == [0, 0, 0]
    assert await keys_of(redis_client, key_prefix, other_org) == 3
    assert await keys_of(redis_client, key_prefix, no_org) == 3
