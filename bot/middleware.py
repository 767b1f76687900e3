"""Global middleware: every request parsed once (`bot.payloads`), and a request Slack delivers twice
(a retry, a replay) dropped."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.payloads import PAYLOAD_KEY, Malformed, parse
from bot.store import MediationStore, StoreUnavailable

log = logging.getLogger("commonground.middleware")


# `/mediate` subcommands that only read: Slack never retries a slash command, and a replay (within
# the signature's five minutes) would only show the same answer again, so they skip the dedupe
# round trip to Redis.
READ_ONLY_WORDS = frozenset({"help", "?", "status"})


def read_only_command(body: dict[str, Any]) -> bool:
    """Whether a request is a slash command whose answer changes nothing (help, status)."""
    text = body.get("text")
    if not body.get("command") or not isinstance(text, str):
        return False
    words = text.split(maxsplit=1)
    return bool(words) and words[0].lower() in READ_ONLY_WORDS


def delivery_key(body: dict[str, Any]) -> str | None:
    """What identifies one delivery: the event id of an event, the trigger id of an interaction, the
    person and time of a click that has neither; None for what needs no dedupe (a read-only
    command). Fields of the wrong type identify nothing."""
    if read_only_command(body):
        return None
    event_id, trigger_id = body.get("event_id"), body.get("trigger_id")
    if body.get("type") == "event_callback" and event_id and isinstance(event_id, str):
        return f"event:{event_id}"
    if trigger_id and isinstance(trigger_id, str):
        return f"trigger:{trigger_id}"
    if body.get("type") == "block_actions":
        actions = body.get("actions")
        first = actions[0] if isinstance(actions, list) and actions else None
        stamp = first.get("action_ts") if isinstance(first, dict) else None
        user = body.get("user")
        user_id = user.get("id") if isinstance(user, dict) else user
        if isinstance(stamp, str) and stamp and isinstance(user_id, str):
            return f"action:{user_id}:{stamp}"
    return None


class ParsePayloads(AsyncMiddleware):
    """Makes sure the request's parsed model is in the context: the HTTP edge (`bot.web`) has put it
    there already; a Socket Mode request is parsed here. A malformed one is answered 200 with nothing
    done. (A class, not a function: Bolt calls a class's `async_process` directly, without working
    out a function's arguments on every request.)"""

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        if req.context.get(PAYLOAD_KEY) is None:
            try:
                parsed = parse(req.body)
            except Malformed as exc:
                log.info("malformed request ignored", extra={"kind": exc.kind, "field": exc.field})
                return BoltResponse(status=200, body="")
            if parsed is None:
                return BoltResponse(status=200, body="")
            req.context[PAYLOAD_KEY] = parsed
        return await next()


def clicked_action(body: dict[str, Any]) -> str | None:
    """The action id of a click's first action (None for anything else)."""
    if body.get("type") != "block_actions":
        return None
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    found = first.get("action_id") if isinstance(first, dict) else None
    return found if isinstance(found, str) else None


class Dedupe(AsyncMiddleware):
    """Lets each delivery through once. Clicks whose action id is in `claimed_by_listener` go
    through: their listener claims the delivery itself, in the same round trip as handing the work to
    the worker (bot/listeners/handover.py)."""

    def __init__(self, store: MediationStore, claimed_by_listener: frozenset[str] = frozenset()) -> None:
        self.store = store
        self.claimed_by_listener = claimed_by_listener

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        key = delivery_key(req.body)
        if key is not None and clicked_action(req.body) not in self.claimed_by_listener:
            try:
                first = await self.store.claim_once(key)
            except StoreUnavailable:
                first = True  # let the listener tell the person that storage is down
            if not first:
                log.info("duplicate delivery dropped", extra={"key_kind": key.split(":", 1)[0]})
                return BoltResponse(status=200, body="")
        return await next()
