"""Global middleware: drop a request Slack delivers twice (a retry, a replay)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.store import MediationStore, StoreUnavailable

log = logging.getLogger("commonground.middleware")


def delivery_key(body: dict[str, Any]) -> str | None:
    """What identifies one delivery: the event id of an event, the trigger id of an interaction."""
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("trigger_id"):
        return f"trigger:{body['trigger_id']}"
    if body.get("type") == "block_actions":
        actions = body.get("actions") or [{}]
        stamp = actions[0].get("action_ts")
        return f"action:{body.get('user', {}).get('id')}:{stamp}" if stamp else None
    return None


def dedupe(store: MediationStore) -> Callable[..., Awaitable[BoltResponse | None]]:
    """A Bolt middleware that lets each delivery through once."""

    async def middleware(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        key = delivery_key(req.body)
        if key is not None:
            try:
                first = await store.claim_once(key)
            except StoreUnavailable:
                first = True  # let the listener tell the person that storage is down
            if not first:
                log.info("duplicate delivery dropped", extra={"key_kind": key.split(":", 1)[0]})
                return BoltResponse(status=200, body="")
        await next()
        return None

    return middleware
