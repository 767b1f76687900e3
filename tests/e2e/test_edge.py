"""The request edge (issue 10): each case the issue names, over signed HTTP to the real app."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import parse_qs, urlencode

import aiohttp
import pytest

from bot import texts as t
from bot.middleware import delivery_key
from bot.sandbox import payloads
from bot.sandbox.delivery import FORM
from bot.views import admin as admin_views
from bot.views import modals
from bot.views import prepare as prepare_views
from bot.views.ids import Action, Callback
from bot.web import signed
from tests.support.harness import SIGNING_SECRET, Harness


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """The log, from INFO up (`trouble` picks what shows something went wrong)."""
    caplog.set_level(logging.INFO)
    return caplog


def trouble(log: pytest.LogCaptureFixture) -> list[str]:
    """Records at ERROR or above, or carrying an exception or a traceback."""
    return [
        r.getMessage()
        for r in log.records
        if r.levelno >= logging.ERROR or r.exc_info or "Traceback" in r.getMessage()
    ]


def submission(
    h: Harness, user: str, callback: Callback, values: dict[str, object], meta: object = ""
) -> str:
    """A view_submission as Slack sends it, for a modal the test describes."""
    payload = payloads.interaction_base(h.standin, h.standin.user(user), "view_submission", api_app_id="A1")
    payload.update(
        {
            "trigger_id": h.standin.issue_trigger(user),
            "view": {
                "id": "V0EDGE0001",
                "type": "modal",
                "callback_id": callback.value,
                "private_metadata": meta,
                "state": {"values": values},
            },
        }
    )
    return urlencode({"payload": json.dumps(payload)})


async def test_a_field_of_the_wrong_type_never_reaches_a_command(
    h: Harness, errors: pytest.LogCaptureFixture
) -> None:
    # A list where the start modal has text: pydantic refused it inside the listener, before the ack (a 500).
    body = submission(
        h,
        h.ann,
        Callback.START,
        {
            "colleague": {"value": {"type": "users_select", "selected_user": h.bob}},
            "topic": {"value": {"type": "plain_text_input", "value": "Release dates"}},
            "hopes": {"value": {"type": "multi_static_select", "selected_options": [{"value": "x"}]}},
        },
    )
    result = await h.slack.send_signed("view_submission", body)
    await h.settle()
    assert result.status == 200
    started = await h.store.for_user(h.team, h.ann)
    assert [m.topic for m in started] == ["Release dates"] and started[0].hopes is None
    assert not trouble(errors)


async def test_a_malformed_field_is_a_200_with_nothing_done(
    h: Harness, errors: pytest.LogCaptureFixture
) -> None:
    # The same submission with a user id that is a number: Slack never sends it, so nothing happens.
    payload = json.loads(parse_qs(submission(h, h.ann, Callback.START, {}))["payload"][0])
    payload["user"]["id"] = 12345
    result = await h.slack.send_signed("view_submission", urlencode({"payload": json.dumps(payload)}))
    await h.settle()
    assert (result.status, result.body) == (200, "")
    assert await h.store.for_user(h.team, h.ann) == []
    assert any(r.getMessage() == "malformed request ignored" for r in errors.records)
    assert not trouble(errors)


async def test_a_date_slack_could_not_send_is_said_under_its_field(
    h: Harness, errors: pytest.LogCaptureFixture
) -> None:
    values = {
        "who": {"value": {"type": "plain_text_input", "value": "Ann"}},
        "what": {"value": {"type": "plain_text_input", "value": "Write the plan"}},
        "by_when": {"value": {"type": "datepicker", "selected_date": "2026-13-45"}},
    }
    body = submission(h, h.ann, Callback.PROPOSE, values, modals.metadata(m="nope"))
    result = await h.slack.send_signed("view_submission", body)
    assert result.status == 200
    assert json.loads(result.body) == {"response_action": "errors", "errors": {"by_when": t.INPUT_UNREADABLE}}
    assert not trouble(errors)


async def test_an_expired_trigger_on_views_open_is_said_kindly(
    h: Harness, errors: pytest.LogCaptureFixture
) -> None:
    h.allow_rejections.add("views.open")
    ws = h.standin
    conv = ws.conversation(ws.im_with(h.ann))
    trigger = ws.issue_trigger(h.ann)
    fields = payloads.command_fields(
        ws,
        ws.user(h.ann),
        conv,
        command="/mediate",
        text=f"<@{h.bob}> release dates",
        api_app_id=ws.app_id,
        team_id=ws.team_id,
        trigger_id=trigger,
        response_url=ws.issue_response_url(h.ann, conv.id),
    )
    real = ws.clock
    ws.clock = lambda: real() + 10  # the trigger's three seconds are over when the app uses it
    try:
        result = await h.slack.send_signed("command", urlencode(fields))
        await h.settle()
    finally:
        ws.clock = real
    assert result.status == 200
    assert [c.error for c in ws.calls if c.method == "views.open"] == ["expired_trigger_id"]
    assert t.TOOK_TOO_LONG in h.ephemeral_texts(h.ann)
    assert not ws.open_views(h.ann)
    assert not trouble(errors)


async def test_views_update_of_a_modal_that_is_gone_is_said_kindly(
    h: Harness, errors: pytest.LogCaptureFixture
) -> None:
    # "Keep my words" in a coach review the person has closed meanwhile: views.update fails.
    h.allow_rejections.add("views.update")
    ws = h.standin
    payload = payloads.interaction_base(ws, ws.user(h.ann), "block_actions", api_app_id=ws.app_id)
    payload.update(
        {
            "trigger_id": ws.issue_trigger(h.ann),
            "container": {"type": "view", "view_id": "V0GONE0001"},
            "view": {"id": "V0GONE0001", "type": "modal", "callback_id": Callback.INTAKE_REVIEW.value},
            "actions": [{"action_id": Action.KEEP_WORDS.value, "value": "nope", "action_ts": "1.2"}],
        }
    )
    result = await h.slack.send_signed("block_actions", urlencode({"payload": json.dumps(payload)}))
    await h.settle()
    assert result.status == 200
    assert [c.error for c in ws.calls if c.method == "views.update"] == ["not_found"]
    assert t.TOOK_TOO_LONG in [m.text for m in h.dm(h.ann)]  # App Home and modals: said in the DM
    assert not trouble(errors)


@pytest.mark.parametrize("raw", [123, 4.5, ["m"], {"m": "x"}, True, "[1]", "{", '"m"', None, ""])
def test_metadata_that_is_not_ours_reads_as_empty(raw: object) -> None:
    assert modals.read_metadata(raw) == {}  # type: ignore[arg-type]
    assert admin_views.read_metadata(raw) == (None, "", "")  # type: ignore[arg-type]
    assert prepare_views.unpack(raw) == {}  # type: ignore[arg-type]


@pytest.mark.parametrize("user", ["U123", 5, None, ["U1"], {"id": 7}])
def test_delivery_key_with_a_user_that_is_not_a_dict(user: object) -> None:
    body = {"type": "block_actions", "user": user, "actions": [{"action_ts": "1.5"}]}
    key = delivery_key(body)
    assert key == ("action:U123:1.5" if user == "U123" else None)
    assert delivery_key({"type": "block_actions", "user": {"id": "U1"}, "actions": "x"}) is None
    assert delivery_key({"type": "event_callback", "event_id": ["E"], "trigger_id": 3}) is None


@pytest.mark.parametrize(
    ("text", "deduped"),
    [
        ("help", False),
        ("Status", False),
        ("status  ", False),
        ("?", False),
        ("cancel", True),
        ("", True),
        ("<@U1|bob> the rota", True),
        ("prepare", True),
        ("delete-my-data", True),
        ("statuses", True),
    ],
)
def test_only_read_only_commands_skip_the_dedupe(text: str, deduped: bool) -> None:
    body = {"command": "/mediate", "text": text, "trigger_id": "1.2.abc"}
    assert delivery_key(body) == ("trigger:1.2.abc" if deduped else None)
    assert delivery_key({**body, "text": 5}) == "trigger:1.2.abc"


@pytest.mark.parametrize("timestamp", ["abc", "", "1e9", "-1", " 1", "١٢٣", "9" * 5000])
async def test_a_timestamp_that_is_not_a_number_is_a_401(
    h: Harness, errors: pytest.LogCaptureFixture, timestamp: str
) -> None:
    body = urlencode({"command": "/mediate", "text": "help", "user_id": h.ann, "trigger_id": "1.2.3"})
    headers = {"X-Slack-Request-Timestamp": timestamp}
    result = await h.slack.send_signed("command", body, FORM, headers=headers)
    assert result.status == 401
    assert not trouble(errors)


async def test_unsigned_junk_is_a_401_and_is_never_parsed(
    h: Harness, errors: pytest.LogCaptureFixture
) -> None:
    async with aiohttp.ClientSession() as session:
        for body, headers in [
            ("{not json", {}),
            (
                "payload=%5B1%5D",
                {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=0"},
            ),
            ("", {"X-Slack-Signature": "v0=abc"}),
        ]:
            async with session.post(f"{h.app_url}/slack/events", data=body, headers=headers) as response:
                assert response.status == 401
    assert not trouble(errors)


def test_signature_check() -> None:
    now = 1_800_000_000.0
    body = b"token=x&text=hi"
    ts = str(int(now))
    import hashlib
    import hmac

    good = "v0=" + hmac.new(b"s3cret", f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    assert signed("s3cret", body, ts, good, now)
    assert not signed("s3cret", body + b"!", ts, good, now)
    assert not signed("s3cret", body, str(int(now) - 301), good, now)
    assert not signed("s3cret", body, ts, None, now)
    assert not signed(SIGNING_SECRET, body, ts, good, now)
