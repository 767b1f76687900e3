"""The real app on a real port, a real Redis, the Slack stand-in, and Slack's side of HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import Services, build_app
from bot.config_store import ConfigStore
from bot.definitions import DefinitionSource
from bot.lifecycle import drain
from bot.sandbox.delivery import SlackDelivery
from bot.sandbox.models import ApiCall, Message, View
from bot.sandbox.webapi import SlackStandIn
from bot.service import MediationService
from bot.settings import Settings, load_settings
from bot.store import MediationStore, team_key
from bot.web import build_web_app
from bot.worker import run_jobs
from bot.workspaces import OneWorkspace
from flows.models import Mediation

SIGNING_SECRET = "test-signing-secret-7d1e"


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 12, 1, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now


class Harness:
    """Everything an end-to-end test needs, with helpers that act as a person would in Slack."""

    def __init__(self, store: MediationStore, redis_url: str, encryption_key: str, key_prefix: str) -> None:
        self.store = store
        self.redis_url = redis_url
        self.encryption_key = encryption_key
        self.key_prefix = key_prefix
        self.standin = SlackStandIn()
        self.clock = Clock()
        self.configs = ConfigStore(store.redis, prefix=key_prefix)
        self.definitions = DefinitionSource(self.configs)
        self.service = MediationService(store, self.definitions, configs=self.configs, clock=self.clock)
        self._runner: web.AppRunner | None = None
        self.slack: SlackDelivery
        self.allow_rejections: set[str] = set()
        self.app_url = ""
        self.worker: asyncio.Task[None] | None = None

    @property
    def team(self) -> str:
        return team_key(None, self.standin.team_id)

    async def start(self) -> Harness:
        await self.standin.start()
        self.ann = self.standin.add_user("ann", real_name="Ann Example")
        self.bob = self.standin.add_user("bob", real_name="Bob Example")
        self.cat = self.standin.add_user("cat", real_name="Cat Example")
        self.robot = self.standin.add_user("deploybot", is_bot=True)
        self.gone = self.standin.add_user("gone", deleted=True)
        self.http = aiohttp.ClientSession()
        settings, services = self.app_settings(), self.app_services()
        bolt, self.deps = build_app(settings, services)
        self.bolt = bolt
        self._runner = web.AppRunner(
            build_web_app(bolt, services, signing_secret=SIGNING_SECRET), access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.app_url = f"http://{host}:{port}"
        self.slack = SlackDelivery(f"{self.app_url}/slack/events", SIGNING_SECRET, self.standin)
        return self

    def app_settings(self) -> Settings:
        """The app's settings: single-workspace mode, the stand-in's bot token."""
        return load_settings(
            slack_bot_token=self.standin.bot_token,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=self.standin.api_url,
            redis_url=self.redis_url,
            encryption_key=self.encryption_key,
            key_prefix=self.key_prefix,
        )

    def app_services(self) -> Services:
        """What the app is built with."""
        return Services(service=self.service, http=self.http)

    def unexpected_rejections(self) -> list[tuple[str, str | None, Any]]:
        """The Web API calls the stand-in refused (Block Kit, limits, triggers…) that no test expected
        Slack to refuse: (method, error, messages)."""
        return [
            (c.method, c.error, c.messages)
            for c in self.standin.rejected
            if c.method not in self.allow_rejections
        ]

    async def stop(self) -> None:
        await self.settle()
        await self.stop_worker()
        await self.slack.close()
        if self._runner is not None:
            await self._runner.cleanup()
        await self.http.close()
        await self.standin.stop()

    async def settle(self) -> None:
        """Wait until the app has finished the work it does after acking, and a worker started with
        `start_worker` the jobs handed to it."""
        if not await drain(within=30):
            raise AssertionError("the app never went idle")
        if self.worker is not None and self.deps.jobs is not None:
            for _ in range(3000):
                if await self.deps.jobs.counts() == {"waiting": 0, "leased": 0}:
                    return
                await asyncio.sleep(0.01)
            raise AssertionError("the worker never finished its jobs")

    async def start_worker(self) -> None:
        """Run the worker's job loop (bot/worker.py `run_jobs`) in this process, and let the web
        process see it alive at once: from now on it hands clicks and `/mediate status` over."""
        assert self.deps.jobs is not None
        self.worker = asyncio.create_task(
            run_jobs(self.deps, self.deps.listener_clients or OneWorkspace(self.bolt.client))
        )
        for _ in range(500):
            if await self.deps.jobs.read_worker():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the worker never said it was alive")

    async def stop_worker(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.worker
            self.worker = None

    # --- what a person sees ------------------------------------------------------------------------

    def dm(self, user: str) -> list[Message]:
        return self.standin.messages(self.standin.im_with(user))

    def last_dm(self, user: str) -> Message:
        messages = self.dm(user)
        assert messages, f"{user} has no DM from the bot"
        return messages[-1]

    def dm_with_action(self, user: str, action_id: str) -> Message:
        for message in reversed(self.dm(user)):
            if action_id in str(message.blocks):
                return message
        raise AssertionError(
            f"{user} has no DM with a {action_id} button; DMs: {[m.text for m in self.dm(user)]}"
        )

    def top_view(self, user: str) -> View:
        views = self.standin.open_views(user)
        assert views, f"{user} has no modal open"
        return views[-1]

    def audience(self, call: ApiCall) -> set[str]:
        """Who could see what a Web API call (or a response, an ack) put on screen: the stand-in
        records it when the call is made, while the modal or conversation it went to still exists."""
        return set(call.audience)

    def shown_to(self, user: str) -> list[str]:
        """Everything the app put in front of `user`: every view and message call they could see."""
        return [str(call.args) for call in self.standin.calls if call.ok and user in self.audience(call)]

    def views_shown_to(self, user: str) -> list[str]:
        """Every modal and App Home the app showed `user`, closed ones included (the stand-in forgets
        a modal once it is closed; the calls that showed it are recorded)."""
        methods = ("views.open", "views.push", "views.update", "views.publish", "view_submission")
        return [
            str(call.args)
            for call in self.standin.calls
            if call.ok and call.method in methods and user in call.audience
        ]

    def ephemeral_texts(self, user: str) -> list[str]:
        return [e.text or str(e.blocks) for e in self.standin.ephemerals(user)]

    async def mediation(self, mediation_id: str | None = None) -> Mediation:
        if mediation_id is None:
            found = await self.store.for_user(self.team, self.ann)
            assert found, "no mediation"
            return found[0]
        m = await self.store.get(self.team, mediation_id)
        assert m is not None
        return m

    # --- what a person does ------------------------------------------------------------------------

    async def command(self, user: str, text: str) -> Any:
        result = await self.slack.command(user, text)
        await self.settle()
        return result

    async def click_dm(self, user: str, action_id: str, **kwargs: Any) -> Any:
        message = self.dm_with_action(user, action_id)
        result = await self.slack.click(
            user, action_id=action_id, message=(message.channel, message.ts), **kwargs
        )
        await self.settle()
        return result

    @staticmethod
    def as_seen(message: Message) -> Message:
        """A message as it looks now, kept: a screen that is not refreshed after the app updates it."""
        return copy.deepcopy(message)

    async def click_old(self, user: str, old: Message, action_id: str, **kwargs: Any) -> Any:
        """Click a button of `old` (from `as_seen`): the person's screen still showed the message as it
        was before the app updated it (a client that had not refreshed, or a click racing the update)."""
        current = self.standin.message(old.channel, old.ts)
        shown = current.blocks
        current.blocks = old.blocks
        try:
            result = await self.slack.click(
                user, action_id=action_id, message=(old.channel, old.ts), **kwargs
            )
        finally:
            current.blocks = shown
        await self.settle()
        return result

    async def click_message(self, user: str, message: Message, action_id: str, **kwargs: Any) -> Any:
        result = await self.slack.click(
            user, action_id=action_id, message=(message.channel, message.ts), **kwargs
        )
        await self.settle()
        return result

    async def click_home(self, user: str, action_id: str, **kwargs: Any) -> Any:
        home = self.standin.home(user)
        assert home is not None, f"{user} has no App Home"
        result = await self.slack.click(user, action_id=action_id, view_id=home.id, **kwargs)
        await self.settle()
        return result

    async def submit(self, user: str, values: dict[str, dict[str, object]]) -> Any:
        view = self.top_view(user)
        result = await self.slack.submit(user, view.id, values)
        await self.settle()
        return result
