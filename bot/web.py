"""The aiohttp application: Slack's `/slack/events` plus `/healthz`."""

from __future__ import annotations

from aiohttp import web

from bot.app import Services, create_app
from bot.settings import Settings


def build_web_app(settings: Settings, services: Services) -> web.Application:
    """The HTTP app: `POST /slack/events` (Bolt) and `GET /healthz` (200 when Redis answers)."""
    bolt = create_app(settings, services)
    app = bolt.web_app(path="/slack/events")

    async def healthz(request: web.Request) -> web.Response:
        if await services.service.store.ping():
            return web.json_response({"ok": True, "redis": "up"})
        return web.json_response({"ok": False, "redis": "down"}, status=503)

    app.router.add_get("/healthz", healthz)
    return app
