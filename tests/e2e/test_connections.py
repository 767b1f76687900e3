"""The app keeps one connection pool for the Web API: many calls, few TCP connections."""

from __future__ import annotations

from typing import Any

from tests.e2e import play
from tests.support.harness import Harness


async def test_web_api_calls_reuse_connections(h: Harness) -> None:
    server = h.standin._runner.server if h.standin._runner else None
    assert server is not None
    opened: list[Any] = []
    made = server.connection_made

    def counted(handler: Any, transport: Any) -> None:
        opened.append(transport.get_extra_info("peername"))
        made(handler, transport)

    server.connection_made = counted  # type: ignore[method-assign]
    before = len(h.standin.calls)
    await play.start(h)
    await play.accept_and_agree(h)
    calls = len(h.standin.calls) - before
    assert calls > 10
    assert 0 < len(opened) <= 4, f"{len(opened)} connections for {calls} Web API calls"
