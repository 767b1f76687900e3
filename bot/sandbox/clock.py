"""The sandbox's one clock: real time plus an offset that a person moves forward from the page.

The Slack stand-in (message ts, trigger expiry, `users.info` offsets), the app's `MediationService`
(every moment it records, every timer it schedules) and the worker running inside the sandbox all
read this clock, so advancing it makes the sandbox's whole world a day older at once. The offset is
kept in `clock.json` beside the sandbox's other data (`--reset` deletes it with them), so a restart
keeps the sandbox's time.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.sandbox.persistence import PersistenceError, write_atomically

log = logging.getLogger(__name__)

CLOCK_FILE = "clock.json"
"""The file, in the sandbox's data folder, that keeps the offset."""
FORMAT = "commonground-sandbox-clock"


class SandboxClock:
    """Real time plus `offset` seconds. Called, it gives seconds since the epoch (the stand-in's
    clock); :meth:`now` gives the same moment as an aware datetime (the app's clock)."""

    def __init__(
        self, path: Path | None = None, *, offset: float = 0.0, real: Callable[[], float] = time.time
    ) -> None:
        """A clock `offset` seconds ahead of `real`; with `path`, every advance is saved there."""
        self.path = path
        self.offset = offset
        self._real = real

    @classmethod
    def load(cls, path: Path, *, real: Callable[[], float] = time.time) -> SandboxClock:
        """The clock saved at `path`, or one at real time when there is no file yet. Raises
        :class:`PersistenceError` (naming the file and `--reset`) when the file cannot be read."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls(path, real=real)
        except OSError as exc:
            raise PersistenceError(f"it cannot be read ({exc})", path) from exc
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise PersistenceError(f"it is not valid JSON ({exc})", path) from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise PersistenceError("it is not a saved sandbox clock", path)
        offset = data.get("offset_seconds")
        if not isinstance(offset, int | float) or isinstance(offset, bool):
            raise PersistenceError("it has no offset in seconds", path)
        if offset < 0:
            raise PersistenceError("its offset is negative (the sandbox clock only moves forward)", path)
        return cls(path, offset=float(offset), real=real)

    def __call__(self) -> float:
        """Seconds since the epoch, sandbox time."""
        return self._real() + self.offset

    def now(self) -> datetime:
        """The sandbox's current moment, timezone-aware (UTC)."""
        return datetime.fromtimestamp(self(), UTC)

    def advance(self, seconds: float) -> None:
        """Move the sandbox's time forward by `seconds` (> 0) and save the new offset (a file that
        cannot be written is logged: the clock has moved all the same, only a restart forgets it)."""
        if seconds <= 0:
            raise ValueError("the sandbox clock only moves forward")
        self.offset += seconds
        try:
            self.save()
        except OSError:
            log.exception("could not save the sandbox clock to %s", self.path)

    def save(self) -> None:
        """Write the offset to the clock's file (atomically), when it has one."""
        if self.path is not None:
            payload = {"format": FORMAT, "version": 1, "offset_seconds": self.offset}
            write_atomically(self.path, json.dumps(payload).encode())
