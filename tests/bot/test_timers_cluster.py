"""The timer queue on a real three-node Redis Cluster: every script touches one slot, and scripts the
nodes have not seen yet are loaded (none is sent inside a pipeline, where NOSCRIPT would surface)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio.cluster import RedisCluster as AsyncRedisCluster

from bot.crypto import Cipher, new_key
from bot.store import MediationStore, team_key
from flows.effects import Timer

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TEAM = team_key(None, "T1")
LEASE = timedelta(seconds=60)


@pytest.fixture
async def cluster_store(cluster: str, key_prefix: str) -> AsyncIterator[MediationStore]:
    client = AsyncRedisCluster.from_url(cluster)
    try:
        yield MediationStore(client, Cipher(new_key()), prefix=key_prefix)
    finally:
        await client.aclose()


async def test_timers_on_a_cluster(cluster_store: MediationStore) -> None:
    store, q = cluster_store, cluster_store.timers
    for i in range(100):
        await store.schedule(TEAM, f"m{i}", Timer.EXPIRE, NOW, version=1)
    await store.redis.zadd(f"{q.key(0)}", {"junk": NOW.timestamp()})
    taken = await q.take_due(NOW, lease=LEASE)
    assert len(taken.due) == 100 and taken.dead == ["junk"]
    first, second, *rest = taken.due
    await q.done(first)
    assert [await q.claim(first, LEASE), await q.claim(second, LEASE)] == ["done", "claimed"]
    await q.retry_later([(second, NOW)])
    await q.ack([first, *rest])
    assert await q.counts() == {"due": 1, "leased": 0, "dead": 1}
    await store.redis.zadd(f"{store._prefix}:timers", {f"{TEAM}|m1|reminder": NOW.timestamp()})
    assert await q.migrate_legacy() == 1
    assert len((await q.take_due(NOW, lease=LEASE)).due) == 2
