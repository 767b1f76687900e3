"""The aiohttp application: Slack's `/slack/events` plus `/healthz`.

The edge: a request is checked before Bolt reads it. A missing, stale or malformed signature
(a non-numeric timestamp included) is a 401; a validly signed request that Slack would never send
(`bot.payloads`) is a 200 with nothing done; and whatever happens inside, the answer is never a 5xx.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app import Services
from bot.oauth import add_install_routes
from bot.payloads import PAYLOAD_KEY, Malformed, parse, read_body

log = logging.getLogger("commonground.web")

EVENTS_PATH = "/slack/events"
MAX_AGE_SECONDS = 60 * 5  # Slack's replay window
_TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)


def signed(
    secret: str, body: bytes, timestamp: str | None, signature: str | None, now: float | None = None
) -> bool:
    """Whether a request carries Slack's signature of `body`: `v0=HMAC_SHA256(secret, "v0:ts:body")`,
    with a decimal timestamp no more than five minutes away."""
    if not timestamp or not signature or not _TIMESTAMP.fullmatch(timestamp):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    expected = "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace"))


def slack_events(bolt: AsyncApp, signing_secret: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The `POST /slack/events` handler: verify, parse once (`bot.payloads`), then let Bolt dispatch
    with the parsed model in its context."""

    async def handler(request: web.Request) -> web.Response:
        body = await request.read()
        headers = request.headers
        if not signed(
            signing_secret, body, headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature")
        ):
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            decoded = read_body(body, request.content_type)
            parsed = parse(decoded)
        except Malformed as exc:
            log.info("malformed request ignored", extra={"kind": exc.kind, "field": exc.field})
            return web.Response(status=200)
        if parsed is None:  # an event the app does not listen to
            return web.Response(status=200)
        try:
            # The signature is checked and the body decoded: Bolt gets the decoded body, as Socket
            # Mode hands it over, and so neither checks nor decodes it a second time.
            bolt_request = AsyncBoltRequest(
                body=decoded,
                query=request.query_string,
                headers={k: list(headers.getall(k)) for k in headers},
                mode="socket_mode",
            )
            bolt_request.context[PAYLOAD_KEY] = parsed
            response = await bolt.async_dispatch(bolt_request)
        except Exception as exc:  # a bug at the edge: said by its type, never the body
            log.error("request not dispatched", extra={"error": type(exc).__name__})
            return web.Response(status=200)
        if response.status >= 500:
            return web.Response(status=200)  # the error handler has apologised (bot.app.apologise)
        return await to_aiohttp_response(response)

    return handler


def build_web_app(bolt: AsyncApp, services: Services, *, signing_secret: str) -> web.Application:
    """The HTTP app: `POST /slack/events` (Bolt, behind the edge checks) and `GET /healthz` (200 when
    Redis answers)."""
    app = web.Application()

    async def healthz(request: web.Request) -> web.Response:
        if await services.service.store.ping():
            return web.json_response({"ok": True, "redis": "up"})
        return web.json_response({"ok": False, "redis": "down"}, status=503)

    app.router.add_post(EVENTS_PATH, slack_events(bolt, signing_secret))
    app.router.add_get("/healthz", healthz)
    if bolt.oauth_flow is not None:  # installed from a link: /slack/install, /slack/oauth_redirect
        add_install_routes(app, bolt.oauth_flow)
    return app
