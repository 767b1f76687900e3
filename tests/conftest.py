"""Shared fixtures: a real Redis, a per-test key namespace, a store."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.crypto import Cipher, new_key
from bot.store import MediationStore
from tests.support.redis_cluster import RedisCluster
from tests.support.redis_server import RedisProcess, answers


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The machine's Redis at 127.0.0.1:6379 (or TEST_REDIS_URL); else a redis-server we start."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    if answers(url):
        yield url
        return
    server = RedisProcess(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisCluster]:
    """Three cluster-enabled redis-server processes joined into one cluster (no replicas), started once
    for the session's cluster tests (each test keeps to its own key prefix)."""
    running = RedisCluster(tmp_path_factory.mktemp("cluster")).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def cluster(redis_cluster: RedisCluster) -> str:
    """The URL of one node of the session's Redis Cluster."""
    return redis_cluster.url


@pytest.fixture
def key_prefix() -> str:
    """A namespace of its own for each test, so tests never see each other's keys."""
    return "cgtest-" + uuid.uuid4().hex[:12]


@pytest.fixture
def encryption_key() -> str:
    return new_key()


@pytest.fixture
async def redis_client(redis_url: str, key_prefix: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        keys = [k async for k in client.scan_iter(match=f"{key_prefix}:*", count=500)]
        if keys:
            await client.delete(*keys)
        await client.aclose()


@pytest.fixture
def store(redis_client: aioredis.Redis, encryption_key: str, key_prefix: str) -> MediationStore:
    return MediationStore(redis_client, Cipher(encryption_key), prefix=key_prefix)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
