from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.store import MediationStore
from tests.support.harness import Harness


@pytest.fixture
async def h(
    store: MediationStore, redis_url: str, encryption_key: str, key_prefix: str
) -> AsyncIterator[Harness]:
    harness = await Harness(store, redis_url, encryption_key, key_prefix).start()
    try:
        yield harness
    finally:
        await harness.stop()
