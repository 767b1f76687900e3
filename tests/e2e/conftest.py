from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TypeVar

import pytest

from bot.store import MediationStore
from tests.support.harness import Harness

H = TypeVar("H", bound=Harness)


@contextlib.asynccontextmanager
async def started(harness: H) -> AsyncIterator[H]:
    """Run a harness for one test; at the end, every Web API call the app made passed the stand-in's
    checks (Block Kit, limits, triggers…), except the ones a test expects Slack to refuse."""
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
    assert not harness.unexpected_rejections(), harness.unexpected_rejections()


@pytest.fixture
async def h(
    store: MediationStore, redis_url: str, encryption_key: str, key_prefix: str
) -> AsyncIterator[Harness]:
    async with started(Harness(store, redis_url, encryption_key, key_prefix)) as harness:
        yield harness
