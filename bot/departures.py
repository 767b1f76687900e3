"""Workspaces that removed the app: when each is due to be forgotten, and forgetting it.

When a workspace uninstalls the app (or its bot token is revoked), its tokens go at once
(`bot.listeners.leaving`) and it is recorded here as departed, due for removal after its retention
period (the admins' *Retention* setting, 180 days unless changed). Until then nothing else changes:
its mediations, settings and anonymous counters stay as they were, and installing the app again
cancels the removal, so the workspace finds everything where it left it. When it is due, the worker
removes every key under the workspace's hash tag (`{prefix}:{team}:…`: mediations and their indexes,
settings and change log, counters, outbox, step messages, installations); an org-wide departure
removes every workspace of the org. Timers still scheduled for it find nothing and end.

    {prefix}:departed    sorted set: workspace key -> when it is due to be forgotten
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

import redis.asyncio as aioredis

from bot.store import unavailable

log = logging.getLogger("commonground.departures")

DELETE_BATCH = 500
SWEEP_SECONDS = 300.0
"""How often the worker looks for departed workspaces that are due."""


class Departures:
    """The departed workspaces, and their removal."""

    def __init__(self, redis: aioredis.Redis, *, prefix: str = "cg") -> None:
        self._redis = redis
        self._prefix = prefix
        self.key = f"{prefix}:departed"

    async def left(self, team: str, at: datetime, retention_days: int) -> datetime:
        """Record that a workspace left at `at`: it is forgotten `retention_days` later (an earlier
        departure that is still pending keeps its own, earlier, date). Returns when it is due."""
        due = at + timedelta(days=retention_days)

        async def call() -> float:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.zadd(self.key, {team: due.timestamp()}, nx=True)
                pipe.zscore(self.key, team)
                _, stored = await pipe.execute()
            return float(stored)

        return datetime.fromtimestamp(await unavailable(call)(), tz=at.tzinfo)

    async def returned(self, team: str) -> bool:
        """The workspace installed the app again: nothing of it is removed. True if it had left."""

        async def call() -> int:
            return int(await self._redis.zrem(self.key, team))

        return await unavailable(call)() == 1

    async def due(self, now: datetime) -> list[str]:
        """Workspaces due to be forgotten."""

        async def call() -> list[bytes]:
            return cast(list[bytes], await self._redis.zrangebyscore(self.key, "-inf", now.timestamp()))

        return [team.decode() for team in await unavailable(call)()]

    async def when(self, team: str) -> datetime | None:
        """When a departed workspace is due to be forgotten; None if it has not left."""

        async def call() -> float | None:
            return await self._redis.zscore(self.key, team)

        found = await unavailable(call)()
        return datetime.fromtimestamp(found).astimezone() if found is not None else None

    def _pattern(self, team: str) -> str:
        enterprise, _, team_id = team.partition(".")
        if team_id == "-" and enterprise != "-":  # org-wide: every workspace of the org
            return f"{self._prefix}:{{{enterprise}.*}}:*"
        return f"{self._prefix}:{{{team}}}:*"

    async def forget(self, team: str) -> int:
        """Remove every key of a workspace (of an org, for an org-wide departure); the count removed."""
        removed = 0

        async def call() -> int:
            count, batch = 0, []
            async for key in self._redis.scan_iter(match=self._pattern(team), count=DELETE_BATCH):
                batch.append(key)
                if len(batch) >= DELETE_BATCH:
                    count += await self._unlink(batch)
                    batch = []
            if batch:
                count += await self._unlink(batch)
            await self._redis.zrem(self.key, team)
            return count

        removed = await unavailable(call)()
        log.info("departed workspace forgotten", extra={"team": team, "keys": removed})
        return removed

    async def _unlink(self, keys: list[bytes]) -> int:
        # one key a command: the keys of an org-wide departure are in several cluster slots
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.unlink(key)
            return sum(int(n) for n in await pipe.execute())

    async def sweep(self, now: datetime) -> int:
        """Forget every workspace that is due; how many were."""
        teams = await self.due(now)
        for team in teams:
            await self.forget(team)
        return len(teams)


async def run_sweeps(
    departures: Departures, clock: Callable[[], datetime], every: float = SWEEP_SECONDS
) -> None:
    """The worker's side: forget departed workspaces as they fall due, forever. No error ends it."""
    while True:
        try:
            await departures.sweep(clock())
        except Exception as exc:  # StoreUnavailable or anything: log, wait, go on
            log.warning("departure sweep failed; retrying", extra={"error": type(exc).__name__})
        await asyncio.sleep(every)
