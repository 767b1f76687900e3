"""A workspace's configuration: which flows run, who facilitates and administers, escalation
contacts and safety text, retention, and the workspace's own versions of the flow definitions.

Validated by pydantic; a change that does not validate is refused and the old configuration stays
in force. Every change is audited by the adapter (who, when, which fields).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from flows.definition import FlowDefinition, load_builtin
from flows.hours import WorkingHours, known_zone

BUILTIN_FLOWS = ("peer", "facilitated")
ALL_FLOWS = ("peer", "facilitated", "prepare")


class FacilitatorPolicy(StrEnum):
    """Who may host a facilitated mediation."""

    EVERYONE = "everyone"
    LISTED = "listed"
    USERGROUP = "usergroup"


class EscalationContact(BaseModel):
    """Someone people can turn to instead of, or as well as, mediation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1, max_length=60)
    user_id: str | None = Field(default=None, pattern=r"^[UW][A-Z0-9]{2,}$")
    details: str = Field(default="", max_length=300)


DEFAULT_SAFETY_TEXT = (
    "Mediation is not the right place for harassment, violence, discrimination or threats. If any of "
    "these is part of what happened, please speak with one of the contacts below. They can help."
)


class WorkspaceConfig(BaseModel):
    """Everything an admin can shape for one workspace."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(default=0, ge=0)
    enabled_flows: list[str] = Field(default_factory=lambda: list(ALL_FLOWS))
    admins: list[str] = Field(default_factory=list)
    facilitator_policy: FacilitatorPolicy = FacilitatorPolicy.EVERYONE
    facilitators: list[str] = Field(default_factory=list)
    facilitator_group: str | None = Field(default=None, pattern=r"^S[A-Z0-9]{2,}$")
    escalation_contacts: list[EscalationContact] = Field(default_factory=list, max_length=5)
    safety_text: str = Field(default=DEFAULT_SAFETY_TEXT, min_length=1, max_length=1000)
    retention_days: int = Field(default=180, ge=7, le=3650)
    # When timers may reach people (each person may set their own in App Home), and the time zone
    # assumed for someone whose zone Slack cannot tell us.
    working_hours: WorkingHours = Field(default_factory=WorkingHours)
    default_timezone: str = Field(default="UTC", min_length=1, max_length=64)
    flows: dict[str, FlowDefinition] = Field(default_factory=dict)

    @field_validator("enabled_flows")
    @classmethod
    def _known_flows(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(ALL_FLOWS))
        if unknown:
            raise ValueError(f"unknown flows: {', '.join(unknown)} (known: {', '.join(ALL_FLOWS)})")
        return sorted(set(value), key=ALL_FLOWS.index)

    @field_validator("default_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if not known_zone(value):
            raise ValueError(f"{value!r} is not a time zone (use a name like Europe/London)")
        return value

    @field_validator("admins", "facilitators")
    @classmethod
    def _user_ids(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not (v[:1] in ("U", "W") and v[1:].isalnum() and v.isupper())]
        if bad:
            raise ValueError(f"not Slack user ids: {', '.join(bad[:3])}")
        return sorted(set(value))

    @model_validator(mode="after")
    def _coherent(self) -> WorkspaceConfig:
        for flow_id, definition in self.flows.items():
            if flow_id not in BUILTIN_FLOWS:
                raise ValueError(f"flows.{flow_id}: only {', '.join(BUILTIN_FLOWS)} can be shaped")
            if definition.id != flow_id:
                raise ValueError(f"flows.{flow_id}: the definition's id is {definition.id!r}")
        if self.facilitator_policy is FacilitatorPolicy.USERGROUP and not self.facilitator_group:
            raise ValueError("facilitator_group: name the user group whose members may facilitate")
        return self

    def definition(self, flow_id: str) -> FlowDefinition:
        """The workspace's current definition of a flow (its own version, or the built-in one)."""
        return self.flows.get(flow_id) or load_builtin(flow_id)

    def with_definition(self, definition: FlowDefinition) -> WorkspaceConfig:
        """A copy with a new version of one flow's definition (numbered after the current one)."""
        current = self.definition(definition.id)
        bumped = definition.model_copy(update={"version": current.version + 1})
        FlowDefinition.model_validate(bumped.model_dump())
        return self.model_copy(update={"flows": {**self.flows, definition.id: bumped}})


SettingScalar = str | int | float | bool | None
SettingValue = SettingScalar | list[SettingScalar]
"""A setting's value as the change log keeps it: a scalar or a list of scalars (see `AuditEntry`)."""


class AuditEntry(BaseModel):
    """One configuration change: who, when, what (field names, never free text of a mediation).

    `values` keeps, for changed fields, the value each took, so that the change log can say it later
    ("Retention: 90 days"): only configuration an admin wrote (settings, prompts, contacts), clipped.
    A field whose value is a structure (a whole list of stages, say) is named without a value.
    """

    model_config = ConfigDict(frozen=True)

    actor: str
    at: datetime
    action: str
    fields: list[str] = Field(default_factory=list)
    values: dict[str, SettingValue] = Field(default_factory=dict)
    ok: bool = True


def changed_fields(before: WorkspaceConfig, after: WorkspaceConfig) -> list[str]:
    """The dotted names of the fields that differ between two configurations."""
    return _diff(
        before.model_dump(mode="json", exclude={"version"}),
        after.model_dump(mode="json", exclude={"version"}),
    )


def _diff(a: Any, b: Any, prefix: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        found: list[str] = []
        for key in sorted(set(a) | set(b)):
            found += _diff(a.get(key), b.get(key), f"{prefix}{key}.")
        return found
    return [prefix.rstrip(".")] if a != b else []


class ConfigImportError(ValueError):
    """A configuration file that cannot be imported; the message says where."""


def export_yaml(config: WorkspaceConfig) -> str:
    """The configuration as YAML (for `commonground config export` and App Home)."""
    data = config.model_dump(mode="json", exclude={"version"})
    return "# Common Ground workspace configuration\n" + yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True
    )


def import_yaml(text: str, current: WorkspaceConfig) -> WorkspaceConfig:
    """Parse and validate a YAML configuration; raises `ConfigImportError` naming the line or field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "the file"
        problem = getattr(exc, "problem", None) or "it is not valid YAML"
        raise ConfigImportError(f"The YAML is not valid at {where}: {problem}.") from None
    if not isinstance(data, dict):
        raise ConfigImportError("The file should be a YAML mapping of settings, like the export.")
    data["version"] = current.version
    try:
        imported = WorkspaceConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigImportError(describe_errors(exc)) from None
    flows = {}
    for flow_id, definition in imported.flows.items():
        old = current.definition(flow_id)
        same = definition.model_dump(exclude={"version"}) == old.model_dump(exclude={"version"})
        flows[flow_id] = old if same else definition.model_copy(update={"version": old.version + 1})
    return imported.model_copy(update={"flows": flows})


def describe_errors(exc: ValidationError) -> str:
    """Pydantic errors as short sentences naming the field."""
    parts = []
    for error in exc.errors()[:6]:
        where = ".".join(str(p) for p in error["loc"]) or "the configuration"
        parts.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)
