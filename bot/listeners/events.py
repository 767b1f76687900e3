"""Events: App Home opened, and messages in the spaces the app is part of."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bot.listeners.common import Deps, team_of
from bot.store import StoreUnavailable


def register(app: AsyncApp, deps: Deps) -> None:
    """Attach the event listeners."""

    @app.event("app_home_opened")
    async def home_opened(event: dict[str, Any], context: AsyncBoltContext) -> None:
        if event.get("tab", "home") != "home":
            return
        try:
            await deps.runner.publish_home(team_of(context), event["user"])
        except StoreUnavailable:
            return

    @app.event("message")
    async def message(event: dict[str, Any]) -> None:
        # Messages in joint spaces and DMs reach us; live coaching of them is a later feature.
        return
