"""The in-memory Slack workspace behind the stand-in: people, conversations, messages, views.

:class:`Workspace` holds the state and the Python API that tests and the sandbox use; the HTTP side
(``/api/{method}``, ``/response_url/{token}``) lives in :mod:`bot.sandbox.webapi`, whose
:class:`~bot.sandbox.webapi.SlackStandIn` extends this class.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any

from bot.sandbox import elements
from bot.sandbox.attribution import current_request
from bot.sandbox.models import (
    JSON,
    ApiCall,
    Conversation,
    Ephemeral,
    Message,
    ResponseUrl,
    ScreenError,
    SlackError,
    Trigger,
    User,
    View,
)

TRIGGER_TTL = 3.0
"""Seconds a trigger_id stays valid."""
RESPONSE_URL_TTL = 30 * 60.0
RESPONSE_URL_USES = 5
MAX_MODAL_STACK = 3


class Workspace:
    """All the state of one emulated Slack workspace, and the Python API to arrange and inspect it.

    ``clock`` (seconds since the epoch) drives trigger expiry, message ``ts`` and recorded call times;
    pass a :class:`~bot.sandbox.models.ManualClock` to control it in tests.
    """

    def __init__(
        self,
        *,
        team_id: str = "T0SANDBOX",
        team_domain: str = "sandbox",
        bot_token: str = "xoxb-sandbox-token",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        bot_name: str = "commonground",
        app_id: str = "A0SANDBOX",
        clock: Callable[[], float] = time.time,
        base_url: str | None = None,
    ) -> None:
        """Create an empty workspace holding only the app's bot user."""
        self.team_id = team_id
        self.team_domain = team_domain
        self.bot_token = bot_token
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.clock = clock
        self.base_url = base_url.rstrip("/") if base_url else None
        self.users: dict[str, User] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.conversations: dict[str, Conversation] = {}
        # Lookups by name and by IM partner, kept with `users` and `conversations` (see `reindex`), so
        # that a workspace of thousands of people (the bench seeds them) costs no more per call.
        self._names: dict[str, str] = {}
        self._ims: dict[str, str] = {}
        self.views: dict[str, View] = {}
        self.calls: list[ApiCall] = []
        self.version = 0
        self._messages: dict[str, list[Message]] = {}
        self._ephemerals: list[Ephemeral] = []
        self._stacks: dict[str, list[str]] = {}
        self._homes: dict[str, str] = {}
        self._triggers: dict[str, Trigger] = {}
        self._response_urls: dict[str, ResponseUrl] = {}
        self._faults: dict[str, list[str]] = {}
        self._counter = itertools.count(1)
        self._call_ids = itertools.count(1)
        self._last_us = 0
        self.users[bot_user_id] = User(
            id=bot_user_id,
            name=bot_name,
            real_name="Common Ground",
            display_name="Common Ground",
            team_id=team_id,
            is_bot=True,
            bot_id=bot_id,
        )
        self._names[bot_name] = bot_user_id

    def reindex(self) -> None:
        """Rebuild the lookups by name and IM partner after `users` or `conversations` were replaced
        (loading a saved workspace)."""
        self._names = {user.name: user.id for user in self.users.values()}
        self._ims = {c.im_user: c.id for c in self.conversations.values() if c.kind == "im" and c.im_user}

    # ------------------------------------------------------------------ people

    def add_user(
        self,
        name: str,
        *,
        real_name: str | None = None,
        display_name: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        is_owner: bool = False,
        tz: str = "Europe/London",
    ) -> str:
        """Add a member called ``name`` (unique) and return their user id (``U0SB…``)."""
        if name in self._names:
            raise ValueError(f"a user named {name!r} exists already")
        user_id = self._new_id("U")
        self.users[user_id] = User(
            id=user_id,
            name=name,
            real_name=real_name or name.title(),
            display_name=display_name or name,
            team_id=self.team_id,
            is_bot=is_bot,
            deleted=deleted,
            is_admin=is_admin,
            is_owner=is_owner,
            tz=tz,
            bot_id=self._new_id("B") if is_bot else None,
        )
        self._names[name] = user_id
        self.mark_changed()
        return user_id

    def add_usergroup(self, handle: str, members: Iterable[str]) -> str:
        """Add a user group (like @facilitators) and return its id (``S…``)."""
        group_id = f"S0SB{len(self.usergroups) + 1:05d}"
        self.usergroups[group_id] = list(members)
        self.mark_changed()
        return group_id

    def user_id(self, name: str) -> str:
        """Return the id of the user called ``name`` (KeyError if there is none)."""
        found = self._names.get(name)
        if found is None:
            raise KeyError(f"no user named {name!r}")
        return found

    def user(self, user_id: str) -> User:
        """Return the user with this id (KeyError if unknown)."""
        return self.users[user_id]

    def set_deleted(self, user_id: str, deleted: bool = True) -> None:
        """Deactivate (or reactivate) a user."""
        self.users[user_id].deleted = deleted
        self.mark_changed()

    # ------------------------------------------------------------------ conversations

    def im_with(self, user_id: str) -> str:
        """Return the id of the bot's IM with ``user_id`` (``D…``), creating it on first use."""
        found = self._ims.get(user_id)
        if found is not None:
            return found
        if user_id not in self.users:
            raise KeyError(f"unknown user {user_id!r}")
        conv = Conversation(
            id=self._new_id("D"),
            kind="im",
            name=user_id,
            members=[user_id, self.bot_user_id],
            created=int(self.clock()),
            creator=self.bot_user_id,
            im_user=user_id,
        )
        self.conversations[conv.id] = conv
        self._ims[user_id] = conv.id
        self.mark_changed()
        return conv.id

    def mpim_with(self, user_ids: Iterable[str]) -> str:
        """Return the id of the group DM (``G…``) between these users and the bot, creating it once."""
        members = sorted({*user_ids, self.bot_user_id})
        for conv in self.conversations.values():
            if conv.kind == "mpim" and sorted(conv.members) == members:
                return conv.id
        names = "--".join(self.users[m].name for m in members)
        conv = Conversation(
            id=self._new_id("G"),
            kind="mpim",
            name=f"mpdm-{names}-1",
            members=members,
            created=int(self.clock()),
            creator=self.bot_user_id,
        )
        self.conversations[conv.id] = conv
        self.mark_changed()
        return conv.id

    def add_channel(
        self, name: str, *, members: Iterable[str] = (), is_private: bool = False, bot_member: bool = True
    ) -> str:
        """Add a channel (as if a person created it) and return its id (``C…``)."""
        if any(c.name == name and c.kind.endswith("channel") for c in self.conversations.values()):
            raise ValueError(f"channel name {name!r} is taken")
        member_list = list(dict.fromkeys([*members, *([self.bot_user_id] if bot_member else [])]))
        conv = Conversation(
            id=self._new_id("C"),
            kind="private_channel" if is_private else "public_channel",
            name=name,
            members=member_list,
            created=int(self.clock()),
            creator=member_list[0] if member_list else "",
        )
        self.conversations[conv.id] = conv
        self.mark_changed()
        return conv.id

    def conversation(self, channel_id: str) -> Conversation:
        """Return the conversation with this id (KeyError if unknown)."""
        return self.conversations[channel_id]

    def conversations_of(self, user_id: str) -> list[Conversation]:
        """Return every conversation ``user_id`` is a member of, oldest first."""
        return [c for c in self.conversations.values() if user_id in c.members]

    # ------------------------------------------------------------------ messages

    def messages(self, channel: str, *, include_deleted: bool = False) -> list[Message]:
        """Return the messages of a conversation in order (thread replies included)."""
        return [m for m in self._messages.get(channel, []) if include_deleted or not m.deleted]

    def message(self, channel: str, ts: str) -> Message:
        """Return the message ``ts`` of ``channel`` (KeyError if absent or deleted)."""
        for message in self.messages(channel):
            if message.ts == ts:
                return message
        raise KeyError(f"no message {ts} in {channel}")

    def ephemerals(self, user_id: str, channel: str | None = None) -> list[Ephemeral]:
        """Return the ephemeral messages shown to ``user_id`` (in ``channel`` if given), in order."""
        return [
            e
            for e in self._ephemerals
            if e.user == user_id and not e.deleted and (channel is None or e.channel == channel)
        ]

    def ephemeral(self, user_id: str, ts: str) -> Ephemeral:
        """Return the user's ephemeral message with this ts (KeyError if absent)."""
        for item in self.ephemerals(user_id):
            if item.ts == ts:
                return item
        raise KeyError(f"no ephemeral message {ts} for {user_id}")

    def post_user_message(
        self, user_id: str, channel: str, text: str, *, thread_ts: str | None = None
    ) -> Message:
        """Store a message written by a person (the sandbox's "send"); they must be a member."""
        conv = self.conversations.get(channel)
        if conv is None or user_id not in conv.members:
            raise ScreenError(f"{user_id} cannot write in {channel}: not a member")
        message = Message(
            channel=channel,
            ts=self.next_ts(),
            user=user_id,
            text=text,
            thread_ts=thread_ts,
            team=self.team_id,
        )
        self._messages.setdefault(channel, []).append(message)
        self.mark_changed()
        return message

    # ------------------------------------------------------------------ views

    def open_views(self, user_id: str) -> list[View]:
        """Return the user's modal stack, root first (empty when no modal is open)."""
        return [self.views[v] for v in self._stacks.get(user_id, [])]

    def home(self, user_id: str) -> View | None:
        """Return the App Home view published for ``user_id``, if any."""
        view_id = self._homes.get(user_id)
        return self.views[view_id] if view_id else None

    def view(self, view_id: str) -> View:
        """Return an open modal view or an App Home (KeyError if unknown or closed: like Slack, the
        stand-in keeps no closed modal, nor what was typed in it)."""
        return self.views[view_id]

    def _forget(self, view: View) -> None:
        """A modal closed: mark it and keep nothing of it (not in memory, so never saved)."""
        view.closed = True
        self.views.pop(view.id, None)

    # ------------------------------------------------------------------ interactions

    def issue_trigger(self, user_id: str) -> str:
        """Issue a trigger_id for an interaction of ``user_id``: single use, valid 3 s on ``clock``."""
        trigger_id = f"{next(self._counter)}.{int(self.clock())}.{secrets.token_hex(16)}"
        self._triggers[trigger_id] = Trigger(user_id=user_id, issued_at=self.clock())
        return trigger_id

    def trigger_user(self, trigger_id: str) -> str | None:
        """Who a trigger_id was issued to (None for one the stand-in never issued)."""
        trigger = self._triggers.get(trigger_id)
        return trigger.user_id if trigger else None

    def issue_response_url(self, user_id: str, channel_id: str, *, message_ts: str | None = None) -> str:
        """Issue a ``response_url`` for an interaction of ``user_id`` in ``channel_id``.

        ``message_ts`` is the message the interaction came from (``replace_original`` and
        ``delete_original`` act on it; it may be an ephemeral message). Needs ``base_url`` set.
        """
        if self.base_url is None:
            raise RuntimeError("base_url is not set: start the stand-in or set standin.base_url")
        token = secrets.token_urlsafe(16)
        self._response_urls[token] = ResponseUrl(
            user_id=user_id, channel_id=channel_id, issued_at=self.clock(), message_ts=message_ts
        )
        return f"{self.base_url}/response_url/{token}"

    # ------------------------------------------------------------------ faults and records

    def set_error(self, method: str, error: str, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``error`` (not counted as rejections)."""
        self._faults.setdefault(method, []).extend([error] * times)

    @property
    def rejected(self) -> list[ApiCall]:
        """The recorded calls that failed a check (injected faults excluded)."""
        return [c for c in self.calls if not c.ok and not c.injected]

    def calls_to(self, method: str) -> list[ApiCall]:
        """Return the recorded calls of one method, in order."""
        return [c for c in self.calls if c.method == method]

    def assert_no_rejections(self) -> None:
        """Raise AssertionError listing every rejected call (for the end of a test)."""
        if self.rejected:
            lines = "\n".join(f"  - {c.describe()}" for c in self.rejected)
            raise AssertionError(f"Slack rejected {len(self.rejected)} call(s):\n{lines}")

    async def wait_until(self, predicate: Callable[[], bool], within: float = 2.0) -> None:
        """Wait (polling every 10 ms) until ``predicate()`` is true: for work the app does after its ack.

        Raises AssertionError after ``within`` seconds.
        """
        deadline = time.monotonic() + within
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {within} s")
            await asyncio.sleep(0.01)

    def record(
        self,
        method: str,
        args: JSON,
        error: SlackError | None = None,
        *,
        injected: bool = False,
        audience: Iterable[str] | None = None,
    ) -> None:
        """Record a call (``error`` None means it succeeded), with the request it answered (see
        :mod:`bot.sandbox.attribution`) and its ``audience`` (default: :meth:`audience_of`)."""
        people = self.audience_of(method, args) if audience is None else audience
        self.calls.append(
            ApiCall(
                method=method,
                args=args,
                ok=error is None,
                error=error.error if error else None,
                time=self.clock(),
                messages=error.messages if error else [],
                injected=injected,
                id=f"c{next(self._call_ids)}",
                request_id=current_request.get(),
                audience=[p for p in dict.fromkeys(people) if self._is_person(p)],
            )
        )

    def _is_person(self, user_id: str) -> bool:
        user = self.users.get(user_id)
        return user is not None and not user.is_bot

    def _members(self, channel: object) -> list[str]:
        value = str(channel or "")
        if value in self.users:  # a user id names the bot's IM with them
            return [value]
        conv = self.conversations.get(value) or next(
            (
                c
                for c in self.conversations.values()
                if c.kind.endswith("channel") and c.name == value.removeprefix("#")
            ),
            None,
        )
        return list(conv.members) if conv else []

    def audience_of(self, method: str, args: JSON) -> list[str]:
        """Who would see what a Web API call did, in their own Slack client: the members of the
        conversation a message went to, the person a modal, an App Home or an ephemeral message is for,
        the people a conversation was opened with or who were invited. Empty for look-ups
        (``users.info``, ``auth.test``…) and calls whose target cannot be found."""
        if method in ("views.open", "views.push"):
            user = self.trigger_user(str(args.get("trigger_id")))
            return [user] if user else []
        if method == "views.update":
            found = self.views.get(str(args.get("view_id") or "")) or next(
                (
                    v
                    for v in self.views.values()
                    if args.get("external_id") and v.external_id == args.get("external_id")
                ),
                None,
            )
            return [found.user_id] if found else []
        if method == "views.publish":
            return [str(args.get("user_id") or "")]
        if method == "chat.postEphemeral":
            return [str(args.get("user") or "")]
        if method.startswith("chat."):
            return self._members(args.get("channel"))
        if method in ("conversations.open", "conversations.invite"):
            users = args.get("users")
            parts = users if isinstance(users, list) else str(users or "").split(",")
            return [str(part).strip() for part in parts if str(part).strip()]
        return []

    def take_fault(self, method: str) -> str | None:
        """Pop the next injected error for ``method``, if one was set."""
        queue = self._faults.get(method)
        return queue.pop(0) if queue else None

    # ------------------------------------------------------------------ shared mechanics

    def next_ts(self) -> str:
        """Return a new message ts: ``"1700000000.000100"``-style, unique and increasing."""
        now_us = max(int(self.clock() * 1_000_000), self._last_us + 1)
        self._last_us = now_us
        return f"{now_us // 1_000_000}.{now_us % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}0SB{next(self._counter):05d}"

    def _new_hash(self) -> str:
        return f"{int(self.clock())}.{secrets.token_hex(4)}"

    def mark_changed(self) -> None:
        """Count a change of state (the sandbox page polls ``version``)."""
        self.version += 1

    def consume_trigger(self, trigger_id: object) -> Trigger:
        """Exchange a trigger_id (Slack's checks: known, unused, younger than 3 s)."""
        trigger = self._triggers.get(str(trigger_id)) if trigger_id else None
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        if self.clock() - trigger.issued_at > TRIGGER_TTL:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger

    def build_view(
        self,
        data: JSON,
        user_id: str,
        *,
        existing: View | None = None,
        root_view_id: str | None = None,
        previous_view_id: str | None = None,
    ) -> View:
        """Create (or, with ``existing``, replace in place) a stored view from checked view JSON."""
        blocks = elements.fill_ids(data.get("blocks", []))
        view = View(
            id=existing.id if existing else self._new_id("V"),
            type=str(data["type"]),
            user_id=user_id,
            team_id=self.team_id,
            app_id=self.app_id,
            bot_id=self.bot_id,
            hash=self._new_hash(),
            blocks=blocks,
            title=copy.deepcopy(data.get("title")),
            submit=copy.deepcopy(data.get("submit")),
            close=copy.deepcopy(data.get("close")),
            callback_id=str(data.get("callback_id", "")),
            external_id=str(data.get("external_id", "")),
            private_metadata=str(data.get("private_metadata", "")),
            clear_on_close=bool(data.get("clear_on_close", False)),
            notify_on_close=bool(data.get("notify_on_close", False)),
            root_view_id=existing.root_view_id if existing else root_view_id,
            previous_view_id=existing.previous_view_id if existing else previous_view_id,
            state=elements.state_of(blocks, existing.state if existing else None),
        )
        if view.root_view_id is None and view.type == "modal":
            view.root_view_id = view.id
        if data.get("external_id"):
            for other in self.views.values():
                if other.external_id == view.external_id and other.id != view.id and not other.closed:
                    raise SlackError("duplicate_external_id")
        self.views[view.id] = view
        self.mark_changed()
        return view

    def open_modal(self, user_id: str, data: JSON) -> View:
        """Open a new modal for ``user_id`` (any modal already open is closed first)."""
        for old in self.open_views(user_id):
            self._forget(old)
        self._stacks.pop(user_id, None)
        view = self.build_view(data, user_id)
        self._stacks[user_id] = [view.id]
        return view

    def push_modal(self, user_id: str, data: JSON) -> View:
        """Push a view onto the user's open modal (at most 3 views)."""
        stack = self._stacks.get(user_id)
        if not stack:
            raise SlackError("not_found")
        if len(stack) >= MAX_MODAL_STACK:
            raise SlackError("push_limit_reached")
        view = self.build_view(data, user_id, root_view_id=stack[0], previous_view_id=stack[-1])
        stack.append(view.id)
        return view

    def publish_home(self, user_id: str, data: JSON) -> View:
        """Publish (or replace) the App Home view of ``user_id``."""
        existing = self.home(user_id)
        view = self.build_view(data, user_id, existing=existing)
        self._homes[user_id] = view.id
        return view

    def close_view(self, user_id: str, view_id: str, *, clear: bool = False) -> list[View]:
        """Close the user's top view (``clear``: the whole modal); return the views closed."""
        stack = self._stacks.get(user_id, [])
        if not stack or stack[-1] != view_id:
            raise ScreenError(f"view {view_id} is not the modal {user_id} has on screen (stack: {stack})")
        closing = [self.views[v] for v in (list(stack) if clear else [stack[-1]])]
        for view in closing:
            self._forget(view)
            stack.remove(view.id)
        if not stack:
            self._stacks.pop(user_id, None)
        self.mark_changed()
        return closing

    def set_view_state(self, view_id: str, block_id: str, action_id: str, entry: JSON) -> None:
        """Record what the user entered in one element of a view (kept until submission)."""
        self.views[view_id].state.setdefault(block_id, {})[action_id] = copy.deepcopy(entry)
        self.mark_changed()

    def bot_message(self, channel: str, text: object, blocks: list[JSON] | None, thread_ts: Any) -> Message:
        """Build a message from the bot (not stored)."""
        return Message(
            channel=channel,
            ts=self.next_ts(),
            user=self.bot_user_id,
            text=str(text or ""),
            blocks=blocks or [],
            thread_ts=str(thread_ts) if thread_ts else None,
            bot_id=self.bot_id,
            app_id=self.app_id,
            team=self.team_id,
        )

    def store_message(self, message: Message) -> None:
        """Append a message to its conversation."""
        self._messages.setdefault(message.channel, []).append(message)
        self.mark_changed()

    def store_ephemeral(self, ephemeral: Ephemeral) -> None:
        """Append an ephemeral message."""
        self._ephemerals.append(ephemeral)
        self.mark_changed()

    def use_response_url(self, token: str) -> ResponseUrl:
        """Look up a response_url token and count one use (Slack: 5 uses within 30 minutes)."""
        entry = self._response_urls.get(token)
        if entry is None:
            raise SlackError("no_active_hooks")
        if self.clock() - entry.issued_at > RESPONSE_URL_TTL:
            raise SlackError("expired_url")
        if entry.uses >= RESPONSE_URL_USES:
            raise SlackError("used_url")
        entry.uses += 1
        return entry
