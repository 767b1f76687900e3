"""A model loaded once per process, on first use, or ``None`` (logged once) when it cannot load."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
_UNSET = object()


class LoadedOnce(Generic[T]):
    """Holds what ``load`` returns, loading it on the first :meth:`get` (thread-safe)."""

    def __init__(self, load: Callable[[], T], failure: str, log: logging.Logger) -> None:
        self._load = load
        self._failure = failure
        self._log = log
        self._lock = threading.Lock()
        self._value: T | object | None = _UNSET

    def get(self) -> T | None:
        """The loaded value; ``None`` if loading failed (logged once, never retried)."""
        value = self._value
        if value is _UNSET:
            with self._lock:
                if self._value is _UNSET:
                    try:
                        self._value = self._load()
                    except Exception as exc:  # any failure: the coach answers without it
                        self._log.warning(self._failure, extra={"error": repr(exc)})
                        self._value = None
                value = self._value
        return value  # type: ignore[return-value]

    def reset(self, value: T | object | None = _UNSET) -> None:
        """Forget the loaded value (load again on next use), or force one (``None``: run without it)."""
        with self._lock:
            self._value = value
