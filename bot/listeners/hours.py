"""Each person's own working hours: App Home shows when timers may reach them, and a modal sets
their own hours (or goes back to the workspace's)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from pydantic import ValidationError
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts as t
from bot.listeners.common import Deps, say_instead, team_of
from bot.local_time import LocalTimes
from bot.payloads import BlockActions, ViewSubmission, of
from bot.store import StoreUnavailable
from bot.submitted import choices
from bot.views.hours import (
    FOLLOW_WORKSPACE,
    QUIET_START,
    WORKING_DAYS,
    home_hours_blocks,
    hours_text,
    my_hours_modal,
    read_hours,
)
from bot.views.ids import Action, Callback
from bot.views.modals import info_modal
from bot.webclient import slack_error
from flows.config import WorkspaceConfig
from flows.hours import WorkingHours

log = logging.getLogger("commonground.hours")


def register(app: AsyncApp, deps: Deps) -> None:
    """Attach the App Home section, its button and the modal's submission."""
    times = LocalTimes(deps.service.store, None, deps.service.configs)
    deps.runner.home_sections.append(_home_section(deps, times))

    async def workspace_hours(team: str) -> WorkingHours:
        configs = deps.service.configs
        return (await configs.get(team) if configs else WorkspaceConfig()).working_hours

    @app.action(Action.MY_HOURS_OPEN.value)
    async def open_hours(ack: AsyncAck, client: AsyncWebClient, context: AsyncBoltContext) -> None:
        await ack()
        sent = of(context, BlockActions)
        team = team_of(context)
        try:
            own, workspace = await times.own_hours(team, sent.user_id), await workspace_hours(team)
        except StoreUnavailable:
            await say_instead(deps, client, sent, t.STORE_DOWN)
            return
        try:
            await client.views_open(trigger_id=sent.trigger_id, view=my_hours_modal(own, workspace))
        except SlackApiError as exc:
            log.info("views.open failed", extra={"error": slack_error(exc)})
            await say_instead(deps, client, sent, t.TOOK_TOO_LONG)

    @app.view(Callback.MY_HOURS.value)
    async def save_hours(ack: AsyncAck, context: AsyncBoltContext) -> None:
        sent = of(context, ViewSubmission)
        team, values = team_of(context), sent.view.values()
        hours: WorkingHours | None = None
        if not choices(values, FOLLOW_WORKSPACE):
            try:
                hours = WorkingHours.model_validate(read_hours(values))
            except ValidationError:
                where = WORKING_DAYS if not choices(values, WORKING_DAYS) else QUIET_START
                await ack(response_action="errors", errors={where: t.HOURS_INVALID})
                return
        try:
            await times.set_own_hours(team, sent.user_id, hours)
            shown = hours or await workspace_hours(team)
        except StoreUnavailable:
            await ack(response_action="update", view=info_modal(t.STORE_DOWN))
            return
        text = (t.HOURS_SAVED if hours else t.HOURS_SAVED_WORKSPACE).format(hours=hours_text(shown))
        await ack(response_action="update", view=info_modal(text))
        await deps.runner.publish_home(team, sent.user_id)


def _home_section(deps: Deps, times: LocalTimes) -> Callable[[str, str], Awaitable[list[Block]]]:
    async def provider(team: str, user_id: str) -> list[Block]:
        configs = deps.service.configs
        workspace = (await configs.get(team) if configs else WorkspaceConfig()).working_hours
        return home_hours_blocks(await times.own_hours(team, user_id), workspace)

    return provider
