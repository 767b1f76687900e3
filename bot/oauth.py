"""Installing from a link: Bolt's OAuth flow (`AsyncOAuthSettings`) on our Redis stores.

With `SLACK_CLIENT_ID` set, `serve` offers `GET /slack/install` (a page with an *Add to Slack* button
that starts Slack's consent screen, and a state cookie) and `GET /slack/oauth_redirect` (where Slack
sends the installer back: the state is checked and used up, the code exchanged with `oauth.v2.access`,
the installation saved, encrypted). Every request from Slack is then authorized with the workspace's
own bot token (`AsyncInstallationStoreAuthorize`), refreshed before it expires when token rotation is
on; the work after an ack and the worker use `bot.workspaces.InstalledWorkspaces`.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts as t
from bot.installations import RedisInstallationStore, RedisOAuthStateStore, workspace_of
from bot.manifest import bot_scopes
from bot.settings import Settings
from bot.store import StoreUnavailable
from bot.workspaces import InstalledWorkspaces

log = logging.getLogger("commonground.oauth")

SuccessHandler = Callable[[AsyncSuccessArgs], Awaitable[BoltResponse]]

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


def scopes(settings: Settings) -> tuple[list[str], list[str]]:
    """(bot scopes, user scopes) to ask for: SLACK_SCOPES or the manifest's; SLACK_USER_SCOPES."""
    bot = [s.strip() for s in (settings.slack_scopes or "").split(",") if s.strip()] or bot_scopes()
    user = [s.strip() for s in settings.slack_user_scopes.split(",") if s.strip()]
    return bot, user


def _page(title: str, text: str, link: str | None = None, label: str = "") -> str:
    button = (
        f'<p><a class="button" href="{html.escape(link, quote=True)}">{html.escape(label)}</a></p>'
        if link
        else ""
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;"
        "color:#1d1c1d}.button{display:inline-block;padding:.6rem 1.2rem;border-radius:6px;"
        "background:#2f4858;color:#fff;text-decoration:none}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>{button}</body></html>"
    )


def _html(status: int, body: str) -> BoltResponse:
    return BoltResponse(status=status, body=body, headers={"Content-Type": "text/html; charset=utf-8"})


class InstallFlow(AsyncOAuthFlow):
    """Bolt's flow with our own words on its pages (`bot.texts`)."""

    async def build_install_page_html(self, url: str, request: AsyncBoltRequest) -> str:
        """The install page: what the app is, and the *Add to Slack* button."""
        return _page(t.INSTALL_PAGE_TITLE, t.INSTALL_PAGE_TEXT, url, t.INSTALL_BUTTON)


def _installed(on_installed: Callable[[str], Awaitable[object]] | None, open_url: str) -> SuccessHandler:
    async def success(args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        workspace = installation.team_name or installation.enterprise_name or installation.team_id or ""
        team = installation.team_id or installation.enterprise_id or ""
        key = workspace_of(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        if on_installed is not None:
            await on_installed(key)
        link = f"{open_url}?{urlencode({'app': installation.app_id or '', 'team': team})}"
        log.info("installed", extra={"team": key, "org_wide": bool(installation.is_enterprise_install)})
        text = t.INSTALLED_TEXT.format(workspace=workspace)
        return _html(200, _page(t.INSTALLED_TITLE, text, link, t.INSTALLED_OPEN_SLACK))

    return success


async def _failed(args: AsyncFailureArgs) -> BoltResponse:
    log.info("installation not completed", extra={"reason": args.reason})
    text = t.INSTALL_FAILED_TEXT.get(args.reason, t.INSTALL_FAILED_OTHER)
    page = _page(t.INSTALL_FAILED_TITLE, text, INSTALL_PATH, t.INSTALL_AGAIN)
    return _html(args.suggested_status_code, page)


def install_flow(
    settings: Settings,
    installations: RedisInstallationStore,
    states: RedisOAuthStateStore,
    client: AsyncWebClient,
    *,
    on_installed: Callable[[str], Awaitable[object]] | None = None,
) -> InstallFlow:
    """The OAuth flow and the authorize step that goes with it, every Web API call through `client`
    (Slack's, or the stand-in's in tests and the sandbox); `on_installed` is told each workspace
    (its storage key) that installed."""
    bot, user = scopes(settings)
    secret = settings.slack_client_secret.get_secret_value() if settings.slack_client_secret else ""
    oauth = AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=secret,
        scopes=bot,
        user_scopes=user,
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=AsyncCallbackOptions(
            success=_installed(on_installed, settings.slack_app_redirect_url), failure=_failed
        ),
        authorization_url=settings.slack_authorize_url,
        installation_store=installations,
        token_rotation_expiration_minutes=settings.token_rotation_minutes,
        state_store=states,
        state_expiration_seconds=settings.oauth_state_seconds,
        logger=logging.getLogger("slack_bolt.oauth"),
    )
    # Bolt's own authorize calls auth.test on every request unless its cache is on; the cache is keyed
    # by the bot token, so it is on only without user scopes (a user token must never be handed to
    # another user of the workspace).
    oauth.authorize = AsyncInstallationStoreAuthorize(
        logger=logging.getLogger("slack_bolt.authorize"),
        installation_store=installations,
        client_id=settings.slack_client_id,
        client_secret=secret,
        token_rotation_expiration_minutes=settings.token_rotation_minutes,
        cache_enabled=not user,
        client=client,
    )
    return InstallFlow(client=client, logger=logging.getLogger("slack_bolt.oauth"), settings=oauth)


def installed_workspaces(
    settings: Settings,
    installations: RedisInstallationStore,
    client: AsyncWebClient,
    *,
    patient: bool = True,
) -> InstalledWorkspaces:
    """A client per installed workspace for the work after an ack and the worker, refreshing rotating
    tokens through `client`."""
    secret = settings.slack_client_secret.get_secret_value() if settings.slack_client_secret else ""
    rotator = AsyncTokenRotator(client_id=settings.slack_client_id or "", client_secret=secret, client=client)
    return InstalledWorkspaces(
        installations,
        settings.slack_api_url,
        client.session,
        patient=patient,
        rotator=rotator,
        rotate_minutes=settings.token_rotation_minutes,
    )


def add_install_routes(app: web.Application, flow: AsyncOAuthFlow) -> None:
    """`GET /slack/install` and `GET /slack/oauth_redirect` on the HTTP app. Storage trouble is a
    page that says so (503), never a traceback."""

    async def install(request: web.Request) -> web.Response:
        return await _answer(flow.handle_installation, request)

    async def redirect(request: web.Request) -> web.Response:
        return await _answer(flow.handle_callback, request)

    app.router.add_get(flow.install_path, install)
    app.router.add_get(flow.redirect_uri_path, redirect)


async def _answer(handle: Any, request: web.Request) -> web.Response:
    try:
        response: BoltResponse = await handle(await to_bolt_request(request))
    except StoreUnavailable:
        log.error("installation storage unavailable")
        text = t.INSTALL_FAILED_TEXT["storage_error"]
        response = _html(503, _page(t.INSTALL_FAILED_TITLE, text, INSTALL_PATH, t.INSTALL_AGAIN))
    return await to_aiohttp_response(response)
