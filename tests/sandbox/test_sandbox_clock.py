"""The sandbox clock: one clock for the stand-in, the app and the worker running in the sandbox
process; `POST /sandbox/clock` (validation, advance, to the next timer) and `GET` of the state; a
mediation's timers seen firing (Bob's reminder, then the expiry); the clock kept across a restart."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.sandbox.clock import CLOCK_FILE, SandboxClock
from bot.sandbox.page import MAX_ADVANCE_SECONDS, clock_request
from bot.sandbox.persistence import PersistenceError
from bot.sandbox.server import Sandbox, reset
from bot.sandbox.timekeeper import span_text, timer_name
from bot.store import team_key
from flows.models import Outcome, Stage
from tests.support.redis_server import free_port

DAY = 24 * 3600


def base(sandbox: Sandbox) -> str:
    return f"http://127.0.0.1:{sandbox.port}"


async def move(session: aiohttp.ClientSession, sandbox: Sandbox, body: Any) -> tuple[int, dict[str, Any]]:
    raw = body if isinstance(body, str) else json.dumps(body)
    async with session.post(base(sandbox) + "/sandbox/clock", data=raw) as r:
        return r.status, await r.json()


async def start_mediation(session: aiohttp.ClientSession, sandbox: Sandbox, topic: str) -> str:
    """Ann starts a mediation with Bob from the page; returns its id."""
    ann = sandbox.standin.user_id("ann")
    async with session.post(
        base(sandbox) + "/sandbox/command", json={"as": ann, "text": f"/mediate @bob {topic}"}
    ) as r:
        assert r.status == 200
    view = sandbox.standin.open_views(ann)[-1]
    async with session.post(base(sandbox) + "/sandbox/submit", json={"as": ann, "view_id": view.id}) as r:
        assert (await r.json())["ok"]
    await sandbox.standin.wait_until(lambda: bool(dm_texts(sandbox, "bob")), within=5)
    for _ in range(500):  # the timers are scheduled after the invitation is sent
        if await sandbox.time.next_timer() is not None:
            break
        await asyncio.sleep(0.01)
    found = await sandbox.time.service.store.open_between(team(sandbox), ann, sandbox.standin.user_id("bob"))
    assert found is not None
    return found


async def to_monday_afternoon(session: aiohttp.ClientSession, sandbox: Sandbox) -> datetime:
    """Move the clock to next Monday, 14:00 UTC (9 or 10 am in New York): a day later is a working
    morning for Bob, so his reminder is not held for his working hours."""
    now = datetime.fromtimestamp(sandbox.clock(), UTC)
    monday = (now + timedelta(days=7 - now.weekday())).replace(hour=14, minute=0, second=0, microsecond=0)
    status, _ = await move(session, sandbox, {"advance_seconds": int((monday - now).total_seconds())})
    assert status == 200
    return monday


def team(sandbox: Sandbox) -> str:
    return team_key(None, sandbox.standin.team_id)


def dm_texts(sandbox: Sandbox, who: str) -> list[str]:
    standin = sandbox.standin
    return [m.text for m in standin.messages(standin.im_with(standin.user_id(who)))]


# --- the clock itself --------------------------------------------------------------------------


def test_the_clock_is_real_time_plus_an_offset_kept_in_its_file(tmp_path: Path) -> None:
    path = tmp_path / CLOCK_FILE
    clock = SandboxClock.load(path, real=lambda: 1_000.0)
    assert clock() == 1_000.0 and not path.exists()
    clock.advance(3600)
    assert clock() == 4_600.0 and clock.now() == datetime.fromtimestamp(4_600, UTC)
    with pytest.raises(ValueError):
        clock.advance(0)
    again = SandboxClock.load(path, real=lambda: 2_000.0)
    assert again.offset == 3600 and again() == 5_600.0


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"[]",
        b'{"format": "other"}',
        b'{"format": "commonground-sandbox-clock"}',
        b'{"format": "commonground-sandbox-clock", "offset_seconds": -5}',
    ],
)
def test_a_damaged_clock_file_names_itself_and_reset(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / CLOCK_FILE
    path.write_bytes(content)
    with pytest.raises(PersistenceError) as raised:
        SandboxClock.load(path)
    assert str(path) in str(raised.value) and "--reset" in str(raised.value)


@pytest.mark.parametrize(
    ("body", "asked"),
    [
        ({"advance_seconds": 3600}, 3600),
        ({"advance_seconds": 1, "as": "U1"}, 1),
        ({"advance_seconds": MAX_ADVANCE_SECONDS}, MAX_ADVANCE_SECONDS),
        ({"to_next_timer": True}, None),
    ],
)
def test_what_a_clock_request_asks(body: object, asked: int | None) -> None:
    assert clock_request(body) == asked


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (None, "Send"),
        ([3600], "Send"),
        ({}, "Send"),
        ({"advance_seconds": 60, "to_next_timer": True}, "Send"),
        ({"to_next_timer": False}, "Send"),
        ({"to_next_timer": "yes"}, "Send"),
        ({"advance_seconds": 0}, "above 0"),
        ({"advance_seconds": -3600}, "above 0"),
        ({"advance_seconds": 1.5}, "whole number"),
        ({"advance_seconds": "3600"}, "whole number"),
        ({"advance_seconds": True}, "whole number"),
        ({"advance_seconds": None}, "whole number"),
        ({"advance_seconds": MAX_ADVANCE_SECONDS + 1}, "at most"),
    ],
)
def test_a_clock_request_that_asks_nothing_sensible_is_refused_kindly(body: object, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        clock_request(body)


def test_page_words_for_times_and_kinds() -> None:
    assert span_text(90 * 60) == "1 hour 30 minutes"
    assert span_text(DAY + 2 * 3600 + 59) == "1 day 2 hours"
    assert span_text(7 * DAY) == "7 days" and span_text(20) == "less than a minute"
    assert timer_name("expire") == "expiry" and timer_name("a_new_kind") == "a new kind"


# --- the endpoint, on the running sandbox ------------------------------------------------------


async def test_the_endpoint_refuses_bad_requests_and_leaves_the_clock(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    for body in ("not json", {"advance_seconds": -1}, {"advance_seconds": MAX_ADVANCE_SECONDS + 1}, {}):
        status, answer = await move(session, sandbox, body)
        assert status == 400 and answer["ok"] is False and answer["error"]
    assert sandbox.clock.offset == 0
    status, answer = await move(session, sandbox, {"to_next_timer": True})  # nothing scheduled yet
    assert status == 200 and answer["fired"] == [] and answer["advanced_seconds"] == 0
    assert "No timer is waiting" in answer["message"] and sandbox.clock.offset == 0


async def test_the_state_shows_the_sandbox_time_and_each_persons_own(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    status, answer = await move(session, sandbox, {"advance_seconds": 3 * DAY})
    assert status == 200 and answer["fired"] == [] and answer["advanced_seconds"] == 3 * DAY
    assert answer["message"].startswith("The sandbox is now") and "No timer fell due" in answer["message"]
    ann = sandbox.standin.user_id("ann")
    async with session.get(base(sandbox) + "/sandbox/state", params={"as": ann}) as r:
        clock = (await r.json())["clock"]
    now = datetime.fromisoformat(clock["now"])
    assert abs(now - (datetime.now(UTC) + timedelta(days=3))) < timedelta(seconds=30)
    assert clock["ahead_seconds"] == 3 * DAY and clock["ahead"] == "3 days ahead of real time"
    zones = {p["name"]: p["tz"] for p in clock["people"]}
    assert zones["Ann Okafor"] == "Europe/London" and zones["Bob Lindqvist"] == "America/New_York"
    bob = next(p for p in clock["people"] if p["tz"] == "America/New_York")
    assert bob["local"].endswith(("EST", "EDT"))  # New York's own hour, daylight saving included
    assert clock["next_timer"] is None
    async with session.get(base(sandbox) + "/sandbox/clock") as r:
        assert (await r.json())["ahead_seconds"] == 3 * DAY
    # The stand-in runs on the same clock: users.info gives offsets, and messages ts, at sandbox time.
    assert abs(sandbox.standin.clock() - (datetime.now(UTC).timestamp() + 3 * DAY)) < 30


async def test_bobs_reminder_after_a_day_then_the_expiry_closes_it(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    monday = await to_monday_afternoon(session, sandbox)
    mid = await start_mediation(session, sandbox, "the release rota")
    started = await sandbox.time.service.store.get(team(sandbox), mid)
    assert started is not None and abs(started.created_at - monday) < timedelta(seconds=30)  # the app's clock
    bob_before = len(dm_texts(sandbox, "bob"))

    status, answer = await move(session, sandbox, {"advance_seconds": 3600})
    assert status == 200 and answer["fired"] == []
    assert answer["clock"]["next_timer"]["kind"] == "reminder"

    status, answer = await move(session, sandbox, {"advance_seconds": DAY})
    assert status == 200 and answer["fired"] == ["reminder"] and "Fired: reminder." in answer["message"]
    assert len(dm_texts(sandbox, "bob")) == bob_before + 1
    assert "gentle reminder" in dm_texts(sandbox, "bob")[-1]

    # To the next timer, until the invitation expires (other timers may come first; each is named).
    fired: list[str] = []
    for _ in range(5):
        status, answer = await move(session, sandbox, {"to_next_timer": True})
        assert status == 200 and answer["advanced_seconds"] > 0
        fired += answer["fired"]
        if "expire" in answer["fired"]:
            break
    assert "expire" in fired
    closed = await sandbox.time.service.store.get(team(sandbox), mid)
    assert closed is not None and closed.stage is Stage.CLOSED and closed.outcome is Outcome.EXPIRED
    assert closed.stage_since() - monday > timedelta(days=7) - timedelta(seconds=30)  # at sandbox time
    assert "expired" in dm_texts(sandbox, "ann")[-1]
    # the retention purge of its private text waits, months away; "to the next timer" reaches it too
    moved = 0
    for _ in range(5):
        status, answer = await move(session, sandbox, {"to_next_timer": True})
        assert status == 200
        moved += answer["advanced_seconds"]
        if "purge" in answer["fired"]:
            break
    assert "purge" in answer["fired"] and moved > 100 * DAY
    purged = await sandbox.time.service.store.get(team(sandbox), mid)
    assert purged is None or purged.purged_at is not None
    status, answer = await move(session, sandbox, {"to_next_timer": True})
    assert answer["fired"] == [] and "No timer is waiting" in answer["message"]
    sandbox.standin.assert_no_rejections()


async def test_bobs_reminder_in_his_night_waits_for_his_morning_in_new_york(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    # Ann starts on a Tuesday at 03:00 UTC: a day later it is 10 or 11 pm in New York, Bob's quiet hours.
    now = datetime.fromtimestamp(sandbox.clock(), UTC)
    tuesday = (now + timedelta(days=8 - now.weekday())).replace(hour=3, minute=0, second=0, microsecond=0)
    status, _ = await move(session, sandbox, {"advance_seconds": int((tuesday - now).total_seconds())})
    assert status == 200
    await start_mediation(session, sandbox, "the release rota")
    seen = len(dm_texts(sandbox, "bob"))

    status, answer = await move(session, sandbox, {"advance_seconds": DAY})
    assert status == 200 and answer["fired"] == ["reminder"]
    assert len(dm_texts(sandbox, "bob")) == seen  # not sent in his night
    new_york = ZoneInfo("America/New_York")
    due = (tuesday + timedelta(days=1)).astimezone(new_york)  # Tuesday evening there
    assert due.hour >= 20
    morning = (due + timedelta(days=1)).replace(hour=8, minute=0)  # Wednesday, 08:00 in New York
    waiting = answer["clock"]["next_timer"]
    assert waiting["kind"] == "reminder" and datetime.fromisoformat(waiting["at"]) == morning

    status, answer = await move(session, sandbox, {"to_next_timer": True})
    assert status == 200 and answer["fired"] == ["reminder"]
    assert datetime.fromisoformat(answer["now"]).astimezone(new_york).hour == 8
    assert "gentle reminder" in dm_texts(sandbox, "bob")[-1]
    sandbox.standin.assert_no_rejections()


async def test_a_timer_fires_as_the_sandbox_clock_passes_it(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """The worker runs in the background too: a timer a moment ahead fires without another move."""
    await to_monday_afternoon(session, sandbox)
    await start_mediation(session, sandbox, "the on-call rota")
    waiting = await sandbox.time.next_timer()
    assert waiting is not None
    status, answer = await move(
        session, sandbox, {"advance_seconds": int(waiting.at.timestamp() - sandbox.clock()) - 1}
    )
    assert status == 200 and answer["fired"] == []
    await sandbox.standin.wait_until(
        lambda: "gentle reminder" in dm_texts(sandbox, "bob")[-1], within=sandbox.time.options.idle + 4
    )


async def test_the_clock_survives_a_restart_and_reset_starts_it_again(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    folder = tmp_path / "sb"
    first = Sandbox(folder, free_port())
    await first.start()
    try:
        status, _ = await move(session, first, {"advance_seconds": 2 * DAY})
        assert status == 200
    finally:
        await first.stop()
    again = Sandbox(folder, free_port())
    await again.start()
    try:
        assert again.clock.offset == 2 * DAY
        ann = again.standin.user_id("ann")
        async with session.get(base(again) + "/sandbox/state", params={"as": ann}) as r:
            assert (await r.json())["clock"]["ahead"] == "2 days ahead of real time"
    finally:
        await again.stop()
    reset(folder)
    fresh = Sandbox(folder, free_port())
    await fresh.start()
    try:
        assert fresh.clock.offset == 0
    finally:
        await fresh.stop()
