"""LoadedOnce: a coach model is loaded once per process, and a failure is logged once, not retried."""

from __future__ import annotations

import logging
import threading

import pytest

from flows.coach.once import LoadedOnce

log = logging.getLogger("commonground.coach")


def test_it_loads_once_even_from_many_threads() -> None:
    calls: list[int] = []

    def load() -> str:
        calls.append(1)
        return "model"

    once = LoadedOnce(load, "unavailable", log)
    threads = [threading.Thread(target=once.get) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert once.get() == "model" and len(calls) == 1


def test_a_failure_gives_none_is_logged_once_and_not_retried(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    def load() -> str:
        calls.append(1)
        raise OSError("no such file")

    once = LoadedOnce(load, "the model is unavailable", log)
    with caplog.at_level(logging.WARNING, logger="commonground.coach"):
        assert once.get() is None and once.get() is None
    assert len(calls) == 1
    assert [r.getMessage() for r in caplog.records] == ["the model is unavailable"]


def test_reset_forgets_or_forces_a_value() -> None:
    values = iter(["first", "second"])
    once = LoadedOnce(lambda: next(values), "unavailable", log)
    assert once.get() == "first"
    once.reset()
    assert once.get() == "second"
    once.reset(None)
    assert once.get() is None
