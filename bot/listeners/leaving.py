"""A workspace leaving: `app_uninstalled` and `tokens_revoked`.

Uninstalled: every token of the workspace (or org, for an org-wide install) goes at once, and the
workspace is due to be forgotten after its retention period (`bot.departures`). Tokens revoked: only
those tokens go (the bot's, or the named users'); when the bot's token is among them the app can no
longer act there, so the workspace is due to be forgotten too. Nothing is said in Slack: the app can
no longer post there.
"""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bot.departures import Departures
from bot.installations import RedisInstallationStore
from bot.listeners.common import Deps, team_of
from bot.payloads import AppUninstalled, EventCallback, TokensRevoked, of
from bot.store import StoreUnavailable, team_key
from flows.engine import DEFAULT_RETENTION_DAYS

log = logging.getLogger("commonground.leaving")


def register(
    app: AsyncApp, deps: Deps, departures: Departures, installations: RedisInstallationStore | None
) -> None:
    """Attach the listeners for a workspace leaving (`installations` None: single-workspace mode,
    where the token lives in the environment and only the departure is recorded)."""

    async def depart(context: AsyncBoltContext) -> None:
        team = _installed_as(context)
        configs = deps.service.configs
        days = (await configs.get(team_of(context))).retention_days if configs else DEFAULT_RETENTION_DAYS
        due = await departures.left(team, deps.service.clock(), days)
        log.info("workspace left", extra={"team": team, "forgotten_after": due.isoformat()})

    @app.event("app_uninstalled")
    async def uninstalled(context: AsyncBoltContext) -> None:
        if not isinstance(of(context, EventCallback).event, AppUninstalled):
            return
        enterprise_id, team_id = _ids(context)
        try:
            if installations is not None:
                await installations.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
            await depart(context)
        except StoreUnavailable:
            log.error("storage unavailable: the uninstall was not recorded")
            raise  # Slack retries the event

    @app.event("tokens_revoked")
    async def revoked(context: AsyncBoltContext) -> None:
        event = of(context, EventCallback).event
        if not isinstance(event, TokensRevoked):
            return
        enterprise_id, team_id = _ids(context)
        try:
            if installations is not None and event.tokens.oauth:
                await installations.delete_users(
                    enterprise_id=enterprise_id, team_id=team_id, user_ids=list(event.tokens.oauth)
                )
            if event.tokens.bot:
                if installations is not None:
                    await installations.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)
                await depart(context)
        except StoreUnavailable:
            log.error("storage unavailable: the revoked tokens were not removed")
            raise


def _ids(context: AsyncBoltContext) -> tuple[str | None, str | None]:
    """(enterprise, team) the installation is kept under: an org-wide one by its org alone."""
    if context.is_enterprise_install:
        return context.enterprise_id, None
    return context.enterprise_id, context.team_id


def _installed_as(context: AsyncBoltContext) -> str:
    return team_key(*_ids(context))
