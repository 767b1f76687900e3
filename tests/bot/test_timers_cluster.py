"""The timer queue on a real three-node Redis Cluster: every script touches one slot, and scripts the
nodes have not seen yet are loaded (none is sent inside a pipeline, where NOSCRIPT would surface)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis.asyncio.cluster import RedisCluster

from bot.crypto import Cipher, new_key
from bot.store import MediationStore, team_key
from flows.effects import Timer
from tests.support.redis_server import answers, free_port, redis_server_binary

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TEAM = team_key(None, "T1")
LEASE = timedelta(seconds=60)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Three cluster-enabled redis-server processes joined into one cluster (no replicas)."""
    root = tmp_path_factory.mktemp("cluster")
    ports = [free_port() for _ in range(3)]
    procs = []
    for port in ports:
        folder = Path(root, str(port))
        folder.mkdir()
        args = [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]
        procs.append(subprocess.Popen(args, cwd=folder, stdout=subprocess.DEVNULL))
    try:
        for port in ports:
            for _ in range(100):
                if answers(f"redis://127.0.0.1:{port}"):
                    break
                time.sleep(0.05)
        first = ports[0]
        slots = [range(0, 5461), range(5461, 10923), range(10923, 16384)]
        cli = ["redis-cli", "-p"]
        for port, owned in zip(ports, slots, strict=True):
            subprocess.run(
                [*cli, str(port), "cluster", "addslotsrange", str(owned[0]), str(owned[-1])], check=True
            )
            if port != first:
                subprocess.run([*cli, str(port), "cluster", "meet", "127.0.0.1", str(first)], check=True)
        for _ in range(100):
            info = subprocess.run(
                [*cli, str(first), "cluster", "info"], capture_output=True, text=True
            ).stdout
            if "cluster_state:ok" in info:
                break
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{first}"
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


@pytest.fixture
async def cluster_store(cluster: str, key_prefix: str) -> AsyncIterator[MediationStore]:
    client = RedisCluster.from_url(cluster)
    try:
        yield MediationStore(client, Cipher(new_key()), prefix=key_prefix)
    finally:
        await client.aclose()


@pytest.mark.skipif(shutil.which("redis-cli") is None, reason="no redis-cli to join the nodes")
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
