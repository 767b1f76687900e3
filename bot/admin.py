"""Admins and what they change: who is an admin, reading the admin modals into a validated workspace
configuration, YAML export and import (whole or partial), and saving a change with its audit entry.

An admin is a Slack workspace admin or owner (`users.info`), or a person listed in the workspace's
configuration. Every change is validated by pydantic through `WorkspaceConfig` / `FlowDefinition`; a
change that does not validate raises `FormErrors` (block id → kind words) and nothing is saved.
Definition changes get a new version, so running mediations keep the version they started with.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import yaml
from annotated_types import Ge, Le
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts as t
from bot.config_store import ConfigStore
from bot.store import VersionConflict
from bot.submitted import Values, value
from bot.views.hours import read_hours
from bot.webclient import slack_error
from bot.workspaces import WorkspaceClients, clients_for
from flows.config import (
    BUILTIN_FLOWS,
    AuditEntry,
    ConfigImportError,
    SettingValue,
    WorkspaceConfig,
    changed_fields,
    export_yaml,
    import_yaml,
)
from flows.definition import FlowDefinition, InvitationStage, JointStage, ReflectionStage, load_builtin
from flows.models import Stage

log = logging.getLogger("commonground.admin")


SAVE_ATTEMPTS = 5
SLACK_ROLE_TTL = 60.0
SEEN_MAX = 10_000
CLI_ACTOR = "cli"


class AdminForm(StrEnum):
    """The admin surfaces: forms that change the configuration, and views that only show."""

    FLOWS = "flows"
    PEOPLE = "people"
    SAFETY = "safety"
    RETENTION = "retention"
    HOURS = "hours"
    PROMPTS = "prompts"
    PROCESS = "process"
    IMPORT = "import"
    EXPORT = "export"
    OUTCOMES = "outcomes"
    AUDIT = "audit"

    @property
    def edits(self) -> bool:
        """True for a form that changes the configuration (it has a submit button)."""
        return self not in (AdminForm.EXPORT, AdminForm.OUTCOMES, AdminForm.AUDIT)

    @property
    def per_flow(self) -> bool:
        """True for a form that shapes one flow's definition."""
        return self in (AdminForm.PROMPTS, AdminForm.PROCESS)


class FormErrors(Exception):
    """A submitted form that does not validate: kind words by block id."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


class ChangedMeanwhile(Exception):
    """Someone else changed the settings a form shows after it was opened."""


# --- who is an admin --------------------------------------------------------------------------------


class AdminGate:
    """Decides who is an admin. Every open and every submission asks Slack afresh; only whether to
    draw the admin section of App Home may use a short per-process memory of Slack's answer."""

    def __init__(
        self,
        client: AsyncWebClient | WorkspaceClients,
        configs: ConfigStore,
        *,
        ttl: float = SLACK_ROLE_TTL,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clients = clients_for(client)  # one workspace's, or one per installed workspace
        self.configs = configs
        self._ttl = ttl
        self._monotonic = monotonic
        self._seen: dict[tuple[str, str], tuple[float, bool]] = {}

    async def slack_admin(self, user_id: str, team: str = "") -> bool:
        """True when Slack says this person is an admin or owner of the workspace (a full member)."""
        try:
            client = await self.clients.for_team(team)
            response = await client.users_info(user=user_id)
        except SlackApiError as exc:
            log.info("users.info failed", extra={"error": slack_error(exc)})
            return False
        user = response.get("user") or {}
        if user.get("deleted") or user.get("is_bot") or user.get("is_restricted"):
            return False
        allowed = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        if len(self._seen) >= SEEN_MAX:
            self._seen.clear()
        self._seen[team, user_id] = (self._monotonic(), allowed)
        return allowed

    async def is_admin(self, team: str, user_id: str, config: WorkspaceConfig | None = None) -> bool:
        """Whether this person may open and submit admin views (asks Slack every time)."""
        config = config if config is not None else await self.configs.get(team)
        return user_id in config.admins or await self.slack_admin(user_id, team)

    async def shows_section(self, team: str, user_id: str, config: WorkspaceConfig) -> bool:
        """Whether to draw the admin section of this person's App Home (display only: every button
        in it checks again)."""
        if user_id in config.admins:
            return True
        seen = self._seen.get((team, user_id))
        if seen is not None and self._monotonic() - seen[0] < self._ttl:
            return seen[1]
        return await self.slack_admin(user_id, team)


# --- flows, export, import ---------------------------------------------------------------------------


def shapeable_flows() -> list[str]:
    """The flows an admin can shape that ship a built-in definition."""
    found = []
    for flow in BUILTIN_FLOWS:
        try:
            load_builtin(flow)
        except LookupError:
            continue
        found.append(flow)
    return found


def with_all_definitions(config: WorkspaceConfig) -> WorkspaceConfig:
    """The configuration with every shapeable flow's current definition written out (for export)."""
    return config.model_copy(update={"flows": {f: config.definition(f) for f in shapeable_flows()}})


def export_config(config: WorkspaceConfig) -> str:
    """The configuration as YAML, every flow's definition included so that it can be edited."""
    return export_yaml(with_all_definitions(config))


def import_config(text: str, current: WorkspaceConfig, *, merge: bool) -> WorkspaceConfig:
    """A configuration from YAML: the whole configuration, or with `merge` only the keys the YAML
    gives (mappings merge key by key; a list replaces the whole list). Raises `ConfigImportError`
    naming the line of a malformed YAML or the field that does not validate."""
    if merge:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            import_yaml(text, current)  # raises ConfigImportError naming the line
            raise
        if not isinstance(data, dict):
            import_yaml(text, current)  # raises ConfigImportError: not a mapping
            raise ConfigImportError("The YAML should be a mapping of settings, like the export.")
        base = current.model_dump(mode="json", exclude={"version"})
        flows = data.get("flows")
        if isinstance(flows, dict):
            unknown = sorted(str(f) for f in flows if f not in shapeable_flows())
            if unknown:
                raise ConfigImportError(
                    f"flows.{unknown[0]}: only {', '.join(shapeable_flows())} can be shaped."
                )
            base["flows"] = {
                f: current.definition(f).model_dump(mode="json") for f in {*current.flows, *flows}
            }
        text = yaml.safe_dump(_merge(base, data), sort_keys=False, allow_unicode=True)
    return settle_versions(import_yaml(text, current), current)


def _merge(base: Any, patch: Any) -> Any:
    """`patch` laid over `base`: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = _merge(base.get(key), value) if key in base else value
        return merged
    return patch


def _same(a: FlowDefinition, b: FlowDefinition) -> bool:
    return a.model_dump(exclude={"version"}) == b.model_dump(exclude={"version"})


def settle_versions(new: WorkspaceConfig, current: WorkspaceConfig) -> WorkspaceConfig:
    """Definition versions after a change: an unchanged flow keeps its version (a built-in one stays
    implicit), a changed one is numbered after the current one. Versions never go back, so a version
    number always names one definition (also when an import leaves a shaped flow out)."""
    flows: dict[str, FlowDefinition] = {f: d for f, d in new.flows.items() if f not in shapeable_flows()}
    for flow in shapeable_flows():
        wanted, old = new.definition(flow), current.definition(flow)
        if _same(wanted, old):
            if flow in current.flows:
                flows[flow] = old
        else:
            flows[flow] = wanted.model_copy(update={"version": old.version + 1})
    return new.model_copy(update={"flows": flows})


# --- reading the forms --------------------------------------------------------------------------------

# Number inputs and the model field whose bounds they take.
RANGES: dict[str, tuple[type[BaseModel], str]] = {
    "reminder_hours": (InvitationStage, "reminder_hours"),
    "expire_days": (InvitationStage, "expire_days"),
    "max_rounds": (ReflectionStage, "max_rounds"),
    "follow_up_days": (JointStage, "follow_up_days"),
    "retention_days": (WorkspaceConfig, "retention_days"),
    "extend_days": (InvitationStage, "extend_days"),
    "check_in_days": (JointStage, "check_in_days"),
    "stall_hours": (FlowDefinition, "stall_hours"),
}
CONTACT_SLOTS = 5
CONTACT_PARTS = ("label", "user", "details")


def bounds(block_id: str) -> tuple[int, int]:
    """The smallest and largest value the number input `block_id` accepts (from the model)."""
    model, name = RANGES[block_id]
    low, high = 0, 10**6
    for item in model.model_fields[name].metadata:
        if isinstance(item, Ge):
            low = int(item.ge)  # type: ignore[call-overload]
        elif isinstance(item, Le):
            high = int(item.le)  # type: ignore[call-overload]
    return low, high


def read(values: Values, block_id: str) -> Any:
    """The submitted value of the input in `block_id` (see `bot.submitted.value`)."""
    return value(values, block_id)


def _text(values: Values, block_id: str) -> str:
    found = read(values, block_id)
    return found.strip() if isinstance(found, str) else ""


def _list(values: Values, block_id: str) -> list[str]:
    found = read(values, block_id)
    return found if isinstance(found, list) else []


def apply_form(config: WorkspaceConfig, form: AdminForm, flow: str, values: Values) -> WorkspaceConfig:
    """The configuration with a submitted form applied, validated (raises `FormErrors`)."""
    if form is AdminForm.FLOWS:
        return _config_update(config, {"enabled_flows": _list(values, "enabled_flows")}, values)
    if form is AdminForm.RETENTION:
        return _config_update(config, {"retention_days": read(values, "retention_days")}, values)
    if form is AdminForm.HOURS:
        changes = {"working_hours": read_hours(values), "default_timezone": _text(values, "default_timezone")}
        return _config_update(config, changes, values, _hours_block)
    if form is AdminForm.PEOPLE:
        return _people(config, values)
    if form is AdminForm.SAFETY:
        return _safety(config, values)
    if form is AdminForm.PROMPTS:
        return _definition_update(config, flow, values, _prompts)
    if form is AdminForm.PROCESS:
        return _definition_update(config, flow, values, _process, top=("stall_hours",))
    if form is AdminForm.IMPORT:
        try:
            return import_config(_text(values, "yaml"), config, merge=True)
        except ConfigImportError as exc:
            problem = t.ADMIN_IMPORT_PROBLEM.format(problem=str(exc))
            raise FormErrors({"yaml": problem[:1900]}) from None
    raise FormErrors({next(iter(values), "yaml"): t.SOMETHING_WRONG})


def _config_update(
    config: WorkspaceConfig,
    changes: dict[str, Any],
    values: Values,
    where: Callable[[tuple[int | str, ...]], str | None] | None = None,
) -> WorkspaceConfig:
    data = {**config.model_dump(), **changes}
    try:
        return WorkspaceConfig.model_validate(data)
    except ValidationError as exc:
        raise FormErrors(_errors(exc, values, where or (lambda loc: str(loc[0]) if loc else None))) from None


def _hours_block(loc: tuple[int | str, ...]) -> str | None:
    """The block of a working-hours error: ("working_hours", "quiet_start", …) → "quiet_start"."""
    if loc[:1] == ("working_hours",) and len(loc) >= 2:
        return str(loc[1])
    return str(loc[0]) if loc else None


def _people(config: WorkspaceConfig, values: Values) -> WorkspaceConfig:
    policy = read(values, "facilitator_policy") or config.facilitator_policy.value
    facilitators = _list(values, "facilitators")
    if policy == "listed" and not facilitators:
        raise FormErrors({"facilitators": t.ADMIN_PEOPLE_NEED_LISTED})
    changes = {
        "admins": _list(values, "admins"),
        "facilitator_policy": policy,
        "facilitators": facilitators,
        "facilitator_group": _text(values, "facilitator_group") or None,
    }
    return _config_update(config, changes, values)


def _safety(config: WorkspaceConfig, values: Values) -> WorkspaceConfig:
    contacts: list[dict[str, Any]] = []
    slots: list[int] = []  # the form slot of each contact, for errors
    missing: dict[str, str] = {}
    for slot in range(CONTACT_SLOTS):
        label = _text(values, f"contact{slot}_label")
        user = read(values, f"contact{slot}_user")
        details = _text(values, f"contact{slot}_details")
        if not (label or user or details):
            continue
        if not label:
            missing[f"contact{slot}_label"] = t.ADMIN_CONTACT_NEEDS_LABEL
        contacts.append({"label": label, "user_id": user or None, "details": details})
        slots.append(slot)
    if missing:
        raise FormErrors(missing)

    def where(loc: tuple[int | str, ...]) -> str | None:
        if loc[:1] == ("escalation_contacts",) and len(loc) >= 3 and isinstance(loc[1], int):
            part = {"label": "label", "user_id": "user", "details": "details"}.get(str(loc[2]), "label")
            return f"contact{slots[loc[1]]}_{part}"
        return str(loc[0]) if loc else None

    changes = {"safety_text": _text(values, "safety_text"), "escalation_contacts": contacts}
    return _config_update(config, changes, values, where)


Stages = list[dict[str, Any]]


def _prompts(stages: Stages, values: Values) -> None:
    for stage in stages:
        if stage["type"] == Stage.INVITATION.value:
            stage["intro"] = _text(values, "intro") or None
        elif stage["type"] == Stage.GROUND_RULES.value:
            stage["rules"] = [line.strip() for line in _text(values, "rules").splitlines() if line.strip()]
        elif stage["type"] == Stage.INTAKE.value:
            for question in stage["questions"]:
                question["label"] = _text(values, f"q_{question['key']}_label")
                question["hint"] = _text(values, f"q_{question['key']}_hint")


def _process(stages: Stages, values: Values) -> None:
    fields = {
        Stage.INVITATION.value: ("reminder_hours", "expire_days", "extend_days"),
        Stage.INTAKE.value: ("default_share",),
        Stage.REFLECTION.value: ("max_rounds", "order", "first_speaker"),
        Stage.JOINT.value: ("space", "follow_up_days", "check_in_days"),
    }
    for stage in stages:
        for name in fields.get(stage["type"], ()):
            stage[name] = read(values, name)


def _definition_update(
    config: WorkspaceConfig,
    flow: str,
    values: Values,
    change: Callable[[Stages, Values], None],
    top: tuple[str, ...] = (),
) -> WorkspaceConfig:
    current = config.definition(flow)
    data = current.model_dump(mode="json")
    change(data["stages"], values)
    for name in top:  # settings of the whole flow, not of one stage
        data[name] = read(values, name)
    stages = data["stages"]

    def where(loc: tuple[int | str, ...]) -> str | None:
        if loc and loc[0] in top:
            return str(loc[0])
        # ("stages", index, <stage type tag>, field, …) → the block of that field
        if len(loc) < 4 or loc[0] != "stages" or not isinstance(loc[1], int) or loc[1] >= len(stages):
            return None
        field = str(loc[3])
        if field == "questions" and len(loc) >= 6 and isinstance(loc[4], int):
            key = stages[loc[1]]["questions"][loc[4]]["key"]
            return f"q_{key}_{loc[5]}"
        return field

    try:
        definition = FlowDefinition.model_validate(data)
    except ValidationError as exc:
        raise FormErrors(_errors(exc, values, where)) from None
    if _same(definition, current):
        return config
    return config.with_definition(definition)


def _errors(
    exc: ValidationError, values: Values, where: Callable[[tuple[int | str, ...]], str | None]
) -> dict[str, str]:
    """Pydantic errors as kind words under the block each belongs to (else under the first block)."""
    fallback = next(iter(values), "value")
    errors: dict[str, str] = {}
    for error in exc.errors():
        block = where(tuple(error["loc"]))
        message = error["msg"].removeprefix("Value error, ")
        if block is None and ": " in message:  # a model-level check naming its field first
            named, _, rest = message.partition(": ")
            if named in values:
                block, message = named, rest
                error = {**error, "msg": rest}
        if block not in values:
            block = fallback
        errors.setdefault(block, problem_text(error, block))
    return errors


def problem_text(error: ErrorDetails, block: str) -> str:
    """Kind words for one pydantic error, shown under the field `block`."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "string_too_long":
        return t.ADMIN_FIELD_TOO_LONG.format(limit=ctx.get("max_length"))
    if kind in ("string_too_short", "missing") or (kind == "too_short" and ctx.get("min_length") == 1):
        return t.ADMIN_FIELD_EMPTY
    if kind == "too_long":
        return t.ADMIN_FIELD_TOO_MANY.format(limit=ctx.get("max_length"))
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than") and block in RANGES:
        low, high = bounds(block)
        return t.ADMIN_FIELD_RANGE.format(low=low, high=high)
    if kind.startswith("int_"):
        return t.ADMIN_FIELD_NUMBER
    if kind == "string_pattern_mismatch" and block == "facilitator_group":
        return t.ADMIN_FIELD_USER_GROUP
    return t.ADMIN_FIELD_OTHER.format(problem=error["msg"].removeprefix("Value error, "))


# --- what a form shows, and saving ---------------------------------------------------------------------


def scope(config: WorkspaceConfig, form: AdminForm, flow: str) -> str:
    """A short fingerprint of the settings a form shows, to notice someone else's change meanwhile."""
    if form.per_flow:
        part: Any = config.definition(flow).version
    else:
        names = {
            AdminForm.FLOWS: ["enabled_flows"],
            AdminForm.PEOPLE: ["admins", "facilitator_policy", "facilitators", "facilitator_group"],
            AdminForm.SAFETY: ["safety_text", "escalation_contacts"],
            AdminForm.RETENTION: ["retention_days"],
            AdminForm.HOURS: ["working_hours", "default_timezone"],
        }.get(form, [])
        part = config.model_dump(mode="json", include=set(names))
    raw = json.dumps(part, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def action_name(form: AdminForm, flow: str = "") -> str:
    """The audit action of a form (`prompts:peer` for a flow's form)."""
    return f"{form.value}:{flow}" if form.per_flow else form.value


@dataclass(frozen=True)
class Saved:
    """The outcome of a change: the configuration before and after, and the changed field names."""

    before: WorkspaceConfig
    after: WorkspaceConfig
    fields: list[str]
    values: dict[str, SettingValue] = field(default_factory=dict)


async def save_change(
    configs: ConfigStore,
    team: str,
    *,
    actor: str,
    action: str,
    at: datetime,
    change: Callable[[WorkspaceConfig], WorkspaceConfig],
    still: Callable[[WorkspaceConfig], bool] | None = None,
) -> Saved:
    """Apply `change` to the current configuration and save it with its audit entry, by
    compare-and-set (re-reading and re-applying when another writer got there first).

    `still` checks that what the person saw is still in place (else `ChangedMeanwhile`). `change`
    may raise `FormErrors` or `ConfigImportError`; nothing is saved then. Raises `VersionConflict`
    after repeated conflicts and `StoreUnavailable` when Redis is away.
    """
    for _ in range(SAVE_ATTEMPTS):
        current = await configs.get(team)
        if still is not None and not still(current):
            raise ChangedMeanwhile(team)
        new = await _unused_versions(configs, team, current, change(current))
        changes = audit_changes(current, new)
        fields = list(changes)
        if not fields:
            return Saved(current, current, [])
        values = {path: value for path, value in changes.items() if not isinstance(value, _NoValue)}
        entry = AuditEntry(actor=actor, at=at, action=action, fields=fields, values=values)
        try:
            saved = await configs.save(team, new, entry)
        except VersionConflict:
            continue
        log.info("configuration changed", extra={"team": team, "action": action, "fields": len(fields)})
        return Saved(current, saved, fields, values)
    raise VersionConflict(team)


async def _unused_versions(
    configs: ConfigStore, team: str, current: WorkspaceConfig, new: WorkspaceConfig
) -> WorkspaceConfig:
    """Number each new definition after any version already stored with other content (a save that
    lost its compare-and-set may have kept one), so that a version always names one definition."""
    flows = dict(new.flows)
    for flow, definition in new.flows.items():
        if flow in current.flows and current.flows[flow] == definition:
            continue
        version = definition.version
        while (stored := await configs.definition(team, flow, version)) is not None and not _same(
            stored, definition
        ):
            version += 1
        flows[flow] = definition.model_copy(update={"version": version})
    return new.model_copy(update={"flows": flows})


async def refuse(configs: ConfigStore, team: str, actor: str, action: str, at: datetime) -> None:
    """Audit an attempt that was refused (nothing changed)."""
    await configs.record(team, AuditEntry(actor=actor, at=at, action=action, ok=False))


def audit_fields(before: WorkspaceConfig, after: WorkspaceConfig) -> list[str]:
    """The settings that differ, as dotted names down to the changed item (a flow's stages named by
    their type: `flows.peer.intake.questions.0.label`); a list that changed length is named whole, and
    so is a list that is a set (`admins`, `facilitators`, `enabled_flows`)."""
    return list(audit_changes(before, after))


# Lists that are sets (sorted, without repeats): a change is the new set, not "item 2 changed".
WHOLE_LISTS = ("enabled_flows", "admins", "facilitators")
VALUE_KEEP = 300
"""The longest text the change log keeps of a changed value (the rest is cut, with "…")."""
LIST_KEEP = 20
"""The most items the change log keeps of a changed list."""


class _NoValue:
    """Marks a changed field whose value is a structure: the change log names it without a value."""


_NO_VALUE = _NoValue()


def audit_changes(before: WorkspaceConfig, after: WorkspaceConfig) -> dict[str, SettingValue | _NoValue]:
    """The changed settings (named as `audit_fields` names them), each with the value it took, for
    the change log to say in words: a scalar, a list of scalars (an escalation contact by its name),
    or `_NO_VALUE` for a structure. Texts are clipped to `VALUE_KEEP` characters."""
    if not changed_fields(before, after):
        return {}
    a = with_all_definitions(before).model_dump(mode="json", exclude={"version"})
    b = with_all_definitions(after).model_dump(mode="json", exclude={"version"})
    changes: dict[str, SettingValue | _NoValue] = {}
    for path in _paths(a, b, ""):
        found: Any = b
        for part in path.split("."):
            found = found[int(part)] if isinstance(found, list) else found.get(part)
        changes[field_label(path, after)] = _kept(found)
    return changes


def _kept(found: Any) -> SettingValue | _NoValue:
    if isinstance(found, str):
        return found if len(found) <= VALUE_KEEP else found[: VALUE_KEEP - 1].rstrip() + "…"
    if found is None or isinstance(found, bool | int | float):
        return found
    if isinstance(found, list):
        items = [x.get("label") if isinstance(x, dict) and "label" in x else x for x in found[:LIST_KEEP]]
        kept = [_kept(x) for x in items]
        if all(not isinstance(x, _NoValue | list) for x in kept):
            return [x for x in kept if not isinstance(x, _NoValue | list)]
    return _NO_VALUE


def _paths(a: Any, b: Any, prefix: str) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            p for key in sorted(set(a) | set(b)) for p in _paths(a.get(key), b.get(key), f"{prefix}{key}.")
        ]
    whole = prefix.rstrip(".") in WHOLE_LISTS
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and not whole:
        return [p for i, (x, y) in enumerate(zip(a, b, strict=True)) for p in _paths(x, y, f"{prefix}{i}.")]
    return [prefix.rstrip(".")] if a != b else []


def field_label(path: str, config: WorkspaceConfig) -> str:
    """A changed field's dotted name, with stage positions named by their type
    (`flows.peer.stages.2.questions.0.label` → `flows.peer.intake.questions.0.label`)."""
    parts = path.split(".")
    if len(parts) >= 4 and parts[0] == "flows" and parts[2] == "stages" and parts[3].isdigit():
        flow, index = parts[1], int(parts[3])
        try:
            stages = config.definition(flow).stages
        except LookupError:
            return path
        if index < len(stages):
            return ".".join([*parts[:2], stages[index].type.value, *parts[4:]])
    return path
