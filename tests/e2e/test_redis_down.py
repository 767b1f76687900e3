"""Redis unreachable: the person gets a clear message, nothing is half-written, and work resumes
when Redis is back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as aioredis

from bot import texts as t
from bot.crypto import Cipher
from bot.store import MediationStore
from flows.models import Stage
from tests.e2e import play
from tests.support.harness import Harness
from tests.support.redis_server import RedisProcess, free_port


@pytest.fixture
async def dead(encryption_key: str, key_prefix: str) -> AsyncIterator[Harness]:
    url = f"redis://127.0.0.1:{free_port()}/0"
    client = aioredis.Redis.from_url(url, socket_connect_timeout=0.5)
    store = MediationStore(client, Cipher(encryption_key), prefix=key_prefix)
    harness = await Harness(store, url, encryption_key, key_prefix).start()
    try:
        yield harness
    finally:
        await harness.stop()
        await client.aclose()


async def test_status_says_storage_is_down(dead: Harness) -> None:
    await dead.command(dead.ann, "status")
    assert t.STORE_DOWN in dead.ephemeral_texts(dead.ann)


async def test_start_keeps_the_modal_and_says_why(dead: Harness) -> None:
    await dead.command(dead.ann, f"<@{dead.bob}|bob> the release dates")
    result = await dead.submit(dead.ann, {"hopes": {"value": "to plan together"}})
    assert result.response_action == "errors"
    assert result.errors == {"topic": t.STORE_DOWN}
    view = dead.top_view(dead.ann)
    assert view.state["hopes"]["value"]["value"] == "to plan together"  # nothing the person typed is lost
    assert dead.dm(dead.bob) == []


async def test_healthz_reports_redis_down(dead: Harness) -> None:
    async with aiohttp.ClientSession() as session, session.get(f"{dead.app_url}/healthz") as response:
        assert response.status == 503
        assert (await response.json())["redis"] == "down"


async def test_healthz_ok_with_redis(h: Harness) -> None:
    async with aiohttp.ClientSession() as session, session.get(f"{h.app_url}/healthz") as response:
        assert response.status == 200


async def test_redis_lost_mid_mediation_changes_nothing(
    tmp_path: Path, encryption_key: str, key_prefix: str
) -> None:
    server = RedisProcess(tmp_path / "redis").start()
    client = aioredis.Redis.from_url(server.url, socket_connect_timeout=0.5, socket_timeout=2)
    store = MediationStore(client, Cipher(encryption_key), prefix=key_prefix)
    h = await Harness(store, server.url, encryption_key, key_prefix).start()
    restarted = RedisProcess(tmp_path / "redis", port=server.port)
    try:
        mid = await play.start(h)
        server.stop()
        await h.click_dm(h.bob, "cg_invite_accept")
        assert t.STORE_DOWN in h.ephemeral_texts(h.bob)
        assert not any("accepted your invitation" in m.text for m in h.dm(h.ann))

        restarted.start()
        m = await h.mediation(mid)
        assert m.stage is Stage.INVITATION and m.version == 1  # nothing half-written
        await h.click_dm(h.bob, "cg_invite_accept")
        assert (await h.mediation(mid)).stage is Stage.GROUND_RULES
    finally:
        await h.stop()
        await client.aclose()
        restarted.stop()
        server.stop()
