#!/usr/bin/env python
"""Our Slack handlers against a bare Bolt app, measured in the same run (SLACK_NOTES.md §8).

Usage::

    .venv/bin/python scripts/bench_handlers.py [--seconds 10] [--concurrency 16] [--json]

Starts two `scripts/bench_server.py` servers, ``bare`` (one process: the app and its Slack stand-in)
and ``ours`` (two processes, as Common Ground is deployed: the web process, `commonground serve`
as built by `create_app`, which answers Slack; and a second process with the worker,
`commonground worker`'s loop with the hand-over of jobs, and the Slack stand-in). It waits for their
ready lines and ``/healthz``, then for each scenario precomputes signed requests (a unique
trigger_id each, so the dedupe lets every one through), warms up for one second and sends them from
an aiohttp load generator with N concurrent workers for a bounded time, to 127.0.0.1 only:

1. bare ``/mediate help``: Bolt's floor, an empty ack;
2. bare: the click of scenario 6, the same payload bytes, an empty ack (the floor for a click);
3. bare: the clicks of scenario 7, the same payload bytes, an empty ack;
4. ours ``/mediate help``: ack with the help text (read-only: no dedupe round trip);
5. ours ``/mediate status``: the web process acks and hands it to the worker (one round trip),
   which reads ann's open and recently closed mediations and answers through the response_url;
6. ours: bob clicks "Accept" on an invitation whose mediation ann has cancelled (his screen still
   showed the button): the web process claims the delivery, hands it over and acks (one round
   trip); the worker reads the document, the engine refuses, and it posts a ``chat.postEphemeral``;
7. ours: a colleague accepts an open invitation, a different seeded mediation each click (pairs
   "inviter-i" → "invitee-i"): the web process acks and hands it over; the worker does the
   compare-and-set with the outbox entries in one script and delivers the effects (DMs to both,
   both App Homes, the invitation redrawn, timers), each marked done.

With ``COMMONGROUND_HAND_OVER=0`` in the environment, ours's web process does all that work itself
after its acks (the worker only delivers timers and the outbox), as it does when no worker runs.

Reports requests/s, p50/p95/p99 latency (of the HTTP answer, i.e. the ack), non-200 answers, the
server's RSS before and after, and the ratios of ours to bare (same kind of request), as a Markdown
table (or JSON with ``--json``), plus what happened after the acks (server and client CPU, Web API
calls made, connections opened). Servers that do not start within 300 s fail the run (exit 1); the
servers are stopped on exit, Ctrl-C and SIGTERM included.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import json
import math
import os
import platform
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

ROOT = Path(__file__).resolve().parent.parent
SERVER = Path(__file__).resolve().parent / "bench_server.py"
READY = "BENCH-READY"
START_TIMEOUT = 300.0  # ours seeds thousands of mediations first
REQUEST_TIMEOUT = 5.0
WARMUP_SECONDS = 1.0
FIRST_RATE_GUESS = 4000.0
FORM = "application/x-www-form-urlencoded"

JSON = dict[str, Any]
Request = tuple[bytes, dict[str, str]]


# --------------------------------------------------------------------------------------- servers


@dataclass
class Server:
    """One `bench_server.py` subprocess."""

    kind: str
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path
    port: int
    url: str = ""
    control: str = ""
    info: JSON = field(default_factory=dict)
    web_pid: int | None = None  # ours: the web process, a child of this one (which runs the worker)

    @property
    def pid(self) -> int:
        """The process that answers Slack's requests (measured against the bare app)."""
        return self.web_pid or self.process.pid

    @property
    def worker_pid(self) -> int | None:
        """Ours: the process with the worker and the Slack stand-in; None for the bare app."""
        return self.process.pid if self.web_pid else None

    def alive(self) -> bool:
        return self.process.poll() is None

    def stderr_tail(self, lines: int = 15) -> str:
        try:
            text = self.stderr.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class ServerFailed(Exception):
    """A server did not start, or died during the run."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the bench process dies, even by SIGKILL (Linux)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_server(
    kind: str,
    redis_url: str,
    secret: str,
    logs: Path,
    invitations: int,
    worker_nice: int = 0,
    pinned: bool = False,
) -> Server:
    port = _free_port()
    stdout, stderr = logs / f"{kind}.out", logs / f"{kind}.err"
    command = [sys.executable, str(SERVER), "--kind", kind, "--port", str(port), "--redis-url", redis_url]
    command += ["--invitations", str(invitations), "--worker-nice", str(worker_nice)]
    command += ["--pin"] if pinned else []
    env = {**os.environ, "BENCH_SIGNING_SECRET": secret, "PYTHONUNBUFFERED": "1"}
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,  # Ctrl-C reaches only us; we stop the servers in order
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
    return Server(kind, process, stdout, stderr, port)


async def wait_ready(server: Server, session: aiohttp.ClientSession) -> None:
    """Wait for the ready line and a 200 from /healthz; raise `ServerFailed` otherwise."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if not server.alive():
            raise ServerFailed(
                f"the {server.kind} server exited with {server.process.returncode}:\n{server.stderr_tail()}"
            )
        if not server.url:
            for line in server.stdout.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith(READY + " "):
                    ready = json.loads(line[len(READY) + 1 :])
                    server.url, server.control = ready["url"], ready["control"]
                    server.web_pid = ready.get("web_pid")
        if server.url:
            health = f"http://127.0.0.1:{server.port}/healthz"
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(health, timeout=aiohttp.ClientTimeout(total=2)) as response:
                    if response.status == 200:
                        server.info = await control(session, server, "GET", "/bench/info")
                        return
        await asyncio.sleep(0.1)
    raise ServerFailed(f"the {server.kind} server was not ready within {START_TIMEOUT:.0f} s")


def stop_servers(servers: list[Server]) -> None:
    """SIGTERM (the server deletes its Redis keys), then SIGKILL after 10 s."""
    for server in servers:
        if server.alive():
            with contextlib.suppress(ProcessLookupError):
                server.process.terminate()
    deadline = time.monotonic() + 10
    for server in servers:
        try:
            server.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                server.process.kill()
            server.process.wait(timeout=5)


async def control(
    session: aiohttp.ClientSession, server: Server, method: str, path: str, body: JSON | None = None
) -> JSON:
    """Call a control route on the server's stand-in port."""
    timeout = aiohttp.ClientTimeout(total=300)
    async with session.request(method, server.control + path, json=body, timeout=timeout) as response:
        response.raise_for_status()
        return dict(await response.json())


def rss_mb(pid: int) -> float:
    """VmRSS of a process, in MB (from /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def machine_busy_seconds() -> float:
    """CPU seconds all cores of the machine spent busy since boot (from /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (from /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------------------------- requests


class Signer:
    """Signs bodies as Slack does; one timestamp per batch (Bolt accepts it for 5 minutes)."""

    def __init__(self, secret: str) -> None:
        self._verifier = SignatureVerifier(secret)
        self._triggers = 0
        self._run = secrets.token_hex(6)

    def trigger_id(self) -> str:
        """A trigger_id unique in this run (Slack's shape: number.timestamp.hex)."""
        self._triggers += 1
        return f"{self._triggers}.{int(time.time())}.{self._run}{self._triggers:010x}"

    def sign(self, bodies: list[str]) -> list[Request]:
        timestamp = str(int(time.time()))
        signed = []
        for body in bodies:
            signature = self._verifier.generate_signature(timestamp=timestamp, body=body) or ""
            headers = {
                "Content-Type": FORM,
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": signature,
            }
            signed.append((body.encode(), headers))
        return signed


def command_body(info: JSON, text: str, trigger_id: str, response_url: str) -> str:
    """A `/mediate` slash command typed by ann in her DM with the bot (fields as Slack sends them)."""
    return urlencode(
        {
            "token": info["verification_token"],
            "team_id": info["team_id"],
            "team_domain": info["team_domain"],
            "channel_id": info["channels"]["ann"],
            "channel_name": "directmessage",
            "user_id": info["users"]["ann"],
            "user_name": "ann",
            "command": "/mediate",
            "text": text,
            "api_app_id": info["api_app_id"],
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def click_body(template: JSON, trigger_id: str, action_ts: str, response_url: str) -> str:
    payload = dict(template)
    payload["trigger_id"] = trigger_id
    payload["response_url"] = response_url
    payload["actions"] = [{**template["actions"][0], "action_ts": action_ts}]
    return urlencode({"payload": json.dumps(payload)})


async def response_urls(session: aiohttp.ClientSession, server: Server, count: int) -> list[str]:
    answer = await control(session, server, "POST", "/bench/response_urls", {"count": count})
    return [str(url) for url in answer["urls"]]


# ------------------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Scenario:
    key: str
    server: str
    label: str
    expect_after_ack: str | None  # the Web API call each request should make after its ack
    baseline: str | None = None  # the bare scenario with the same kind of request
    expect_per_request: int = 1  # how many of that call each request makes


SCENARIOS = (
    Scenario("bare_help", "bare", "bare Bolt: `/mediate help` (empty ack)", None),
    Scenario("bare_click", "bare", "bare Bolt: the same Accept click (empty ack)", None),
    Scenario(
        "bare_accept", "bare", "bare Bolt: the same Accept clicks on open invitations (empty ack)", None
    ),
    Scenario("ours_help", "ours", "ours: `/mediate help` (ack with text)", None, "bare_help"),
    Scenario(
        "ours_status",
        "ours",
        "ours: `/mediate status` (handed to the worker, answered through the response_url)",
        "response_url ok",
        "bare_help",
    ),
    Scenario(
        "ours_click_closed",
        "ours",
        "ours: click Accept on a closed mediation (handed over; read + refusal + chat.postEphemeral)",
        "chat.postEphemeral ok",
        "bare_click",
    ),
    Scenario(
        "ours_accept",
        "ours",
        "ours: Accept an open invitation, another each click (handed over; CAS + outbox + effects)",
        "chat.postMessage ok",
        "bare_accept",
        3,  # "accepted" to the inviter, then the first step's prompt to each party
    ),
)


async def build_requests(
    scenario: Scenario, server: Server, session: aiohttp.ClientSession, signer: Signer, count: int
) -> list[Request]:
    info = server.info
    if scenario.key in ("bare_help", "ours_help"):
        # the ack answers; nobody posts to the response_url, so one issued URL serves every request
        url = (await response_urls(session, server, 1))[0]
        bodies = [command_body(info, "help", signer.trigger_id(), url) for _ in range(count)]
    elif scenario.key == "ours_status":
        urls = await response_urls(session, server, count)  # 5 uses each in Slack: one per request
        bodies = [command_body(info, "status", signer.trigger_id(), url) for url in urls]
    elif scenario.key in ("bare_click", "ours_click_closed"):
        # the refusal is posted with chat.postEphemeral, not to the response_url: one URL serves all
        url = (await response_urls(session, server, 1))[0]
        base = time.time()
        bodies = [
            click_body(info["click"], signer.trigger_id(), f"{base + i / 1e6:.6f}", url) for i in range(count)
        ]
    elif scenario.key in ("bare_accept", "ours_accept"):
        # each request accepts another seeded invitation (its own mediation, inviter and invitee)
        url = (await response_urls(session, server, 1))[0]
        base = time.time()
        seeded = info["invitations"]
        if scenario.server == "bare":  # it only acks: the same clicks again, to fill the window
            clicks = [seeded[i % len(seeded)] for i in range(count)]
        else:  # each a different open invitation: as many as were seeded
            clicks = seeded[:count]
        bodies = [
            click_body(click, signer.trigger_id(), f"{base + i / 1e6:.6f}", url)
            for i, click in enumerate(clicks)
        ]
    else:
        raise ValueError(scenario.key)
    return signer.sign(bodies)


# ------------------------------------------------------------------------------------------- load


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    exhausted: bool = False

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    @property
    def errors(self) -> int:
        return self.count - self.statuses.get("200", 0)


async def run_load(
    session: aiohttp.ClientSession,
    url: str,
    requests: list[Request],
    start: int,
    seconds: float,
    concurrency: int,
) -> tuple[Load, int]:
    """Send requests[start:] with `concurrency` workers for `seconds` (or until the list runs out);
    return the load and the index of the first request not sent."""
    load = Load()
    next_index = start
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    began = time.perf_counter()
    deadline = began + seconds

    async def worker() -> None:
        nonlocal next_index
        while time.perf_counter() < deadline:
            if next_index >= len(requests):
                load.exhausted = True
                return
            body, headers = requests[next_index]
            next_index += 1
            sent = time.perf_counter()
            try:
                async with session.post(url, data=body, headers=headers, timeout=timeout) as response:
                    await response.read()
                    status = str(response.status)
            except TimeoutError:
                status = "timeout"
            except aiohttp.ClientError as exc:
                status = type(exc).__name__
            load.latencies.append(time.perf_counter() - sent)
            load.statuses[status] += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    load.elapsed = time.perf_counter() - began
    return load, next_index


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class Result:
    scenario: str
    server: str
    label: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    statuses: dict[str, int]
    pool_exhausted: bool
    rss_before_mb: float
    rss_after_mb: float
    server_cpu_pct: float
    client_cpu_pct: float
    others_cpu_pct: float
    drain_seconds: float
    pending_after_drain: int
    after_ack_calls: dict[str, int]
    after_ack_expected: str | None
    after_ack_per_request: int
    standin_cpu_pct: float
    standin_connections: int
    worker_cpu_pct: float
    baseline: str | None = None
    rps_ratio: float | None = None
    p50_ratio: float | None = None
    p99_ratio: float | None = None


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def measure(
    scenario: Scenario,
    server: Server,
    session: aiohttp.ClientSession,
    load_session: aiohttp.ClientSession,
    signer: Signer,
    seconds: float,
    concurrency: int,
    pool: int,
) -> Result:
    progress(f"· {scenario.key}: signing {pool} requests …")
    requests = await build_requests(scenario, server, session, signer, pool)
    await control(session, server, "POST", "/bench/settle")
    rss_before = rss_mb(server.pid)
    warm, index = await run_load(load_session, server.url, requests, 0, WARMUP_SECONDS, concurrency)
    if warm.count == 0 or warm.errors == warm.count:
        progress(f"  warm-up answered {dict(warm.statuses)}")
    await control(session, server, "POST", "/bench/settle")
    await control(session, server, "POST", "/bench/reset")
    progress(f"· {scenario.key}: measuring {seconds:g} s with {concurrency} workers …")
    worker = server.worker_pid
    cpu_server, cpu_client, cpu_all = cpu_seconds(server.pid), time.process_time(), machine_busy_seconds()
    cpu_worker = cpu_seconds(worker) if worker else 0.0
    load, _ = await run_load(load_session, server.url, requests, index, seconds, concurrency)
    cpu_server, cpu_client = cpu_seconds(server.pid) - cpu_server, time.process_time() - cpu_client
    cpu_worker = cpu_seconds(worker) - cpu_worker if worker else 0.0
    cpu_others = max(0.0, machine_busy_seconds() - cpu_all - cpu_server - cpu_client - cpu_worker)
    drain_started = time.perf_counter()
    drained = await control(session, server, "POST", "/bench/settle")
    drain = time.perf_counter() - drain_started
    stats = await control(session, server, "GET", "/bench/stats")
    if not server.alive():
        raise ServerFailed(f"the {server.kind} server died during {scenario.key}:\n{server.stderr_tail()}")
    rss_after = rss_mb(server.pid)
    latencies = sorted(load.latencies)
    return Result(
        scenario=scenario.key,
        server=server.kind,
        label=scenario.label,
        requests=load.count,
        seconds=load.elapsed,
        rps=load.count / load.elapsed if load.elapsed else 0.0,
        p50_ms=percentile(latencies, 50) * 1000,
        p95_ms=percentile(latencies, 95) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        errors=load.errors,
        statuses=dict(load.statuses),
        pool_exhausted=load.exhausted,
        rss_before_mb=rss_before,
        rss_after_mb=rss_after,
        server_cpu_pct=100 * cpu_server / load.elapsed,
        client_cpu_pct=100 * cpu_client / load.elapsed,
        others_cpu_pct=100 * cpu_others / load.elapsed,
        drain_seconds=drain,
        pending_after_drain=int(drained["pending"]),
        after_ack_calls={str(k): int(v) for k, v in stats["outcomes"].items()},
        after_ack_expected=scenario.expect_after_ack,
        after_ack_per_request=scenario.expect_per_request,
        standin_cpu_pct=100 * float(stats["standin_seconds"]) / load.elapsed,
        worker_cpu_pct=100 * cpu_worker / load.elapsed,
        standin_connections=int(stats["standin_connections"]),
    )


# ----------------------------------------------------------------------------------------- report


def _after_ack(result: Result) -> str:
    if not result.after_ack_calls:
        return "none"
    parts = []
    for outcome, count in sorted(result.after_ack_calls.items(), key=lambda kv: -kv[1]):
        parts.append(f"{count:,} {outcome}")
    return ", ".join(parts)


def markdown(results: list[Result], meta: JSON) -> str:
    lines = [
        f"Command: `{meta['command']}`",
        "",
        "| Scenario | Requests | req/s | p50 ms | p95 ms | p99 ms | Errors (non-200) "
        "| Server RSS before → after (MB) | req/s ours/bare* | p50 ours/bare* | p99 ours/bare* |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ratio_rps = "—" if r.rps_ratio is None else f"{r.rps_ratio:.2f}×"
        ratio_p50 = "—" if r.p50_ratio is None else f"{r.p50_ratio:.2f}×"
        ratio_p99 = "—" if r.p99_ratio is None else f"{r.p99_ratio:.2f}×"
        errors = str(r.errors) if r.errors == 0 else f"{r.errors} ({_non_200(r)})"
        lines.append(
            f"| {r.label} | {r.requests:,} | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} "
            f"| {errors} | {r.rss_before_mb:.1f} → {r.rss_after_mb:.1f} "
            f"| {ratio_rps} | {ratio_p50} | {ratio_p99} |"
        )
    lines += [
        "",
        "| Scenario | Server CPU (web process) | Worker process CPU (ours: worker + stand-in) | Client CPU "
        "| Other CPU (Redis, rest of the machine) | Stand-in CPU | Web API calls after the ack "
        "| New connections to the stand-in | Drain after the window |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in results:
        drain = f"{r.drain_seconds:.2f} s" + (
            f" ({r.pending_after_drain} left)" if r.pending_after_drain else ""
        )
        lines.append(
            f"| {r.label} | {r.server_cpu_pct:.0f} % | {r.worker_cpu_pct:.0f} % | {r.client_cpu_pct:.0f} % "
            f"| {r.others_cpu_pct:.0f} % | {r.standin_cpu_pct:.0f} % "
            f"| {_after_ack(r)} | {r.standin_connections:,} | {drain} |"
        )
    lines += [
        "",
        "\\* Against the bare app answering the same kind of request: the slash commands against bare "
        "`/mediate help`, each click against the bare app given the same payload bytes.",
        "",
        *(f"- {note}" for note in meta["notes"]),
    ]
    return "\n".join(lines)


def _non_200(result: Result) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(result.statuses.items()) if k != "200")


def notes(results: list[Result], meta: JSON) -> list[str]:
    out = [
        f"Client (this aiohttp load generator), both servers and Redis share {meta['cpus']} CPU core(s) "
        f"of one machine ({meta['machine']}); the client's CPU competes with the server's, so absolute "
        "numbers are lower than with a separate client: compare the ratios, measured in the same run.",
        f"{meta['seconds']:g} s per scenario after a {WARMUP_SECONDS:g} s warm-up, {meta['concurrency']} "
        "concurrent keep-alive connections, every request signed with its own trigger_id "
        "(precomputed before timing). Latency is until the HTTP answer (the ack); work after the ack "
        "runs on in the server and is counted in the second table (drained before RSS 'after').",
        "The load is a closed loop: once a server is saturated, latency ≈ workers / throughput, so the "
        "p50 ratio mostly mirrors the throughput ratio. Bolt's async runner polls for the ack every 10 ms "
        "(`asyncio.sleep(0.01)` in slack_bolt/listener/asyncio_runner.py): no answer comes sooner than "
        f"~10 ms, which caps {meta['concurrency']} workers near {meta['concurrency'] * 100:,} req/s "
        "whatever the CPU (try --concurrency 1 for the unloaded latency, a higher one for the CPU limit).",
        "The bare server runs its (idle) Slack stand-in in its own process; ours runs it in the worker's "
        "process, so the web process measured against the bare app does only what a real one does; the "
        "stand-in counts calls instead of keeping them, and its CPU is part of the worker process's column. "
        "RSS 'before' is read after the requests are prepared (the status scenario's response_urls are "
        "issued by then), 'after' once the work after the acks has drained.",
        "CPU columns are percent of one core over the measured window; 'Other CPU' is everything else "
        "busy on the machine then (Redis, other jobs): much more than Redis's share means a noisy run.",
        f"Versions: Python {meta['python']}, slack_bolt {meta['slack_bolt']}, slack_sdk {meta['slack_sdk']}, "
        f"aiohttp {meta['aiohttp']}, redis-py {meta['redis']}.",
    ]
    out.append(
        f"Ours's worker process (the worker and the stand-in) ran at nice {meta['worker_nice']}"
        + (
            ": the web process had the CPU first, as with the worker on another machine."
            if meta["worker_nice"]
            else f", the same priority as the web process, competing with it for the {meta['cpus']} cores."
        )
    )
    if meta.get("pinned"):
        out.append(
            "Pinned (--pin): the measured web process (the bare app; ours's web process) ran alone on one "
            "core; the load generator, ours's worker and the stand-in shared the other(s); Redis was not "
            "pinned."
        )
    for r in results:
        if r.pool_exhausted:
            out.append(
                f"{r.scenario}: the precomputed requests ran out before the time did (raise --max-requests)."
            )
        if r.after_ack_expected is not None:
            done = r.after_ack_calls.get(r.after_ack_expected, 0)
            failed = sum(v for k, v in r.after_ack_calls.items() if not k.endswith(" ok"))
            if done != r.requests * r.after_ack_per_request or failed:
                out.append(
                    f"{r.scenario}: {r.requests:,} requests but {done:,} `{r.after_ack_expected}` after the "
                    f"ack (expected {r.after_ack_per_request} each) and {failed:,} failed Web API calls."
                )
        calls = sum(r.after_ack_calls.values())
        if calls and r.standin_connections >= 0.9 * calls:
            out.append(
                f"{r.scenario}: {r.standin_connections:,} new TCP connections to the stand-in for {calls:,} "
                "calls after the ack: every call opened (and closed) its own aiohttp session."
            )
    return out


# ------------------------------------------------------------------------------------------- main


async def bench(args: argparse.Namespace, servers: list[Server], logs: Path) -> tuple[list[Result], JSON]:
    secret = secrets.token_hex(16)
    signer = Signer(secret)
    started = {
        kind: start_server(kind, args.redis_url, secret, logs, args.invitations, args.worker_nice, args.pin)
        for kind in ("bare", "ours")
    }
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if args.pin:  # the load generator shares the other cores with ours's worker, never the measured one
        everything = os.sched_getaffinity(0)
        os.sched_setaffinity(0, everything - {min(everything)})
    servers.extend(started.values())
    results: list[Result] = []
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession() as session, aiohttp.ClientSession(connector=connector) as load_session:
        for server in servers:
            progress(f"· waiting for the {server.kind} server (pid {server.pid}, port {server.port}) …")
            await wait_ready(server, session)
        # the bare app gets the very payload ours gets (both stand-ins hand out the same ids)
        started["bare"].info["click"] = started["ours"].info["click"]
        invitations = (await control(session, started["ours"], "GET", "/bench/invitations"))["clicks"]
        started["bare"].info["invitations"] = started["ours"].info["invitations"] = invitations
        best_rate = FIRST_RATE_GUESS
        for scenario in SCENARIOS:
            if args.only and scenario.key not in args.only:
                continue
            pool = math.ceil(best_rate * 1.5 * (args.seconds + WARMUP_SECONDS)) + 4 * args.concurrency
            pool = min(pool, args.max_requests)
            result = await measure(
                scenario,
                started[scenario.server],
                session,
                load_session,
                signer,
                args.seconds,
                args.concurrency,
                pool,
            )
            progress(
                f"  {result.requests:,} requests, {result.rps:,.0f}/s, p50 {result.p50_ms:.1f} ms, "
                f"p99 {result.p99_ms:.1f} ms, errors {result.errors}"
            )
            results.append(result)
            best_rate = result.rps if scenario.server == "bare" else max(best_rate, result.rps)
    by_key = {r.scenario: r for r in results}
    for scenario in SCENARIOS:
        r, base = by_key.get(scenario.key), by_key.get(scenario.baseline or "")
        if r is not None and base is not None and base.rps and base.p50_ms:
            r.baseline = base.scenario
            r.rps_ratio = r.rps / base.rps
            r.p50_ratio = r.p50_ms / base.p50_ms
            r.p99_ratio = r.p99_ms / base.p99_ms
    meta: JSON = {
        "command": " ".join(shlex.quote(part) for part in [".venv/bin/python", *sys.argv]),
        "seconds": args.seconds,
        "concurrency": args.concurrency,
        "worker_nice": args.worker_nice,
        "pinned": args.pin,
        "cpus": cpus,
        "machine": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        **{name.replace("-", "_"): version(name) for name in ("slack_bolt", "slack_sdk", "aiohttp", "redis")},
    }
    meta["notes"] = notes(results, meta)
    return results, meta


def log_summary(servers: list[Server]) -> list[str]:
    """WARNING/ERROR lines the servers logged, counted by logger and message."""
    out = []
    for server in servers:
        counts: Counter[str] = Counter()
        with contextlib.suppress(OSError):
            for line in server.stderr.read_text(encoding="utf-8", errors="replace").splitlines():
                parts = line.split(" ", 4)
                if len(parts) == 5 and parts[2] in ("WARNING", "ERROR", "CRITICAL"):
                    counts[f"{parts[2]} {parts[3]} {parts[4][:120]}"] += 1
                elif line.startswith("Traceback"):
                    counts["Traceback"] += 1
        for message, count in counts.most_common(5):
            out.append(f"{server.kind} server logged {count}× {message}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare our Slack handlers with a bare Bolt app.")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per scenario (1-120)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent connections (1-256)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0", help="Redis for `ours`")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap on requests per scenario")
    parser.add_argument(
        "--invitations", type=int, default=4000, help="open invitations seeded for the Accept scenario"
    )
    parser.add_argument("--only", nargs="*", choices=[s.key for s in SCENARIOS], help="run only these")
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=0,
        choices=range(20),
        metavar="0-19",
        help="run ours's worker process (worker + stand-in) at this nice increment: the web process keeps "
        "its CPU priority, as it would with the worker on another machine",
    )
    parser.add_argument(
        "--pin",
        action="store_true",
        help="Linux, 2+ CPUs: the measured web process (the bare app, or ours's web process) runs on a core "
        "of its own; the load generator, ours's worker and the stand-in share the rest",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs (path printed)")
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= 120:
        parser.error("--seconds must be between 1 and 120")
    if not 1 <= args.concurrency <= 256:
        parser.error("--concurrency must be between 1 and 256")
    if args.max_requests < 100:
        parser.error("--max-requests must be at least 100")
    if args.pin and len(getattr(os, "sched_getaffinity", lambda _: set())(0)) < 2:
        parser.error("--pin needs Linux and at least 2 CPUs")

    servers: list[Server] = []
    logs = Path(tempfile.mkdtemp(prefix="bench-handlers-"))

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    code = 0
    try:
        results, meta = asyncio.run(bench(args, servers, logs))
        meta["notes"] += log_summary(servers)
        if args.json:
            print(json.dumps({"results": [asdict(r) for r in results], **meta}, indent=2))
        else:
            print(markdown(results, meta))
    except ServerFailed as exc:
        progress(f"bench_handlers: {exc}")
        code = 1
    except KeyboardInterrupt:
        progress("bench_handlers: interrupted; stopping the servers")
        code = 130
    finally:
        stop_servers(servers)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if args.keep_logs:
            progress(f"server logs: {logs}")
        else:
            for path in logs.iterdir():
                path.unlink()
            logs.rmdir()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
