"""The `commonground` console script: serve, worker, sandbox, coach, manifest, keygen, config, migrate."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sys

from aiohttp import web

from bot import config_cli
from bot.settings import ConfigError, Settings, load_settings


def _logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")


async def _serve(settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from bot.app import create_app
    from bot.lifecycle import drain
    from bot.runtime import open_services
    from bot.web import build_web_app
    from flows.coach import warm_up

    seconds = await asyncio.to_thread(warm_up)
    logging.getLogger("commonground").info("coach ready", extra={"seconds": round(seconds, 2)})
    async with open_services(settings) as services:
        bolt = create_app(settings, services)
        runner = web.AppRunner(
            build_web_app(bolt, services, signing_secret=settings.slack_signing_secret.get_secret_value())
        )
        await runner.setup()
        await web.TCPSite(runner, "0.0.0.0", settings.port).start()
        print(f"Common Ground is listening on http://0.0.0.0:{settings.port}/slack/events", flush=True)
        if settings.oauth:
            print(f"Install it from http://0.0.0.0:{settings.port}/slack/install", flush=True)
        handler = None
        if settings.slack_app_token:
            handler = AsyncSocketModeHandler(bolt, settings.slack_app_token.get_secret_value())
            await handler.connect_async()  # type: ignore[no-untyped-call]
            print("Connected to Slack with Socket Mode.", flush=True)
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
            print("Stopping: finishing the work in flight…", flush=True)
            await drain()
        finally:
            if handler:
                await handler.close_async()  # type: ignore[no-untyped-call]
            await runner.cleanup()


async def _worker(settings: Settings) -> None:
    from bot.app import build_app
    from bot.departures import Departures, run_sweeps
    from bot.runtime import open_services
    from bot.worker import WorkerOptions, run_worker
    from bot.workspaces import OneWorkspace

    async with open_services(settings) as services:
        # The listeners' deps, as `serve` builds them: App Home's sections, the jobs handed over, a
        # client per workspace when installed from a link.
        app, deps = build_app(settings, services)
        clients = deps.listener_clients or OneWorkspace(app.client)
        print("Common Ground worker started.", flush=True)
        options = WorkerOptions.from_settings(settings)
        departures = Departures(services.service.store.redis, prefix=services.service.store.prefix)
        await asyncio.gather(
            run_worker(services.service, deps.runner, options, hand_over=(deps, clients)),
            run_sweeps(departures, services.service.clock),  # workspaces that left, when due
        )


async def _migrate(settings: Settings, *, dry_run: bool) -> int:
    from bot.migrate import migrate
    from bot.runtime import open_services
    from bot.store import StoreUnavailable

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        async with open_services(settings) as services:
            summary = await migrate(services.service.store, dry_run=dry_run, progress=progress)
    except StoreUnavailable as exc:
        print(f"Redis could not be reached: {exc}. Nothing more was changed; run it again.", file=sys.stderr)
        return 1
    print("\n".join(summary.lines()), flush=True)
    return 1 if summary.unfinished else 0


# The coach's matrices are small (one text at a time): OpenBLAS worker threads would win it nothing and
# then spin beside the event loop, doubling the CPU a statement review costs (measured: 17 ms of CPU for
# 9 ms of wall clock at 1,000 characters with two threads, 10 ms with one). An operator's own setting wins.
BLAS_THREADS = "1"


def single_threaded_blas() -> None:
    """Ask numpy's BLAS for one thread, unless the environment says otherwise (before numpy loads)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", BLAS_THREADS)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `commonground` console script."""
    single_threaded_blas()
    parser = argparse.ArgumentParser(prog="commonground", description="Common Ground, mediation in Slack.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the Slack app over HTTP (and Socket Mode with SLACK_APP_TOKEN)")
    sub.add_parser("worker", help="deliver reminders and expiry")
    sandbox = sub.add_parser("sandbox", help="try Common Ground in a browser, with no Slack workspace")
    sandbox.add_argument("--port", type=int, default=None, help="the page's port (default $PORT or 3000)")
    sandbox.add_argument("--reset", action="store_true", help="start with empty data")
    sub.add_parser("coach", help="review a statement or score a reflection", add_help=False)
    manifest = sub.add_parser("manifest", help="print the Slack app manifest, ready to paste")
    manifest.add_argument(
        "--url", help="the app's public https root: request URLs and the OAuth redirect URL are filled in"
    )
    manifest.add_argument(
        "--socket-mode", action="store_true", help="Socket Mode on, request URLs removed (behind a firewall)"
    )
    sub.add_parser("keygen", help="print a new COMMONGROUND_ENCRYPTION_KEY")
    migrate = sub.add_parser(
        "migrate",
        help="bring mediations stored by an earlier release into this one's indexes (safe to repeat)",
    )
    migrate.add_argument("--dry-run", action="store_true", help="count what would change, change nothing")
    config_cli.add_parser(sub)
    args, rest = parser.parse_known_args(argv)

    if args.command == "coach":
        from bot.coach_cli import main as coach_main

        return int(coach_main(rest))
    if rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    if args.command == "manifest":
        from bot.manifest import ManifestProblem, filled_manifest

        try:
            print(json.dumps(filled_manifest(args.url, socket_mode=args.socket_mode), indent=2))
        except ManifestProblem as exc:
            print(str(exc), file=sys.stderr)
            return 2
        return 0
    if args.command == "keygen":
        from bot.crypto import new_key

        print(new_key())
        return 0
    if args.command == "sandbox":
        from bot.sandbox.server import run_sandbox

        return int(run_sandbox(port=args.port, reset_data=args.reset))
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    _logging(settings.log_level)
    if args.command == "config":
        return config_cli.run(args, settings)
    if args.command == "migrate":
        return asyncio.run(_migrate(settings, dry_run=args.dry_run))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(settings) if args.command == "serve" else _worker(settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
