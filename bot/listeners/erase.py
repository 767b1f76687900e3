"""Delete my data: `/mediate delete-my-data` and App Home's button both show Slack's confirmation
first; the click then erases, and a receipt says what was done and when."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts as t
from bot.listeners.common import Deps, error_text, say_instead, team_of
from bot.payloads import BlockActions, of
from bot.store import StoreUnavailable, VersionConflict
from bot.views.common import dump
from bot.views.ids import Action
from bot.views.modals import info_modal
from bot.views.safety import receipt_blocks, receipt_modal, receipt_text, working_modal
from bot.webclient import slack_error
from flows.errors import Refused

log = logging.getLogger("commonground.erase")


def register(app: AsyncApp, deps: Deps) -> None:
    """Attach the *Delete my data* button (the slash command shows the same button)."""

    @app.action(Action.DELETE_MY_DATA.value)
    async def delete_my_data(
        ack: AsyncAck,
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        sent = of(context, BlockActions)
        user = sent.user_id  # always the clicker's own data, whatever the button carries
        in_message = sent.container is not None and sent.container.type == "message" and sent.response_url
        view_id = None
        if not in_message:  # App Home: open a modal now, while the trigger id is fresh
            try:
                opened = await client.views_open(trigger_id=sent.trigger_id, view=working_modal())
                view_id = str(opened["view"]["id"])
            except SlackApiError as exc:
                # Nothing is erased yet: the person is told to try again, rather than erasing unseen.
                log.info("views.open failed", extra={"error": slack_error(exc)})
                await say_instead(deps, client, sent, t.TOOK_TOO_LONG)
                return
        team = team_of(context)
        try:
            erasure = await deps.service.erase_user(team, user)
        except (StoreUnavailable, VersionConflict, Refused) as exc:
            await _show(respond, client, view_id, error_text(exc), None)
            return
        text = receipt_text(erasure.at, erasure.erased, erasure.closed)
        await _show(respond, client, view_id, text, (erasure.at, erasure.erased, erasure.closed))
        for transition in erasure.transitions:
            await deps.runner.run(transition)  # the others learn only that it closed
        await deps.runner.publish_home(team, user)


async def _show(
    respond: AsyncRespond,
    client: AsyncWebClient,
    view_id: str | None,
    text: str,
    receipt: tuple[datetime, int, int] | None,
) -> None:
    """Put the receipt (or the problem) where the person clicked: in the modal opened for the App Home
    click, or in place of the ephemeral prompt of `/mediate delete-my-data`."""
    if view_id is not None:
        view = receipt_modal(*receipt) if receipt else info_modal(text)
        try:
            await client.views_update(view_id=view_id, view=view)
        except SlackApiError as exc:
            log.warning("views.update failed", extra={"error": slack_error(exc)})
        return
    blocks = dump(receipt_blocks(*receipt)) if receipt else None
    try:
        await respond(replace_original=True, response_type="ephemeral", text=text, blocks=blocks)
    except Exception as exc:  # the response_url may have expired; the erasure itself is done
        log.warning("response_url post failed", extra={"error": type(exc).__name__})
