"""`/mediate status`: a person's open and recently closed mediations, answered privately."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncAck

from bot import texts as t
from bot.listeners.common import Deps, Reply, error_text
from bot.store import StoreUnavailable
from bot.views.messages import status_blocks

# How long `/mediate status` may read before it acks (Slack waits 3 s for the ack).
STATUS_ACK_SECONDS = 1.5


async def status_answer(deps: Deps, team: str, user: str) -> tuple[str, list[dict[str, Any]] | None]:
    """The `/mediate status` answer for this person: (text, blocks)."""
    try:
        mediations = await deps.service.store.for_user(team, user)
    except StoreUnavailable as exc:
        return error_text(exc), None
    if not mediations:
        return t.STATUS_NONE, None
    return t.STATUS_HEADER, status_blocks(mediations, user)


async def answer_in_ack(deps: Deps, ack: AsyncAck, reply: Reply, team: str, user: str) -> None:
    """Answer in the ack itself (Slack shows an ephemeral body of a slash command's ack): no second
    request. A read slower than `STATUS_ACK_SECONDS` (a struggling Redis) is acked empty first and
    answered through the response_url when it is done, so the ack stays inside Slack's 3 s."""
    answer = asyncio.ensure_future(status_answer(deps, team, user))
    try:
        text, blocks = await asyncio.wait_for(asyncio.shield(answer), STATUS_ACK_SECONDS)
    except TimeoutError:
        await ack()
        text, blocks = await answer
        await reply(text, blocks=blocks)
        return
    if blocks is None:
        await ack(response_type="ephemeral", text=text)
    else:
        await ack(response_type="ephemeral", text=text, blocks=blocks)
