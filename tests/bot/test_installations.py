"""The Redis installation and OAuth state stores, on a real Redis: the behaviours slack-sdk tests its
own stores for (tests/slack_sdk/oauth/installation_store/test_sqlite3.py, test_file.py,
test_amazon_s3.py: save and find by team, by enterprise, org-wide, the latest installation, token
rotation, delete), then what ours adds: encryption at rest, bot and user tokens kept apart, the latest
installation after a delete, single-use expiring state, one cluster slot per workspace."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster as AsyncRedisCluster
from redis.crc import key_slot
from slack_sdk.oauth.installation_store import Bot, Installation

from bot.crypto import Cipher, new_key
from bot.installations import RedisInstallationStore, RedisOAuthStateStore


@pytest.fixture
def store(redis_client: aioredis.Redis, encryption_key: str, key_prefix: str) -> RedisInstallationStore:
    return RedisInstallationStore(redis_client, Cipher(encryption_key), prefix=key_prefix)


@pytest.fixture
def states(redis_client: aioredis.Redis, key_prefix: str) -> RedisOAuthStateStore:
    return RedisOAuthStateStore(redis_client, "state-secret", expiration_seconds=600, prefix=key_prefix)


def team_install(**extra: object) -> Installation:
    fields: dict[str, object] = {
        "app_id": "A111",
        "enterprise_id": "E111",
        "team_id": "T111",
        "user_id": "U111",
        "bot_id": "B111",
        "bot_token": "xoxb-111",
        "bot_scopes": ["chat:write"],
        "bot_user_id": "U222",
    }
    fields.update(extra)
    return Installation(**fields)  # type: ignore[arg-type]


def org_install() -> Installation:
    return Installation(
        app_id="AO111",
        enterprise_id="EO111",
        user_id="UO111",
        bot_id="BO111",
        bot_token="xoxb-O111",
        bot_scopes=["chat:write"],
        bot_user_id="UO222",
        is_enterprise_install=True,
    )


async def test_save_and_find(store: RedisInstallationStore) -> None:
    await store.async_save(team_install())

    assert await store.async_find_bot(enterprise_id="E111", team_id="T111") is not None
    assert await store.async_find_bot(enterprise_id="E111", team_id="T222") is None
    assert await store.async_find_bot(enterprise_id=None, team_id="T111") is None

    await store.async_delete_bot(enterprise_id="E111", team_id="T222")
    assert await store.async_find_bot(enterprise_id="E111", team_id="T222") is None
    assert await store.async_find_bot(enterprise_id="E111", team_id="T111") is not None

    assert await store.async_find_installation(enterprise_id="E111", team_id="T111") is not None
    assert await store.async_find_installation(enterprise_id="E111", team_id="T222") is None
    assert await store.async_find_installation(enterprise_id=None, team_id="T111") is None
    found = await store.async_find_installation(enterprise_id="E111", team_id="T111", user_id="U111")
    assert found is not None and found.bot_token == "xoxb-111" and found.user_id == "U111"
    assert await store.async_find_installation(enterprise_id="E111", team_id="T111", user_id="U222") is None
    assert await store.async_find_installation(enterprise_id="E111", team_id="T222", user_id="U111") is None

    await store.async_delete_installation(enterprise_id="E111", team_id="T111", user_id="U111")
    assert await store.async_find_installation(enterprise_id="E111", team_id="T111", user_id="U111") is None
    assert await store.async_find_installation(enterprise_id="E111", team_id="T111") is None

    await store.async_save(team_install())
    await store.async_delete_all(enterprise_id="E111", team_id="T111")
    assert await store.async_find_installation(enterprise_id="E111", team_id="T111") is None
    assert await store.async_find_installation(enterprise_id="E111", team_id="T111", user_id="U111") is None
    assert await store.async_find_bot(enterprise_id="E111", team_id="T111") is None


async def test_a_workspace_outside_enterprise_grid(store: RedisInstallationStore) -> None:
    await store.async_save(team_install(enterprise_id=None))
    bot = await store.async_find_bot(enterprise_id=None, team_id="T111")
    assert bot is not None and bot.bot_token == "xoxb-111"
    assert await store.async_find_bot(enterprise_id="E111", team_id="T111") is None


async def test_org_installation(store: RedisInstallationStore) -> None:
    await store.async_save(org_install())

    assert await store.async_find_bot(enterprise_id="EO111", team_id=None) is not None
    bot = await store.async_find_bot(enterprise_id="EO111", team_id="TO222", is_enterprise_install=True)
    assert bot is not None and bot.bot_token == "xoxb-O111" and bot.is_enterprise_install
    assert await store.async_find_bot(enterprise_id="EO111", team_id="TO222") is None
    assert await store.async_find_bot(enterprise_id=None, team_id="TO111") is None

    await store.async_delete_bot(enterprise_id="EO111", team_id="TO222")
    assert await store.async_find_bot(enterprise_id="EO111", team_id=None) is not None
    await store.async_delete_bot(enterprise_id="EO111", team_id=None)
    assert await store.async_find_bot(enterprise_id="EO111", team_id=None) is None

    assert await store.async_find_installation(enterprise_id="EO111", team_id=None) is not None
    every_team = await store.async_find_installation(
        enterprise_id="EO111", team_id="T111", is_enterprise_install=True
    )
    assert every_team is not None and every_team.user_id == "UO111"
    assert await store.async_find_installation(enterprise_id="EO111", team_id="T222") is None
    assert await store.async_find_installation(enterprise_id=None, team_id="T111") is None
    assert (
        await store.async_find_installation(enterprise_id="EO111", team_id=None, user_id="UO111") is not None
    )
    assert (
        await store.async_find_installation(
            enterprise_id="E111", team_id="T111", is_enterprise_install=True, user_id="U222"
        )
        is None
    )

    await store.async_delete_installation(enterprise_id="EO111", team_id=None)
    assert await store.async_find_installation(enterprise_id="EO111", team_id=None) is None

    await store.async_save(org_install())
    await store.async_delete_all(enterprise_id="EO111", team_id=None)
    assert await store.async_find_installation(enterprise_id="EO111", team_id=None) is None
    assert await store.async_find_installation(enterprise_id="EO111", team_id=None, user_id="UO111") is None
    assert await store.async_find_bot(enterprise_id="EO111", team_id=None) is None


async def test_token_rotation_keeps_the_newest_tokens(store: RedisInstallationStore) -> None:
    rotating = {"bot_refresh_token": "xoxe-1-initial", "bot_token_expires_in": 43200}
    await store.async_save(team_install(bot_token="xoxe.xoxb-1-initial", **rotating))
    bot = await store.async_find_bot(enterprise_id="E111", team_id="T111")
    assert bot is not None and bot.bot_refresh_token == "xoxe-1-initial" and bot.bot_token_expires_at

    refreshed = {"bot_refresh_token": "xoxe-1-refreshed", "bot_token_expires_in": 43200}
    await store.async_save(team_install(bot_token="xoxe.xoxb-1-refreshed", **refreshed))
    bot = await store.async_find_bot(enterprise_id="E111", team_id="T111")
    assert bot is not None and bot.bot_refresh_token == "xoxe-1-refreshed"
    found = await store.async_find_installation(enterprise_id="E111", team_id="T111")
    assert found is not None and found.bot_token == "xoxe.xoxb-1-refreshed"

    # Bolt's rotator saves a rotated bot alone (async_save_bot): installations see it at once
    assert bot is not None
    await store.async_save_bot(
        Bot(**{**bot.__dict__, "bot_token": "xoxe.xoxb-1-again", "bot_refresh_token": "xoxe-1-again"})
    )
    found = await store.async_find_installation(enterprise_id="E111", team_id="T111", user_id="U111")
    assert found is not None and found.bot_token == "xoxe.xoxb-1-again"
    assert found.bot_refresh_token == "xoxe-1-again"


async def test_the_latest_installation_is_the_newest_one_left(store: RedisInstallationStore) -> None:
    await store.async_save(team_install(user_id="U1", installed_at=1000.0, user_token="xoxp-1"))
    await store.async_save(team_install(user_id="U2", installed_at=2000.0, user_token="xoxp-2"))
    await store.async_save(team_install(user_id="U3", installed_at=1500.0, user_token="xoxp-3"))
    latest = await store.async_find_installation(enterprise_id="E111", team_id="T111")
    assert latest is not None and latest.user_id == "U2" and latest.user_token == "xoxp-2"

    await store.async_delete_installation(enterprise_id="E111", team_id="T111", user_id="U2")
    latest = await store.async_find_installation(enterprise_id="E111", team_id="T111")
    assert latest is not None and latest.user_id == "U3"
    # the other users' installations, and the bot, are untouched
    assert await store.async_find_installation(enterprise_id="E111", team_id="T111", user_id="U1") is not None
    assert await store.async_find_bot(enterprise_id="E111", team_id="T111") is not None

    await store.async_delete_installation(enterprise_id="E111", team_id="T111")
    assert await store.async_find_installation(enterprise_id="E111", team_id="T111") is None
    assert await store.async_find_bot(enterprise_id="E111", team_id="T111") is not None


async def test_bot_and_user_tokens_are_kept_apart(store: RedisInstallationStore) -> None:
    await store.async_save(
        team_install(
            user_token="xoxp-user", user_scopes=["search:read"], bot_scopes=["chat:write", "im:write"]
        )
    )
    found = await store.async_find_installation(enterprise_id="E111", team_id="T111", user_id="U111")
    assert found is not None
    assert found.bot_scopes == ["chat:write", "im:write"] and found.user_scopes == ["search:read"]
    bot = await store.async_find_bot(enterprise_id="E111", team_id="T111")
    assert bot is not None and "user_token" not in bot.__dict__

    # a user-only installation (no bot token) leaves the bot as it was
    await store.async_save(team_install(user_id="U9", bot_token=None, user_token="xoxp-9", installed_at=9e9))
    bot = await store.async_find_bot(enterprise_id="E111", team_id="T111")
    assert bot is not None and bot.bot_token == "xoxb-111"

    # the bot token revoked: no installation hands it out any more, the user tokens stay
    await store.async_delete_bot(enterprise_id="E111", team_id="T111")
    latest = await store.async_find_installation(enterprise_id="E111", team_id="T111")
    assert latest is not None and latest.bot_token is None and latest.user_token == "xoxp-9"
    found = await store.async_find_installation(enterprise_id="E111", team_id="T111", user_id="U111")
    assert found is not None and found.bot_token is None and found.user_token == "xoxp-user"


async def test_tokens_are_encrypted_at_rest(
    store: RedisInstallationStore, redis_client: aioredis.Redis, key_prefix: str, encryption_key: str
) -> None:
    await store.async_save(team_install(user_token="xoxp-secret-user-token"))
    keys = [k async for k in redis_client.scan_iter(match=f"{key_prefix}:*")]
    assert len(keys) == 3
    raw = b""
    for key in keys:
        kind = await redis_client.type(key)
        if kind == b"string":
            raw += await redis_client.get(key) or b""
        elif kind == b"hash":
            raw += b"".join((await redis_client.hgetall(key)).values())
    assert raw and b"xoxb-111" not in raw and b"xoxp-secret" not in raw and b"chat:write" not in raw

    other_key = RedisInstallationStore(redis_client, Cipher(new_key()), prefix=key_prefix)
    assert await other_key.async_find_bot(enterprise_id="E111", team_id="T111") is None
    rotated = RedisInstallationStore(redis_client, Cipher(f"{new_key()},{encryption_key}"), prefix=key_prefix)
    bot = await rotated.async_find_bot(enterprise_id="E111", team_id="T111")
    assert bot is not None and bot.bot_token == "xoxb-111"


async def test_one_slot_per_workspace(
    store: RedisInstallationStore, redis_client: aioredis.Redis, key_prefix: str
) -> None:
    await store.async_save(team_install())
    await store.async_save(org_install())
    keys = [k async for k in redis_client.scan_iter(match=f"{key_prefix}:*")]
    by_workspace: dict[bytes, set[int]] = {}
    for key in keys:
        tag = key[key.index(b"{") + 1 : key.index(b"}")]
        by_workspace.setdefault(tag, set()).add(key_slot(key))
    assert set(by_workspace) == {b"E111.T111", b"EO111.-"}
    assert all(len(slots) == 1 for slots in by_workspace.values())


async def test_state_is_single_use(states: RedisOAuthStateStore) -> None:
    state = await states.async_issue()
    other = await states.async_issue()
    assert state != other
    assert await states.async_consume(state) is True
    assert await states.async_consume(state) is False
    assert await states.async_consume(other) is True


async def test_state_expires(redis_client: aioredis.Redis, key_prefix: str) -> None:
    states = RedisOAuthStateStore(redis_client, "state-secret", expiration_seconds=1, prefix=key_prefix)
    state = await states.async_issue()
    await asyncio.sleep(1.2)
    assert await states.async_consume(state) is False


async def test_state_forged_or_from_another_secret_is_refused(
    states: RedisOAuthStateStore, redis_client: aioredis.Redis, key_prefix: str
) -> None:
    state = await states.async_issue()
    nonce, _, signature = state.partition(".")
    assert await states.async_consume(nonce) is False
    assert await states.async_consume(f"{nonce}.{'0' * len(signature)}") is False
    assert await states.async_consume("") is False
    other = RedisOAuthStateStore(redis_client, "another-secret", expiration_seconds=600, prefix=key_prefix)
    assert await other.async_consume(state) is False
    assert await states.async_consume(state) is True  # the refusals did not use it up


@pytest.fixture
async def cluster_client(cluster: str) -> AsyncIterator[AsyncRedisCluster]:
    client = AsyncRedisCluster.from_url(cluster)
    try:
        yield client
    finally:
        await client.aclose()


async def test_on_a_redis_cluster(cluster_client: AsyncRedisCluster, key_prefix: str) -> None:
    redis = cluster_client  # every script and multi-key command stays in one workspace's slot
    store = RedisInstallationStore(redis, Cipher(new_key()), prefix=key_prefix)  # type: ignore[arg-type]
    states = RedisOAuthStateStore(redis, "s", expiration_seconds=60, prefix=key_prefix)  # type: ignore[arg-type]
    for n in range(12):  # workspaces spread over the three nodes
        await store.async_save(team_install(team_id=f"T{n}", user_id="U1", installed_at=1.0))
        await store.async_save(team_install(team_id=f"T{n}", user_id="U2", installed_at=2.0))
    for n in range(12):
        latest = await store.async_find_installation(enterprise_id="E111", team_id=f"T{n}")
        assert latest is not None and latest.user_id == "U2" and latest.team_id == f"T{n}"
        await store.async_delete_installation(enterprise_id="E111", team_id=f"T{n}", user_id="U2")
        latest = await store.async_find_installation(enterprise_id="E111", team_id=f"T{n}")
        assert latest is not None and latest.user_id == "U1"
        await store.async_delete_all(enterprise_id="E111", team_id=f"T{n}")
        assert await store.async_find_bot(enterprise_id="E111", team_id=f"T{n}") is None
    state = await states.async_issue()
    assert await states.async_consume(state) is True and await states.async_consume(state) is False
