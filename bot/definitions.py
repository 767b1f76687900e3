"""Which flow definition applies: the workspace's current one for a new mediation, and for a running
mediation the exact version it started with."""

from __future__ import annotations

from bot.config_store import ConfigStore
from flows.definition import FlowDefinition, load_builtin
from flows.models import Mediation


class DefinitionSource:
    """Definitions by workspace, flow and version. Versions never change once written, so they are
    cached; the current version is read from the workspace's configuration each time."""

    def __init__(self, configs: ConfigStore | None = None) -> None:
        self.configs = configs
        self._cache: dict[tuple[str, str, int], FlowDefinition] = {}

    async def current(self, team: str, flow: str) -> FlowDefinition:
        """The definition a new mediation of this flow starts with in this workspace."""
        if self.configs is None:
            return load_builtin(flow)
        return (await self.configs.get(team)).definition(flow)

    async def for_mediation(self, mediation: Mediation) -> FlowDefinition:
        """The definition (version included) a running mediation started with."""
        key = (mediation.team, mediation.flow, mediation.definition_version)
        if key in self._cache:
            return self._cache[key]
        found = None
        if self.configs is not None:
            found = await self.configs.definition(
                mediation.team, mediation.flow, mediation.definition_version
            )
        if found is None:
            builtin = load_builtin(mediation.flow)
            if builtin.version != mediation.definition_version:
                raise LookupError(f"definition {key} is not stored")
            found = builtin
        self._cache[key] = found
        return found
