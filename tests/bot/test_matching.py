"""Listeners match on the body alone (bot.matching): the same decisions as Bolt's own matchers."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from slack_bolt import BoltResponse
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.matching import BodyMatcher, match_on_body

BODIES: list[dict[str, Any]] = [
    {"type": "block_actions", "actions": [{"action_id": "accept", "block_id": "b", "type": "button"}]},
    {"type": "block_actions", "actions": [{"action_id": "cg_admin_x", "block_id": "b", "type": "button"}]},
    {"type": "block_actions", "actions": [{"action_id": "other", "block_id": "b", "type": "button"}]},
    {"command": "/mediate", "text": "status"},
    {"command": "/other", "text": ""},
    {"type": "view_submission", "view": {"type": "modal", "callback_id": "intake"}},
    {"type": "view_closed", "view": {"type": "modal", "callback_id": "intake"}},
    {"type": "shortcut", "callback_id": "start"},
    {"type": "message_action", "callback_id": "host"},
    {"type": "event_callback", "event": {"type": "app_home_opened", "user": "U1"}},
    {"type": "event_callback", "event": {"type": "message", "channel_type": "im", "text": "hi"}},
    {"type": "event_callback", "event": {"type": "app_uninstalled"}},
    {},
]


def _app() -> AsyncApp:
    app = AsyncApp(signing_secret="s", token="xoxb-1")

    async def noop() -> None:
        return None

    app.action("accept")(noop)
    app.action(re.compile("^cg_admin_"))(noop)
    app.command("/mediate")(noop)
    app.view("intake")(noop)
    app.view_closed("intake")(noop)
    app.shortcut("start")(noop)
    app.message_shortcut("host")(noop)
    app.event("app_home_opened")(noop)
    app.event("message")(noop)
    app.event("app_uninstalled")(noop)
    return app


@pytest.mark.parametrize("body", BODIES)
async def test_each_listener_decides_as_bolts_own_matchers_do(body: dict[str, Any]) -> None:
    app = _app()
    before = [list(listener.matchers) for listener in app._async_listeners]
    assert match_on_body(app) == len(app._async_listeners)
    req = AsyncBoltRequest(body="", context={})
    req.body = copy.deepcopy(body)
    resp = BoltResponse(status=200)
    for old, listener in zip(before, app._async_listeners, strict=True):
        want = [await _outcome(m, req, resp) for m in old]
        got = [await _outcome(m, req, resp) for m in listener.matchers]
        assert got == want


async def _outcome(matcher: Any, req: AsyncBoltRequest, resp: BoltResponse) -> bool | str:
    """The matcher's answer, or the error it raises (Bolt's own matchers raise on some bodies)."""
    try:
        return bool(await matcher.async_matches(req, resp))
    except Exception as exc:
        return type(exc).__name__


def test_matchers_that_need_more_than_the_body_are_kept() -> None:
    app = _app()

    async def needs_context(context: Any) -> bool:
        return True

    async def noop() -> None:
        return None

    app.action("accept", matchers=[needs_context])(noop)
    match_on_body(app)
    last = app._async_listeners[-1].matchers
    assert isinstance(last[0], BodyMatcher)
    assert not isinstance(last[1], BodyMatcher)
