"""Events: App Home opened, and messages in the spaces the app is part of."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts as t
from bot.coach_words import nudge_message
from bot.effects import joint_key
from bot.listeners.common import Deps, team_of
from bot.payloads import AppHomeOpened, EventCallback, MessageEvent, of
from bot.store import StoreUnavailable
from bot.webclient import slack_error
from flows.coaching import LIVE_PAUSE_SECONDS, live_nudge
from flows.models import Stage

log = logging.getLogger("commonground.events")


def register(app: AsyncApp, deps: Deps) -> None:
    """Attach the event listeners."""

    @app.event("app_home_opened")
    async def home_opened(context: AsyncBoltContext) -> None:
        event = of(context, EventCallback).event
        if not isinstance(event, AppHomeOpened) or (event.tab or "home") != "home":
            return
        try:
            await deps.runner.publish_home(team_of(context), event.user)
        except StoreUnavailable:
            return

    @app.event("message")
    async def message(client: AsyncWebClient, context: AsyncBoltContext) -> None:
        event = of(context, EventCallback).event
        if not isinstance(event, MessageEvent) or event.subtype or event.bot_id or not event.user:
            return  # edits, joins, bots (ourselves included): nothing a person said just now
        if not event.text:
            return
        try:
            await coach_live(deps, client, team_of(context), event)
        except StoreUnavailable:
            return


async def coach_live(deps: Deps, client: AsyncWebClient, team: str, event: MessageEvent) -> None:
    """A message in a joint space that reads as blame, contempt or an absolute earns its author a
    private nudge, never a public one, and at most one per person every few minutes."""
    channel, user = event.channel, event.user or ""
    mediation_id = await deps.service.store.joint_mediation(team, joint_key(channel, event.thread_ts))
    if mediation_id is None:
        return
    m = await deps.service.store.get(team, mediation_id)
    if m is None or m.stage is not Stage.JOINT or m.party_of(user) is None:
        return
    nudge = live_nudge(event.text or "")
    if nudge is None:
        return
    if not await deps.service.store.claim_once(f"live:{team}:{mediation_id}:{user}", LIVE_PAUSE_SECONDS):
        return
    text = t.LIVE_NUDGE.format(message=nudge_message(nudge), suggestion=nudge.suggestion)
    try:
        await client.chat_postEphemeral(channel=channel, user=user, text=text)
    except SlackApiError as exc:
        log.info("live nudge not delivered", extra={"error": slack_error(exc)})
