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
    # Every Web API call the app made passed the stand-in's checks (Block Kit, limits, triggers…),
    # except the ones a test expects Slack to refuse.
    unexpected = [c for c in harness.standin.rejected if c.method not in harness.allow_rejections]
    assert not unexpected, [(c.method, c.error, c.messages) for c in unexpected]
