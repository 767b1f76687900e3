"""Who a Web API call is for: the sandbox attributes every call to the request being handled when the
app made it, so each persona's developer drawer shows only their own requests and the calls answering
them.

:class:`~bot.sandbox.delivery.SlackDelivery` tags each request it sends the app with
``X-Sandbox-Request`` (its record's id). :func:`request_scope`, an aiohttp middleware, puts that id in
the :data:`current_request` context variable while the request is handled; the tasks the app starts
for it (Bolt's work after the ack) copy the context, so they carry the id too. The app's HTTP session,
built with :func:`trace_config`, copies the id into the header of every Web API call it makes, and the
stand-in's own :func:`request_scope` reads it back, so :meth:`~bot.sandbox.workspace.Workspace.record`
knows which request a call answered. Calls made outside any request (background work) carry none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from types import SimpleNamespace

import aiohttp
from aiohttp import web

REQUEST_HEADER = "X-Sandbox-Request"
"""The header carrying the id of the request (to the app) that a call was made in answer to."""

current_request: ContextVar[str | None] = ContextVar("sandbox_request", default=None)
"""The id of the request being handled (None outside any request)."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def request_scope(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Handle ``request`` with :data:`current_request` set from its ``X-Sandbox-Request`` header."""
    request_id = request.headers.get(REQUEST_HEADER)
    if not request_id:
        return await handler(request)
    token = current_request.set(request_id)
    try:
        return await handler(request)
    finally:
        current_request.reset(token)


async def _tag(session: aiohttp.ClientSession, context: SimpleNamespace, params: object) -> None:
    request_id = current_request.get()
    headers = getattr(params, "headers", None)
    if request_id and headers is not None and REQUEST_HEADER not in headers:
        headers[REQUEST_HEADER] = request_id


def trace_config() -> aiohttp.TraceConfig:
    """A trace config for the app's HTTP session: every request it sends while a sandbox request is
    being handled carries that request's id in ``X-Sandbox-Request``."""
    config = aiohttp.TraceConfig()
    config.on_request_start.append(_tag)
    return config


__all__ = ["REQUEST_HEADER", "current_request", "request_scope", "trace_config"]
