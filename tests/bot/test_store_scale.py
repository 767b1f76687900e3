"""Storage that holds under load and junk (issue 10): compare-and-set with many writers in two
processes, unreadable documents isolated, reads that do not grow with history, Outcomes from counters
kept as mediations close, compact documents, and a bounded pool that waits instead of failing."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot import texts as t
from bot.config_store import ConfigStore
from bot.crypto import Cipher, new_key
from bot.definitions import DefinitionSource
from bot.listeners.common import error_text
from bot.runtime import redis_client
from bot.service import MediationService, TooBusy
from bot.settings import load_settings
from bot.store import RECENT_CLOSED, MediationStore, StoreUnavailable, UnreadableMediation, team_key
from flows import commands as c
from flows import engine
from flows.aggregates import aggregate, aggregate_counted
from flows.definition import load_builtin
from flows.models import Mediation
from tests.support.harness import Clock
from tests.support.lifecycles import KINDS, script

ROOT = Path(__file__).resolve().parents[2]
TEAM = team_key(None, "T1")
PEER = load_builtin("peer")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
FLOWS = ("facilitated", "peer", "prepare")


def service_on(store: MediationStore, clock: Clock | None = None) -> MediationService:
    configs = ConfigStore(store.redis, prefix=store._prefix)
    return MediationService(store, DefinitionSource(configs), configs=configs, clock=clock or Clock())


async def play(service: MediationService, clock: Clock, kind: str, a: str, b: str, variant: int) -> str:
    """Start a peer mediation and take it to `kind` through the service, moving the clock."""
    started = await service.start(TEAM, c.Start(actor=a, respondent=b, topic=f"the release dates {variant}"))
    for after, command in script(kind, a, b, variant):
        clock.now += after
        await service.act(TEAM, started.mediation.id, command)
    return started.mediation.id


def mediation(mid: str, a: str = "UANN", b: str = "UBOB") -> Mediation:
    return engine.start(
        c.Start(actor=a, respondent=b, topic="rota"), PEER, NOW, mediation_id=mid, team=TEAM
    ).mediation


# --- compare-and-set -----------------------------------------------------------------------------


async def joint_mediation(service: MediationService, clock: Clock) -> str:
    """A mediation in the joint stage with no agreement item yet (room for 14: at most 15)."""
    started = await service.start(TEAM, c.Start(actor="UANN", respondent="UBOB", topic="the release dates"))
    for after, command in script("joint", "UANN", "UBOB", 0):
        if not isinstance(command, c.ProposeItem | c.AcceptItem):
            clock.now += after
            await service.act(TEAM, started.mediation.id, command)
    return started.mediation.id


async def test_fourteen_writers_in_two_processes_lose_nothing(
    store: MediationStore, redis_url: str, key_prefix: str, encryption_key: str
) -> None:
    """14 item proposals at once on one mediation, 7 from this process and 7 from another Python
    process with its own Redis client and service: every one stored, none refused or lost."""
    clock = Clock()
    service = service_on(store, clock)
    mid = await joint_mediation(service, clock)
    before = len((await store.get(TEAM, mid)).agreement)  # type: ignore[union-attr]
    go = f"{key_prefix}:go"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.support.cas_writer",
        redis_url,
        key_prefix,
        encryption_key,
        TEAM,
        mid,
        go,
        "7",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    other_client = aioredis.Redis.from_url(redis_url)
    try:
        assert child.stdout is not None and child.stderr is not None
        ready = await asyncio.wait_for(child.stdout.readline(), timeout=30)
        assert ready.strip() == b"ready", await child.stderr.read()
        other = service_on(MediationStore(other_client, Cipher(encryption_key), prefix=key_prefix))

        async def propose(n: int) -> None:
            who = "UANN" if n % 2 else "UBOB"
            await other.act(TEAM, mid, c.ProposeItem(actor=who, who="Ann", what=f"parent item {n}"))

        await store.redis.rpush(go, "go")
        await asyncio.gather(*(propose(n) for n in range(7)))
        out, err = await asyncio.wait_for(child.communicate(), timeout=60)
        assert child.returncode == 0, err
        assert json.loads(out) == {"stored": 7, "errors": []}
    finally:
        await other_client.aclose()
        if child.returncode is None:
            child.kill()
            await child.wait()
    m = await store.get(TEAM, mid)
    assert m is not None and before == 0
    assert sorted(item.what for item in m.agreement) == sorted(
        [*(f"parent item {n}" for n in range(7)), *(f"child item {n}" for n in range(7))]
    )
    assert len({item.id for item in m.agreement}) == 14


async def test_a_conflict_that_cannot_be_resolved_is_answered_kindly() -> None:
    assert error_text(TooBusy("m1")) == t.TOO_BUSY
    assert error_text(UnreadableMediation("m1")) == t.UNREADABLE
    assert "try again" in t.TOO_BUSY


# --- unreadable documents --------------------------------------------------------------------------


async def plant_corrupt(store: MediationStore, redis: aioredis.Redis, key_prefix: str, mid: str) -> None:
    """A mediation whose stored value is damaged (and one written with a key we do not hold)."""
    await store.create(mediation(mid, "UANN", f"U{mid.upper()}"))
    await redis.hset(f"{key_prefix}:{{{TEAM}}}:m:{mid}", "doc", b"\x01not a fernet token at all")


async def test_an_unreadable_document_is_left_out_of_every_list_and_told_when_read(
    store: MediationStore, redis_client: aioredis.Redis, key_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    await store.create(mediation("mgood", "UANN", "UBOB"))
    await plant_corrupt(store, redis_client, key_prefix, "mbad")
    foreign = MediationStore(redis_client, Cipher(new_key()), prefix=key_prefix)
    await foreign.create(mediation("mforeign", "UANN", "UCAT"))
    assert [m.id for m in await store.for_user(TEAM, "UANN")] == ["mgood"]
    assert [m.id for m in await store.open_in_team(TEAM)] == ["mgood"]
    with pytest.raises(UnreadableMediation) as caught:
        await store.get(TEAM, "mbad")
    assert isinstance(caught.value, StoreUnavailable) and caught.value.mediation_id == "mbad"
    logged = [r for r in caplog.records if r.getMessage() == "unreadable mediation"]
    assert {getattr(r, "mediation", None) for r in logged} >= {"mbad", "mforeign"}
    # The Outcomes inputs skip what cannot be read, too.
    await redis_client.hset(f"{key_prefix}:{{{TEAM}}}:aggrun", "mbad", b"junk")
    _, runs = await store.outcome_inputs(TEAM)
    assert len(runs) == 2  # mgood's and mforeign's (no document is read), not mbad's junk


async def test_documents_written_before_compression_still_read(
    store: MediationStore, redis_client: aioredis.Redis, key_prefix: str, encryption_key: str
) -> None:
    saved = await store.create(mediation("m1"))
    old = Cipher(encryption_key).encrypt(saved.model_dump_json().encode())  # the format before issue 10
    await redis_client.hset(f"{key_prefix}:{{{TEAM}}}:m:m1", "doc", old)
    assert await store.get(TEAM, "m1") == saved


# --- reads that do not grow with history -----------------------------------------------------------


async def test_a_person_with_500_closed_mediations_loads_the_open_ones_and_the_last_few(
    store: MediationStore, redis_client: aioredis.Redis, key_prefix: str
) -> None:
    for i in range(500):
        m = await store.create(mediation(f"m{i:03d}", "UANN", f"U{i:03d}"))
        await store.save(engine.apply(m, c.Cancel(actor="UANN"), PEER, NOW + timedelta(minutes=i)).mediation)
    await store.create(mediation("mopen", "UANN", "UBOB"))
    loaded = await store.for_user(TEAM, "UANN")
    assert len(loaded) == 1 + RECENT_CLOSED
    assert loaded[0].id == "mopen" or any(m.id == "mopen" for m in loaded)
    assert {m.id for m in loaded if not m.is_open} == {f"m{i:03d}" for i in range(500 - RECENT_CLOSED, 500)}
    k = f"{key_prefix}:{{{TEAM}}}"
    assert await redis_client.scard(f"{k}:open:UANN") == 1
    assert await redis_client.zcard(f"{k}:closed:UANN") == RECENT_CLOSED
    assert await redis_client.scard(f"{k}:open") == 1  # the workspace's set holds open ones only
    # "delete my data" still finds every one that holds words.
    assert len(await store.every_for_user(TEAM, "UANN")) == 501


async def test_purged_mediations_leave_the_erasure_index(store: MediationStore) -> None:
    clock = Clock()
    service = service_on(store, clock)
    mid = await play(service, clock, "cancelled", "UANN", "UBOB", 1)
    assert [m.id for m in await store.every_for_user(TEAM, "UANN")] == [mid]
    assert await service.purge(TEAM, mid)
    assert await store.every_for_user(TEAM, "UANN") == []
    assert [m.id for m in await store.for_user(TEAM, "UANN")] == [mid]  # still among the last few


async def test_outcomes_from_counters_equal_the_report_over_every_mediation(
    store: MediationStore, redis_client: aioredis.Redis, key_prefix: str
) -> None:
    clock = Clock()
    service = service_on(store, clock)
    ids = []
    for i in range(36):
        kind = KINDS[i % len(KINDS)]
        ids.append(await play(service, clock, kind, f"UA{i}", f"UB{i}", i))
    for mid in ids[:4]:
        await service.purge(TEAM, mid)  # a purge changes nothing the report reads
    clock.now += timedelta(hours=5)
    mediations = [m for mid in ids if (m := await store.get(TEAM, mid)) is not None]
    for min_group in (1, 3, 5):
        expected = aggregate(mediations, now=clock.now, flows=FLOWS, min_group=min_group)
        counters, runs = await store.outcome_inputs(TEAM)
        got = aggregate_counted(counters, runs, now=clock.now, flows=FLOWS, min_group=min_group)
        assert got == expected
    assert expected.enough_closed

    # The report reads the counters, never a document: with every document damaged it is unchanged.
    async for key in redis_client.scan_iter(match=f"{key_prefix}:*:m:*"):
        await redis_client.hset(key, "doc", b"\x01damaged")
    counters, runs = await store.outcome_inputs(TEAM)
    assert aggregate_counted(counters, runs, now=clock.now, flows=FLOWS, min_group=5) == expected


async def test_outcome_counters_stay_small_as_history_grows(
    store: MediationStore, redis_client: aioredis.Redis, key_prefix: str
) -> None:
    clock = Clock()
    service = service_on(store, clock)
    agg = f"{key_prefix}:{{{TEAM}}}:agg"
    for i in range(10):
        await play(service, clock, "agreed", f"UA{i}", f"UB{i}", i)
    fields = await redis_client.hlen(agg)
    for i in range(10, 40):
        await play(service, clock, "agreed", f"UA{i}", f"UB{i}", i % 10)
    assert await redis_client.hlen(agg) == fields  # same shapes: more counts, no new keys or fields
    assert await redis_client.hlen(f"{key_prefix}:{{{TEAM}}}:aggrun") == 0  # all closed


# --- size -----------------------------------------------------------------------------------------------


async def test_a_joint_stage_document_is_compact(
    store: MediationStore, redis_client: aioredis.Redis, key_prefix: str, encryption_key: str
) -> None:
    clock = Clock()
    mid = await play(service_on(store, clock), clock, "joint", "UANN", "UBOB", 2)
    doc = await redis_client.hget(f"{key_prefix}:{{{TEAM}}}:m:{mid}", "doc")
    m = await store.get(TEAM, mid)
    assert doc is not None and m is not None
    before = len(Cipher(encryption_key).encrypt(m.model_dump_json().encode()))
    assert len(doc) < before / 2, (len(doc), before)
    assert len(doc) < 2000


# --- the pool -----------------------------------------------------------------------------------------------


def settings(redis_url: str, **overrides: object) -> object:
    return load_settings(
        slack_bot_token="xoxb-test",
        slack_signing_secret="secret",
        redis_url=redis_url,
        encryption_key=new_key(),
        **overrides,
    )


@pytest.fixture
async def small_pool(redis_url: str, key_prefix: str, encryption_key: str) -> AsyncIterator[MediationStore]:
    client = redis_client(redis_url, settings(redis_url, redis_max_connections=2, redis_pool_timeout=5))  # type: ignore[arg-type]
    try:
        yield MediationStore(client, Cipher(encryption_key), prefix=key_prefix)
    finally:
        await client.aclose()
        await client.connection_pool.disconnect()


async def test_an_exhausted_pool_waits_instead_of_saying_storage_is_down(small_pool: MediationStore) -> None:
    await small_pool.create(mediation("m1"))
    loaded = await asyncio.gather(*(small_pool.get(TEAM, "m1") for _ in range(200)))
    assert all(m is not None and m.id == "m1" for m in loaded)
    assert len(small_pool.redis.connection_pool._in_use_connections) == 0  # type: ignore[attr-defined]


async def test_pool_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_MAX_CONNECTIONS", "12")
    monkeypatch.setenv("REDIS_POOL_TIMEOUT", "1.5")
    loaded = settings("redis://127.0.0.1:6379/0")
    assert loaded.redis_max_connections == 12 and loaded.redis_pool_timeout == 1.5  # type: ignore[attr-defined]
    client = redis_client("redis://127.0.0.1:1/0", loaded)  # type: ignore[arg-type]
    assert client.connection_pool.max_connections == 12
    dead = MediationStore(client, Cipher(new_key()), prefix="cgtest-dead")
    with pytest.raises(StoreUnavailable):  # Redis really down: said at once, not after waiting
        await asyncio.wait_for(dead.get(TEAM, "m1"), timeout=4)
    await client.aclose()
