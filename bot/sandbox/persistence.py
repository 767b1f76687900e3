"""Keep the Slack stand-in's state across restarts: a JSON file next to the sandbox's Redis data.

The app's Redis data points at conversations, messages and views of the stand-in, so both must
survive a restart together. This module writes the workspace's people, conversations, messages,
ephemeral messages, views (modal stacks and App Homes), the tokens it issued to the app and its
id/ts counters to one JSON file, and restores them into a freshly constructed
:class:`~bot.sandbox.workspace.Workspace` (or :class:`~bot.sandbox.webapi.SlackStandIn`) with the same
team and bot ids.

Not kept: trigger ids and response URLs (short-lived in Slack too), recorded ``calls`` and injected
faults.

Usage::

    if not load(standin, path):     # False: no saved state yet
        seed(standin)
    saver = AutoSaver(standin, path)
    saver.start()                   # saves shortly after every change
    ...
    await saver.stop()              # and once more on the way out

This module is the workspace's serializer: it reads and restores the workspace's private containers
(``_messages``, ``_stacks``…) so that :class:`Workspace` itself needs no persistence code.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import functools
import itertools
import json
import logging
import os
import re
import tempfile
import types
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from bot.sandbox import installs
from bot.sandbox.models import JSON, Conversation, Ephemeral, Message, User, View
from bot.sandbox.workspace import Workspace

log = logging.getLogger(__name__)

FORMAT = "commonground-sandbox-workspace"
"""The ``format`` field of a saved file."""
FORMAT_VERSION = 1
"""The ``version`` field this code writes and reads; bump it on any incompatible change."""

_ID = re.compile(r"^[A-Z]0SB(\d+)$")
_TS = re.compile(r"^(\d+)\.(\d{6})$")
_MAX_DIRTY_TICKS = 10
"""AutoSaver: save after this many polls even if the workspace keeps changing."""


class PersistenceError(Exception):
    """A saved workspace file cannot be restored: unreadable, corrupt, or from another version/team."""

    def __init__(self, reason: str, path: Path | None = None) -> None:
        """Describe the problem (``reason``); with ``path``, name the file and the way out (``--reset``)."""
        self.reason = reason
        self.path = path
        if path is None:
            message = reason
        else:
            message = (
                f"The saved Slack sandbox state {path} cannot be restored: {reason}. "
                "Run with --reset to start from an empty sandbox (this deletes the sandbox's saved data)."
            )
        super().__init__(message)


# ---------------------------------------------------------------------- dump


def _peek_serial(ws: Workspace) -> int:
    """The number the workspace's next id (or trigger id) will use, leaving its counter unchanged."""
    serial = next(ws._counter)
    ws._counter = itertools.count(serial)
    return serial


def dump_workspace(ws: Workspace) -> JSON:
    """Return the workspace's persistent state as a JSON-serializable dict (deep copies, no aliasing).

    Holds the format ``version``, the team/bot identity, the counters (next id serial, last message ts,
    change count), users, conversations, messages (deleted ones included), ephemeral messages, the
    views on screen (open modals and App Homes: a closed modal, and what was typed in it, is never
    written), the open modal stacks and the App Homes.
    """
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "identity": {
            "team_id": ws.team_id,
            "bot_user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "app_id": ws.app_id,
        },
        "counters": {"next_serial": _peek_serial(ws), "last_ts_us": ws._last_us, "changes": ws.version},
        "users": [dataclasses.asdict(u) for u in ws.users.values()],
        "conversations": [dataclasses.asdict(c) for c in ws.conversations.values()],
        "messages": [dataclasses.asdict(m) for msgs in ws._messages.values() for m in msgs],
        "ephemerals": [dataclasses.asdict(e) for e in ws._ephemerals],
        "views": [dataclasses.asdict(v) for v in ws.views.values() if not v.closed],
        "stacks": {user: list(stack) for user, stack in ws._stacks.items()},
        "homes": dict(ws._homes),
        "tokens": installs.dump_tokens(ws),
    }


# ---------------------------------------------------------------------- load


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _conforms(value: object, hint: Any) -> bool:
    """Whether a JSON value matches a dataclass field annotation (the types models.py uses)."""
    if hint is Any:
        return True
    origin = get_origin(hint)
    if origin is Literal:
        return value in get_args(hint)
    if origin is Union or origin is types.UnionType:
        return any(_conforms(value, arg) for arg in get_args(hint))
    if origin is list:
        (item,) = get_args(hint)
        return isinstance(value, list) and all(_conforms(v, item) for v in value)
    if origin is dict:
        _, item = get_args(hint)
        return isinstance(value, dict) and all(
            isinstance(k, str) and _conforms(v, item) for k, v in value.items()
        )
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    return False


def _fields(cls: type, raw: object, where: str) -> JSON:
    """Check ``raw`` against the dataclass ``cls``; return the constructor arguments (deep copies).

    Missing fields with defaults take the default; unknown keys are ignored.
    """
    if not isinstance(raw, dict):
        raise PersistenceError(f"{where} is not an object")
    kwargs: JSON = {}
    for f in dataclasses.fields(cls):
        if f.name not in raw:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise PersistenceError(f"{where} has no {f.name!r}")
            continue
        value = raw[f.name]
        if not _conforms(value, _hints(cls)[f.name]):
            shown = repr(value)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            raise PersistenceError(f"{where} has an invalid {f.name!r}: {shown}")
        kwargs[f.name] = copy.deepcopy(value)
    return kwargs


def _list(data: JSON, key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise PersistenceError(f"{key!r} is missing or not a list")
    return value


def _int(data: JSON, key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise PersistenceError(f"{key!r} is missing or not a non-negative integer")
    return value


def _str_dict(data: JSON, key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise PersistenceError(f"{key!r} is missing or not an object")
    return value


def _unique(items: list[Any], kind: str) -> dict[str, Any]:
    by_id: dict[str, Any] = {}
    for item in items:
        if item.id in by_id:
            raise PersistenceError(f"{kind} {item.id} appears twice")
        by_id[item.id] = item
    return by_id


def _ts_us(ts: str | None) -> int:
    match = _TS.match(ts or "")
    return int(match[1]) * 1_000_000 + int(match[2]) if match else 0


def load_workspace(ws: Workspace, data: JSON) -> None:
    """Restore state saved by :func:`dump_workspace` into ``ws`` (built with the same team/bot ids).

    Replaces the users, conversations, messages, ephemeral messages, views, modal stacks and homes of
    ``ws``; leaves its triggers, response URLs, recorded calls and faults alone. New ids and message
    ts issued afterwards are later than every restored one. Everything is checked before anything
    changes: on :class:`PersistenceError` (wrong format, version or team, missing or mistyped fields,
    dangling view ids) ``ws`` is untouched. Counts as one change (``version`` moves on).
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PersistenceError(f"not a saved sandbox workspace (expected format {FORMAT!r})")
    if data.get("version") != FORMAT_VERSION:
        found = data.get("version")
        raise PersistenceError(
            f"format version {found!r} is not supported (this code reads {FORMAT_VERSION})"
        )
    identity = _str_dict(data, "identity")
    expected = {
        "team_id": ws.team_id,
        "bot_user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "app_id": ws.app_id,
    }
    for key, value in expected.items():
        if identity.get(key) != value:
            raise PersistenceError(
                f"it was saved for {key} {identity.get(key)!r}, this workspace has {value!r}"
            )
    counters = _str_dict(data, "counters")
    next_serial, last_us, changes = (_int(counters, k) for k in ("next_serial", "last_ts_us", "changes"))

    users = _unique(
        [User(**_fields(User, raw, f"users[{i}]")) for i, raw in enumerate(_list(data, "users"))], "user"
    )
    conversations = _unique(
        [
            Conversation(**_fields(Conversation, raw, f"conversations[{i}]"))
            for i, raw in enumerate(_list(data, "conversations"))
        ],
        "conversation",
    )
    messages: dict[str, list[Message]] = {}
    for i, raw in enumerate(_list(data, "messages")):
        message = Message(**_fields(Message, raw, f"messages[{i}]"))
        messages.setdefault(message.channel, []).append(message)
    ephemerals = [
        Ephemeral(**_fields(Ephemeral, raw, f"ephemerals[{i}]"))
        for i, raw in enumerate(_list(data, "ephemerals"))
    ]
    views = _unique(
        [View(**_fields(View, raw, f"views[{i}]")) for i, raw in enumerate(_list(data, "views"))], "view"
    )
    views = {view_id: v for view_id, v in views.items() if not v.closed}  # older files kept closed ones
    stacks: dict[str, list[str]] = {}
    for user_id, stack in _str_dict(data, "stacks").items():
        if not _conforms(stack, list[str]) or not stack or any(v not in views for v in stack):
            raise PersistenceError(f"the modal stack of {user_id} names unknown views: {stack!r}")
        stacks[user_id] = list(stack)
    homes: dict[str, str] = {}
    for user_id, view_id in _str_dict(data, "homes").items():
        if not isinstance(view_id, str) or view_id not in views:
            raise PersistenceError(f"the App Home of {user_id} is an unknown view {view_id!r}")
        homes[user_id] = view_id

    tokens = data.get("tokens", [])  # the app's tokens this workspace issued (older files: none)
    if not isinstance(tokens, list) or not all(
        isinstance(e, dict)
        and isinstance(e.get("token"), str)
        and e.get("kind") in ("bot", "user")
        and isinstance(e.get("user_id"), str)
        and _conforms(e.get("scopes", []), list[str])
        for e in tokens
    ):
        raise PersistenceError("'tokens' is not a list of issued tokens")

    # Never reuse an id or ts, even if the counters in the file were edited by hand.
    ids = [*users, *conversations, *views, *(u.bot_id for u in users.values() if u.bot_id)]
    highest_id = max((int(m[1]) for m in map(_ID.match, ids) if m), default=0)
    stamps = [m.ts for msgs in messages.values() for m in msgs]
    stamps += [m.edited_ts for msgs in messages.values() for m in msgs if m.edited_ts]
    stamps += [e.ts for e in ephemerals]
    highest_us = max(map(_ts_us, stamps), default=0)

    if ws.bot_user_id not in users:
        users = {ws.bot_user_id: ws.users[ws.bot_user_id], **users}
    ws.users = users
    ws.conversations = conversations
    ws.reindex()
    ws.views = views
    ws._messages = messages
    ws._ephemerals = ephemerals
    ws._stacks = stacks
    ws._homes = homes
    ws._counter = itertools.count(max(_peek_serial(ws), next_serial, highest_id + 1))
    ws._last_us = max(ws._last_us, last_us, highest_us)
    ws.version = max(ws.version, changes)
    installs.load_tokens(ws, tokens)
    ws.mark_changed()


# ---------------------------------------------------------------------- files


def encode(ws: Workspace) -> bytes:
    """Return the workspace's state as the UTF-8 JSON bytes :func:`save` writes."""
    return json.dumps(dump_workspace(ws), ensure_ascii=False, separators=(",", ":")).encode()


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_atomically(path: Path, payload: bytes) -> None:
    """Write ``payload`` to a temp file beside ``path``, fsync it, then ``os.replace`` it onto ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            _write_all(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def save(ws: Workspace, path: Path) -> None:
    """Write the workspace's state to ``path`` atomically: a failure leaves any previous file intact.

    Creates the parent folder if needed. Raises ``OSError`` when the file cannot be written.
    """
    write_atomically(Path(path), encode(ws))


def load(ws: Workspace, path: Path) -> bool:
    """Restore the workspace from ``path`` (see :func:`load_workspace`); False when there is no file.

    Raises :class:`PersistenceError` naming the file (and suggesting ``--reset``) when it cannot be
    read, is not valid JSON, or does not fit this version, team or bot.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise PersistenceError(f"it cannot be read ({exc})", path) from exc
    try:
        data = json.loads(raw)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise PersistenceError(f"it is not valid JSON ({exc})", path) from exc
    try:
        load_workspace(ws, data)
    except PersistenceError as exc:
        raise PersistenceError(exc.reason, path) from exc
    except (TypeError, ValueError) as exc:  # a model rejected a value the checks let through
        raise PersistenceError(f"it holds invalid data ({exc})", path) from exc
    return True


# ---------------------------------------------------------------------- autosave


class AutoSaver:
    """Save a workspace to ``path`` shortly after it changes (it bumps ``ws.version`` on each change).

    Polls every ``delay`` seconds and saves once ``version`` has stayed the same for one poll
    (debounced), or after ten polls of continuous change. Saves once more when stopped. Failures are
    logged (once per distinct error) and retried at the next poll; they never end the loop.
    """

    def __init__(self, ws: Workspace, path: Path, *, delay: float = 0.2) -> None:
        """Watch ``ws``; write to ``path`` (see :func:`save`) after ``delay`` seconds of quiet."""
        self.ws = ws
        self.path = Path(path)
        self.delay = delay
        self.saved_version: int | None = None
        """The ``ws.version`` the file holds (None: not saved yet by this saver)."""
        self.saves = 0
        """How many times the file was written."""
        self._task: asyncio.Task[None] | None = None
        self._last_error: str | None = None

    @property
    def dirty(self) -> bool:
        """True when the workspace changed since the last save."""
        return self.ws.version != self.saved_version

    def flush(self) -> bool:
        """Save now if the workspace changed; return True when the file is up to date (never raises)."""
        version = self.ws.version
        if version == self.saved_version:
            return True
        try:
            save(self.ws, self.path)
        except Exception as exc:
            # OSError's strerror leaves out the (random) temp file name
            error = f"{type(exc).__name__}: {getattr(exc, 'strerror', None) or exc}"
            if error != self._last_error:
                log.exception("could not save the Slack sandbox state to %s", self.path)
            self._last_error = error
            return False
        self.saved_version = version
        self.saves += 1
        if self._last_error is not None:
            log.info("saved the Slack sandbox state to %s again", self.path)
        self._last_error = None
        return True

    async def run(self) -> None:
        """Poll and save until cancelled, then save a last time (if anything changed)."""
        try:
            seen = self.ws.version
            dirty_ticks = 0
            while True:
                await asyncio.sleep(self.delay)
                current = self.ws.version
                if current == self.saved_version:
                    dirty_ticks = 0
                else:
                    dirty_ticks += 1
                    if (current == seen or dirty_ticks >= _MAX_DIRTY_TICKS) and self.flush():
                        dirty_ticks = 0
                seen = current
        finally:
            self.flush()

    def start(self) -> None:
        """Run :meth:`run` as a task of the running event loop (no-op when already running)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.run(), name="sandbox-autosave")

    async def stop(self) -> None:
        """Stop the task started by :meth:`start` and save a last time (if anything changed)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise
            except Exception:
                log.exception("the Slack sandbox autosave task failed")
        self.flush()


__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "AutoSaver",
    "PersistenceError",
    "dump_workspace",
    "encode",
    "load",
    "load_workspace",
    "save",
    "write_atomically",
]
