"""Common Ground on a real Redis Cluster: three nodes, every slot covered, and a whole mediation played
over signed HTTP, the worker's timers included. Every script and transaction must stay in one slot
(the workspace's hash tag), or the cluster refuses it (CROSSSLOT)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from redis.asyncio.cluster import RedisCluster as AsyncRedisCluster

from bot.crypto import Cipher
from bot.runtime import open_services
from bot.settings import load_settings
from bot.store import MediationStore, team_key
from bot.worker import run_due
from flows import commands as c
from flows.models import Outcome, Stage
from tests.e2e import play
from tests.e2e.conftest import started
from tests.e2e.test_worker import runner
from tests.support.harness import Harness
from tests.support.redis_cluster import RedisCluster


@pytest.fixture
async def ch(redis_cluster: RedisCluster, encryption_key: str, key_prefix: str) -> AsyncIterator[Harness]:
    client = AsyncRedisCluster.from_url(redis_cluster.url)
    store = MediationStore(client, Cipher(encryption_key), prefix=key_prefix)  # type: ignore[arg-type]
    try:
        async with started(Harness(store, redis_cluster.url, encryption_key, key_prefix)) as harness:
            yield harness
    finally:
        await client.aclose()


async def test_a_whole_mediation_on_a_redis_cluster(ch: Harness) -> None:
    mid = await play.to_joint(ch)
    m = await ch.mediation(mid)
    assert m.stage is Stage.JOINT and m.joint is not None
    summary = play.joint_messages(ch, m)[0]
    await ch.click_message(ch.ann, summary, "cg_item_propose")
    await ch.submit(ch.ann, {"who": {"value": "Bob"}, "what": {"value": "Tell Ann first"}})
    item = play.last_with(play.joint_messages(ch, await ch.mediation(mid)), "cg_item_accept")
    await ch.click_message(ch.bob, item, "cg_item_accept")
    await play.finish(ch, mid, ch.bob, ch.ann, "agreed")
    closed = await ch.mediation(mid)
    assert closed.outcome is Outcome.AGREED
    assert "What you agreed" in str(ch.last_dm(ch.ann).blocks)


async def test_timers_are_delivered_on_a_redis_cluster(ch: Harness) -> None:
    await play.start(ch)
    ch.clock.now += timedelta(hours=25)
    assert await run_due(ch.service, runner(ch)) == 1  # the reminder
    assert "gentle reminder" in ch.last_dm(ch.bob).text
    ch.clock.now += timedelta(days=7)
    assert await run_due(ch.service, runner(ch)) == 2  # the warning a day before, and the expiry
    assert (await ch.mediation()).outcome is Outcome.EXPIRED


async def test_the_runtime_connects_to_a_cluster_with_redis_cluster_set(
    redis_cluster: RedisCluster, key_prefix: str, encryption_key: str, tmp_path: Path
) -> None:
    """`REDIS_CLUSTER=1` with `REDIS_URL` naming one node: `open_services` builds a cluster client, and
    a mediation is written and read back across the nodes."""
    settings = load_settings(
        slack_bot_token="xoxb-test",
        slack_signing_secret="secret",
        redis_url=redis_cluster.url,
        redis_cluster=True,
        encryption_key=encryption_key,
        key_prefix=key_prefix,
        data_dir=tmp_path,
    )
    async with open_services(settings) as services:
        service = services.service
        started = await service.start(
            team_key(None, "T1"), c.Start(actor="UANN", respondent="UBOB", topic="the rota")
        )
        assert await service.store.ping()
        found = await service.store.get(started.mediation.team, started.mediation.id)
        assert found is not None and found.topic == "the rota"
        assert [m.id for m in await service.store.for_user(found.team, "UANN")] == [found.id]


async def test_clicks_handed_to_the_worker_on_a_redis_cluster(ch: Harness) -> None:
    """The hand-over's scripts (claim and queue, take with a lease) stay in one slot."""
    await ch.start_worker()
    await play.start(ch)
    await play.accept_and_agree(ch)
    assert (await ch.mediation()).stage is not Stage.INVITATION
    jobs = ch.deps.jobs
    assert jobs is not None and jobs.handed_over == 3
    assert await jobs.counts() == {"waiting": 0, "leased": 0}
