"""Slack date tokens (`<!date^UNIX^{token}…^link|fallback>`, rich_text `date` elements) drawn in the
reader's time zone, escaped like everything else the renderer draws; `users.info` time zone fields."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest

from bot.sandbox.models import ManualClock
from bot.sandbox.render import render_message
from bot.sandbox.render_text import format_date, mrkdwn
from bot.sandbox.server import PERSONAS
from bot.sandbox.webapi import SlackStandIn
from tests.sandbox.test_sandbox_server import Client
from tests.support.sandbox import started

SLACK_EXAMPLE = 1392734382  # Slack's docs: 2014-02-18 6:39:42 AM PST (14:39:42 UTC), a Tuesday
WINTER_NOON = 1705320000  # 2024-01-15 12:00:00 UTC, a Monday
SUMMER_NOON = 1719835200  # 2024-07-01 12:00:00 UTC
LONDON_SPRING_FORWARD = 1711846800  # 2024-03-31 01:00:00 UTC: London's clocks go from 1:00 GMT to 2:00 BST


def names(user_id: str) -> str:
    return {"U1": "Ann"}.get(user_id, user_id)


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{date_num}", "2014-02-18"),
        ("{date}", "February 18th, 2014"),
        ("{date_short}", "Feb 18, 2014"),
        ("{date_long}", "Tuesday, February 18th, 2014"),
        ("{date_pretty}", "February 18th, 2014"),
        ("{date_short_pretty}", "Feb 18, 2014"),
        ("{date_long_pretty}", "Tuesday, February 18th, 2014"),
        ("{time}", "6:39 AM"),
        ("{time_secs}", "6:39:42 AM"),
        ("Posted {date_num} {time_secs}", "Posted 2014-02-18 6:39:42 AM"),
        ("{unknown} stays", "{unknown} stays"),
    ],
)
def test_every_token_kind_as_slack_documents_it(template: str, expected: str) -> None:
    assert format_date(SLACK_EXAMPLE, template, "America/Los_Angeles", now=WINTER_NOON) == expected


@pytest.mark.parametrize(
    ("day", "ordinal"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
     (21, "21st"), (22, "22nd"), (23, "23rd"), (31, "31st")],
)  # fmt: skip
def test_ordinals(day: int, ordinal: str) -> None:
    stamp = WINTER_NOON + (day - 15) * 86400  # January 2024
    assert format_date(stamp, "{date}", "UTC", now=0) == f"January {ordinal}, 2024"


def test_times_around_midnight_and_noon() -> None:
    assert format_date(WINTER_NOON, "{time}", "UTC") == "12:00 PM"
    assert format_date(WINTER_NOON - 12 * 3600, "{time_secs}", "UTC") == "12:00:00 AM"


@pytest.mark.parametrize(
    ("zone", "winter", "summer"),
    [
        ("Europe/London", "12:00 PM", "1:00 PM"),
        ("America/New_York", "7:00 AM", "8:00 AM"),
        ("Europe/Berlin", "1:00 PM", "2:00 PM"),
        ("UTC", "12:00 PM", "12:00 PM"),
    ],
)
def test_daylight_saving_time(zone: str, winter: str, summer: str) -> None:
    assert format_date(WINTER_NOON, "{time}", zone) == winter
    assert format_date(SUMMER_NOON, "{time}", zone) == summer


def test_the_hour_london_skips() -> None:
    before, after = LONDON_SPRING_FORWARD - 60, LONDON_SPRING_FORWARD
    assert format_date(before, "{time}", "Europe/London") == "12:59 AM"
    assert format_date(after, "{time}", "Europe/London") == "2:00 AM"


def test_pretty_dates_are_judged_in_the_readers_zone() -> None:
    early = WINTER_NOON - 9 * 3600  # 03:00 UTC: Monday in London and Berlin, still Sunday in New York
    template = "{date_pretty} at {time}"
    assert format_date(early, template, "Europe/London", now=WINTER_NOON) == "Today at 3:00 AM"
    assert format_date(early, template, "Europe/Berlin", now=WINTER_NOON) == "Today at 4:00 AM"
    assert format_date(early, template, "America/New_York", now=WINTER_NOON) == "Yesterday at 10:00 PM"
    tomorrow = WINTER_NOON + 22 * 3600
    assert format_date(tomorrow, "Due {date_short_pretty}", "UTC", now=WINTER_NOON) == "Due tomorrow"
    assert format_date(tomorrow, "{date_long_pretty}", "UTC", now=WINTER_NOON) == "Tomorrow"
    far = WINTER_NOON + 5 * 86400
    assert format_date(far, "{date_long_pretty}", "UTC", now=WINTER_NOON) == "Saturday, January 20th, 2024"


def test_a_token_in_mrkdwn_is_drawn_for_the_reader() -> None:
    token = f"Meet <!date^{WINTER_NOON}^{{date_short_pretty}} at {{time}}|15 Jan, noon UTC>."
    for zone, shown in (("Europe/London", "12:00 PM"), ("America/New_York", "7:00 AM"), (None, "12:00 PM")):
        html = mrkdwn(token, users=names, tz=zone, now=WINTER_NOON)
        assert text_of(html) == f"Meet Today at {shown}."
        assert '<time class="bk-date" datetime="2024-01-15T' in html
    # in a message, the author line's time follows the reader's zone too
    message = {"ts": f"{WINTER_NOON}.000100", "user": "U1", "text": token}
    html = render_message(message, users=names, tz="America/New_York", now=WINTER_NOON)
    assert ">07:00</time>" in html and "Today at 7:00 AM" in text_of(html)


def test_a_link_wraps_the_date_and_only_safe_links_are_kept() -> None:
    html = mrkdwn(
        f"<!date^{WINTER_NOON}^{{date_num}}^https://example.com/x?a=1&amp;b=2|fallback>", users=names
    )
    assert '<a class="bk-link" href="https://example.com/x?a=1&amp;b=2"' in html
    assert text_of(html) == "2024-01-15"
    unsafe = mrkdwn(f"<!date^{WINTER_NOON}^{{date_num}}^javascript:alert(1)|fallback>", users=names)
    assert "<a" not in unsafe and "javascript" not in unsafe and text_of(unsafe) == "2024-01-15"


@pytest.mark.parametrize(
    "token",
    [
        "<!date^soon^{date}|the fallback>",  # not a timestamp
        "<!date^1392734382.5^{date}|the fallback>",  # not a whole number
        "<!date^^{date}|the fallback>",
        "<!date^1392734382|the fallback>",  # no template
        "<!date^1392734382^|the fallback>",
        "<!date^99999999999999^{date}|the fallback>",  # beyond any calendar
    ],
)
def test_a_malformed_token_shows_its_fallback(token: str) -> None:
    html = mrkdwn(token, users=names)
    assert text_of(html) == "the fallback" and "bk-date" not in html


def test_a_malformed_token_without_fallback_shows_nothing_unsafe() -> None:
    assert mrkdwn("a <!date^x^{date}> b", users=names) == "a  b"


def test_date_output_is_escaped() -> None:
    hostile = (
        f'<!date^{WINTER_NOON}^{{date}} &lt;img src=x onerror=alert(1)&gt; "quoted" &amp;'
        f'^https://example.com/"onmouseover="alert(1)|&lt;script&gt;alert(1)&lt;/script&gt;>'
    )
    html = mrkdwn(hostile, users=names)
    assert "<img" not in html and "<script" not in html and 'onmouseover="' not in html
    assert "&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp;" in html
    assert 'href="https://example.com/&quot;onmouseover=&quot;alert(1)"' in html
    fallback = mrkdwn("<!date^x^{date}|&lt;script&gt;alert(1)&lt;/script&gt;>", users=names)
    assert fallback == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_a_token_inside_code_is_plain_text() -> None:
    html = mrkdwn(f"`<!date^{WINTER_NOON}^{{date_num}}|x>`", users=names, tz="America/New_York")
    assert html == '<code class="bk-code">2024-01-15</code>'


def test_a_rich_text_date_element() -> None:
    block = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {
                        "type": "date",
                        "timestamp": SUMMER_NOON,
                        "format": "{date_short} {time}",
                        "style": {"bold": True},
                    },
                    {"type": "date", "timestamp": "nope", "format": "{date}", "fallback": "<b>later</b>"},
                ],
            }
        ],
    }
    html = render_message({"ts": "1.0", "user": "U1", "blocks": [block]}, users=names, tz="Europe/Berlin")
    assert "<strong><time" in html and "Jul 1, 2024 2:00 PM" in html
    assert "&lt;b&gt;later&lt;/b&gt;" in html and "<b>" not in html


# --- users.info -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "when", "label", "offset"),
    [
        ("Europe/London", WINTER_NOON, "Greenwich Mean Time", 0),
        ("Europe/London", SUMMER_NOON, "British Summer Time", 3600),
        ("America/New_York", WINTER_NOON, "Eastern Standard Time", -18000),
        ("America/New_York", SUMMER_NOON, "Eastern Daylight Time", -14400),
        ("Europe/Berlin", SUMMER_NOON, "Central European Summer Time", 7200),
        ("UTC", SUMMER_NOON, "Coordinated Universal Time", 0),
        ("Asia/Kolkata", SUMMER_NOON, "India Standard Time", 19800),
        ("Asia/Shanghai", SUMMER_NOON, "Asia/Shanghai", 28800),
    ],
)
def test_users_info_gives_the_time_zone_as_slack_does(zone: str, when: int, label: str, offset: int) -> None:
    standin = SlackStandIn(clock=ManualClock(when))
    user_id = standin.add_user("ann", tz=zone)
    user = standin.call("users.info", {"user": user_id})["user"]
    assert (user["tz"], user["tz_label"], user["tz_offset"]) == (zone, label, offset)


def test_the_personas_have_their_time_zones() -> None:
    assert {p[0]: p[3] for p in PERSONAS} == {
        "ann": "Europe/London",
        "bob": "America/New_York",
        "maya": "Europe/Berlin",
        "ada": "UTC",
    }


async def test_each_persona_reads_a_date_in_their_own_zone(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    sandbox = await started(tmp_path / "sb")
    try:
        client = Client(sandbox, session)
        channel = next(c.id for c in sandbox.standin.conversations.values() if c.name == "team-leads")
        text = f"Review <!date^{SUMMER_NOON}^{{date_long}} at {{time}}|1 July, noon UTC>"
        assert sandbox.standin.call("chat.postMessage", {"channel": channel, "text": text})["ok"]
        shown = {}
        for who in ("ann", "bob", "maya"):
            shown[who] = text_of((await client.state(who, channel))["pane"])
        assert "Review Monday, July 1st, 2024 at 1:00 PM" in shown["ann"]
        assert "Review Monday, July 1st, 2024 at 8:00 AM" in shown["bob"]
        assert "Review Monday, July 1st, 2024 at 2:00 PM" in shown["maya"]
        status, body = await client.post("people", None, name="Sam")
        assert status == 200 and body["ok"] and sandbox.standin.user(body["id"]).tz == "UTC"
    finally:
        await sandbox.stop()
