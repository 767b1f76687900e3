#!/usr/bin/env python
"""Storage at scale: write N mediations (default 100,000) at a mix of stages into a throwaway key
prefix of a Redis, measure the bytes each one costs, time the reads App Home and *Outcomes* make at
that size, and delete everything it wrote.

Usage::

    .venv/bin/python scripts/bench_storage.py [--count 100000] [--redis-url URL] [--sample 2000] [--json]

The mix (one workspace): 20 % each at invitation, intake done, reflection (1-3 rounds), joint (three
agreement items) and closed (agreed, cancelled after intake, declined). Each mediation goes through the
real `MediationStore` (compressed, encrypted document, indexes, Outcomes counters, the pair lock) and,
while open, records one step message (`record_offer`) as the effect runner does. People are drawn from
a pool of N/5, so each takes part in about ten mediations.

Bytes are Redis's own `MEMORY USAGE`: per stage, the sampled average of each mediation's own keys
(its document and its step messages) plus the shared keys (indexes, pair locks, counters, the open
contributions) divided by N; and the total over every key under the prefix, divided by N.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import redis.asyncio as aioredis  # noqa: E402

from bot.crypto import Cipher, new_key  # noqa: E402
from bot.store import MediationStore, PairTaken, SentOffer, team_key  # noqa: E402
from bot.views.home import home_view  # noqa: E402
from flows import commands as c  # noqa: E402
from flows import engine  # noqa: E402
from flows.aggregates import aggregate_counted  # noqa: E402
from flows.definition import load_builtin  # noqa: E402
from flows.effects import Notice  # noqa: E402
from flows.models import Mediation, Party, Role  # noqa: E402
from flows.steps import Offer, Step  # noqa: E402
from tests.support.lifecycles import script  # noqa: E402

STAGES: dict[str, tuple[str, ...]] = {
    "invitation": ("invitation",),
    "intake done": ("intake",),
    "reflection": ("reflection",),
    "joint": ("joint",),
    "closed": ("agreed", "cancelled", "declined"),
}
VARIANTS = 6
TEAM = team_key(None, "TBENCH")
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
BATCH = 400


def templates() -> dict[tuple[str, int], tuple[Mediation, Mediation]]:
    """For each scripted kind and variant: the last open state and the final state, by the engine."""
    peer = load_builtin("peer")
    out = {}
    for kinds in STAGES.values():
        for kind in kinds:
            for variant in range(VARIANTS):
                now = START
                m = engine.start(
                    c.Start(
                        actor="UA", respondent="UB", topic=f"Release dates and the test plan, take {variant}"
                    ),
                    peer,
                    now,
                    mediation_id="m",
                    team=TEAM,
                ).mediation
                last_open = m
                for after, command in script(kind, "UA", "UB", variant):
                    now += after
                    m = engine.apply(m, command, peer, now).mediation
                    if m.is_open:
                        last_open = m
                out[kind, variant] = (last_open, m)
    return out


def cast_as(m: Mediation, mediation_id: str, a: str, b: str, shift: timedelta) -> Mediation:
    """A copy of a template with its own id, people and dates."""

    def party(p: Party, user: str) -> Party:
        return p.model_copy(update={"user_id": user})

    history = [e.model_copy(update={"at": e.at + shift}) for e in m.history]
    return m.model_copy(
        update={
            "id": mediation_id,
            "initiator": party(m.initiator, a),
            "respondent": party(m.respondent, b),
            "created_at": m.created_at + shift,
            "updated_at": m.updated_at + shift,
            "history": history,
        }
    )


async def write_all(store: MediationStore, count: int, rng: random.Random) -> dict[str, list[str]]:
    """Write `count` mediations; returns their ids by stage."""
    made = templates()
    people = max(count // 5, 10)
    by_stage: dict[str, list[str]] = defaultdict(list)
    stage_names = list(STAGES)

    async def one(i: int) -> None:
        stage = stage_names[i % len(stage_names)]
        kind = STAGES[stage][(i // len(stage_names)) % len(STAGES[stage])]
        last_open, final = made[kind, i % VARIANTS]
        shift = timedelta(minutes=i)
        for _ in range(20):
            a, b = rng.sample(range(people), 2)
            mid = f"m{i:07d}{secrets.token_hex(2)}"
            first = cast_as(last_open, mid, f"U{a:07d}", f"U{b:07d}", shift)
            try:
                created = await store.create(first)
            except PairTaken:
                continue
            if not final.is_open:
                closed = cast_as(final, mid, first.initiator.user_id, first.respondent.user_id, shift)
                await store.save(closed.model_copy(update={"version": created.version}), previous=created)
            else:
                offer = SentOffer(
                    notice=Notice.GROUND_RULES,
                    offer=Offer(role=Role.RESPONDENT, step=Step.AGREE_RULES),
                    channel="D0" + first.respondent.user_id[1:],
                    ts=f"{1_700_000_000 + i}.000100",
                )
                await store.record_offer(TEAM, mid, offer)
            by_stage[stage].append(mid)
            return
        raise RuntimeError("no free pair")

    for start in range(0, count, BATCH):
        await asyncio.gather(*(one(i) for i in range(start, min(start + BATCH, count))))
        if start and start % 20_000 == 0:
            print(f"  {start:,} written", file=sys.stderr, flush=True)
    return by_stage


async def memory(redis: aioredis.Redis, keys: list[bytes]) -> list[int]:
    """MEMORY USAGE of each key (SAMPLES 0: every element of a collection counted)."""
    sizes: list[int] = []
    for i in range(0, len(keys), 1000):
        async with redis.pipeline(transaction=False) as pipe:
            for key in keys[i : i + 1000]:
                pipe.execute_command("MEMORY", "USAGE", key, "SAMPLES", "0")
            sizes += [int(n or 0) for n in await pipe.execute()]
    return sizes


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(10)
    prefix = f"benchstore-{secrets.token_hex(4)}"
    pool = aioredis.BlockingConnectionPool.from_url(
        args.redis_url, max_connections=50, timeout=30, socket_connect_timeout=2, socket_timeout=60
    )
    redis = aioredis.Redis(connection_pool=pool)  # as the app's: bounded, waits when all are busy
    store = MediationStore(redis, Cipher(new_key()), prefix=prefix)
    result: dict[str, Any] = {"count": args.count, "prefix": prefix}
    try:
        began = time.perf_counter()
        by_stage = await write_all(store, args.count, rng)
        result["write_seconds"] = round(time.perf_counter() - began, 1)

        keys = [key async for key in redis.scan_iter(match=f"{prefix}:*", count=2000)]
        sizes = dict(zip(keys, await memory(redis, keys), strict=True))
        total = sum(sizes.values())
        per_mediation_key = f"{prefix}:{{{TEAM}}}:".encode()
        own = {
            k: v
            for k, v in sizes.items()
            if k.startswith(per_mediation_key + b"m:") or k.startswith(per_mediation_key + b"offers:")
        }
        shared = total - sum(own.values())
        result["keys"] = len(keys)
        result["total_bytes"] = total
        result["bytes_per_mediation"] = round(total / args.count)
        result["shared_bytes_per_mediation"] = round(shared / args.count)
        stages = {}
        for stage, ids in by_stage.items():
            sample = rng.sample(ids, min(args.sample, len(ids)))
            doc_keys = [per_mediation_key + b"m:" + i.encode() for i in sample]
            offer_keys = [per_mediation_key + b"offers:" + i.encode() for i in sample]
            docs = [sizes.get(k, 0) for k in doc_keys]
            offers = [sizes.get(k, 0) for k in offer_keys]
            blobs = [len(b or b"") for b in await redis.hmget(doc_keys[0], ["doc"])]
            stages[stage] = {
                "mediations": len(ids),
                "document": round(statistics.mean(docs)),
                "step_messages": round(statistics.mean(offers)),
                "with_shared": round(statistics.mean(docs) + statistics.mean(offers) + shared / args.count),
                "stored_value_example": blobs[0],
            }
        result["stages"] = stages

        # App Home reads: a sampled person's list, and building their App Home from it.
        people = sorted({k.rsplit(b":", 1)[1] for k in keys if b":open:U" in k or b":closed:U" in k})
        home_ms, loaded = [], []
        for user in rng.sample(people, min(200, len(people))):
            t0 = time.perf_counter()
            mediations = await store.for_user(TEAM, user.decode())
            home_view(mediations, user.decode(), START)
            home_ms.append((time.perf_counter() - t0) * 1000)
            loaded.append(len(mediations))
        result["app_home_ms"] = {"p50": round(pct(home_ms, 0.5), 2), "p99": round(pct(home_ms, 0.99), 2)}
        result["app_home_mediations_loaded"] = {"mean": round(statistics.mean(loaded), 1), "max": max(loaded)}

        outcome_ms = []
        for _ in range(5):
            t0 = time.perf_counter()
            closed, opened = await store.outcome_inputs(TEAM)
            aggregate_counted(
                closed, opened, now=START + timedelta(days=90), flows=("facilitated", "peer", "prepare")
            )
            outcome_ms.append((time.perf_counter() - t0) * 1000)
        result["outcomes_ms"] = {
            "median": round(statistics.median(outcome_ms), 1),
            "max": round(max(outcome_ms), 1),
        }
        result["outcomes_counter_fields"] = await redis.hlen(f"{prefix}:{{{TEAM}}}:agg")
    finally:
        doomed = [key async for key in redis.scan_iter(match=f"{prefix}:*", count=2000)]
        for i in range(0, len(doomed), 1000):
            await redis.unlink(*doomed[i : i + 1000])
        await redis.aclose()
        await pool.disconnect()
    return result


def report(r: dict[str, Any]) -> str:
    """The figures as the README shows them."""
    home, loaded, outcomes = r["app_home_ms"], r["app_home_mediations_loaded"], r["outcomes_ms"]
    lines = [
        f"{r['count']:,} mediations written in {r['write_seconds']} s ({r['keys']:,} keys)",
        f"Redis memory: {r['total_bytes'] / 1e6:.1f} MB in all, {r['bytes_per_mediation']:,} bytes per "
        f"mediation ({r['shared_bytes_per_mediation']:,} of them indexes, pair locks and counters)",
        "",
        "stage          mediations  document  step msgs  with shared keys",
    ]
    for stage, s in r["stages"].items():
        lines.append(
            f"{stage:<14} {s['mediations']:>10,} {s['document']:>9,} {s['step_messages']:>10,}"
            f" {s['with_shared']:>17,}"
        )
    lines += [
        "",
        f"App Home (read the person's list + build the view): p50 {home['p50']} ms, p99 {home['p99']} ms;"
        f" mediations loaded: mean {loaded['mean']}, max {loaded['max']}",
        f"Outcomes (read the counters and running stages, build the report): median {outcomes['median']} ms,"
        f" max {outcomes['max']} ms; {r['outcomes_counter_fields']} counter fields",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    print(json.dumps(result, indent=2) if args.json else report(result))


if __name__ == "__main__":
    main()
