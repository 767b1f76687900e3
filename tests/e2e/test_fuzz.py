"""Signed junk at every listener: never a 5xx, never a traceback.

Hypothesis builds requests the way an attacker with the signing secret (or a confused proxy) might:
slash commands with any text and fields of any type, clicks on every action id with any value or
none, submissions of every modal with any state and metadata, events of every type the app handles,
shortcuts, and bodies that are not Slack's at all. Each is signed as Slack signs requests and sent to
the real app over HTTP (`SlackDelivery.send_signed`). The app must answer below 500, and nothing may
be logged at ERROR, with an exception attached, or as a traceback.

The run is bounded (`FUZZ_EXAMPLES` per family, 120 by default, derandomised so CI sees the same
examples every time); `FUZZ_EXAMPLES=2000 pytest tests/e2e/test_fuzz.py` searches further.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
import redis.asyncio as aioredis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.admin import AdminForm
from bot.crypto import Cipher
from bot.sandbox.delivery import FORM
from bot.store import MediationStore
from bot.views.admin import ACTION_PREFIX, ADMIN_CALLBACK
from bot.views.ids import Action, Callback, Shortcut
from bot.views.prepare import Input, PrepareAction, PrepareCallback
from flows import commands as c
from tests.support.harness import Harness

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


class Trouble(logging.Handler):
    """Every record that shows something went wrong: ERROR and above, an exception, a traceback."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.ignored = 0  # requests the edge found malformed (the rest reached the listeners)
        self.fields: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "malformed request ignored":
            self.ignored += 1
            self.fields.append(f"{getattr(record, 'kind', '')}.{getattr(record, 'field', '')}")
        if record.levelno >= logging.ERROR or record.exc_info or "Traceback" in record.getMessage():
            self.records.append(record)

    def said(self) -> list[str]:
        return [f"{r.name} {r.levelname}: {r.getMessage()} {getattr(r, 'error', '')}" for r in self.records]


@dataclass
class Live:
    """The real app on a loop of its own (Hypothesis calls the test synchronously), one mediation
    started so that some clicks name a real one, and the log watched."""

    loop: asyncio.AbstractEventLoop
    h: Harness
    mediation_id: str
    trouble: Trouble
    statuses: list[int] = field(default_factory=list)
    should_reach: bool = True  # False for bodies that are not Slack's at all

    def send(self, kind: str, body: str | bytes, content_type: str = FORM) -> int:
        async def go() -> int:
            result = await self.h.slack.send_signed(kind, body, content_type)
            await self.h.settle()  # the work after the ack, where a late error would be logged
            return result.status

        status = self.loop.run_until_complete(go())
        self.statuses.append(status)
        return status

    def check(self, status: int) -> None:
        assert 0 < status < 500, f"answered {status}"
        assert not self.trouble.records, self.trouble.said()


@pytest.fixture
def live(redis_url: str, encryption_key: str) -> Iterator[Live]:
    prefix = "cgfuzz-" + uuid.uuid4().hex[:12]
    loop = asyncio.new_event_loop()
    client = aioredis.Redis.from_url(redis_url)
    h = Harness(
        MediationStore(client, Cipher(encryption_key), prefix=prefix), redis_url, encryption_key, prefix
    )
    loop.run_until_complete(h.start())
    started = loop.run_until_complete(
        h.service.start(h.team, c.Start(actor=h.ann, respondent=h.bob, topic="Release dates"))
    )
    trouble = Trouble()
    root = logging.getLogger()
    level = root.level
    root.addHandler(trouble)
    logging.getLogger("commonground").setLevel(logging.INFO)
    try:
        yield (found := Live(loop, h, started.mediation.id, trouble))
        # The junk must not all be stopped at the door: a good share reaches the listeners.
        reached = len(found.statuses) - trouble.ignored
        print(f"{len(found.statuses)} requests, {reached} reached the listeners", Counter(trouble.fields))
        if found.should_reach:
            assert reached >= len(found.statuses) // 10, (reached, len(found.statuses))
    finally:
        root.removeHandler(trouble)
        root.setLevel(level)

        async def stop() -> None:
            await h.stop()
            keys = [k async for k in client.scan_iter(match=f"{prefix}:*", count=500)]
            if keys:
                await client.delete(*keys)
            await client.aclose()

        loop.run_until_complete(stop())
        loop.close()


# --- what junk is made of ---------------------------------------------------------------------------

TEXT = st.text(max_size=60)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT)
JUNK = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


def ids(live: Live) -> st.SearchStrategy[Any]:
    """A Slack-like id: mostly a real person's, else a stranger's, or anything at all."""
    real = st.sampled_from([live.h.ann, live.h.bob, live.h.cat])
    others = st.sampled_from(["U0NOBODY00", "USLACKBOT"]) | st.from_regex(
        r"[A-Z][A-Z0-9]{0,12}", fullmatch=True
    )
    return st.sampled_from(range(20)).flatmap(lambda n: real if n < 17 else others if n < 19 else JUNK)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A field: mostly the right kind of value, sometimes junk of any type, or missing (`MISSING`),
    so that most requests reach the listeners with one or two things wrong."""
    return st.sampled_from(range(40)).flatmap(
        lambda n: strategy if n < 37 else JUNK if n < 39 else st.just(MISSING)
    )


MISSING = object()


def drop_missing(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: drop_missing(v) for k, v in value.items() if v is not MISSING}
    if isinstance(value, list):
        return [drop_missing(v) for v in value if v is not MISSING]
    return value


def as_payload(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(drop_missing(payload))})


@st.composite
def interaction(draw: st.DrawFn, live: Live, kind: str) -> dict[str, Any]:
    """The fields every interaction carries, each right, junk or missing."""
    standin = live.h.standin
    user = st.fixed_dictionaries({"id": ids(live), "team_id": maybe(st.just(standin.team_id))})
    return {
        "type": kind,
        "user": draw(maybe(user)),
        "team": draw(maybe(st.fixed_dictionaries({"id": maybe(st.just(standin.team_id))}))),
        "enterprise": draw(maybe(st.none())),
        "trigger_id": draw(maybe(st.just(f"{uuid.uuid4().hex}.1.x"))),
        "api_app_id": standin.app_id,
        "channel": draw(maybe(st.fixed_dictionaries({"id": ids(live)}))),
        "container": draw(
            maybe(
                st.fixed_dictionaries(
                    {"type": maybe(st.sampled_from(["message", "view"])), "channel_id": ids(live)}
                )
            )
        ),
        "response_url": draw(maybe(st.just(f"{standin.api_url}nowhere"))),
        "is_enterprise_install": draw(maybe(st.booleans())),
    }


ACTION_IDS = (
    [a.value for a in Action]
    + [a.value for a in PrepareAction]
    + [ACTION_PREFIX + f.value for f in AdminForm]
)
CALLBACKS = [cb.value for cb in Callback] + [cb.value for cb in PrepareCallback] + [ADMIN_CALLBACK]
BLOCK_IDS = [
    "colleague", "topic", "hopes", "who", "what", "by_when", "missing", "verdict", "reflection", "outcome",
    "reason", "kind", "channel", "first", "second", "share_happened", "summary_happened", "item0", "item1",
    "q_happened", "q_affected", "yaml", "retention_days", "enabled_flows", "facilitator_policy",
    *[i.value for i in Input], "prepare_practice_1",
]  # fmt: skip


def values_for(live: Live) -> st.SearchStrategy[Any]:
    """The button or input value: a real mediation id (with an item or proposal id), or junk."""
    mid = live.mediation_id
    real = st.sampled_from([mid, f"{mid}:item-1", f"{mid}:", "flows", "prompts:peer", "outcomes", ""])
    return st.one_of(real, TEXT)


def state_value(live: Live) -> st.SearchStrategy[Any]:
    """One input's state: what Slack's inputs send, or junk in their place."""
    option = st.fixed_dictionaries({"value": maybe(values_for(live))})
    return st.one_of(
        st.fixed_dictionaries({"type": st.just("plain_text_input"), "value": maybe(TEXT)}),
        st.fixed_dictionaries({"type": st.just("static_select"), "selected_option": maybe(option)}),
        st.fixed_dictionaries({"selected_options": maybe(st.lists(option, max_size=3))}),
        st.fixed_dictionaries({"selected_user": maybe(ids(live))}),
        st.fixed_dictionaries({"selected_users": maybe(st.lists(ids(live), max_size=3))}),
        st.fixed_dictionaries({"selected_date": maybe(st.just("2026-12-24") | TEXT)}),
        st.fixed_dictionaries({"selected_conversation": maybe(ids(live))}),
    )


def metadata(live: Live) -> st.SearchStrategy[Any]:
    mid = live.mediation_id
    return st.one_of(
        st.builds(lambda m: json.dumps({"m": m}), st.sampled_from([mid, "nope"]) | JUNK),
        st.builds(
            lambda k, f: json.dumps({"k": k, "f": f, "h": "x"}), st.sampled_from(list(AdminForm)), TEXT
        ),
    )


@st.composite
def view(draw: st.DrawFn, live: Live, callback: str) -> Any:
    state = st.dictionaries(
        st.sampled_from(BLOCK_IDS) | TEXT.filter(bool),
        maybe(st.dictionaries(st.sampled_from(["value"]) | TEXT.filter(bool), state_value(live), max_size=2)),
        max_size=5,
    )
    shaped = {
        "id": draw(maybe(st.just("V0FUZZ0001"))),
        "type": "modal",
        "callback_id": draw(maybe(st.just(callback))),
        "private_metadata": draw(maybe(metadata(live))),
        "hash": draw(maybe(st.just("1700000000.abcdef"))),
        "state": draw(maybe(st.fixed_dictionaries({"values": maybe(state)}))),
    }
    return draw(maybe(st.just(shaped)))


# --- the families -----------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_slash_commands(live: Live, data: st.DataObject) -> None:
    h = live.h
    words = st.sampled_from(["", "help", "status", "cancel", "facilitate", "prepare", "delete-my-data"])
    text = data.draw(st.builds(lambda w, rest: f"{w} {rest}", words, TEXT | st.just(f"<@{h.bob}> topic")))
    fields = {
        "command": data.draw(maybe(st.just("/mediate"))),
        "text": text,
        "user_id": data.draw(maybe(ids(live))),
        "team_id": data.draw(maybe(st.just(h.standin.team_id))),
        "channel_id": data.draw(maybe(st.just(h.standin.im_with(h.ann)))),
        "trigger_id": data.draw(maybe(st.just(f"{uuid.uuid4().hex}.1.x"))),
        "response_url": data.draw(maybe(st.just(f"{h.standin.api_url}nowhere"))),
    }
    if data.draw(st.booleans()):  # as Slack sends it: form fields, every value a string
        body = urlencode({k: str(v) for k, v in drop_missing(fields).items()})
        live.check(live.send("command", body))
    else:  # the same fields as JSON, any types
        live.check(live.send("command", json.dumps(drop_missing(fields), default=str), "application/json"))


@FUZZ
@given(data=st.data())
def test_block_actions(live: Live, data: st.DataObject) -> None:
    payload = data.draw(interaction(live, "block_actions"))
    action = {
        "action_id": data.draw(maybe(st.sampled_from(ACTION_IDS))),
        "block_id": data.draw(maybe(st.just("b1"))),
        "value": data.draw(maybe(values_for(live))),
        "action_ts": data.draw(maybe(st.just("1700000000.000100"))),
        "selected_option": data.draw(maybe(st.fixed_dictionaries({"value": values_for(live)}))),
    }
    payload["actions"] = data.draw(maybe(st.just([action])))
    payload["message"] = data.draw(
        maybe(st.fixed_dictionaries({"ts": maybe(st.just("1700000000.000200")), "user": ids(live)}))
    )
    payload["view"] = data.draw(maybe(view(live, data.draw(st.sampled_from(CALLBACKS)))))
    live.check(live.send("block_actions", as_payload(payload)))


@FUZZ
@given(data=st.data())
def test_view_submissions(live: Live, data: st.DataObject) -> None:
    callback = data.draw(st.sampled_from(CALLBACKS))
    payload = data.draw(interaction(live, "view_submission"))
    payload["view"] = data.draw(view(live, callback))
    live.check(live.send("view_submission", as_payload(payload)))


@FUZZ
@given(data=st.data())
def test_events(live: Live, data: st.DataObject) -> None:
    h = live.h
    kind = data.draw(st.sampled_from(["app_home_opened", "message", "app_mention", "member_joined_channel"]))
    event = {
        "type": data.draw(maybe(st.just(kind))),
        "user": data.draw(maybe(ids(live))),
        "tab": data.draw(maybe(st.sampled_from(["home", "messages"]))),
        "channel": data.draw(maybe(st.just(h.standin.im_with(h.ann)))),
        "text": data.draw(maybe(st.just("You always do this") | TEXT)),
        "subtype": data.draw(maybe(st.none())),
        "bot_id": data.draw(maybe(st.none())),
        "thread_ts": data.draw(maybe(st.none())),
        "ts": data.draw(maybe(st.just("1700000000.000300"))),
    }
    envelope = {
        "type": data.draw(maybe(st.just("event_callback"))),
        "team_id": data.draw(maybe(st.just(h.standin.team_id))),
        "api_app_id": h.standin.app_id,
        "event_id": data.draw(maybe(st.just("Ev" + uuid.uuid4().hex[:10].upper()))),
        "event_time": data.draw(maybe(st.integers())),
        "authorizations": data.draw(
            maybe(st.lists(st.fixed_dictionaries({"team_id": maybe(ids(live)), "user_id": maybe(ids(live))})))
        ),
        "event": data.draw(maybe(st.just(event))),
    }
    live.check(live.send("event", json.dumps(drop_missing(envelope)), "application/json"))


@FUZZ
@given(data=st.data())
def test_shortcuts(live: Live, data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(["shortcut", "message_action"]))
    payload = data.draw(interaction(live, kind))
    payload["callback_id"] = data.draw(maybe(st.sampled_from([s.value for s in Shortcut])))
    payload["message"] = data.draw(
        maybe(st.fixed_dictionaries({"user": maybe(ids(live)), "ts": maybe(st.just("1700000000.000400"))}))
    )
    live.check(live.send(kind, as_payload(payload)))


@FUZZ
@given(
    body=st.one_of(st.binary(max_size=200), st.text(max_size=200), st.builds(json.dumps, JUNK)),
    content_type=st.sampled_from([FORM, "application/json", "text/plain"]),
    wrapped=st.booleans(),
)
def test_bodies_that_are_not_slacks(live: Live, body: str | bytes, content_type: str, wrapped: bool) -> None:
    live.should_reach = False
    if wrapped and isinstance(body, str):
        body = urlencode({"payload": body})
    live.check(live.send("junk", body, content_type))
