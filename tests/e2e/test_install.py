"""Installing from a link, end to end over HTTP: the install page and its state cookie, Slack's consent
page (the stand-in's), the redirect, the code exchanged with oauth.v2.access, the installation saved
encrypted; then the app works in that workspace with that workspace's own token, refreshes a rotating
token before it expires, and lets go of tokens when they are revoked or the app is uninstalled."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from slack_sdk.oauth.installation_store import Bot

from bot import texts as t
from bot.departures import Departures
from bot.sandbox import installs
from bot.store import MediationStore, team_key
from tests.e2e import play
from tests.e2e.conftest import started
from tests.support.installed import InstalledHarness


@pytest.fixture
async def ih(
    store: MediationStore, redis_url: str, encryption_key: str, key_prefix: str
) -> AsyncIterator[InstalledHarness]:
    async with started(InstalledHarness(store, redis_url, encryption_key, key_prefix)) as harness:
        yield harness


async def bot_of(ih: InstalledHarness) -> Bot:
    bot = await ih.installations.async_find_bot(enterprise_id=None, team_id=ih.standin.team_id)
    assert bot is not None
    return bot


async def test_install_from_the_link_then_mediate(ih: InstalledHarness) -> None:
    before = await ih.browse(f"{ih.app_url}/slack/install")
    assert t.INSTALL_PAGE_TITLE in before.text and t.INSTALL_BUTTON in before.text
    assert before.link.startswith(f"{ih.standin.url}/oauth/v2/authorize?")
    assert "scope=commands,chat:write," in before.link and "state=" in before.link

    page = await ih.install(ih, installer=ih.ann)
    assert page.status == 200 and t.INSTALLED_TITLE in page.text, page.text
    exchange = [c for c in ih.standin.calls if c.method == "oauth.v2.access"]
    assert len(exchange) == 1 and exchange[0].ok and "client_secret" not in exchange[0].args

    bot = await bot_of(ih)
    assert bot.bot_token and bot.bot_token.startswith(f"xoxb-{ih.standin.team_id}-")
    assert bot.bot_token != ih.standin.bot_token and bot.bot_user_id == ih.standin.bot_user_id
    assert bot.bot_scopes and "chat:write" in bot.bot_scopes
    installed = await ih.installations.async_find_installation(enterprise_id=None, team_id=ih.standin.team_id)
    assert installed is not None and installed.user_id == ih.ann and installed.user_token is None

    # the app now works in the workspace, with the token it was given
    m_id = await play.start(ih)
    invitation = ih.dm_with_action(ih.bob, "cg_invite_accept")
    assert invitation.channel
    await ih.click_dm(ih.bob, "cg_invite_accept")
    assert (await ih.mediation(m_id)).stage.value != "invitation"
    # the stand-in's own bot token was never needed: every call carried an issued one
    assert installs.token_owner(ih.standin, bot.bot_token) is not None


async def test_the_state_works_once_and_in_the_browser_that_started(ih: InstalledHarness) -> None:
    start = await ih.browse(f"{ih.app_url}/slack/install")
    consent = await ih.browse(f"{start.link}&as={ih.ann}")
    redirect = consent.link

    elsewhere = await ih.browse(redirect)  # no cookie: another browser
    assert elsewhere.status == 400 and t.INSTALL_FAILED_TEXT["invalid_browser"] in elsewhere.text

    done = await ih.browse(redirect, cookie=start.cookie)
    assert done.status == 200
    again = await ih.browse(redirect, cookie=start.cookie)  # replayed: the state is used up
    assert again.status == 401 and t.INSTALL_FAILED_TEXT["invalid_state"] in again.text
    assert len([c for c in ih.standin.calls if c.method == "oauth.v2.access"]) == 1

    cancelled = await ih.install(ih, deny=True)
    assert cancelled.status == 200 and t.INSTALL_FAILED_TEXT["access_denied"] in cancelled.text


async def test_not_installed_is_said_kindly(ih: InstalledHarness) -> None:
    await ih.command(ih.ann, "help")  # nobody installed the app in this workspace yet
    assert ih.ephemeral_texts(ih.ann) == [t.NOT_INSTALLED]
    assert [c.method for c in ih.standin.calls] == ["response_url"]


async def test_a_rotating_token_is_refreshed_before_it_expires(ih: InstalledHarness) -> None:
    installs.installs(ih.standin).token_rotation = True
    await ih.install(ih)
    first = await bot_of(ih)
    assert first.bot_token and first.bot_token.startswith("xoxe.xoxb-") and first.bot_refresh_token
    assert first.bot_token_expires_at and first.bot_token_expires_at > time.time() + 11 * 3600

    # still far from expiry: used as it is
    await ih.command(ih.ann, "help")
    assert (await bot_of(ih)).bot_token == first.bot_token

    # an hour left (less than the two hours' margin): refreshed before the request is handled
    soon = Bot(**{**first.__dict__, "bot_token_expires_at": int(time.time()) + 3600})
    await ih.installations.async_save_bot(soon)
    result = await ih.command(ih.ann, "help")
    assert "/mediate" in str(result.body)
    second = await bot_of(ih)
    assert second.bot_token != first.bot_token and second.bot_token_expires_at
    assert second.bot_token_expires_at > time.time() + 11 * 3600
    refreshes = [c for c in ih.standin.calls if c.method == "oauth.v2.access"]
    assert len(refreshes) == 2 and refreshes[-1].args.get("grant_type") == "refresh_token"

    # the worker's side refreshes too (the work after an ack has no request to do it)
    from bot.oauth import installed_workspaces
    from bot.webclient import web_client

    settings = ih.app_settings()
    workspaces = installed_workspaces(
        settings, ih.installations, web_client("", settings.slack_api_url, ih.http)
    )
    await ih.installations.async_save_bot(
        Bot(**{**second.__dict__, "bot_token_expires_at": int(time.time()) + 60})
    )
    client = await workspaces.for_team(ih.team)
    third = await bot_of(ih)
    assert client.token == third.bot_token and third.bot_token not in (first.bot_token, second.bot_token)
    assert (await client.auth_test())["team_id"] == ih.standin.team_id


async def test_uninstalling_removes_the_tokens_and_schedules_removal(ih: InstalledHarness) -> None:
    await ih.install(ih)
    m_id = await play.start(ih)
    installs.uninstall(ih.standin)
    assert await ih.slack.event({"type": "app_uninstalled"}) == 200
    await ih.settle()
    assert await ih.installations.async_find_bot(enterprise_id=None, team_id=ih.standin.team_id) is None
    assert (
        await ih.installations.async_find_installation(enterprise_id=None, team_id=ih.standin.team_id) is None
    )

    departures = Departures(ih.store.redis, prefix=ih.key_prefix)
    due = await departures.when(ih.team)
    assert due is not None and abs((due - ih.clock.now).days - 180) <= 1
    assert await ih.store.get(ih.team, m_id) is not None  # kept until then

    await ih.command(ih.ann, "help")
    assert ih.ephemeral_texts(ih.ann)[-1] == t.NOT_INSTALLED

    # installed again before the date: nothing is removed, the mediation is still there
    await ih.install(ih)
    assert await departures.when(ih.team) is None
    assert await ih.store.get(ih.team, m_id) is not None


async def test_tokens_revoked_removes_only_those_tokens(
    store: MediationStore, redis_url: str, encryption_key: str, key_prefix: str
) -> None:
    harness = InstalledHarness(store, redis_url, encryption_key, key_prefix)
    harness.user_scopes = "users:read"
    ih = await harness.start()
    try:
        await ih.install(ih, installer=ih.ann)
        await ih.install(ih, installer=ih.bob)
        team = ih.standin.team_id
        ann = await ih.installations.async_find_installation(enterprise_id=None, team_id=team, user_id=ih.ann)
        assert ann is not None and ann.user_token and ann.user_scopes == ["users:read"]

        event = {"type": "tokens_revoked", "tokens": {"oauth": [ih.ann], "bot": []}}
        assert await ih.slack.event(event) == 200
        await ih.settle()
        assert (
            await ih.installations.async_find_installation(enterprise_id=None, team_id=team, user_id=ih.ann)
            is None
        )
        bob = await ih.installations.async_find_installation(enterprise_id=None, team_id=team, user_id=ih.bob)
        assert bob is not None and bob.user_token and bob.bot_token
        assert await Departures(ih.store.redis, prefix=key_prefix).when(ih.team) is None

        event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [ih.standin.bot_user_id]}}
        assert await ih.slack.event(event) == 200
        await ih.settle()
        assert await ih.installations.async_find_bot(enterprise_id=None, team_id=team) is None
        bob = await ih.installations.async_find_installation(enterprise_id=None, team_id=team, user_id=ih.bob)
        assert bob is not None and bob.user_token and bob.bot_token is None
        assert await Departures(ih.store.redis, prefix=key_prefix).when(team_key(None, team)) is not None
    finally:
        await ih.stop()
