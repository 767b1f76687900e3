#!/usr/bin/env python
"""`make chaos`: the hardening table, rerun on loopback, bounded.

Starts its own `redis-server` (on a free port, with an append-only file so it can be restarted), a Slack
Web API stand-in in this process that can answer 429 or 500 on demand, two `commonground serve`
processes and one `commonground worker`, all on 127.0.0.1, then plays:

1. **both parties at once**: mediations seeded at the joint stage; in each, both people propose items
   at the same time through the propose modal, then accept each other's items, the requests spread
   over the two processes. Every proposal and acceptance Slack saw answered must be stored.
2. **many writers on one document**: in each mediation, one person accepts 14 pending items at once,
   the clicks split between the two processes. None may be lost, none answered with a 5xx.
3. **signed junk**: malformed but correctly signed payloads of every kind. Never a 5xx.
4. **Slack's bad moments**: the Web API answers 429 (with Retry-After) or 500 (with a non-JSON body)
   for a few seconds while invitations are sent. Every invitation reaches its person exactly once.
5. **Redis restarts** for two seconds while people act: answers stay clear (never a 5xx), `/healthz`
   says 503 meanwhile, and nothing acknowledged is lost.

Every scenario counts lost updates, duplicated or lost effects, 5xx answers, and tracebacks in the
processes' logs; the run fails (exit 1) unless all are 0. `--scale` shrinks or grows every scenario.

    .venv/bin/python scripts/chaos.py [--scale 1.0] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import redis.asyncio as aioredis  # noqa: E402

from bot.crypto import Cipher, new_key  # noqa: E402
from bot.sandbox.delivery import SlackDelivery  # noqa: E402
from bot.sandbox.models import JSON  # noqa: E402
from bot.sandbox.results import SubmitResult  # noqa: E402
from bot.sandbox.webapi import SlackStandIn  # noqa: E402
from bot.store import MediationStore, team_key  # noqa: E402
from bot.views.joint import item_message, joint_message  # noqa: E402
from flows import commands as c  # noqa: E402
from flows import engine  # noqa: E402
from flows.definition import load_builtin  # noqa: E402
from flows.effects import JointPost  # noqa: E402
from flows.models import JointKind, Mediation, Share  # noqa: E402

SECRET = "chaos-signing-secret"
PREFIX = "chaos"
PEER = load_builtin("peer")
ANSWERS = {
    "happened": "The plan changed on Monday and I heard it last.",
    "feelings": "I felt left out.",
    "needs": "Being consulted matters to me.",
    "requests": "Would you tell me first next time?",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- Redis we can restart ---------------------------------------------------------------------------


class RedisServer:
    """A `redis-server` of our own, persisting to an append-only file so a restart keeps the data."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("chaos needs redis-server on PATH (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [
                *(binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)),
                *("--appendonly", "yes", "--appendfsync", "always", "--save", "", "--maxclients", "10000"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.2):
                return
            time.sleep(0.05)
        raise SystemExit("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


# --- the Slack stand-in, with bad moments on demand --------------------------------------------------


class ChaosStandIn(SlackStandIn):
    """The Web API stand-in; while a fault window is open it answers every call with HTTP 429 and a
    Retry-After of one second, or with a 500 whose body is not JSON."""

    def __init__(self) -> None:
        super().__init__()
        self.fault: str | None = None
        self.fault_until = 0.0
        self.faulted = Counter[str]()

    def open_fault(self, kind: str, seconds: float) -> None:
        self.fault, self.fault_until = kind, time.monotonic() + seconds

    async def _handle_api(self, request: web.Request) -> web.Response:
        if self.fault and time.monotonic() < self.fault_until:
            self.faulted[self.fault] += 1
            if self.fault == "429":
                return web.json_response(
                    {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
                )
            return web.Response(status=500, text="<html>Internal Server Error</html>")
        return await super()._handle_api(request)


# --- the app's processes -----------------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    url: str = ""

    def tracebacks(self) -> int:
        return self.log.read_text(encoding="utf-8", errors="replace").count("Traceback")


def start_process(kind: str, env: dict[str, str], logs: Path, port: int | None = None) -> Process:
    log = logs / f"{kind}-{port or 'w'}.log"
    exe = ROOT / ".venv" / "bin" / "commonground"
    cmd = [str(exe), kind] if exe.exists() else [sys.executable, "-m", "bot.cli", kind]
    full_env = {**os.environ, **env, **({"PORT": str(port)} if port else {})}
    handle = log.open("wb")
    popen = subprocess.Popen(cmd, env=full_env, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT)
    return Process(kind, popen, log, f"http://127.0.0.1:{port}" if port else "")


async def wait_healthy(session: aiohttp.ClientSession, url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(aiohttp.ClientError, OSError):
            async with session.get(f"{url}/healthz") as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.2)
    raise SystemExit(f"{url} never became healthy")


# --- results -----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One row of the table."""

    test: str
    requests: int = 0
    lost_updates: int = 0
    lost_effects: int = 0
    duplicated_effects: int = 0
    server_errors: int = 0
    slow: int = 0  # no answer within Slack's 3 s (Slack shows the person an error; nothing is lost)
    tracebacks: int = 0
    notes: list[str] = field(default_factory=list)
    remarks: Counter[str] = field(default_factory=Counter)

    def note(self, text: str) -> None:
        """A remark for the notes column; repeats are counted, not repeated."""
        self.remarks[text] += 1

    def count(self, status: int) -> bool:
        """Count one answer; True when it was a 200 within 3 s."""
        self.requests += 1
        if status == 0:
            self.slow += 1
        elif status >= 500:
            self.server_errors += 1
        return status == 200

    @property
    def clean(self) -> bool:
        return not (
            self.lost_updates
            or self.lost_effects
            or self.duplicated_effects
            or self.server_errors
            or self.tracebacks
        )


class Run:
    """Everything the scenarios share."""

    def __init__(self, scale: float, folder: Path) -> None:
        self.scale = scale
        self.folder = folder
        self.redis_server = RedisServer(folder)
        self.standin = ChaosStandIn()
        self.key = new_key()
        self.processes: list[Process] = []
        self.deliveries: list[SlackDelivery] = []
        self.session: aiohttp.ClientSession
        self.redis: aioredis.Redis
        self.store: MediationStore
        self.rng = random.Random(7)

    def n(self, base: int) -> int:
        return max(1, round(base * self.scale))

    @property
    def team(self) -> str:
        return team_key(None, self.standin.team_id)

    async def __aenter__(self) -> Run:
        self.redis_server.start()
        await self.standin.start()
        self.session = aiohttp.ClientSession()
        self.redis = aioredis.Redis.from_url(self.redis_server.url)
        self.store = MediationStore(self.redis, Cipher(self.key), prefix=PREFIX)
        env = {
            "SLACK_BOT_TOKEN": self.standin.bot_token,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": self.standin.api_url,
            "REDIS_URL": self.redis_server.url,
            "COMMONGROUND_ENCRYPTION_KEY": self.key,
            "COMMONGROUND_KEY_PREFIX": PREFIX,
            "LOG_LEVEL": "INFO",
        }
        logs = self.folder / "logs"
        logs.mkdir()
        for _ in range(2):
            self.processes.append(start_process("serve", env, logs, free_port()))
        self.processes.append(start_process("worker", env, logs))
        for process in self.processes:
            if process.url:
                await wait_healthy(self.session, process.url)
                self.deliveries.append(SlackDelivery(f"{process.url}/slack/events", SECRET, self.standin))
        return self

    async def __aexit__(self, *exc: object) -> None:
        for process in self.processes:
            if process.popen.poll() is None:
                process.popen.send_signal(signal.SIGTERM)
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(15)
            if process.popen.poll() is None:
                process.popen.kill()
        for delivery in self.deliveries:
            await delivery.close()
        await self.session.close()
        await self.redis.aclose()
        await self.standin.stop()
        self.redis_server.stop()

    def tracebacks(self) -> int:
        return sum(p.tracebacks() for p in self.processes)

    def delivery(self, i: int) -> SlackDelivery:
        return self.deliveries[i % len(self.deliveries)]

    # --- seeding ---------------------------------------------------------------------------------

    async def joint_mediation(self, a: str, b: str) -> tuple[Mediation, str, str]:
        """A mediation between `a` and `b` at the joint stage, its group DM and the summary's ts."""
        now = datetime.now(UTC)
        t = engine.start(
            c.Start(actor=a, respondent=b, topic="the plan"), PEER, now, mediation_id=new_id(), team=self.team
        )
        m = t.mediation
        steps: list[c.Command] = [c.Accept(actor=b), c.AgreeGroundRules(actor=a), c.AgreeGroundRules(actor=b)]
        for user in (a, b):
            steps += [
                c.SaveIntake(actor=user, answers=ANSWERS),
                c.ChooseSharing(actor=user, shares=dict.fromkeys(ANSWERS, Share.ALL)),
            ]
        steps += [
            c.SubmitReflection(actor=b, text="You felt left out and being consulted matters to you."),
            c.AnswerReflection(actor=a, confirmed=True),
            c.SubmitReflection(actor=a, text="You felt left out and being consulted matters to you."),
            c.AnswerReflection(actor=b, confirmed=True),
            c.SubmitCheckIn(actor=a, scores=[10, 10, 10, 10]),
            c.SubmitCheckIn(actor=b, scores=[10, 10, 10, 10]),
        ]
        for step in steps:
            m = engine.apply(m, step, PEER, now).mediation
        channel = str(self.standin.call("conversations.open", {"users": f"{a},{b}"})["channel"]["id"])
        m = engine.apply(
            m, c.JointSpaceOpened(channel_id=channel, kind=JointKind.GROUP_DM), PEER, now
        ).mediation
        saved = await self.store.create(m)
        await self.store.link_joint(self.team, channel, saved.id)
        summary = joint_message(saved, JointPost.SUMMARY, PEER)
        posted = self.standin.call(
            "chat.postMessage", {"channel": channel, "text": summary.text, "blocks": summary.blocks}
        )
        return saved, channel, str(posted["ts"])

    async def people(self, count: int, tag: str) -> list[str]:
        return [self.standin.add_user(f"{tag}{i}", real_name=f"{tag.title()} {i}") for i in range(count)]

    async def wait_for_view(
        self, user: str, callback: str, known: set[str], seconds: float = 15
    ) -> str | None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for view in self.standin.open_views(user):
                if view.callback_id == callback and view.id not in known:
                    return view.id
            await asyncio.sleep(0.05)
        return None

    async def settle(self, check: Callable[[], Awaitable[bool]], seconds: float = 60) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if await check():
                return True
            await asyncio.sleep(0.25)
        return False


def new_id() -> str:
    return "m" + secrets.token_hex(8)


def closed(result: SubmitResult) -> bool:
    """The modal closed on submission: the app accepted it (a refusal updates it or shows errors)."""
    return result.status == 200 and result.response_action in ("", "clear", "close")


# --- 1. both parties at once -------------------------------------------------------------------------


async def both_at_once(run: Run) -> Outcome:
    out = Outcome("both parties at once: proposals, then acceptances")
    pairs = run.n(80)
    per_person = 7
    people = await run.people(pairs * 2, "p")
    seeded = [await run.joint_mediation(people[2 * i], people[2 * i + 1]) for i in range(pairs)]
    proposed_ok: Counter[str] = Counter()

    async def propose_all(user: str, m: Mediation, channel: str, ts: str, lane: int) -> None:
        seen: set[str] = set()
        for k in range(per_person):
            delivery = run.delivery(lane + k)
            click = await delivery.click(user, action_id="cg_item_propose", message=(channel, ts))
            if not out.count(click.status):
                continue
            view_id = await run.wait_for_view(user, "cg_propose", seen)
            if view_id is None:
                out.note("a propose modal never opened (the person was told to try again)")
                continue
            seen.add(view_id)
            result = await delivery.submit(
                user, view_id, {"who": {"value": "Both of us"}, "what": {"value": f"Step {k} by {user}"}}
            )
            if out.count(result.status) and closed(result):
                proposed_ok[m.id] += 1

    await asyncio.gather(
        *(
            propose_all(user, m, channel, ts, lane)
            for lane, (m, channel, ts) in enumerate(seeded)
            for user in m.user_ids
        )
    )
    await asyncio.sleep(1)
    accepted_ok: Counter[str] = Counter()

    async def accept_all(user: str, m: Mediation, channel: str, lane: int) -> None:
        for k, message in enumerate(run.standin.messages(channel)):
            text = json.dumps(message.blocks)
            if "cg_item_accept" not in text or f"Proposed by <@{user}>" in text:
                continue
            value = next(
                (
                    e["value"]
                    for b in message.blocks
                    if b.get("type") == "actions"
                    for e in b["elements"]
                    if e.get("action_id") == "cg_item_accept"
                ),
                None,
            )
            if value is None:
                continue
            told = len(run.standin.ephemerals(user, channel))
            result = await run.delivery(lane + k).click(
                user, action_id="cg_item_accept", message=(channel, message.ts)
            )
            if not out.count(result.status):
                continue
            # Acknowledged only when the person saw it take effect: their Accept became "agreed by
            # both" in place. An ephemeral instead means they were told why not (busy, storage down).
            seen = await _outcome_of_accept(run, user, channel, message.ts, told)
            if seen == "accepted":
                accepted_ok[f"{m.id}:{value}"] += 1
            elif seen == "silent":
                out.note("an accept neither took effect nor said why within 15 s")

    await asyncio.gather(
        *(
            accept_all(user, m, channel, lane)
            for lane, (m, channel, _ts) in enumerate(seeded)
            for user in m.user_ids
        )
    )
    await asyncio.sleep(1)
    for m, _channel, _ts in seeded:
        stored = await run.store.get(run.team, m.id)
        assert stored is not None
        out.lost_updates += max(0, proposed_ok[m.id] - len(stored.agreement))
        accepted = {f"{m.id}:{m.id}:{i.id}" for i in stored.agreement if i.accepted}
        clicked = {key for key in accepted_ok if key.startswith(m.id)}
        out.lost_updates += len(clicked - accepted)
    out.notes.append(f"{sum(proposed_ok.values())} proposals and {len(accepted_ok)} acceptances answered")
    return out


async def _outcome_of_accept(run: Run, user: str, channel: str, ts: str, told: int) -> str:
    """What the person saw after clicking Accept: "accepted" (the message shows it), "told" (an
    ephemeral said why not), or "silent" (neither within 15 s)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        message = next((m for m in run.standin.messages(channel) if m.ts == ts), None)
        if message is not None and "cg_item_accept" not in json.dumps(message.blocks):
            return "accepted"
        if len(run.standin.ephemerals(user, channel)) > told:
            return "told"
        await asyncio.sleep(0.05)
    return "silent"


# --- 2. many writers on one document -----------------------------------------------------------------


async def many_writers(run: Run) -> Outcome:
    out = Outcome("14 writers at once on one mediation")
    count = run.n(20)
    writers = 14
    people = await run.people(count * 2, "w")
    clicks: list[tuple[str, str, str, int]] = []
    expected: dict[str, int] = {}
    for i in range(count):
        a, b = people[2 * i], people[2 * i + 1]
        m, channel, _ts = await run.joint_mediation(a, b)
        now = datetime.now(UTC)
        for k in range(writers):
            m = engine.apply(m, c.ProposeItem(actor=a, who="Both", what=f"Item {k}"), PEER, now).mediation
        m = await run.store.save(m)
        for item in m.agreement:
            msg = item_message(m, item.id)
            posted = run.standin.call(
                "chat.postMessage", {"channel": channel, "text": msg.text, "blocks": msg.blocks}
            )
            clicks.append((b, channel, str(posted["ts"]), i))
        expected[m.id] = writers
    answered: Counter[str] = Counter()

    async def one(k: int, user: str, channel: str, ts: str) -> None:
        result = await run.delivery(k).click(user, action_id="cg_item_accept", message=(channel, ts))
        if out.count(result.status):
            answered[channel] += 1

    await asyncio.gather(*(one(k, user, channel, ts) for k, (user, channel, ts, _i) in enumerate(clicks)))
    await asyncio.sleep(1)
    for mediation_id, wanted in expected.items():
        stored = await run.store.get(run.team, mediation_id)
        assert stored is not None
        out.lost_updates += wanted - sum(1 for i in stored.agreement if i.accepted)
    return out


# --- 3. signed junk ----------------------------------------------------------------------------------


JUNK_VALUES: list[Any] = [
    None,
    "",
    "x",
    0,
    -1,
    10**20,
    1.5,
    True,
    [],
    {},
    [1, "a"],
    {"a": {"b": None}},
    "💥" * 50,
]


def junk(rng: random.Random, team_id: str, user: str) -> tuple[str, str]:
    """One malformed but signable body: (content type, body)."""
    kind = rng.choice(["command", "block_actions", "view_submission", "shortcut", "event", "view_closed"])
    v = lambda: rng.choice([*JUNK_VALUES, user, team_id, "cg_item_accept", "m0", "m0:i1"])  # noqa: E731
    if kind == "command":
        fields = {
            "command": rng.choice(["/mediate", v()]),
            "text": str(v()),
            "user_id": str(v()),
            "team_id": team_id,
        }
        if rng.random() < 0.5:
            fields["trigger_id"] = str(v())
        return "application/x-www-form-urlencoded", urlencode({k: str(x) for k, x in fields.items()})
    if kind == "event":
        body: JSON = {
            "type": "event_callback",
            "team_id": rng.choice([team_id, v()]),
            "event_id": f"Ev{rng.random()}",
            "event": {
                "type": rng.choice(["message", "app_home_opened", "member_joined_channel", v()]),
                "user": v(),
                "channel": v(),
                "text": v(),
                "ts": v(),
                "channel_type": v(),
            },
        }
        return "application/json", json.dumps(body)
    action_ids = [
        "cg_item_accept",
        "cg_invite_accept",
        "cg_intake_open",
        "cg_fac_end",
        "cg_delete_my_data",
        v(),
    ]
    payload: JSON = {
        "type": kind,
        "team": rng.choice([{"id": team_id}, v()]),
        "user": rng.choice([{"id": user}, v(), {"id": v()}]),
        "api_app_id": "A0",
        "trigger_id": v(),
        "actions": rng.choice([[{"action_id": rng.choice(action_ids), "value": v(), "block_id": v()}], v()]),
        "view": rng.choice(
            [
                {
                    "id": v(),
                    "callback_id": rng.choice(["cg_propose", "cg_intake", "cg_start", v()]),
                    "private_metadata": v(),
                    "state": {"values": rng.choice([v(), {"what": {"value": v()}}])},
                },
                v(),
            ]
        ),
        "callback_id": rng.choice(["cg_start", "cg_host", v()]),
        "message": rng.choice([{"ts": v(), "text": v()}, v()]),
        "channel": rng.choice([{"id": v()}, v()]),
        "container": v(),
        "response_url": v(),
    }
    for key in rng.sample(list(payload), rng.randint(0, 4)):
        payload.pop(key, None)
    return "application/x-www-form-urlencoded", urlencode({"payload": json.dumps(payload)})


async def signed_junk(run: Run) -> Outcome:
    out = Outcome("signed, malformed payloads")
    total = run.n(10_000)
    user = (await run.people(1, "j"))[0]
    before = run.tracebacks()
    statuses: Counter[int] = Counter()
    semaphore = asyncio.Semaphore(32)

    async def one(i: int) -> None:
        content_type, body = junk(run.rng, run.standin.team_id, user)
        delivery = run.delivery(i)
        async with semaphore:
            result = await delivery._send("junk", body, content_type)  # signed exactly as Slack signs
        statuses[result.status] += 1
        delivery.log.clear()

    await asyncio.gather(*(one(i) for i in range(total)))
    out.requests = total
    out.server_errors = sum(n for s, n in statuses.items() if s >= 500)
    out.slow = statuses[0]
    out.tracebacks = run.tracebacks() - before
    out.notes.append("answers: " + ", ".join(f"{s}×{n}" for s, n in sorted(statuses.items())))
    return out


# --- 4. Slack's bad moments --------------------------------------------------------------------------


async def slack_faults(run: Run) -> Outcome:
    out = Outcome("Web API answering 429 / 500 for 3 s")
    per_kind = run.n(20)
    for kind in ("429", "500"):
        people = await run.people(per_kind * 2, f"f{kind}-")
        pairs = [(people[2 * i], people[2 * i + 1]) for i in range(per_kind)]
        # The start modals open while Slack is well; Slack's bad moment comes as they are submitted,
        # so the state moves on while the invitations cannot be sent.
        views = await asyncio.gather(*(_open_start(run, out, i, a, b) for i, (a, b) in enumerate(pairs)))
        run.standin.open_fault(kind, 3.0)
        submitted = await asyncio.gather(
            *(
                _submit_start(run, out, i, a, view)
                for i, ((a, _b), view) in enumerate(zip(pairs, views, strict=True))
            )
        )
        started = [pair for pair, ok in zip(pairs, submitted, strict=True) if ok]

        async def delivered(started: list[tuple[str, str]] = started) -> bool:
            return all(_invitations(run, b) >= 1 for _a, b in started)

        await run.settle(delivered, seconds=90)
        for a, b in started:
            got = _invitations(run, b)
            out.lost_effects += got == 0
            out.duplicated_effects += max(0, got - 1)
            found = await run.store.for_user(run.team, a)
            out.lost_updates += not found
        out.notes.append(f"{kind}: {len(started)} started, {run.standin.faulted[kind]} calls refused")
    return out


async def _open_start(run: Run, out: Outcome, i: int, a: str, b: str) -> str | None:
    result = await run.delivery(i).command(a, f"<@{b}> the plan")
    if not out.count(result.status):
        return None
    return await run.wait_for_view(a, "cg_start", set(), seconds=20)


async def _submit_start(run: Run, out: Outcome, i: int, a: str, view_id: str | None) -> bool:
    if view_id is None:
        out.note("a start modal never opened")
        return False
    submitted = await run.delivery(i).submit(a, view_id, {})
    if not out.count(submitted.status):
        return False
    return closed(submitted)


def _invitations(run: Run, user: str) -> int:
    try:
        channel = run.standin.im_with(user)
    except KeyError:
        return 0
    return sum(
        1
        for m in run.standin.messages(channel)
        if "cg_invite_accept" in json.dumps(m.blocks)
        or "invited you" in m.text
        or "would like to talk" in m.text
    )


# --- 5. Redis restarts -------------------------------------------------------------------------------


async def redis_restart(run: Run) -> Outcome:
    out = Outcome("Redis restarted for 2 s mid-flow")
    pairs = run.n(20)
    people = await run.people(pairs * 2, "r")
    seeded = [await run.joint_mediation(people[2 * i], people[2 * i + 1]) for i in range(pairs)]
    health: Counter[int] = Counter()
    acknowledged: Counter[str] = Counter()
    stop = asyncio.Event()

    async def act(lane: int, m: Mediation, channel: str, ts: str) -> None:
        user = m.user_ids[0]
        seen: set[str] = set()
        k = 0
        while not stop.is_set() and acknowledged[m.id] < engine.ITEMS_MAX - 1:
            k += 1
            delivery = run.delivery(lane + k)
            click = await delivery.click(user, action_id="cg_item_propose", message=(channel, ts))
            if not out.count(click.status):
                continue
            view_id = await run.wait_for_view(user, "cg_propose", seen, seconds=3)
            if view_id is None:
                continue  # storage was down: the person was told, nothing opened
            seen.add(view_id)
            result = await delivery.submit(
                user, view_id, {"who": {"value": "Us"}, "what": {"value": f"R{k}"}}
            )
            if out.count(result.status) and closed(result):
                acknowledged[m.id] += 1

    async def probe() -> None:
        while not stop.is_set():
            with contextlib.suppress(aiohttp.ClientError):
                async with run.session.get(f"{run.processes[0].url}/healthz") as response:
                    health[response.status] += 1
            await asyncio.sleep(0.2)

    tasks = [asyncio.create_task(act(i, *s)) for i, s in enumerate(seeded)] + [asyncio.create_task(probe())]
    await asyncio.sleep(2)
    run.redis_server.stop()
    await asyncio.sleep(2)
    run.redis_server.start()
    await asyncio.sleep(3)
    stop.set()
    await asyncio.gather(*tasks)
    await run.redis.connection_pool.disconnect()
    await asyncio.sleep(1)
    for m, _channel, _ts in seeded:
        stored = await run.store.get(run.team, m.id)
        assert stored is not None
        out.lost_updates += max(0, acknowledged[m.id] - len(stored.agreement))
    out.notes.append(f"/healthz answers: {dict(health)}")
    return out


SCENARIOS: dict[str, Callable[[Run], Awaitable[Outcome]]] = {
    "both": both_at_once,
    "writers": many_writers,
    "junk": signed_junk,
    "faults": slack_faults,
    "restart": redis_restart,
}


async def main_async(scale: float, only: list[str]) -> list[Outcome]:
    folder = Path(tempfile.mkdtemp(prefix="cg-chaos-"))
    results: list[Outcome] = []
    try:
        async with Run(scale, folder) as run:
            for name, scenario in SCENARIOS.items():
                if only and name not in only:
                    continue
                started = time.monotonic()
                before = run.tracebacks()
                outcome = await scenario(run)
                outcome.tracebacks = max(outcome.tracebacks, run.tracebacks() - before)
                outcome.notes.append(f"{time.monotonic() - started:.0f} s")
                results.append(outcome)
                print(_row(outcome), flush=True)
    finally:
        if os.environ.get("CHAOS_KEEP"):
            print(f"logs kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return results


HEADER = (
    "| test | requests | lost updates | lost effects | duplicated effects | 5xx | over 3 s | tracebacks "
    "| notes |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---|"
)


def _remarks(o: Outcome) -> list[str]:
    return [f"{text} ×{n}" if n > 1 else text for text, n in o.remarks.items()]


def _row(o: Outcome) -> str:
    return (
        f"| {o.test} | {o.requests:,} | {o.lost_updates} | {o.lost_effects} | {o.duplicated_effects} | "
        f"{o.server_errors} | {o.slow} | {o.tracebacks} | {'; '.join(o.notes + _remarks(o))} |"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="shrink or grow every scenario")
    ap.add_argument("--only", nargs="*", default=[], choices=list(SCENARIOS), help="run only these")
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = ap.parse_args(argv)
    print(HEADER, flush=True)
    results = asyncio.run(main_async(args.scale, args.only))
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    return 0 if all(r.clean for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
