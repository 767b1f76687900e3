"""The app's listeners all match on the body alone (bot.matching), and clicks still reach them."""

from __future__ import annotations

from slack_bolt.listener_matcher.async_builtins import AsyncBuiltinListenerMatcher

from bot.matching import BodyMatcher
from tests.support.harness import Harness


async def test_every_listener_matches_on_the_body(h: Harness) -> None:
    listeners = h.bolt._async_listeners
    assert len(listeners) > 30
    for listener in listeners:
        assert listener.matchers
        for m in listener.matchers:
            assert isinstance(m, BodyMatcher)
            assert not isinstance(m, AsyncBuiltinListenerMatcher)
