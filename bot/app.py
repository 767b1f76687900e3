"""The app factory: builds the Bolt app from settings and services. Nothing happens at import time."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts as t
from bot.departures import Departures
from bot.effects import EffectRunner, HomeSection
from bot.installations import RedisInstallationStore, RedisOAuthStateStore
from bot.jobs import JobPolicy, JobQueue
from bot.listeners import (
    actions,
    admin,
    commands,
    erase,
    events,
    facilitate,
    hours,
    leaving,
    prepare,
    views,
)
from bot.listeners.common import Deps, tell
from bot.matching import match_on_body
from bot.middleware import Dedupe, ParsePayloads
from bot.service import MediationService
from bot.settings import Settings
from bot.views.safety import home_safety
from bot.webclient import web_client
from bot.workspaces import WorkspaceClients
from flows.config import WorkspaceConfig

# Slack's libraries log request and response bodies at DEBUG, and those bodies can hold private text
# (modals show a person their own answers). Their loggers never go below INFO.
SLACK_LOGGERS = ("slack_bolt", "slack_sdk")
log = logging.getLogger("commonground.app")


def quiet_slack_loggers() -> None:
    """Keep Slack's library loggers at INFO or above, whatever the root level is."""
    for name in SLACK_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:  # NOTSET included: it would follow a DEBUG root
            logger.setLevel(logging.INFO)


@dataclass(frozen=True)
class Services:
    """What the app needs from outside Slack: the mediation service, and one HTTP session shared by
    every Web API call (one connection pool instead of a new connection per call)."""

    service: MediationService
    http: aiohttp.ClientSession | None = None
    installations: RedisInstallationStore | None = None  # installed from a link (SLACK_CLIENT_ID)


def create_app(settings: Settings, services: Services) -> AsyncApp:
    """Build the Bolt app with every listener attached."""
    return build_app(settings, services)[0]


def build_app(settings: Settings, services: Services) -> tuple[AsyncApp, Deps]:
    """The Bolt app and what its listeners share. The worker builds the same (without serving it),
    so that what it delivers looks exactly as what the web process would have (App Home's sections
    included) and it can do a job as the listener would have."""
    quiet_slack_loggers()
    effects_clients: AsyncWebClient | WorkspaceClients
    if settings.oauth:
        app, effects_clients, listener_clients = _installed_app(settings, services)
    else:
        token = settings.bot_token()
        # Listeners answer people within Slack's 3 s: their client retries once, quickly. Effects run
        # after the ack and go through the outbox: theirs waits out a short Retry-After and retries more.
        client = web_client(token, settings.slack_api_url, services.http, patient=False)
        effects_clients = web_client(token, settings.slack_api_url, services.http)
        listener_clients = None
        app = AsyncApp(
            signing_secret=settings.slack_signing_secret.get_secret_value(),
            client=client,  # its token makes Bolt single-workspace: auth.test once, then cached
            logger=logging.getLogger("slack_bolt.app"),
            raise_error_for_unhandled_request=False,
        )
    app.middleware(ParsePayloads())
    app.middleware(Dedupe(services.service.store, actions.CLAIMED_BY_LISTENER))
    store = services.service.store
    policy = JobPolicy(enabled=settings.hand_over, lease_seconds=settings.job_lease_seconds)
    deps = Deps(
        service=services.service,
        runner=EffectRunner(effects_clients, services.service),
        http=services.http,
        listener_clients=listener_clients,
        jobs=JobQueue(store.redis, prefix=store.prefix, policy=policy),
    )
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    events.register(app, deps)
    admin.register(app, deps)
    facilitate.register(app, deps)
    prepare.register(app, deps)
    erase.register(app, deps)
    hours.register(app, deps)
    departures = Departures(services.service.store.redis, prefix=services.service.store.prefix)
    leaving.register(app, deps, departures, services.installations)
    app.error(apologise)
    match_on_body(app)  # last: after every listener is registered
    deps.runner.home_sections.append(_safety_section(services))  # last: the footer everyone sees
    return app, deps


def _installed_app(
    settings: Settings, services: Services
) -> tuple[AsyncApp, WorkspaceClients, WorkspaceClients]:
    """Installed from a link (bot/oauth.py): Bolt's OAuth flow on our Redis stores, each request
    authorized with its workspace's token; the clients per workspace for effects and listeners."""
    from bot.oauth import install_flow, installed_workspaces

    if services.installations is None:
        raise ValueError("SLACK_CLIENT_ID is set but no installation store was built")
    installations = services.installations
    secret = settings.slack_state_secret.get_secret_value() if settings.slack_state_secret else ""
    states = RedisOAuthStateStore(
        installations.redis,
        secret,
        expiration_seconds=settings.oauth_state_seconds,
        prefix=installations.prefix,
    )
    client = web_client("", settings.slack_api_url, services.http, patient=False)
    client.token = None  # Bolt gives each request its workspace's token
    departures = Departures(installations.redis, prefix=installations.prefix)
    flow = install_flow(settings, installations, states, client, on_installed=departures.returned)
    app = AsyncApp(
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        client=client,
        oauth_flow=flow,
        authorize=flow.settings.authorize,  # type: ignore[arg-type]  # an AsyncAuthorize is taken as is
        user_facing_authorize_error_message=t.NOT_INSTALLED,
        logger=logging.getLogger("slack_bolt.app"),
        raise_error_for_unhandled_request=False,
    )
    effects = installed_workspaces(
        settings, installations, web_client("", settings.slack_api_url, services.http)
    )
    listeners = installed_workspaces(settings, installations, client, patient=False)
    return app, effects, listeners


async def apologise(
    error: Exception, body: dict[str, Any], client: AsyncWebClient, response: BoltResponse | None
) -> BoltResponse | None:
    """Anything a listener did not expect: logged by its type only (never the payload, which may hold
    private text), and the person who acted gets an apology where they acted. Slack gets a 200 (a 5xx
    would only show them a second, vaguer error), unless the listener had acked already."""
    log.error("unexpected error in a listener", extra={"error": type(error).__name__})
    if isinstance(body, dict) and isinstance(body.get("user"), dict) and body["user"].get("id"):
        try:
            await tell(client, body, t.SOMETHING_WRONG)
        except Exception as exc:  # the apology itself must never raise inside the error handler
            log.warning("could not apologise", extra={"error": type(exc).__name__})
    return BoltResponse(status=200, body="") if response is not None else None


def _safety_section(services: Services) -> HomeSection:
    async def section(team: str, user_id: str) -> list[Block]:
        configs = services.service.configs
        return home_safety(await configs.get(team) if configs else WorkspaceConfig())

    return section
