#!/usr/bin/env python
"""How many due timers one worker delivers per second, through the real worker path.

Usage::

    .venv/bin/python scripts/bench_timers.py [--timers 100000] [--mediations 1000] [--redis-url URL]

In a throwaway key prefix on the given Redis (default 127.0.0.1:6379; every key is deleted at the
end), it creates `--mediations` real, encrypted mediations and moves each on past its invitation
(Bob accepts), then schedules `--timers` due timers spread over them: half reminders, half expiries,
at distinct versions (as if each had been scheduled at another version of the mediation). Then one
`TimerWorker` (the settings' defaults: batch, concurrency, lease) sweeps until nothing is due or
leased, and the script reports timers/second. Each delivery takes the real path: leased from its
shard, its delivery record claimed, the mediation read and decrypted, the expiry refused by the
engine as already done (the reminder sees the invitation was answered), recorded done, and
acknowledged in a batch. No Slack call is made (a call would fail against a closed port and be
counted as a failure).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis
from slack_sdk.web.async_client import AsyncWebClient

from bot.crypto import Cipher, new_key
from bot.definitions import DefinitionSource
from bot.effects import EffectRunner
from bot.service import MediationService
from bot.settings import Settings
from bot.store import MediationStore
from bot.timers import shard_of, timer_id
from bot.worker import TimerWorker, WorkerOptions
from flows import commands as c
from flows.effects import Timer

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TEAM = "-.TBENCH"


async def bench(args: argparse.Namespace) -> dict[str, object]:
    prefix = "cgbench-" + uuid.uuid4().hex[:10]
    redis = aioredis.Redis.from_url(args.redis_url, max_connections=args.concurrency + 16)
    store = MediationStore(redis, Cipher(new_key()), prefix=prefix)
    clock = {"now": NOW}
    service = MediationService(store, DefinitionSource(), clock=lambda: clock["now"])
    runner = EffectRunner(AsyncWebClient(token="xoxb-bench", base_url="http://127.0.0.1:9/api/"), service)
    try:
        # mediations that moved on: started and accepted
        ids: list[str] = []
        for i in range(args.mediations):
            command = c.Start(actor=f"UA{i}", respondent=f"UB{i}", topic="the release dates")
            started = await service.start(TEAM, command)
            await service.act(TEAM, started.mediation.id, c.Accept(actor=f"UB{i}"))
            ids.append(started.mediation.id)
        # due timers, pipelined in chunks (the mediations' own timers wait days ahead: not counted)
        queue = store.timers
        ahead = (await queue.counts())["due"]
        kinds = (Timer.REMINDER, Timer.EXPIRE)
        due_at = (NOW - timedelta(minutes=1)).timestamp()
        async with redis.pipeline(transaction=False) as pipe:
            for n in range(args.timers):
                mediation = ids[n % len(ids)]
                member = timer_id(TEAM, mediation, kinds[n % 2], 1 + n // len(ids))
                pipe.zadd(queue.key(shard_of(TEAM, mediation, queue.shards)), {member: due_at})
                if len(pipe) >= 5000:
                    await pipe.execute()
            await pipe.execute()
        sizes = await queue.shard_sizes()
        defaults = Settings(slack_bot_token="x", slack_signing_secret="x")  # type: ignore[call-arg]
        options = WorkerOptions(
            batch=args.batch or defaults.timer_batch,
            concurrency=args.concurrency,
            lease=timedelta(seconds=defaults.timer_lease_seconds),
            max_tries=defaults.timer_max_tries,
        )
        worker = TimerWorker(service, runner, options)
        sweeps = taken = 0
        cpu0, start = time.process_time(), time.perf_counter()
        while True:
            got = await worker.sweep()
            if not got:
                counts = await queue.counts()
                if counts["due"] <= ahead and counts["leased"] == 0:
                    break
                clock["now"] += timedelta(seconds=1)  # a handed-back timer's backoff passes
                continue
            sweeps += 1
            taken += got
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu0
        counts = await queue.counts()
        return {
            "timers": args.timers,
            "mediations": args.mediations,
            "taken": taken,
            "sweeps": sweeps,
            "seconds": round(elapsed, 2),
            "timers_per_second": round(args.timers / elapsed),
            "worker_cpu_seconds": round(cpu, 2),
            "dead": counts["dead"],
            "shard_min_max": [min(sizes), max(sizes)],
            "batch": options.batch,
            "concurrency": options.concurrency,
            "cpus": os.cpu_count(),
        }
    finally:
        keys = [k async for k in redis.scan_iter(match=f"{prefix}:*", count=2000)]
        for i in range(0, len(keys), 1000):
            await redis.delete(*keys[i : i + 1000])
        await redis.aclose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Timers/second through one worker.")
    parser.add_argument("--timers", type=int, default=100_000, help="due timers to deliver (1-1,000,000)")
    parser.add_argument("--mediations", type=int, default=1000, help="mediations they are spread over")
    parser.add_argument("--batch", type=int, default=0, help="timers per shard per take (default: settings)")
    parser.add_argument("--concurrency", type=int, default=32, help="deliveries in flight at once")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.timers <= 1_000_000 or not 1 <= args.mediations <= args.timers:
        parser.error("--timers must be 1-1,000,000 and --mediations 1..timers")
    result = asyncio.run(bench(args))
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['timers']:,} due timers over {result['mediations']:,} mediations: "
            f"{result['seconds']} s, {result['timers_per_second']:,} timers/s "
            f"({result['sweeps']} sweeps, batch {result['batch']} per shard, concurrency "
            f"{result['concurrency']}; worker CPU {result['worker_cpu_seconds']} s; "
            f"{result['dead']} dead-lettered; shard sizes {result['shard_min_max'][0]:,}"
            f"–{result['shard_min_max'][1]:,}; {result['cpus']} CPUs)"
        )
    return 0 if result["taken"] == result["timers"] and result["dead"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
