"""The sandbox: the real app, the Slack stand-in, an embedded Redis and a Slack-like web page, in one
process on one port.

Routes on the one aiohttp server:
- `/slack/events`        the real app (the same factory and handlers as production)
- `/_slack/api/{method}`  the Web API stand-in the app calls (`SLACK_API_URL`)
- `/`                    the page; `/sandbox/*` its JSON API, which acts as Slack's client would
                         (`/sandbox/clock` moves the sandbox's clock instead)

The app's timer worker runs in the same process, on the sandbox's one clock (bot/sandbox/timekeeper.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import secrets
import shutil
import signal
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.app import build_app
from bot.crypto import local_key
from bot.lifecycle import drain
from bot.redis_embedded import EmbeddedRedis
from bot.runtime import open_services
from bot.sandbox import installs
from bot.sandbox.attribution import request_scope, trace_config
from bot.sandbox.clock import CLOCK_FILE, SandboxClock
from bot.sandbox.hosted import SandboxWorkspaces, install, is_installed
from bot.sandbox.page import SandboxPage
from bot.sandbox.persistence import AutoSaver, load
from bot.sandbox.timekeeper import SandboxTime
from bot.sandbox.webapi import SlackStandIn
from bot.settings import load_settings
from bot.web import build_web_app
from bot.worker import WorkerOptions

log = logging.getLogger("commonground.sandbox")

PERSONAS = (
    # name, real name, workspace admin, time zone (Slack date tokens show in the reader's zone)
    ("ann", "Ann Okafor", False, "Europe/London"),
    ("bob", "Bob Lindqvist", False, "America/New_York"),
    ("maya", "Maya Chen (manager)", False, "Europe/Berlin"),
    ("ada", "Ada Byrne (admin)", True, "UTC"),
)


def seed(standin: SlackStandIn) -> None:
    """The people of a new sandbox, and a private channel the first three share (for a joint space
    held in a thread)."""
    ids = [
        standin.add_user(name, real_name=real_name, is_admin=admin, tz=tz)
        for name, real_name, admin, tz in PERSONAS
    ]
    standin.add_channel("team-leads", members=ids[:3], is_private=True)


class Sandbox:
    """Everything the sandbox runs, started and stopped together."""

    def __init__(self, data_dir: Path, port: int, *, host: str = "127.0.0.1") -> None:
        self.data_dir = data_dir
        self.port = port
        self.host = host
        self.url = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}"
        self._stack = contextlib.AsyncExitStack()
        self.runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Start every part; returns the page's address."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        internal = f"http://127.0.0.1:{self.port}"
        # One clock for the whole sandbox: the stand-in, the app's service and the worker read it.
        self.clock = SandboxClock.load(self.data_dir / CLOCK_FILE)
        self.standin = SlackStandIn(base_url=f"{internal}/_slack", clock=self.clock)
        workspace_file = self.data_dir / "workspace.json"
        if not load(self.standin, workspace_file):
            seed(self.standin)
        self.saver = AutoSaver(self.standin, workspace_file)
        self.workspaces = SandboxWorkspaces(self.data_dir, self.standin)
        self.workspaces.load()
        redis = EmbeddedRedis(self.data_dir / "redis")
        self._stack.callback(redis.stop)
        signing_secret = secrets.token_hex(16)
        # The app runs installed from a link, as a deployment serving many workspaces does: every
        # workspace, the first included, is installed through the install flow (see the README).
        # The links are paths, so the flow works on whatever address the browser uses.
        oauth = installs.installs(self.standin)
        oauth.redirect_uri = "/slack/oauth_redirect"
        settings = load_settings(
            slack_client_id=oauth.client_id,
            slack_client_secret=oauth.client_secret,
            slack_state_secret=secrets.token_hex(16),
            slack_authorize_url="/_slack/oauth/v2/authorize",
            slack_app_redirect_url="/",
            slack_signing_secret=signing_secret,
            slack_api_url=f"{internal}/_slack/api/",
            redis_url=redis.url,
            encryption_key=local_key(self.data_dir),
            data_dir=self.data_dir,
        )
        services = await self._stack.enter_async_context(open_services(settings, clock=self.clock.now))
        # The app's Web API calls carry the id of the request they answer (each persona's drawer
        # shows only their own requests and the calls answering them).
        traced = aiohttp.ClientSession(trace_configs=[trace_config()])
        self._stack.push_async_callback(traced.close)
        services = self.services = dataclasses.replace(services, http=traced)
        bolt, deps = build_app(settings, services)
        # The worker runs in this process, on the sandbox clock (as `commonground worker` beside `serve`),
        # with the app's own runner, so what it delivers looks as the app's (App Home's sections too).
        self.time = SandboxTime(
            self.clock, services.service, deps.runner, WorkerOptions.from_settings(settings)
        )
        app = build_web_app(bolt, services, signing_secret=signing_secret)
        app.middlewares.append(request_scope)
        app.add_subapp("/_slack", self.standin.make_app())
        self.page = SandboxPage(
            self.workspaces, f"{internal}/slack/events", signing_secret, self.time, self.install_url
        )
        self.delivery = self.page.delivery(self.standin)
        self.page.add_routes(app)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, self.host, self.port).start()
        self.saver.start()
        self.workspaces.start()
        if services.installations is None:
            raise RuntimeError("the sandbox runs the app installed from a link")
        if not await is_installed(services.installations, self.standin):
            await install(internal, self.standin)  # the first start: Ada installs the app
        self.time.start()
        return self.url

    @property
    def install_url(self) -> str:
        """Where the page sends the browser to install the app into a new workspace."""
        return "/slack/install"

    async def stop(self) -> None:
        """Stop the worker and finish the app's work in flight, stop serving, save the Slack state and
        stop Redis."""
        await self.time.stop()
        await drain()
        await self.saver.stop()
        await self.workspaces.stop()
        await self.page.close_deliveries()
        if self.runner is not None:
            await self.runner.cleanup()
        await self._stack.aclose()


def reset(data_dir: Path) -> None:
    """Forget everything the sandbox kept."""
    if data_dir.exists():
        shutil.rmtree(data_dir)


def run_sandbox(port: int | None = None, reset_data: bool = False, data_dir: Path | None = None) -> int:
    """`commonground sandbox`: serve until interrupted."""
    logging.basicConfig(level="INFO", format="%(asctime)s %(levelname)s %(name)s %(message)s")
    folder = data_dir or Path(os.environ.get("COMMONGROUND_DATA_DIR", ".data")) / "sandbox"
    if reset_data:
        reset(folder)
    chosen = port or int(os.environ.get("PORT", "3000"))

    async def main() -> None:
        from flows.coach import warm_up

        await asyncio.to_thread(warm_up)  # the coach's model loads once, before the page opens
        sandbox = Sandbox(folder, chosen, host=os.environ.get("SANDBOX_HOST", "127.0.0.1"))
        url = await sandbox.start()
        print(f"Common Ground sandbox: open {url}/ in your browser (Ctrl-C to stop).", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await sandbox.stop()
            print("Sandbox stopped; its data is kept in " + str(folder), flush=True)

    try:
        asyncio.run(main())
    except OSError as exc:
        print(f"The sandbox could not start: {exc}. Is port {chosen} free? Try --port.", flush=True)
        return 1
    return 0
