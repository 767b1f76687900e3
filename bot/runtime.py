"""Builds the running services (Redis, encryption, store) from settings, and closes them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import cast

import aiohttp
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster

from bot.app import Services
from bot.config_store import ConfigStore
from bot.crypto import Cipher, local_key
from bot.definitions import DefinitionSource
from bot.installations import RedisInstallationStore
from bot.redis_embedded import EmbeddedRedis
from bot.service import MediationService, utcnow
from bot.settings import Settings
from bot.store import MediationStore


def redis_client(url: str, settings: Settings) -> aioredis.Redis:
    """A Redis client on a bounded, blocking connection pool: past `REDIS_MAX_CONNECTIONS` a command
    waits up to `REDIS_POOL_TIMEOUT` seconds for a free connection instead of failing at once; only a
    Redis that refuses or times out is "storage is down". With `REDIS_CLUSTER`, a cluster client
    (at most `REDIS_MAX_CONNECTIONS` per node) that follows the slots across the nodes."""
    if settings.redis_cluster:
        cluster = RedisCluster.from_url(
            url,
            max_connections=settings.redis_max_connections,
            socket_connect_timeout=2,
            socket_timeout=5,
            health_check_interval=30,
        )
        # The store sends only single-slot commands and scripts (every key of a workspace carries its
        # hash tag), which the cluster client serves as a plain client would: tests/e2e/test_cluster.py
        # plays a whole mediation on a real three-node cluster.
        return cast(aioredis.Redis, cluster)
    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=settings.redis_max_connections,
        timeout=settings.redis_pool_timeout,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=30,
    )
    return aioredis.Redis(connection_pool=pool)


@asynccontextmanager
async def open_services(
    settings: Settings, *, clock: Callable[[], datetime] = utcnow
) -> AsyncIterator[Services]:
    """Connect to Redis (starting the embedded one when REDIS_URL is unset) and build the services;
    `clock` is the service's (the sandbox passes its own)."""
    embedded = EmbeddedRedis(settings.data_dir) if settings.embedded_redis else None
    url = embedded.url if embedded else str(settings.redis_url)
    redis = redis_client(url, settings)
    key = (
        settings.encryption_key.get_secret_value()
        if settings.encryption_key
        else local_key(settings.data_dir)
    )
    cipher = Cipher(key)
    store = MediationStore(redis, cipher, prefix=settings.key_prefix)
    http = aiohttp.ClientSession()
    try:
        configs = ConfigStore(redis, prefix=settings.key_prefix)
        service = MediationService(store, DefinitionSource(configs), configs=configs, clock=clock)
        installations = (
            RedisInstallationStore(redis, cipher, prefix=settings.key_prefix) if settings.oauth else None
        )
        yield Services(service=service, http=http, installations=installations)
    finally:
        await http.close()
        await redis.aclose()
        if not settings.redis_cluster:
            await redis.connection_pool.disconnect()
        if embedded:
            embedded.stop()
