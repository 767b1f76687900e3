"""Plain data kept by the Slack stand-in: users, conversations, messages, views and recorded calls.

These are mutable dataclasses owned by :class:`bot.sandbox.webapi.SlackStandIn`; tests read them, and
only the stand-in changes them.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

JSON = dict[str, Any]
"""A JSON object as parsed by :mod:`json`."""

ConversationKind = Literal["im", "mpim", "private_channel", "public_channel"]

TZ_LABELS: dict[tuple[str, int], str] = {
    ("UTC", 0): "Coordinated Universal Time",
    ("GMT", 0): "Greenwich Mean Time",
    ("BST", 3600): "British Summer Time",
    ("IST", 3600): "Irish Standard Time",
    ("IST", 19800): "India Standard Time",
    ("WET", 0): "Western European Time",
    ("WEST", 3600): "Western European Summer Time",
    ("CET", 3600): "Central European Time",
    ("CEST", 7200): "Central European Summer Time",
    ("EET", 7200): "Eastern European Time",
    ("EEST", 10800): "Eastern European Summer Time",
    ("EST", -18000): "Eastern Standard Time",
    ("EDT", -14400): "Eastern Daylight Time",
    ("CST", -21600): "Central Standard Time",
    ("CDT", -18000): "Central Daylight Time",
    ("MST", -25200): "Mountain Standard Time",
    ("MDT", -21600): "Mountain Daylight Time",
    ("PST", -28800): "Pacific Standard Time",
    ("PDT", -25200): "Pacific Daylight Time",
}
"""Slack's ``tz_label`` for (the abbreviation zoneinfo gives, the offset): abbreviations are ambiguous
(IST: Irish or India). Other zones are labelled by their name."""


def zone(name: str) -> ZoneInfo:
    """The time zone called ``name`` (an IANA name such as ``Europe/London``); UTC when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def tz_fields(name: str, now: float) -> JSON:
    """``tz``, ``tz_label`` and ``tz_offset`` (seconds east of UTC, daylight saving included) at ``now``,
    as ``users.info`` gives them."""
    moment = datetime.fromtimestamp(now, tz=UTC).astimezone(zone(name))
    delta = moment.utcoffset()
    offset = int(delta.total_seconds()) if delta is not None else 0
    return {
        "tz": name,
        "tz_label": TZ_LABELS.get((moment.tzname() or "", offset), name),
        "tz_offset": offset,
    }


class ManualClock:
    """An injectable clock for tests: time stands still until :meth:`advance` is called.

    Pass an instance as ``SlackStandIn(clock=...)`` to expire trigger ids without sleeping.
    """

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        """Start the clock at ``start`` (seconds since the epoch)."""
        self.now = start

    def __call__(self) -> float:
        """Return the current time in seconds since the epoch."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        self.now += seconds


class SlackError(Exception):
    """A Slack Web API error: ``{"ok": false, "error": error}`` plus optional ``response_metadata``."""

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        """Build the error ``error`` with Slack's ``response_metadata.messages`` (may be empty)."""
        super().__init__(error if not messages else f"{error}: {'; '.join(messages)}")
        self.error = error
        self.messages = list(messages or [])


class ScreenError(AssertionError):
    """The simulated user cannot do that: the element is not on screen, the field is required…"""


@dataclass
class User:
    """A workspace member (a human or a bot)."""

    id: str
    name: str
    real_name: str
    display_name: str
    team_id: str
    is_bot: bool = False
    deleted: bool = False
    is_admin: bool = False
    is_owner: bool = False
    tz: str = "Europe/London"
    bot_id: str | None = None

    def to_api(self, now: float | None = None) -> JSON:
        """Return the user object as ``users.info`` shows it (the time zone's offset and label as of
        ``now``, default the current time)."""
        profile: JSON = {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.display_name,
            "display_name_normalized": self.display_name,
            "team": self.team_id,
        }
        if self.bot_id:
            profile["bot_id"] = self.bot_id
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": self.real_name,
            **tz_fields(self.tz, time.time() if now is None else now),
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1_700_000_000,
        }


@dataclass
class Conversation:
    """An IM, a group DM (MPIM) or a channel, with its members (user ids, the bot included)."""

    id: str
    kind: ConversationKind
    name: str
    members: list[str]
    created: int
    creator: str
    im_user: str | None = None

    @property
    def is_private(self) -> bool:
        """True for everything but public channels."""
        return self.kind != "public_channel"

    @property
    def channel_type(self) -> str:
        """The ``channel_type`` of message events: ``im``, ``mpim``, ``group`` or ``channel``."""
        return {"im": "im", "mpim": "mpim", "private_channel": "group", "public_channel": "channel"}[
            self.kind
        ]

    def to_api(self, bot_user_id: str) -> JSON:
        """Return the conversation object as ``conversations.info`` shows it."""
        data: JSON = {
            "id": self.id,
            "name": self.name,
            "created": self.created,
            "creator": self.creator,
            "is_channel": self.kind == "public_channel",
            "is_group": self.kind == "private_channel",
            "is_im": self.kind == "im",
            "is_mpim": self.kind == "mpim",
            "is_private": self.is_private,
            "is_archived": False,
            "is_general": False,
            "is_member": bot_user_id in self.members,
            "is_open": True,
            "name_normalized": self.name,
        }
        if self.kind == "im":
            data["user"] = self.im_user
        else:
            data["num_members"] = len(self.members)
        return data


@dataclass
class Message:
    """A message in a conversation: from the bot (``bot_id`` set) or from a person."""

    channel: str
    ts: str
    user: str
    text: str
    blocks: list[JSON] = field(default_factory=list)
    thread_ts: str | None = None
    bot_id: str | None = None
    app_id: str | None = None
    team: str | None = None
    edited_ts: str | None = None
    deleted: bool = False

    def to_api(self) -> JSON:
        """Return the message object as Slack shows it (``message`` of API answers and payloads)."""
        data: JSON = {"type": "message", "ts": self.ts, "user": self.user, "text": self.text}
        if self.blocks:
            data["blocks"] = copy.deepcopy(self.blocks)
        if self.bot_id:
            data["bot_id"] = self.bot_id
            data["app_id"] = self.app_id
        if self.team:
            data["team"] = self.team
        if self.thread_ts:
            data["thread_ts"] = self.thread_ts
        if self.edited_ts:
            data["edited"] = {"user": self.user, "ts": self.edited_ts}
        return data


@dataclass
class Ephemeral:
    """An ephemeral message: visible to one user in one conversation, never editable by ``chat.update``."""

    channel: str
    user: str
    ts: str
    text: str
    blocks: list[JSON] = field(default_factory=list)
    deleted: bool = False

    def to_api(self) -> JSON:
        """Return the ephemeral message as a message object."""
        data: JSON = {"type": "message", "ts": self.ts, "text": self.text, "is_ephemeral": True}
        if self.blocks:
            data["blocks"] = copy.deepcopy(self.blocks)
        return data


@dataclass
class View:
    """A modal view (in a user's stack) or a user's App Home view."""

    id: str
    type: str
    user_id: str
    team_id: str
    app_id: str
    bot_id: str
    hash: str
    blocks: list[JSON]
    title: JSON | None = None
    submit: JSON | None = None
    close: JSON | None = None
    callback_id: str = ""
    external_id: str = ""
    private_metadata: str = ""
    clear_on_close: bool = False
    notify_on_close: bool = False
    root_view_id: str | None = None
    previous_view_id: str | None = None
    state: dict[str, dict[str, JSON]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    closed: bool = False

    def to_api(self) -> JSON:
        """Return the full view object, with ``state.values``, as Slack returns and sends it."""
        return {
            "id": self.id,
            "team_id": self.team_id,
            "type": self.type,
            "title": copy.deepcopy(self.title),
            "submit": copy.deepcopy(self.submit),
            "close": copy.deepcopy(self.close),
            "blocks": copy.deepcopy(self.blocks),
            "private_metadata": self.private_metadata,
            "callback_id": self.callback_id,
            "external_id": self.external_id,
            "state": {"values": copy.deepcopy(self.state)},
            "hash": self.hash,
            "clear_on_close": self.clear_on_close,
            "notify_on_close": self.notify_on_close,
            "root_view_id": self.root_view_id,
            "previous_view_id": self.previous_view_id,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }


@dataclass
class ApiCall:
    """One recorded call to the stand-in (a Web API method, ``response_url`` or a modal response)."""

    method: str
    args: JSON
    ok: bool
    error: str | None
    time: float
    messages: list[str] = field(default_factory=list)
    injected: bool = False
    id: str = ""
    """A unique id (``c1``, ``c2``…), for the developer drawer."""
    request_id: str | None = None
    """The id of the request to the app being handled when the call was made (None: background work)."""
    audience: list[str] = field(default_factory=list)
    """The people whose Slack client shows what the call did (a DM's person, a modal's owner…)."""

    def describe(self) -> str:
        """One line: method, error and Slack's messages."""
        extra = f" {self.messages}" if self.messages else ""
        return f"{self.method}: {self.error}{extra}"


@dataclass
class Trigger:
    """A trigger_id issued to a user by an interaction."""

    user_id: str
    issued_at: float
    used: bool = False


@dataclass
class ResponseUrl:
    """A ``response_url`` issued for an interaction (usable 5 times within 30 minutes)."""

    user_id: str
    channel_id: str
    issued_at: float
    message_ts: str | None = None
    uses: int = 0
