"""Which flow definition applies: the built-in ones for now, by id and version."""

from __future__ import annotations

from flows.definition import FlowDefinition, load_builtin
from flows.models import Mediation


class DefinitionSource:
    """Gives the definition a new mediation starts with, and the one a running mediation keeps."""

    def __init__(self, builtins: tuple[str, ...] = ("peer",)) -> None:
        self._definitions: dict[tuple[str, int], FlowDefinition] = {}
        self._current: dict[str, FlowDefinition] = {}
        for flow_id in builtins:
            self.register(load_builtin(flow_id))

    def register(self, definition: FlowDefinition) -> None:
        """Make a definition available and current for its flow."""
        self._definitions[(definition.id, definition.version)] = definition
        self._current[definition.id] = definition

    def current(self, team: str, flow: str) -> FlowDefinition:
        """The definition a new mediation of this flow starts with in this workspace."""
        try:
            return self._current[flow]
        except KeyError:
            raise LookupError(f"no flow named {flow!r}") from None

    def for_mediation(self, mediation: Mediation) -> FlowDefinition:
        """The definition (version included) a running mediation started with."""
        found = self._definitions.get((mediation.flow, mediation.definition_version))
        return found if found is not None else self.current(mediation.team, mediation.flow)
