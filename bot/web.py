"""The aiohttp application: Slack's `/slack/events` plus `/healthz`."""

from __future__ import annotations

from aiohttp import web
from slack_bolt.async_app import AsyncApp

from bot.app import Services


def build_web_app(bolt: AsyncApp, services: Services) -> web.Application:
    """The HTTP app: `POST /slack/events` (Bolt) and `GET /healthz` (200 when Redis answers)."""
    app = bolt.web_app(path="/slack/events")

    async def healthz(request: web.Request) -> web.Response:
        if await services.service.store.ping():
            return web.json_response({"ok": True, "redis": "up"})
        return web.json_response({"ok": False, "redis": "down"}, status=503)

    app.router.add_get("/healthz", healthz)
    return app
