"""The Web API client to use for a workspace: the one bot token of single-workspace mode, or the bot
token its installation holds (installed from a link, `bot.oauth`), refreshed before it expires when
token rotation is on.

Listeners get theirs from Bolt (authorized per request); the work after an ack, the worker and the
admin check ask here by the workspace's storage key (`bot.store.team_key`)."""

from __future__ import annotations

import logging
from typing import Protocol

import aiohttp
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.installations import RedisInstallationStore
from bot.webclient import web_client

log = logging.getLogger("commonground.workspaces")

CLIENTS_KEPT = 1000
"""Clients kept per process (one per token); past that the memory starts again."""


class WorkspaceClients(Protocol):
    """A Web API client for a workspace, by its storage key."""

    async def for_team(self, team: str) -> AsyncWebClient:
        """The client to act in this workspace with."""
        ...


class OneWorkspace:
    """Single-workspace mode: the same client (the one bot token) for every request."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def for_team(self, team: str) -> AsyncWebClient:
        """The one client."""
        return self.client


def ids_of(team: str) -> tuple[str | None, str | None]:
    """(enterprise id, team id) of a storage key (`E1.T2`, `-.T2`, `E1.-`)."""
    enterprise, _, team_id = team.partition(".")
    return (None if enterprise in ("", "-") else enterprise), (None if team_id in ("", "-") else team_id)


class InstalledWorkspaces:
    """Installed from a link: each workspace's bot token from its installation (the workspace's own,
    or on Enterprise Grid the org-wide one). A workspace with none (uninstalled, revoked) gets a client
    without a token: Slack answers `not_authed`, and the effect is given up like any refused call."""

    def __init__(
        self,
        installations: RedisInstallationStore,
        api_url: str,
        http: aiohttp.ClientSession | None,
        *,
        patient: bool = True,
        rotator: AsyncTokenRotator | None = None,
        rotate_minutes: int = 120,
    ) -> None:
        self.installations = installations
        self.api_url = api_url
        self.http = http
        self.patient = patient
        self.rotator = rotator
        self.rotate_minutes = rotate_minutes
        self._clients: dict[str | None, AsyncWebClient] = {}

    async def bot(self, team: str) -> Bot | None:
        """The workspace's bot installation (its own, else its org's), rotated when near expiry."""
        enterprise_id, team_id = ids_of(team)
        bot = await self.installations.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None and enterprise_id is not None:
            bot = await self.installations.async_find_bot(
                enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=True
            )
        if bot is not None and bot.bot_refresh_token and self.rotator is not None:
            refreshed = await self.rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=self.rotate_minutes
            )
            if refreshed is not None:
                await self.installations.async_save_bot(refreshed)
                log.info("bot token rotated", extra={"team": team})
                bot = refreshed
        return bot

    async def for_team(self, team: str) -> AsyncWebClient:
        """A client with the workspace's current bot token."""
        bot = await self.bot(team)
        token = bot.bot_token if bot is not None else None
        client = self._clients.get(token)
        if client is None:
            if len(self._clients) >= CLIENTS_KEPT:
                self._clients.clear()
            client = web_client(token or "", self.api_url, self.http, patient=self.patient)
            if token is None:
                client.token = None
            self._clients[token] = client
        return client


def clients_for(client: AsyncWebClient | WorkspaceClients) -> WorkspaceClients:
    """`WorkspaceClients` from either a single client (single-workspace mode) or clients per workspace."""
    return OneWorkspace(client) if isinstance(client, AsyncWebClient) else client
