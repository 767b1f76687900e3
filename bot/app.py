"""The app factory: builds the Bolt app from settings and services. Nothing happens at import time."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from bot.effects import EffectRunner
from bot.listeners import actions, commands, events, views
from bot.listeners.common import Deps
from bot.middleware import dedupe
from bot.service import MediationService
from bot.settings import Settings

# Slack's libraries log request and response bodies at DEBUG, and those bodies can hold private text
# (modals show a person their own answers). Their loggers never go below INFO.
SLACK_LOGGERS = ("slack_bolt", "slack_sdk")


def quiet_slack_loggers() -> None:
    """Keep Slack's library loggers at INFO or above, whatever the root level is."""
    for name in SLACK_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)


@dataclass(frozen=True)
class Services:
    """What the app needs from outside Slack."""

    service: MediationService


def create_app(settings: Settings, services: Services) -> AsyncApp:
    """Build the Bolt app with every listener attached."""
    quiet_slack_loggers()
    token = settings.slack_bot_token.get_secret_value()
    client = AsyncWebClient(
        token=token, base_url=settings.slack_api_url, logger=logging.getLogger("slack_sdk.web")
    )
    identity: dict[str, AuthorizeResult] = {}

    async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        # One workspace, one bot token: ask Slack who we are once, then remember it.
        if "bot" not in identity:
            who = await client.auth_test()
            identity["bot"] = AuthorizeResult(
                enterprise_id=who.get("enterprise_id"),
                team_id=who.get("team_id"),
                bot_token=token,
                bot_id=who.get("bot_id"),
                bot_user_id=who.get("user_id"),
            )
        found = identity["bot"]
        return AuthorizeResult(
            enterprise_id=enterprise_id or found.enterprise_id,
            team_id=team_id or found.team_id,
            bot_token=token,
            bot_id=found.bot_id,
            bot_user_id=found.bot_user_id,
        )

    app = AsyncApp(
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        client=client,
        authorize=authorize,
        logger=logging.getLogger("slack_bolt.app"),
        raise_error_for_unhandled_request=False,
    )
    app.middleware(dedupe(services.service.store))
    deps = Deps(service=services.service, runner=EffectRunner(client, services.service))
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    events.register(app, deps)
    return app
