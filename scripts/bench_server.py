#!/usr/bin/env python
"""One server process for `scripts/bench_handlers.py`: a bare Bolt app, or Common Ground itself.

Usage::

    .venv/bin/python scripts/bench_server.py --kind bare|ours --port P [--redis-url URL]

Both kinds serve ``POST /slack/events`` and ``GET /healthz`` on ``127.0.0.1:P`` and run a
`SlackStandIn` (the local Slack Web API) on an ephemeral port:

- ``bare``: an `AsyncApp` built like `create_app` builds ours (signing secret, an `AsyncWebClient`
  with the bot token pointed at the stand-in) whose ``/mediate`` listener only acks (and so does its
  listener for the "Accept" button, the baseline of the click scenario); one process.
- ``ours``: this process holds the stand-in and, once it has seeded Redis (``--redis-url``, a fresh
  ``COMMONGROUND_KEY_PREFIX`` and a fresh encryption key) through the real service and effect
  runner (`Seeding`: ann's closed and open mediations, and ``--invitations`` open invitations between
  pairs "inviter-i" → "invitee-i"), runs the worker's loop (`bot.worker.run_worker` with the
  hand-over), and starts the web process as a child: ``--kind web``, `create_app` + `build_web_app`
  configured by the environment, as `commonground serve` is. The ready line names the child's pid
  (``web_pid``): that is the process measured against the bare app.

Once listening it prints one line ``BENCH-READY {json}`` on stdout (the JSON names the app URL and
the control URL). The control routes live on the stand-in's port, never on the app's:

- ``GET /bench/info``: the workspace's ids (team, users, DMs) and, for ``ours``, the payload of bob's
  click on "Accept" of a closed mediation's invitation, for the load generator to fill in and sign.
- ``GET /bench/invitations``: ``{"clicks": [...]}``, the "Accept" click of every open invitation.
- ``POST /bench/response_urls`` ``{"count": n}``: n fresh response_urls for ann in her DM.
- ``POST /bench/settle``: wait (at most 240 s) until the after-ack listener tasks are done and, for
  ``ours``, the worker has done every job handed to it.
- ``POST /bench/reset`` / ``GET /bench/stats``: the stand-in's counters (Web API calls by method
  and result, time spent inside the stand-in, TCP connections it accepted).

SIGTERM or SIGINT stops it; ``ours`` stops its web process and deletes every Redis key under its
prefix on the way out. With ``BENCH_PROFILE=path`` in its environment, ours's web process writes a
cProfile of itself to that path when it stops.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import secrets
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from slack_bolt.async_app import AsyncAck, AsyncApp  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from bot.sandbox import elements, payloads  # noqa: E402
from bot.sandbox.models import JSON, SlackError  # noqa: E402
from bot.sandbox.webapi import SlackStandIn  # noqa: E402

READY = "BENCH-READY"
DEFAULT_SECRET = "bench-signing-secret-5f0c"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
SELF = Path(__file__).resolve()
SETTLE_TIMEOUT = 240.0  # ours: the worker works through every job the window queued
START_TIMEOUT = 60.0
ACCEPT_ACTION = "cg_invite_accept"
COLLEAGUES = ("bob", "cat", "dan", "eve", "fay", "gus", "hal", "ivy")

log = logging.getLogger("bench.server")


class BenchStandIn(SlackStandIn):
    """The stand-in, made fit for load: calls are counted instead of kept (the list would grow by
    thousands a second), ephemeral messages are dropped after their checks, and the time spent
    inside the stand-in is summed (it shares the process, and the CPU, with the worker)."""

    def __init__(self) -> None:
        super().__init__()
        self.outcomes: Counter[str] = Counter()
        self.busy = 0.0
        self.connections = 0

    def record(
        self,
        method: str,
        args: JSON,
        error: SlackError | None = None,
        *,
        injected: bool = False,
        audience: Any = None,
    ) -> None:
        self.outcomes[f"{method} {'ok' if error is None else error.error}"] += 1

    def store_ephemeral(self, ephemeral: Any) -> None:
        self.mark_changed()

    def call(self, method: str, args: JSON, *, token: str | None = None) -> JSON:
        started = time.perf_counter()
        try:
            return super().call(method, args, token=token)
        finally:
            self.busy += time.perf_counter() - started

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        started = time.perf_counter()
        try:
            return await super()._handle_response_url(request)
        finally:
            self.busy += time.perf_counter() - started

    def reset_counters(self) -> None:
        self.outcomes.clear()
        self.busy = 0.0
        self.connections = 0

    async def serve(self, control: web.RouteTableDef) -> web.AppRunner:
        """Serve the Web API plus the control routes on 127.0.0.1, an ephemeral port."""
        app = self.make_app()
        app.router.add_routes(control)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        server = runner.server
        assert server is not None
        made = server.connection_made

        def counted(handler: Any, transport: Any) -> None:
            self.connections += 1
            made(handler, transport)

        server.connection_made = counted  # type: ignore[method-assign]
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return runner


def _listener_tasks() -> list[asyncio.Task[Any]]:
    """Bolt's after-ack listener tasks still running (as tests/support/harness.py finds them)."""
    current = asyncio.current_task()
    pending = []
    for task in asyncio.all_tasks():
        if task is current or task.done():
            continue
        name = getattr(task.get_coro(), "__qualname__", "")
        if "run_ack_function_asynchronously" in name or "run_async_listener" in name:
            pending.append(task)
    return pending


# What else must be done before the app is idle: the worker's job queue, for `ours`.
SETTLERS: list[Callable[[], Awaitable[bool]]] = []


async def settle(limit: float = SETTLE_TIMEOUT) -> tuple[int, float]:
    """Wait until no listener task is left and every settler says done (at most `limit` s); return
    (tasks or queues pending, seconds waited)."""
    started = time.perf_counter()
    while (pending := _listener_tasks()) and time.perf_counter() - started < limit:
        await asyncio.wait(pending, timeout=max(0.01, limit - (time.perf_counter() - started)))
    waiting = 0
    for done in SETTLERS:
        while not await done():
            if time.perf_counter() - started >= limit:
                waiting += 1
                break
            await asyncio.sleep(0.02)
    return len(_listener_tasks()) + waiting, time.perf_counter() - started


def bare_app(standin: SlackStandIn, secret: str) -> web.Application:
    """The floor: a Bolt app whose `/mediate` only acks, built the way `create_app` builds ours."""
    client = AsyncWebClient(token=standin.bot_token, base_url=standin.api_url)
    bolt = AsyncApp(signing_secret=secret, client=client)  # the client's token: one workspace

    @bolt.command("/mediate")
    async def mediate(ack: AsyncAck) -> None:
        await ack()

    @bolt.action(ACCEPT_ACTION)
    async def accept(ack: AsyncAck) -> None:
        await ack()

    app = bolt.web_app(path="/slack/events")

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.router.add_get("/healthz", healthz)
    return app


@dataclass(frozen=True)
class Seeding:
    """What `ours` starts with: ann's history (for `/mediate status`) and the open invitations
    whose "Accept" the click scenario presses, one a request."""

    closed: int = 5  # ann's closed mediations (each: started, invitation sent, cancelled by ann)
    open: int = 3  # ann's open mediations (invitation sent, waiting for the colleague)
    invitations: int = 4000  # pairs "inviter-i" → "invitee-i", invitation delivered, not answered


SEED_BATCH = 32


@contextlib.asynccontextmanager
async def our_worker(
    standin: BenchStandIn, secret: str, redis_url: str, seeding: Seeding, info: JSON
) -> AsyncIterator[dict[str, str]]:
    """Common Ground's worker as `commonground worker` builds it, on Redis under a fresh key prefix,
    after seeding as `seeding` says through the real service and effect runner (so every
    invitation's DM, App Home, timers and outbox are as in production). Puts the click payloads into
    `info`; yields the environment the web process needs (the same prefix, key and stand-in)."""
    from bot.app import build_app
    from bot.crypto import new_key
    from bot.runtime import open_services
    from bot.settings import load_settings
    from bot.store import team_key
    from bot.worker import run_worker
    from bot.workspaces import OneWorkspace
    from flows import commands as c

    prefix = f"bench-{secrets.token_hex(6)}"
    env = {
        "SLACK_BOT_TOKEN": standin.bot_token,
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": standin.api_url,
        "REDIS_URL": redis_url,
        "COMMONGROUND_ENCRYPTION_KEY": new_key(),
        "COMMONGROUND_KEY_PREFIX": prefix,
        "COMMONGROUND_HAND_OVER": os.environ.get("COMMONGROUND_HAND_OVER", "1"),
    }
    settings = load_settings(
        slack_bot_token=env["SLACK_BOT_TOKEN"],
        slack_signing_secret=secret,
        slack_api_url=standin.api_url,
        redis_url=redis_url,
        encryption_key=env["COMMONGROUND_ENCRYPTION_KEY"],
        key_prefix=prefix,
        hand_over=env["COMMONGROUND_HAND_OVER"] != "0",
    )
    async with open_services(settings) as services:
        worker: asyncio.Task[None] | None = None
        try:
            if not await services.service.store.ping():
                raise RuntimeError(f"Redis does not answer at {redis_url}")
            bolt, deps = build_app(settings, services)
            runner = deps.runner
            team = team_key(None, standin.team_id)
            ann = standin.user_id("ann")
            started_at = time.perf_counter()

            async def invite(inviter: str, invitee: str, topic: str) -> str:
                start = c.Start(actor=inviter, respondent=invitee, topic=topic)
                started = await services.service.start(team, start)
                await runner.run(started)
                return started.mediation.id

            closed: list[str] = []
            for name in COLLEAGUES[: seeding.closed]:
                mediation_id = await invite(ann, standin.user_id(name), f"Release dates with {name}")
                if name == COLLEAGUES[0]:
                    # bob's Accept as his client showed it before ann cancelled (a stale screen: once
                    # the mediation closes, the redraw takes the button away)
                    info["click"] = click_template(standin, standin.user_id(name))
                cancelled = await services.service.act(team, mediation_id, c.Cancel(actor=ann))
                await runner.run(cancelled)
                closed.append(mediation_id)
            for name in COLLEAGUES[seeding.closed : seeding.closed + seeding.open]:
                await invite(ann, standin.user_id(name), f"Handovers with {name}")

            pairs = [
                (standin.add_user(f"inviter-{i}"), standin.add_user(f"invitee-{i}"))
                for i in range(seeding.invitations)
            ]
            for first in range(0, len(pairs), SEED_BATCH):
                batch = pairs[first : first + SEED_BATCH]
                await asyncio.gather(*(invite(a, b, "Sharing the on-call rota") for a, b in batch))
            invitations = [click_template(standin, invitee) for _, invitee in pairs]
            if any(click is None for click in invitations):
                raise RuntimeError("an open invitation has no Accept button")
            info["invitations"] = invitations
            log.info(
                "seeded %d + %d mediations for ann and %d open invitations in %.1f s",
                seeding.closed,
                seeding.open,
                seeding.invitations,
                time.perf_counter() - started_at,
            )
            info.update(key_prefix=prefix, team=team, closed_mediations=closed)
            worker = asyncio.create_task(
                run_worker(services.service, runner, hand_over=(deps, OneWorkspace(bolt.client)))
            )
            SETTLERS.append(_jobs_drained(deps))
            yield env
        finally:
            if worker is not None:
                worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
            await _forget(redis_url, prefix)


def _jobs_drained(deps: Any) -> Callable[[], Awaitable[bool]]:
    async def drained() -> bool:
        return bool(deps.jobs is None or await deps.jobs.counts() == {"waiting": 0, "leased": 0})

    return drained


async def web_process(port: int) -> int:
    """`--kind web`: only the web process of Common Ground (`create_app` + `build_web_app`, as
    `commonground serve` builds them), configured by the environment its parent gives it."""
    from bot.app import create_app
    from bot.runtime import open_services
    from bot.settings import load_settings
    from bot.web import build_web_app

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    settings = load_settings()
    async with open_services(settings) as services, contextlib.AsyncExitStack() as stack:
        bolt = create_app(settings, services)
        secret = settings.slack_signing_secret.get_secret_value()
        runner = web.AppRunner(build_web_app(bolt, services, signing_secret=secret), access_log=None)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        await web.TCPSite(runner, "127.0.0.1", port).start()
        print(f"{READY} {json.dumps({'kind': 'web', 'pid': os.getpid()})}", flush=True)
        profile_to = os.environ.get("BENCH_PROFILE")
        if profile_to:  # BENCH_PROFILE=path: cProfile of the web process, written on the way out
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
            stack.callback(profiler.dump_stats, profile_to)
            stack.callback(profiler.disable)
        await stop.wait()
        await settle(limit=3.0)
    return 0


async def start_web_process(port: int, env: dict[str, str]) -> asyncio.subprocess.Process:
    """Start `--kind web` on `port` and wait for its ready line (at most `START_TIMEOUT` s)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SELF),
        "--kind",
        "web",
        "--port",
        str(port),
        env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT)
    if not line.startswith(READY.encode()):
        raise RuntimeError(f"the web process did not start: {line[:200]!r}")
    return process


async def _forget(redis_url: str, prefix: str) -> None:
    """Delete every key under the bench's prefix (documents, indexes, timers, dedupe keys)."""
    import redis.asyncio as aioredis

    redis = aioredis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=10)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}:*", count=1000)]
        for i in range(0, len(keys), 1000):
            await redis.unlink(*keys[i : i + 1000])
    except Exception as exc:
        log.warning("could not delete the bench keys under %s: %s", prefix, exc)
    finally:
        await redis.aclose()


def click_template(standin: SlackStandIn, user_id: str) -> JSON | None:
    """A block_actions payload for `user_id` clicking "Accept" on their newest invitation DM, as
    `SlackDelivery.click` builds it; trigger_id, action_ts and response_url are for the caller to fill."""
    channel = standin.im_with(user_id)
    for message in reversed(standin.messages(channel)):
        if ACCEPT_ACTION not in json.dumps(message.blocks):
            continue
        ref = elements.find_element(message.blocks, ACCEPT_ACTION, where=f"message {message.ts}")
        container = {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": channel,
            "is_ephemeral": False,
        }
        return payloads.block_actions(
            standin,
            standin.user(user_id),
            api_app_id=standin.app_id,
            container=container,
            trigger_id="",
            actions=[elements.action_payload(ref, None, "")],
            state=elements.state_of(message.blocks),
            conv=standin.conversation(channel),
            message=message.to_api(),
            response_url="",
        )
    return None


def control_routes(standin: BenchStandIn, info: JSON) -> web.RouteTableDef:
    routes = web.RouteTableDef()
    ann = info["users"]["ann"]
    ann_im = info["channels"]["ann"]

    @routes.get("/bench/info")
    async def get_info(request: web.Request) -> web.Response:
        return web.json_response({k: v for k, v in info.items() if k != "invitations"})

    @routes.get("/bench/invitations")
    async def get_invitations(request: web.Request) -> web.Response:
        return web.json_response({"clicks": info.get("invitations", [])})

    @routes.post("/bench/response_urls")
    async def response_urls(request: web.Request) -> web.Response:
        body = await request.json()
        count = max(0, min(int(body.get("count", 0)), 500_000))
        urls = [standin.issue_response_url(ann, ann_im) for _ in range(count)]
        return web.json_response({"urls": urls})

    @routes.post("/bench/settle")
    async def settle_route(request: web.Request) -> web.Response:
        pending, waited = await settle()
        return web.json_response({"pending": pending, "waited": waited})

    @routes.post("/bench/reset")
    async def reset(request: web.Request) -> web.Response:
        standin.reset_counters()
        return web.json_response({"ok": True})

    @routes.get("/bench/stats")
    async def stats(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "outcomes": dict(standin.outcomes),
                "standin_seconds": standin.busy,
                "standin_connections": standin.connections,
                "tasks": len(asyncio.all_tasks()),
            }
        )

    return routes


def pin(pid: int, cpus: set[int]) -> None:
    """Run process `pid` only on `cpus` (Linux; `--pin`)."""
    os.sched_setaffinity(pid, cpus)


def measured_cpu() -> set[int]:
    """`--pin`: the CPU kept for the measured web process (the bare app, or ours's web process)."""
    return {min(os.sched_getaffinity(0))}


def other_cpus() -> set[int]:
    """`--pin`: the CPUs everything else shares (the load generator, ours's worker and stand-in)."""
    return os.sched_getaffinity(0) - measured_cpu() or os.sched_getaffinity(0)


async def serve(
    kind: str,
    port: int,
    redis_url: str,
    secret: str,
    seeding: Seeding,
    worker_nice: int = 0,
    pinned: bool = False,
) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    standin = BenchStandIn()
    users = {name: standin.add_user(name) for name in ("ann", *COLLEAGUES)}
    info: JSON = {
        "kind": kind,
        "pid": os.getpid(),
        "team_id": standin.team_id,
        "team_domain": standin.team_domain,
        "api_app_id": standin.app_id,
        "users": users,
        "channels": {name: standin.im_with(user) for name, user in users.items()},
        "verification_token": payloads.VERIFICATION_TOKEN,
    }
    async with contextlib.AsyncExitStack() as stack:
        control = await standin.serve(control_routes(standin, info))
        stack.push_async_callback(control.cleanup)
        if kind == "bare":
            if pinned:
                pin(0, measured_cpu())
            runner = web.AppRunner(bare_app(standin, secret), access_log=None)
            await runner.setup()
            stack.push_async_callback(runner.cleanup)
            await web.TCPSite(runner, "127.0.0.1", port).start()
        else:
            env = await stack.enter_async_context(our_worker(standin, secret, redis_url, seeding, info))
            if info.get("click") is None:
                raise RuntimeError("seeding left no invitation with an Accept button in bob's DM")
            child = await start_web_process(port, env)
            if pinned:  # the web process gets a core of its own, as the bare app does
                pin(child.pid, measured_cpu())
                pin(0, other_cpus())
            if worker_nice:  # the web process keeps its priority; the worker and the stand-in yield
                os.nice(worker_nice)
            stack.push_async_callback(_stop_child, child)
            info["web_pid"] = child.pid  # the web process: the one measured against the bare app
        standin.reset_counters()  # seeding calls are not part of any measurement
        info["url"] = f"http://127.0.0.1:{port}/slack/events"
        info["control"] = standin.url
        ready = {k: info[k] for k in ("kind", "pid", "url", "control", "web_pid") if k in info}
        print(f"{READY} {json.dumps(ready)}", flush=True)
        await stop.wait()
        await settle(limit=3.0)
    return 0


async def _stop_child(child: asyncio.subprocess.Process) -> None:
    if child.returncode is None:
        child.terminate()
        try:
            await asyncio.wait_for(child.wait(), 10)
        except TimeoutError:
            child.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--kind", choices=("bare", "ours", "web"), required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS, help=f"ours only (default {DEFAULT_REDIS})")
    defaults = Seeding()
    parser.add_argument(
        "--closed",
        type=int,
        default=defaults.closed,
        help=f"closed mediations seeded for ann (1-{len(COLLEAGUES)})",
    )
    parser.add_argument("--open", type=int, default=defaults.open, help="open mediations seeded for ann")
    parser.add_argument(
        "--invitations",
        type=int,
        default=defaults.invitations,
        help="open invitations for the click scenario",
    )
    parser.add_argument("--log-level", default="INFO", help="as LOG_LEVEL of `commonground serve`")
    parser.add_argument(
        "--worker-nice", type=int, default=0, help="ours: the worker process's nice increment (0-19)"
    )
    parser.add_argument(
        "--pin",
        action="store_true",
        help="Linux: the measured web process (bare, or ours's web process) on a core of its own",
    )
    args = parser.parse_args(argv)
    if args.pin and len(getattr(os, "sched_getaffinity", lambda _: set())(0)) < 2:
        parser.error("--pin needs Linux and at least 2 CPUs")
    if not (args.closed >= 1 and args.open >= 0 and args.closed + args.open <= len(COLLEAGUES)):
        parser.error(f"--closed (at least 1) and --open add up to at most {len(COLLEAGUES)}")
    if not 1 <= args.invitations <= 100_000:
        parser.error("--invitations must be between 1 and 100,000")
    seeding = Seeding(closed=args.closed, open=args.open, invitations=args.invitations)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    secret = os.environ.get("BENCH_SIGNING_SECRET") or DEFAULT_SECRET
    try:
        if args.kind == "web":
            return asyncio.run(web_process(args.port))
        return asyncio.run(
            serve(args.kind, args.port, args.redis_url, secret, seeding, args.worker_nice, args.pin)
        )
    except (OSError, RuntimeError) as exc:
        print(f"bench_server: cannot start: {exc}", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
