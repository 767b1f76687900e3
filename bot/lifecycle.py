"""Graceful shutdown: let the work Bolt runs after an ack finish before the process stops."""

from __future__ import annotations

import asyncio
from typing import Any

# Bolt runs a listener's work after `ack()` in tasks made from these coroutines.
_BOLT_TASKS = ("run_ack_function_asynchronously", "run_async_listener")


def pending_work() -> list[asyncio.Task[Any]]:
    """Bolt listener tasks still running in this loop (other than the caller)."""
    current = asyncio.current_task()
    found = []
    for task in asyncio.all_tasks():
        if task is current or task.done():
            continue
        name = getattr(task.get_coro(), "__qualname__", "")
        if any(marker in name for marker in _BOLT_TASKS):
            found.append(task)
    return found


async def drain(within: float = 10.0) -> bool:
    """Wait until no listener work is running (new work started meanwhile included).
    True when everything finished within `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while pending := pending_work():
        remaining = deadline - loop.time()
        if remaining <= 0:
            return False
        await asyncio.wait(pending, timeout=remaining)
    return True
