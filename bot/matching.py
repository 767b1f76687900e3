"""Cheaper listener matching: Bolt's built-in matchers, called with the request body alone.

Bolt tries listeners in order, and each built-in matcher (``app.action("…")``, ``app.command(…)``,
``app.view(…)``, …) first builds the full set of ~30 keyword arguments a listener could ask for, only to
pass one: ``body``. With our ~60 listeners that was the larger part of Bolt's own time on a click
(README, *Performance*). :func:`match_on_body` swaps each such matcher for one that passes ``body``
directly to the same function: the same decision, without the rest.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.listener_matcher.async_builtins import AsyncBuiltinListenerMatcher
from slack_bolt.listener_matcher.async_listener_matcher import AsyncListenerMatcher
from slack_bolt.request.async_request import AsyncBoltRequest


class BodyMatcher(AsyncListenerMatcher):
    """A built-in matcher's function, given the request body and nothing else."""

    def __init__(self, func: Callable[..., bool | Awaitable[bool]]) -> None:
        self.func = func

    async def async_matches(self, req: AsyncBoltRequest, resp: BoltResponse) -> bool:
        """The built-in matcher's answer for ``req``."""
        answer = self.func(body=req.body)
        return await answer if isinstance(answer, Awaitable) else answer


def _swapped(matcher: Any) -> Any:
    if type(matcher) is AsyncBuiltinListenerMatcher and matcher.arg_names == ["body"]:
        return BodyMatcher(matcher.func)
    return matcher


def match_on_body(app: AsyncApp) -> int:
    """Swap every listener's body-only built-in matchers (call once, after registering listeners);
    returns how many were swapped."""
    swapped = 0
    for listener in app._async_listeners:  # Bolt keeps its listeners here, in the order it tries them
        matchers = [_swapped(m) for m in listener.matchers]
        swapped += sum(new is not old for new, old in zip(matchers, listener.matchers, strict=True))
        listener.matchers = matchers
    return swapped
