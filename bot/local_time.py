"""Each person's time as the timers need it: their time zone (Slack's `users.info` `tz`, cached in
Redis) and their working hours (their own, set in App Home, or the workspace's).

Looking someone up never blocks a timer: when Slack cannot say (an error, a slow answer, a person
without a `tz`), the workspace's default time zone stands in, and nothing is cached, so the next
timer asks again.

Keys, under the workspace's hash tag (one cluster slot): `{p}:{team}:tz:<user>` (the zone name, kept
`ttl_seconds`) and `{p}:{team}:hours:<user>` (the person's own working hours, JSON, kept until they
change them back to the workspace's).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import cast

import aiohttp
from pydantic import ValidationError
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config_store import ConfigStore
from bot.store import MediationStore, unavailable
from bot.workspaces import WorkspaceClients, clients_for
from flows.config import WorkspaceConfig
from flows.hours import PersonTime, WorkingHours, known_zone

log = logging.getLogger("commonground.local_time")

TZ_CACHE_SECONDS = 24 * 3600  # a person's zone changes rarely (travel): a day is fresh enough
USERS_INFO_TIMEOUT = 3.0  # seconds; then the workspace's default zone stands in


class LocalTimes:
    """Reads (and keeps) people's time zones and working hours."""

    def __init__(
        self,
        store: MediationStore,
        client: AsyncWebClient | WorkspaceClients | None,
        configs: ConfigStore | None,
        *,
        ttl_seconds: int = TZ_CACHE_SECONDS,
    ) -> None:
        self.store = store
        self.clients = clients_for(client) if client is not None else None  # one per workspace
        self.configs = configs
        self.ttl_seconds = ttl_seconds

    def _tz_key(self, team: str, user_id: str) -> str:
        return self.store.key(team, "tz", user_id)

    def _hours_key(self, team: str, user_id: str) -> str:
        return self.store.key(team, "hours", user_id)

    async def people(self, team: str, user_ids: Sequence[str]) -> dict[str, PersonTime]:
        """The time of each person (one Redis round trip, plus `users.info` for a zone not cached)."""
        users = list(dict.fromkeys(user_ids))
        if not users:
            return {}
        keys = [self._tz_key(team, u) for u in users] + [self._hours_key(team, u) for u in users]

        async def read() -> list[bytes | None]:
            return cast(list[bytes | None], await self.store.redis.mget(keys))

        found = await unavailable(read)()
        config = await self.configs.get(team) if self.configs is not None else WorkspaceConfig()
        result: dict[str, PersonTime] = {}
        for i, user_id in enumerate(users):
            cached, own = found[i], found[len(users) + i]
            tz = cached.decode() if cached else await self._look_up(team, user_id)
            result[user_id] = PersonTime(
                tz=tz or config.default_timezone, hours=_hours(own) or config.working_hours
            )
        return result

    async def _look_up(self, team: str, user_id: str) -> str | None:
        """The person's zone from Slack (and cached), or None when Slack cannot say now."""
        if self.clients is None:
            return None
        try:
            client = await self.clients.for_team(team)
            response = await asyncio.wait_for(client.users_info(user=user_id), USERS_INFO_TIMEOUT)
            tz = str((response.get("user") or {}).get("tz") or "")
        except (SlackApiError, SlackRequestError, aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.info(
                "time zone unknown; the workspace's default stands in", extra={"error": type(exc).__name__}
            )
            return None
        if not tz or not known_zone(tz):
            return None
        key = self._tz_key(team, user_id)

        async def keep() -> None:
            await self.store.redis.set(key, tz, ex=self.ttl_seconds)

        await unavailable(keep)()
        return tz

    async def own_hours(self, team: str, user_id: str) -> WorkingHours | None:
        """The working hours this person set for themselves, or None (the workspace's apply)."""
        key = self._hours_key(team, user_id)

        async def read() -> bytes | None:
            return cast(bytes | None, await self.store.redis.get(key))

        return _hours(await unavailable(read)())

    async def set_own_hours(self, team: str, user_id: str, hours: WorkingHours | None) -> None:
        """Keep this person's own working hours (None: follow the workspace's again)."""
        key = self._hours_key(team, user_id)

        async def write() -> None:
            if hours is None:
                await self.store.redis.delete(key)
            else:
                await self.store.redis.set(key, hours.model_dump_json())

        await unavailable(write)()


def _hours(raw: bytes | None) -> WorkingHours | None:
    if not raw:
        return None
    try:
        return WorkingHours.model_validate_json(raw)
    except ValidationError:
        return None
