"""The store on a real Redis: encryption at rest, compare-and-set, indexes, idempotency, timers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis

from bot.crypto import Cipher, InvalidToken, new_key
from bot.store import (
    MediationStore,
    PairTaken,
    SentOffer,
    StoreUnavailable,
    UnreadableMediation,
    VersionConflict,
    team_key,
)
from flows import commands as c
from flows import engine
from flows.definition import load_builtin
from flows.effects import Notice
from flows.models import Mediation, Role
from flows.steps import Offer, Step

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TEAM = team_key(None, "T1")
PEER = load_builtin("peer")


def new_mediation(
    mid: str = "m1", a: str = "UANN", b: str = "UBOB", topic: str = "the release dates"
) -> Mediation:
    return engine.start(
        c.Start(actor=a, respondent=b, topic=topic), PEER, NOW, mediation_id=mid, team=TEAM
    ).mediation


async def test_create_and_get_round_trip(store: MediationStore) -> None:
    saved = await store.create(new_mediation())
    assert saved.version == 1
    loaded = await store.get(TEAM, "m1")
    assert loaded == saved
    assert await store.get(TEAM, "missing") is None


async def test_documents_are_encrypted_at_rest(
    store: MediationStore, redis_client: aioredis.Redis, key_prefix: str
) -> None:
    secret = "planted-secret-8f2a topic"
    await store.create(new_mediation(topic=secret))
    raw = b""
    async for key in redis_client.scan_iter(match=f"{key_prefix}:*"):
        if await redis_client.type(key) == b"hash":
            raw += b"".join(await redis_client.hvals(key))
        elif await redis_client.type(key) == b"string":
            raw += await redis_client.get(key) or b""
    assert raw, "nothing was written"
    assert b"planted-secret-8f2a" not in raw
    assert b"UANN" not in raw  # user ids appear only in index key names, never in values


async def test_wrong_key_cannot_read(
    store: MediationStore, redis_client: aioredis.Redis, key_prefix: str
) -> None:
    await store.create(new_mediation())
    other = MediationStore(redis_client, Cipher(new_key()), prefix=key_prefix)
    with pytest.raises(UnreadableMediation) as unreadable:
        await other.get(TEAM, "m1")
    assert isinstance(unreadable.value.__context__, InvalidToken)


async def test_key_rotation_reads_old_documents(
    store: MediationStore, redis_client: aioredis.Redis, key_prefix: str, encryption_key: str
) -> None:
    await store.create(new_mediation())
    rotated = MediationStore(redis_client, Cipher(f"{new_key()},{encryption_key}"), prefix=key_prefix)
    assert (await rotated.get(TEAM, "m1")) is not None


async def test_compare_and_set_refuses_a_stale_write(store: MediationStore) -> None:
    first = await store.create(new_mediation())
    accepted = engine.apply(first, c.Accept(actor="UBOB"), PEER, NOW).mediation
    postponed = engine.apply(first, c.Postpone(actor="UBOB"), PEER, NOW).mediation
    saved = await store.save(accepted)
    assert saved.version == 2
    with pytest.raises(VersionConflict):
        await store.save(postponed)
    assert (await store.get(TEAM, "m1")) == saved


async def test_concurrent_writers_one_wins(store: MediationStore) -> None:
    base = await store.create(new_mediation())
    a = engine.apply(base, c.Accept(actor="UBOB"), PEER, NOW).mediation
    b = engine.apply(base, c.Postpone(actor="UBOB"), PEER, NOW).mediation
    results = await asyncio.gather(store.save(a), store.save(b), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["Mediation", "VersionConflict"]


async def test_one_open_mediation_per_pair(store: MediationStore) -> None:
    await store.create(new_mediation("m1", "UANN", "UBOB"))
    with pytest.raises(PairTaken) as taken:
        await store.create(new_mediation("m2", "UBOB", "UANN"))
    assert taken.value.mediation_id == "m1"
    assert await store.open_between(TEAM, "UBOB", "UANN") == "m1"
    assert await store.get(TEAM, "m2") is None  # nothing half-written


async def test_closing_releases_the_pair(store: MediationStore) -> None:
    first = await store.create(new_mediation("m1"))
    declined = engine.apply(first, c.Decline(actor="UBOB"), PEER, NOW).mediation
    await store.save(declined)
    assert await store.open_between(TEAM, "UANN", "UBOB") is None
    await store.create(new_mediation("m2"))


async def test_user_index_lists_newest_first(store: MediationStore) -> None:
    await store.create(new_mediation("m1", "UANN", "UBOB"))
    later = engine.start(
        c.Start(actor="UCAT", respondent="UANN", topic="rota"),
        PEER,
        NOW + timedelta(hours=1),
        mediation_id="m2",
        team=TEAM,
    ).mediation
    await store.create(later)
    assert [m.id for m in await store.for_user(TEAM, "UANN")] == ["m2", "m1"]
    assert [m.id for m in await store.for_user(TEAM, "UBOB")] == ["m1"]
    assert await store.for_user(team_key("E1", "T1"), "UANN") == []  # namespaced by team


async def test_claim_once(store: MediationStore) -> None:
    assert await store.claim_once("event:Ev1") is True
    assert await store.claim_once("event:Ev1") is False
    assert await store.claim_once("event:Ev2") is True


async def test_unreachable_redis_raises_store_unavailable(encryption_key: str) -> None:
    client = aioredis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    dead = MediationStore(client, Cipher(encryption_key), prefix="cgtest-dead")
    with pytest.raises(StoreUnavailable):
        await dead.get(TEAM, "m1")
    with pytest.raises(StoreUnavailable):
        await dead.create(new_mediation())
    assert await dead.ping() is False
    await client.aclose()


def sent_offer(ts: str, notice: Notice = Notice.GROUND_RULES) -> SentOffer:
    return SentOffer(
        notice=notice, offer=Offer(role=Role.RESPONDENT, step=Step.AGREE_RULES), channel="D0BOB", ts=ts
    )


async def test_step_messages_are_recorded_encrypted_and_forgotten_once_done(
    store: MediationStore, redis_client: aioredis.Redis, key_prefix: str
) -> None:
    await store.create(new_mediation())
    first, second = sent_offer("1700000001.000100"), sent_offer("1700000002.000100", Notice.NUDGED)
    await store.record_offer(TEAM, "m1", second)
    await store.record_offer(TEAM, "m1", first)
    await store.record_offer(TEAM, "m1", first)  # recorded twice: still one message
    assert await store.offers(TEAM, "m1") == [first, second]
    raw = b"".join(
        [
            v
            async for key in redis_client.scan_iter(match=f"{key_prefix}:*offers*")
            for v in await redis_client.hvals(key)
        ]
    )
    assert raw and b"D0BOB" not in raw and b"agree_rules" not in raw
    await store.forget_offer(TEAM, "m1", first)
    assert await store.offers(TEAM, "m1") == [second]
    await store.delete(TEAM, "m1")
    assert await store.offers(TEAM, "m1") == []
    assert await store.offers(TEAM, "never") == []
