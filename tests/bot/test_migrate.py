"""`commonground migrate` on a real Redis: mediations stored the way the release before issue 10 stored
them (tests/support/old_release.py) are found, indexed, counted and re-encoded; a second run changes
nothing; an unreadable document is skipped and its old keys kept; a dry run writes nothing; a run while
the app serves loses no count."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import pytest
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster as AsyncRedisCluster

from bot.cli import main
from bot.config_store import ConfigStore
from bot.crypto import PACKED, Cipher, new_key
from bot.definitions import DefinitionSource
from bot.migrate import Migration, ReadDocument, migrate
from bot.service import MediationService
from bot.store import MediationStore, team_key
from flows import commands as c
from flows import retention
from flows.aggregates import aggregate, aggregate_counted
from flows.effects import Timer
from flows.models import Mediation
from tests.support.harness import Clock
from tests.support.lifecycles import KINDS, script
from tests.support.old_release import hosted, later, lived, write_old, write_old_timer

TEAM = team_key(None, "T1")
OTHER = team_key("E1", "T2")
FLOWS = ("facilitated", "peer", "prepare")


def service_on(store: MediationStore, clock: Clock) -> MediationService:
    """The new release's service, serving on the same store."""
    configs = ConfigStore(store.redis, prefix=store.prefix)
    return MediationService(store, DefinitionSource(configs), configs=configs, clock=clock)


async def old_workspace(store: MediationStore, encryption_key: str) -> list[Mediation]:
    """Two workspaces of mediations written by the earlier release, at every point of the flow: one
    per kind and variant, a hosted one, a purged one; and one timer in the old single set."""
    cipher = Cipher(encryption_key)
    made = []
    for i, kind in enumerate(KINDS * 2):
        team = TEAM if i % 3 else OTHER
        made.append(lived(kind, f"UA{i}", f"UB{i}", i, team=team, mediation_id=f"m{i:02d}"))
    made.append(hosted("UHOST", "UA0", "UC0", team=TEAM, mediation_id="mhost"))
    closed = lived("cancelled", "UA1", "UP0", 1, team=TEAM, mediation_id="mpurged")
    made.append(retention.purge(closed, later(0)).model_copy(update={"version": closed.version + 1}))
    for m in made:
        await write_old(store.redis, cipher, store.prefix, m)
    await write_old_timer(store.redis, store.prefix, TEAM, "m01", Timer.EXPIRE, later(1))
    return made


async def snapshot(redis: aioredis.Redis, prefix: str) -> dict[bytes, object]:
    """Every key under the prefix and what it holds (sorted sets with their scores)."""
    found: dict[bytes, object] = {}
    async for key in redis.scan_iter(match=f"{prefix}:*"):
        kind = await redis.type(key)
        if kind == b"string":
            found[key] = await redis.get(key)
        elif kind == b"hash":
            found[key] = await redis.hgetall(key)
        elif kind == b"set":
            found[key] = await redis.smembers(key)
        elif kind == b"zset":
            found[key] = await redis.zrange(key, 0, -1, withscores=True)
        else:
            raise AssertionError(f"unexpected {kind!r} at {key!r}")
    return found


async def old_keys(redis: aioredis.Redis, prefix: str) -> list[str]:
    """The index keys of the earlier release still there."""
    found = [key.decode() async for key in redis.scan_iter(match=f"{prefix}:*")]
    return sorted(
        key for key in found if key.rsplit("}:", 1)[-1].partition(":")[0] in ("user", "hosts", "all")
    )


async def report_matches(store: MediationStore, team: str, mediations: list[Mediation]) -> None:
    """The Outcomes report from the counters equals the report computed over the documents."""
    counters, runs = await store.outcome_inputs(team)
    mine = [m for m in mediations if m.team == team]
    for min_group in (1, 5):
        expected = aggregate(mine, now=later(2), flows=FLOWS, min_group=min_group)
        assert aggregate_counted(counters, runs, now=later(2), flows=FLOWS, min_group=min_group) == expected


async def test_old_mediations_are_indexed_counted_and_re_encoded(
    store: MediationStore, redis_client: aioredis.Redis, key_prefix: str, encryption_key: str
) -> None:
    made = await old_workspace(store, encryption_key)
    # Before: the new indexes miss them.
    assert await store.for_user(TEAM, "UA1") == []
    assert await store.outcome_inputs(TEAM) == ({}, [])
    removable = await old_keys(redis_client, key_prefix)
    lines: list[str] = []

    summary = await migrate(store, progress=lines.append)

    assert (summary.teams, summary.mediations, summary.reencoded, summary.skipped) == (
        2,
        len(made),
        len(made),
        0,
    )
    assert summary.keys_removed == len(removable) and summary.keys_kept == 0
    assert summary.timers_moved == 1 and not summary.unfinished
    assert lines and f"{len(made)} mediations processed, 2 workspaces done" in lines[-1]
    assert await old_keys(redis_client, key_prefix) == []
    for m in made:
        raw = await redis_client.hget(store.key(m.team, "m", m.id), "doc")
        assert raw is not None and raw[:1] == PACKED
        assert await store.get(m.team, m.id) == m  # same content, same version (timers name versions)
    # App Home and /mediate status read these.
    for m in made:
        for party in m.parties:
            assert m.id in [x.id for x in await store.for_user(m.team, party.user_id)]
    assert [x.id for x in await store.for_facilitator(TEAM, "UHOST")] == ["mhost"]
    # "Delete my data" finds every one that still holds words (not the purged one).
    assert {x.id for x in await store.every_for_user(TEAM, "UA1")} == {"m01"}
    assert [x.id for x in await store.for_user(TEAM, "UP0")] == ["mpurged"]
    assert await store.every_for_user(TEAM, "UP0") == []
    for team in (TEAM, OTHER):
        assert {x.id for x in await store.open_in_team(team)} == {
            m.id for m in made if m.team == team and m.is_open
        }
        await report_matches(store, team, made)
    for m in made:
        holder = await store.open_between(m.team, m.initiator.user_id, m.respondent.user_id)
        assert holder == (m.id if m.is_open else None)
    assert (await store.timers.counts())["due"] == 1


async def test_a_second_run_changes_nothing(
    store: MediationStore, redis_client: aioredis.Redis, key_prefix: str, encryption_key: str
) -> None:
    await old_workspace(store, encryption_key)
    await migrate(store)
    before = await snapshot(redis_client, key_prefix)
    again = await migrate(store)
    assert (again.teams, again.teams_current, again.reencoded, again.keys_removed) == (0, 2, 0, 0)
    assert await snapshot(redis_client, key_prefix) == before


async def test_a_run_after_the_new_release_served_counts_every_mediation_once(
    store: MediationStore, redis_client: aioredis.Redis, key_prefix: str, encryption_key: str
) -> None:
    made = await old_workspace(store, encryption_key)
    clock = Clock(now=later(0))
    service = service_on(store, clock)
    # Deployed and serving before migrating: an old open mediation moves on and one closes (their
    # counters change from a contribution that was never added), and new ones are started.
    await service.act(TEAM, "m02", c.Cancel(actor="UA2"))
    await service.act(TEAM, "m04", c.Cancel(actor="UA4"))
    for i in range(3):
        started = await service.start(TEAM, c.Start(actor=f"UN{i}", respondent="UNEW", topic="the rota"))
        for after, command in script(KINDS[i * 3 + 1], f"UN{i}", "UNEW", i)[:8]:
            clock.now += after
            await service.act(TEAM, started.mediation.id, command)
    counters, runs = await store.outcome_inputs(TEAM)
    before = await documents(store, TEAM)
    wrong = aggregate_counted(counters, runs, now=later(2), flows=FLOWS, min_group=1)
    assert wrong != aggregate(before, now=later(2), flows=FLOWS, min_group=1)  # wrong until migrated

    await migrate(store)
    everything = [m for t in (TEAM, OTHER) for m in await documents(store, t)]
    assert len(everything) == len(made) + 3
    for team in (TEAM, OTHER):
        await report_matches(store, team, everything)
    agg = await redis_client.hgetall(store.key(TEAM, "agg"))
    # Not skipped as up to date: a workspace is redone in full while it has old keys, and redone the
    # same (an unreadable document keeps old keys; here, one is planted back).
    await redis_client.sadd(store.key(TEAM, "all"), "m02")
    await migrate(store)
    assert await redis_client.hgetall(store.key(TEAM, "agg")) == agg
    await report_matches(store, TEAM, everything)


async def documents(store: MediationStore, team: str) -> list[Mediation]:
    found = []
    async for key in store.redis.scan_iter(match=f"{store.prefix}:{{{team}}}:m:*"):
        m = await store.get(team, key.decode().rsplit(":", 1)[-1])
        assert m is not None
        found.append(m)
    return found


async def test_an_unreadable_document_is_skipped_by_id_and_its_old_keys_kept(
    store: MediationStore,
    redis_client: aioredis.Redis,
    key_prefix: str,
    encryption_key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cipher = Cipher(encryption_key)
    good = lived("agreed", "UANN", "UBOB", 1, team=TEAM, mediation_id="mgood")
    damaged = lived("intake", "UCAT", "UDAN", 2, team=TEAM, mediation_id="mbad")
    foreign = lived("joint", "UEVE", "UANN", 3, team=TEAM, mediation_id="mforeign")
    await write_old(redis_client, cipher, key_prefix, good)
    await write_old(redis_client, cipher, key_prefix, damaged)
    await write_old(redis_client, Cipher(new_key()), key_prefix, foreign)
    await redis_client.hset(store.key(TEAM, "m", "mbad"), "doc", b"gAAAAA-not-a-token")
    caplog.set_level(logging.INFO)

    summary = await migrate(store)

    assert (summary.mediations, summary.skipped, summary.reencoded) == (1, 2, 1)
    logged = [r for r in caplog.records if r.getMessage() == "unreadable mediation"]
    assert {getattr(r, "mediation", None) for r in logged} == {"mbad", "mforeign"}
    assert not [r for r in caplog.records if "release dates" in r.getMessage() + str(r.__dict__)]
    # Keys naming only readable documents go; the ones naming an unreadable one stay.
    assert await old_keys(redis_client, key_prefix) == sorted(
        store.key(TEAM, *parts)
        for parts in (("all",), ("user", "UANN"), ("user", "UCAT"), ("user", "UDAN"), ("user", "UEVE"))
    )
    assert (summary.keys_removed, summary.keys_kept) == (1, 5)
    assert [m.id for m in await store.for_user(TEAM, "UBOB")] == ["mgood"]
    await report_matches(store, TEAM, [good])
    counters = await redis_client.hgetall(store.key(TEAM, "agg"))
    again = await migrate(store)  # redone (old keys remain): the same counters, the same two skipped
    assert (again.teams, again.skipped) == (1, 2)
    assert await redis_client.hgetall(store.key(TEAM, "agg")) == counters


async def test_a_dry_run_changes_nothing(
    store: MediationStore, redis_client: aioredis.Redis, key_prefix: str, encryption_key: str
) -> None:
    made = await old_workspace(store, encryption_key)
    removable = await old_keys(redis_client, key_prefix)
    before = await snapshot(redis_client, key_prefix)
    summary = await migrate(store, dry_run=True)
    assert await snapshot(redis_client, key_prefix) == before
    assert (summary.teams, summary.mediations, summary.reencoded) == (2, len(made), len(made))
    assert (summary.keys_removed, summary.timers_moved) == (len(removable), 1)
    assert summary.lines()[0] == "Dry run: nothing was changed."


async def test_a_run_while_serving_loses_no_count(
    store: MediationStore, redis_client: aioredis.Redis, key_prefix: str, encryption_key: str
) -> None:
    cipher = Cipher(encryption_key)
    for i in range(120):
        await write_old(
            redis_client,
            cipher,
            key_prefix,
            lived(KINDS[i % 9], f"UA{i}", f"UB{i}", i, team=TEAM, mediation_id=f"m{i:03d}"),
        )
    clock = Clock(now=later(0))
    service = service_on(store, clock)
    migration = Migration(store, batch=10)

    async def serve() -> None:
        for i in range(12):
            started = await service.start(TEAM, c.Start(actor=f"UN{i}", respondent="UNEW", topic="the rota"))
            await service.act(TEAM, started.mediation.id, c.Accept(actor="UNEW"))
            await service.act(TEAM, f"m{i * 9:03d}", c.Cancel(actor=f"UA{i * 9}"))  # an old open one closes
            await asyncio.sleep(0)

    summary, _ = await asyncio.gather(migration.run(), serve())
    assert summary.mediations >= 120 and not summary.unfinished
    everything = await documents(store, TEAM)
    assert len(everything) == 132
    await report_matches(store, TEAM, everything)


class ServedMeanwhile(Migration):
    """A migration during which the app serves at the worst moment: after the workspace's documents
    were read and indexed, before its counters are replaced (once)."""

    def __init__(self, store: MediationStore, serve: Callable[[], Awaitable[None]]) -> None:
        super().__init__(store)
        self.serve: Callable[[], Awaitable[None]] | None = serve

    async def _replace_counters(self, team: str, base: dict[str, str], docs: list[ReadDocument]) -> bool:
        if self.serve is not None:
            serve, self.serve = self.serve, None
            await serve()
        return await super()._replace_counters(team, base, docs)


@pytest.mark.parametrize("write", ["a new mediation", "an old one moves on"])
async def test_a_write_between_reading_and_replacing_the_counters_is_kept(
    store: MediationStore,
    redis_client: aioredis.Redis,
    key_prefix: str,
    encryption_key: str,
    caplog: pytest.LogCaptureFixture,
    write: str,
) -> None:
    made = await old_workspace(store, encryption_key)
    service = service_on(store, Clock(now=later(0)))

    async def serve() -> None:
        if write == "a new mediation":
            await service.start(TEAM, c.Start(actor="UNEW", respondent="UA1", topic="the rota"))
        else:
            await service.act(TEAM, "m02", c.Cancel(actor="UA2"))

    caplog.set_level(logging.INFO)
    summary = await ServedMeanwhile(store, serve).run()
    assert not summary.unfinished
    assert [r for r in caplog.records if r.getMessage() == "workspace changed while migrating; again"]
    everything = await documents(store, TEAM)
    assert len(everything) == len([m for m in made if m.team == TEAM]) + (write == "a new mediation")
    await report_matches(store, TEAM, everything)


def test_the_command_prints_a_summary(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    redis_url: str,
    key_prefix: str,
    encryption_key: str,
) -> None:
    async def setup() -> None:
        client = aioredis.Redis.from_url(redis_url)
        try:
            m = lived("intake", "UANN", "UBOB", 0, team=TEAM, mediation_id="m1")
            await write_old(client, Cipher(encryption_key), key_prefix, m)
        finally:
            await client.aclose()

    async def cleanup() -> bool:
        client = aioredis.Redis.from_url(redis_url)
        try:
            packed = (await client.hget(f"{key_prefix}:{{{TEAM}}}:m:m1", "doc") or b"")[:1] == PACKED
            keys = [k async for k in client.scan_iter(match=f"{key_prefix}:*")]
            if keys:
                await client.delete(*keys)
            return packed
        finally:
            await client.aclose()

    asyncio.run(setup())
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "REDIS_URL": redis_url,
        "COMMONGROUND_ENCRYPTION_KEY": encryption_key,
        "COMMONGROUND_KEY_PREFIX": key_prefix,
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["migrate", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Dry run: nothing was changed." in out and "mediations would be indexed and counted: 1" in out
    assert main(["migrate"]) == 0
    out = capsys.readouterr().out
    assert "Migration finished." in out and "documents re-encoded: 1" in out
    assert asyncio.run(cleanup())


async def test_migrate_on_a_redis_cluster(cluster: str, key_prefix: str, encryption_key: str) -> None:
    client = AsyncRedisCluster.from_url(cluster)
    store = MediationStore(client, Cipher(encryption_key), prefix=key_prefix)  # type: ignore[arg-type]
    try:
        made = await old_workspace(store, encryption_key)
        summary = await migrate(store, batch=7)  # every node scanned, every script in one slot
        assert (summary.teams, summary.mediations, summary.skipped) == (2, len(made), 0)
        assert summary.timers_moved == 1
        assert await old_keys(store.redis, key_prefix) == []
        assert {m.id for m in await store.for_user(TEAM, "UA1")} == {"m01", "mpurged"}
        for team in (TEAM, OTHER):
            await report_matches(store, team, made)
        again = await migrate(store)
        assert (again.teams, again.teams_current) == (0, 2)
    finally:
        keys = [k async for k in client.scan_iter(match=f"{key_prefix}:*")]
        for key in keys:
            await client.delete(key)
        await client.aclose()
