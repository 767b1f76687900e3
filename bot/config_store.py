"""Workspace configuration in Redis: one versioned document per team written by compare-and-set,
every definition version kept (running mediations keep theirs), and an audit list."""

from __future__ import annotations

from typing import cast

import redis.asyncio as aioredis

from bot.store import StoreUnavailable, VersionConflict, unavailable
from flows.config import AuditEntry, WorkspaceConfig
from flows.definition import FlowDefinition

AUDIT_KEEP = 1000

# KEYS: config, audit list; ARGV: expected version, new version, document, audit entry, keep
_SAVE = """
local current = redis.call('HGET', KEYS[1], 'v') or '0'
if current ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'doc', ARGV[3])
redis.call('LPUSH', KEYS[2], ARGV[4])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[5]) - 1)
return 1
"""


class ConfigStore:
    """Reads and writes workspace configurations."""

    def __init__(self, redis: aioredis.Redis, *, prefix: str = "cg") -> None:
        self._redis = redis
        self._prefix = prefix
        self._save = redis.register_script(_SAVE)

    def _k(self, team: str, *parts: str) -> str:
        return ":".join([self._prefix, "{" + team + "}", *parts])

    async def get(self, team: str) -> WorkspaceConfig:
        """The workspace's configuration (the defaults until an admin changes something)."""
        key = self._k(team, "config")

        async def call() -> list[bytes | None]:
            return cast(list[bytes | None], await self._redis.hmget(key, ["v", "doc"]))

        version, doc = await unavailable(call)()
        if version is None or doc is None:
            return WorkspaceConfig()
        return WorkspaceConfig.model_validate_json(doc).model_copy(update={"version": int(version)})

    async def save(self, team: str, config: WorkspaceConfig, entry: AuditEntry) -> WorkspaceConfig:
        """Write a changed configuration if nobody else did since it was read (else `VersionConflict`),
        keep every flow definition version it names, and audit the change."""
        new = config.model_copy(update={"version": config.version + 1})
        for definition in new.flows.values():
            await self.keep_definition(team, definition)
        keys = [self._k(team, "config"), self._k(team, "audit")]
        args = [
            str(config.version),
            str(new.version),
            new.model_dump_json(),
            entry.model_dump_json(),
            str(AUDIT_KEEP),
        ]

        async def call() -> int:
            return int(await self._save(keys=keys, args=args))

        if not await unavailable(call)():
            raise VersionConflict(team)
        return new

    async def record(self, team: str, entry: AuditEntry) -> None:
        """Audit something that changed nothing (a refused attempt)."""
        key = self._k(team, "audit")

        async def call() -> None:
            await self._redis.lpush(key, entry.model_dump_json())
            await self._redis.ltrim(key, 0, AUDIT_KEEP - 1)

        await unavailable(call)()

    async def audit(self, team: str, limit: int = 50) -> list[AuditEntry]:
        """The latest audit entries, newest first."""
        key = self._k(team, "audit")

        async def call() -> list[bytes]:
            return cast(list[bytes], await self._redis.lrange(key, 0, limit - 1))

        return [AuditEntry.model_validate_json(raw) for raw in await unavailable(call)()]

    async def keep_definition(self, team: str, definition: FlowDefinition) -> None:
        """Store one definition version for good (versions never change once written)."""
        key = self._k(team, "def", definition.id, str(definition.version))

        async def call() -> None:
            await self._redis.set(key, definition.model_dump_json(), nx=True)

        await unavailable(call)()

    async def definition(self, team: str, flow_id: str, version: int) -> FlowDefinition | None:
        """A stored definition version, or None."""
        key = self._k(team, "def", flow_id, str(version))

        async def call() -> bytes | None:
            return cast(bytes | None, await self._redis.get(key))

        raw = await unavailable(call)()
        return FlowDefinition.model_validate_json(raw) if raw else None


__all__ = ["ConfigStore", "StoreUnavailable"]
