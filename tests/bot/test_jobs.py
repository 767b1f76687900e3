"""The hand-over queue on a real Redis: one claim per delivery, leases, the heartbeat, the wake."""

from __future__ import annotations

import asyncio
import time

import redis.asyncio as aioredis
from redis.crc import key_slot

from bot.jobs import Job, JobKind, JobPolicy, JobQueue, carrying, new_job
from flows import commands as c


def queue(redis: aioredis.Redis, prefix: str, **policy: object) -> JobQueue:
    return JobQueue(redis, prefix=prefix, policy=JobPolicy(**policy))  # type: ignore[arg-type]


def accept(user: str = "U2") -> Job:
    return new_job(JobKind.CHANGE, "T1", user, mediation_id="m1", **carrying(c.Accept(actor=user)))


async def test_a_delivery_is_queued_once(redis_client: aioredis.Redis, key_prefix: str) -> None:
    q = queue(redis_client, key_prefix)
    assert await q.enqueue(accept(), "trigger:1")
    assert not await q.enqueue(accept(), "trigger:1")  # Slack's retry of the same delivery
    assert not await q.claim_once("trigger:1")  # and the listener's own claim agrees
    assert await q.enqueue(accept(), None)  # a read claims nothing
    assert await q.counts() == {"waiting": 2, "leased": 0}
    assert q.handed_over == 2


async def test_taken_jobs_are_leased_until_done_or_their_lease_runs_out(
    redis_client: aioredis.Redis, key_prefix: str
) -> None:
    q = queue(redis_client, key_prefix, lease_seconds=30)
    job = accept()
    await q.enqueue(job, "trigger:2")
    [taken] = await q.take()
    assert taken.job == job and taken.job.to_command() == c.Accept(actor="U2")
    assert await q.take() == []
    [again] = await q.take(now=time.time() + 31)
    assert again.job == job
    await q.done(again)
    assert await q.counts() == {"waiting": 0, "leased": 0}
    assert await q.take(now=time.time() + 100) == []


async def test_a_job_that_no_longer_parses_is_dropped(redis_client: aioredis.Redis, key_prefix: str) -> None:
    q = queue(redis_client, key_prefix)
    await redis_client.rpush(f"{key_prefix}:{{jobs}}:queue", b'{"kind": "nonsense"}')
    await q.enqueue(accept(), None)
    taken = await q.take()
    assert [t.job.kind for t in taken] == [JobKind.CHANGE]
    await q.done(taken[0])
    assert await q.counts() == {"waiting": 0, "leased": 0}


async def test_the_heartbeat_says_whether_a_worker_takes_jobs(
    redis_client: aioredis.Redis, key_prefix: str
) -> None:
    q = queue(redis_client, key_prefix, alive_seconds=0.2)
    assert not await q.read_worker()
    await q.beat()
    assert await q.read_worker() and await q.worker_alive()
    await asyncio.sleep(0.3)
    assert not await q.read_worker()  # the worker stopped: the web process does the work again
    off = queue(redis_client, key_prefix, enabled=False)
    await off.beat()
    assert not await off.worker_alive() and not await off.read_worker()


async def test_a_waiting_worker_is_woken_by_a_new_job(redis_client: aioredis.Redis, key_prefix: str) -> None:
    q = queue(redis_client, key_prefix)
    waiting = asyncio.create_task(q.wait(3))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await q.enqueue(accept(), None)
    await asyncio.wait_for(waiting, 2)
    assert time.monotonic() - started < 1


def test_every_key_of_the_hand_over_is_in_one_cluster_slot() -> None:
    q = JobQueue(aioredis.Redis(), prefix="cg")
    keys = [q._queue, q._leased, q._wake, q._heartbeat, q.claim_key("trigger:1")]
    assert len({key_slot(k.encode()) for k in keys}) == 1


async def test_jobs_queued_in_one_turn_share_a_round_trip(
    redis_client: aioredis.Redis, key_prefix: str
) -> None:
    q = queue(redis_client, key_prefix, batch=4)
    calls = _count_round_trips(q)
    deliveries = [f"trigger:b{i % 5}" for i in range(10)] + [None, None]  # each delivery twice, two reads
    queued = await asyncio.gather(*(q.enqueue(accept(f"U{i}"), d) for i, d in enumerate(deliveries)))
    assert queued == [True] * 5 + [False] * 5 + [True, True]  # the first of each delivery, in order
    assert await q.counts() == {"waiting": 7, "leased": 0}
    assert q.handed_over == 7
    assert calls == [4, 4, 4]  # 12 jobs in one turn: three round trips of at most 4
    assert await redis_client.llen(f"{key_prefix}:{{jobs}}:wake") == 1  # one wake token, however many


async def test_a_batch_that_cannot_reach_redis_tells_every_request(key_prefix: str) -> None:
    gone = aioredis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    q = queue(gone, key_prefix)
    results = await asyncio.gather(
        *(q.enqueue(accept(), f"trigger:x{i}") for i in range(3)), return_exceptions=True
    )
    assert [type(r).__name__ for r in results] == ["StoreUnavailable"] * 3
    await gone.aclose()


def _count_round_trips(q: JobQueue) -> list[int]:
    """Record how many jobs each of the queue's script calls carried (the call itself still runs)."""
    sizes: list[int] = []
    script = q._enqueue

    async def counted(*, keys: list[str], args: list[object]) -> object:
        sizes.append((len(args) - 1) // 2)
        return await script(keys=keys, args=args)

    q._enqueue = counted  # type: ignore[assignment,method-assign]
    return sizes
