"""A sandbox for a test: the real one, in its own folder, on a free port."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from bot.sandbox.server import Sandbox
from tests.support.redis_server import free_port


async def started(folder: Path) -> Sandbox:
    """A sandbox started in `folder` (the caller stops it)."""
    sandbox = Sandbox(folder, free_port())
    await sandbox.start()
    return sandbox


@contextlib.asynccontextmanager
async def running(folder: Path) -> AsyncIterator[Sandbox]:
    """A sandbox started in `folder`, stopped on the way out."""
    sandbox = await started(folder)
    try:
        yield sandbox
    finally:
        await sandbox.stop()
