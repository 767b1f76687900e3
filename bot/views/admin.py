"""The admin section of App Home and the admin modals (settings, export, import, outcomes, change log).

Admins see settings and anonymous counts only: nothing here reads what anyone wrote.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    HeaderBlock,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot import texts as t
from bot.admin import CONTACT_SLOTS, AdminForm, bounds, shapeable_flows
from bot.setting_words import describe_all
from bot.views.common import SECTION_MAX, actions, button, clip, context, dump_view, esc, section, slack_date
from bot.views.hours import hours_blocks
from bot.views.ids import Callback
from flows.aggregates import Aggregates, Cell, OutcomeLine
from flows.config import ALL_FLOWS, AuditEntry, FacilitatorPolicy, SettingValue, WorkspaceConfig
from flows.definition import FlowDefinition
from flows.models import JointKind, Role, Share, Stage

ADMIN_CALLBACK = "cg_admin"
ACTION_PREFIX = "cg_admin_"
TITLE_MAX = 24
VIEW_BLOCKS_MAX = 100
AUDIT_SHOWN = 40

_FLOW_BUTTONS = (AdminForm.PROMPTS, AdminForm.PROCESS)
_WORKSPACE_BUTTONS = (
    AdminForm.FLOWS,
    AdminForm.PEOPLE,
    AdminForm.SAFETY,
    AdminForm.RETENTION,
    AdminForm.HOURS,
)
_TOOL_BUTTONS = (AdminForm.OUTCOMES, AdminForm.AUDIT, AdminForm.EXPORT, AdminForm.IMPORT)


def action_id(form: AdminForm, flow: str = "") -> str:
    """The action id of the App Home button that opens `form` (one per button)."""
    return f"{ACTION_PREFIX}{form.value}" + (f"_{flow}" if flow else "")


def action_value(form: AdminForm, flow: str = "") -> str:
    """The value of that button: the form and, for a flow's form, the flow."""
    return f"{form.value}:{flow}" if flow else form.value


def parse_action_value(value: str) -> tuple[AdminForm | None, str]:
    """(form, flow) from a button value; None for a value no button of ours carries."""
    name, _, flow = value.partition(":")
    try:
        form = AdminForm(name)
    except ValueError:
        return None, ""
    if form.per_flow != bool(flow) or (flow and flow not in shapeable_flows()):
        return None, ""
    return form, flow


def metadata(form: AdminForm, flow: str, fingerprint: str) -> str:
    """`private_metadata` of an admin form: which form, which flow, and what it showed (a hash)."""
    return json.dumps({"k": form.value, "f": flow, "h": fingerprint}, separators=(",", ":"))


def read_metadata(raw: str | None) -> tuple[AdminForm | None, str, str]:
    """(form, flow, fingerprint) from `private_metadata`; form None when it is not one of ours."""
    try:
        data = json.loads(raw or "{}")
    except (TypeError, ValueError, RecursionError):
        return None, "", ""
    if not isinstance(data, dict):
        return None, "", ""
    form, flow = parse_action_value(f"{data.get('k', '')}:{data.get('f', '')}".rstrip(":"))
    return form, flow, str(data.get("h", ""))


def flow_name(flow: str) -> str:
    """The display name of a flow."""
    return t.ADMIN_FLOW_NAMES.get(flow, flow)


# --- App Home -------------------------------------------------------------------------------------------


def home_blocks(config: WorkspaceConfig) -> list[Block]:
    """The admin section of App Home: a summary and the buttons that open each admin view."""
    flows = ", ".join(flow_name(f) for f in config.enabled_flows) or t.ADMIN_NO_FLOWS
    summary = t.ADMIN_SUMMARY.format(
        flows=flows,
        facilitators=t.ADMIN_POLICIES[config.facilitator_policy.value],
        days=config.retention_days,
    )
    blocks: list[Block] = [
        HeaderBlock(text=t.ADMIN_HEADER),
        context(t.ADMIN_INTRO),
        section(summary),
        actions(*(_button(form) for form in _WORKSPACE_BUTTONS), block_id="admin_workspace"),
    ]
    for flow in shapeable_flows():
        version = config.definition(flow).version
        blocks += [
            section(t.ADMIN_FLOW_LINE.format(name=flow_name(flow), version=version)),
            actions(*(_button(form, flow) for form in _FLOW_BUTTONS), block_id=f"admin_flow_{flow}"),
        ]
    blocks.append(actions(*(_button(form) for form in _TOOL_BUTTONS), block_id="admin_tools"))
    return blocks


def _button(form: AdminForm, flow: str = "") -> Any:
    return button(t.ADMIN_BUTTONS[form.value], action_id(form, flow), action_value(form, flow))


# --- modals ---------------------------------------------------------------------------------------------


def _modal(
    title: str, blocks: list[Block], *, submit: str | None = None, meta: str = "", callback: str = ""
) -> dict[str, Any]:
    return dump_view(
        View(
            type="modal",
            callback_id=callback or (ADMIN_CALLBACK if submit else Callback.INFO.value),
            title=title[:TITLE_MAX],
            submit=submit,
            close=t.CANCEL if submit else t.CLOSE,
            blocks=blocks[:VIEW_BLOCKS_MAX],
            private_metadata=meta,
        )
    )


def info(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something."""
    return _modal(title, [section(text)])


def refused_modal() -> dict[str, Any]:
    """Shown to someone who is not an admin."""
    return info(t.NOTICE_TITLE, t.ADMIN_REFUSED)


def form_modal(form: AdminForm, flow: str, config: WorkspaceConfig, fingerprint: str) -> dict[str, Any]:
    """The modal of an admin form, filled with the current settings."""
    builders = {
        AdminForm.FLOWS: _flows_blocks,
        AdminForm.PEOPLE: _people_blocks,
        AdminForm.SAFETY: _safety_blocks,
        AdminForm.RETENTION: _retention_blocks,
        AdminForm.HOURS: _hours_blocks,
        AdminForm.IMPORT: _import_blocks,
    }
    if form is AdminForm.PROMPTS:
        blocks = _prompts_blocks(config.definition(flow))
    elif form is AdminForm.PROCESS:
        blocks = _process_blocks(config.definition(flow))
    else:
        blocks = builders[form](config)
    submit = t.ADMIN_IMPORT_SUBMIT if form is AdminForm.IMPORT else t.ADMIN_SAVE
    return _modal(t.ADMIN_TITLES[form.value], blocks, submit=submit, meta=metadata(form, flow, fingerprint))


def _options(labels: dict[str, str], keys: Sequence[str]) -> list[Option]:
    return [Option(value=key, text=labels[key]) for key in keys]


def _radio(
    block_id: str, label: str, labels: dict[str, str], keys: Sequence[str], current: str
) -> InputBlock:
    options = _options(labels, keys)
    initial = next((o for o in options if o.value == current), None)
    return InputBlock(
        block_id=block_id,
        label=label,
        element=RadioButtonsElement(action_id="value", options=options, initial_option=initial),
    )


def _number(block_id: str, label: str, current: int, hint: str | None = None) -> InputBlock:
    low, high = bounds(block_id)
    return InputBlock(
        block_id=block_id,
        label=label,
        hint=hint,
        element=NumberInputElement(
            action_id="value",
            is_decimal_allowed=False,
            initial_value=str(current),
            min_value=str(low),
            max_value=str(high),
        ),
    )


def _text_input(
    block_id: str,
    label: str,
    current: str | None,
    max_length: int,
    *,
    multiline: bool = False,
    optional: bool = False,
    hint: str | None = None,
    placeholder: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        hint=hint,
        optional=optional,
        element=PlainTextInputElement(
            action_id="value",
            initial_value=current or None,
            max_length=max_length,
            multiline=multiline,
            placeholder=placeholder,
        ),
    )


def _flows_blocks(config: WorkspaceConfig) -> list[Block]:
    options = [Option(value=f, text=flow_name(f), description=t.ADMIN_FLOW_HINTS.get(f)) for f in ALL_FLOWS]
    initial = [o for o in options if o.value in config.enabled_flows] or None
    return [
        InputBlock(
            block_id="enabled_flows",
            label=t.ADMIN_FLOWS_LABEL,
            hint=t.ADMIN_FLOWS_HINT,
            optional=True,
            element=CheckboxesElement(action_id="value", options=options, initial_options=initial),
        )
    ]


def _people_blocks(config: WorkspaceConfig) -> list[Block]:
    return [
        InputBlock(
            block_id="admins",
            label=t.ADMIN_PEOPLE_ADMINS,
            optional=True,
            element=UserMultiSelectElement(action_id="value", initial_users=config.admins or None),
        ),
        _radio(
            "facilitator_policy",
            t.ADMIN_PEOPLE_POLICY,
            t.ADMIN_POLICIES,
            [p.value for p in FacilitatorPolicy],
            config.facilitator_policy.value,
        ),
        InputBlock(
            block_id="facilitators",
            label=t.ADMIN_PEOPLE_FACILITATORS,
            optional=True,
            element=UserMultiSelectElement(action_id="value", initial_users=config.facilitators or None),
        ),
        _text_input(
            "facilitator_group",
            t.ADMIN_PEOPLE_GROUP,
            config.facilitator_group,
            30,
            optional=True,
            hint=t.ADMIN_PEOPLE_GROUP_HINT,
        ),
    ]


def _safety_blocks(config: WorkspaceConfig) -> list[Block]:
    blocks: list[Block] = [
        _text_input(
            "safety_text",
            t.ADMIN_SAFETY_TEXT,
            config.safety_text,
            1000,
            multiline=True,
            hint=t.ADMIN_SAFETY_HINT,
        )
    ]
    contacts = list(config.escalation_contacts)
    for slot in range(CONTACT_SLOTS):
        contact = contacts[slot] if slot < len(contacts) else None
        label = contact.label if contact else None
        user = contact.user_id if contact else None
        details = contact.details if contact else None
        blocks += [
            section(t.ADMIN_CONTACT_HEADER.format(number=slot + 1)),
            _text_input(f"contact{slot}_label", t.ADMIN_CONTACT_LABEL, label, 60, optional=True),
            InputBlock(
                block_id=f"contact{slot}_user",
                label=t.ADMIN_CONTACT_USER,
                optional=True,
                element=UserSelectElement(action_id="value", initial_user=user),
            ),
            _text_input(
                f"contact{slot}_details",
                t.ADMIN_CONTACT_DETAILS,
                details,
                300,
                optional=True,
            ),
        ]
    return blocks


def _retention_blocks(config: WorkspaceConfig) -> list[Block]:
    return [_number("retention_days", t.ADMIN_RETENTION_LABEL, config.retention_days, t.ADMIN_RETENTION_HINT)]


def _hours_blocks(config: WorkspaceConfig) -> list[Block]:
    return [
        section(t.ADMIN_HOURS_INTRO),
        *hours_blocks(config.working_hours),
        _text_input(
            "default_timezone",
            t.ADMIN_TIMEZONE_LABEL,
            config.default_timezone,
            64,
            hint=t.ADMIN_TIMEZONE_HINT,
        ),
    ]


def _import_blocks(config: WorkspaceConfig) -> list[Block]:
    return [
        section(t.ADMIN_IMPORT_INTRO),
        _text_input(
            "yaml",
            t.ADMIN_IMPORT_LABEL,
            None,
            3000,
            multiline=True,
            placeholder=t.ADMIN_IMPORT_PLACEHOLDER,
        ),
    ]


def _prompts_blocks(d: FlowDefinition) -> list[Block]:
    blocks: list[Block] = [section(t.ADMIN_PROMPTS_INTRO.format(name=esc(d.name)))]
    for stage in d.stages:
        if stage.type is Stage.INVITATION:
            blocks.append(
                _text_input(
                    "intro",
                    t.ADMIN_INTRO_LABEL,
                    stage.intro,
                    1000,
                    multiline=True,
                    optional=True,
                    hint=t.ADMIN_INTRO_HINT,
                )
            )
        elif stage.type is Stage.GROUND_RULES:
            blocks.append(
                _text_input(
                    "rules",
                    t.ADMIN_RULES_LABEL,
                    "\n".join(stage.rules),
                    3000,
                    multiline=True,
                    hint=t.ADMIN_RULES_HINT,
                )
            )
        elif stage.type is Stage.INTAKE:
            for question in stage.questions:
                key = t.ADMIN_QUESTION_KEYS[question.key]
                blocks += [
                    _text_input(
                        f"q_{question.key}_label", t.ADMIN_QUESTION_LABEL.format(key=key), question.label, 150
                    ),
                    _text_input(
                        f"q_{question.key}_hint",
                        t.ADMIN_QUESTION_HINT.format(key=key),
                        question.hint,
                        150,
                        optional=True,
                    ),
                ]
    return blocks


def _process_blocks(d: FlowDefinition) -> list[Block]:
    blocks: list[Block] = [section(t.ADMIN_PROCESS_INTRO.format(name=esc(d.name)))]
    for stage in d.stages:
        if stage.type is Stage.INVITATION:
            blocks += [
                _number("reminder_hours", t.ADMIN_REMINDER_LABEL, stage.reminder_hours),
                _number("expire_days", t.ADMIN_EXPIRE_LABEL, stage.expire_days),
                _number("extend_days", t.ADMIN_EXTEND_LABEL, stage.extend_days),
            ]
        elif stage.type is Stage.INTAKE:
            shares = [s.value for s in Share]
            blocks.append(
                _radio(
                    "default_share", t.ADMIN_SHARE_LABEL, t.ADMIN_SHARES, shares, stage.default_share.value
                )
            )
        elif stage.type is Stage.REFLECTION:
            blocks += [
                _number("max_rounds", t.ADMIN_ROUNDS_LABEL, stage.max_rounds, t.ADMIN_ROUNDS_HINT),
                _radio("order", t.ADMIN_ORDER_LABEL, t.ADMIN_ORDERS, list(t.ADMIN_ORDERS), stage.order),
                _radio(
                    "first_speaker",
                    t.ADMIN_FIRST_LABEL,
                    t.ADMIN_FIRST,
                    [r.value for r in Role],
                    stage.first_speaker.value,
                ),
            ]
        elif stage.type is Stage.JOINT:
            spaces = [
                k.value for k in (JointKind.GROUP_DM, JointKind.PRIVATE_CHANNEL)
            ]  # a thread needs a channel
            blocks.append(_radio("space", t.ADMIN_SPACE_LABEL, t.ADMIN_SPACES, spaces, stage.space.value))
            blocks.append(
                _number(
                    "follow_up_days", t.ADMIN_FOLLOW_UP_LABEL, stage.follow_up_days, t.ADMIN_FOLLOW_UP_HINT
                )
            )
            blocks.append(_number("check_in_days", t.ADMIN_CHECK_IN_DAYS_LABEL, stage.check_in_days))
    blocks.append(_number("stall_hours", t.ADMIN_STALL_LABEL, d.stall_hours))
    return blocks


# --- read-only views -----------------------------------------------------------------------------------

_FENCE = "```"


def yaml_chunks(text: str, limit: int = SECTION_MAX) -> list[str]:
    """The YAML as mrkdwn code sections, each within Slack's section limit, split at line ends
    (a longer line is split inside)."""
    room = limit - 2 * len(_FENCE) - 2
    chunks: list[str] = []
    current = ""
    for line in text.splitlines():
        escaped = esc(line) + "\n"
        while len(escaped) > room:
            if current:
                chunks.append(current)
                current = ""
            cut = room
            amp = escaped.rfind("&", max(0, cut - 5), cut)
            if amp > 0 and ";" not in escaped[amp:cut]:
                cut = amp  # never split an escape like &amp;
            chunks.append(escaped[:cut])
            escaped = escaped[cut:]
        if len(current) + len(escaped) > room:
            chunks.append(current)
            current = ""
        current += escaped
    if current:
        chunks.append(current)
    return [f"{_FENCE}\n{chunk.rstrip(chr(10))}\n{_FENCE}" for chunk in chunks]


def export_modal(text: str) -> dict[str, Any]:
    """The configuration as YAML in code sections."""
    blocks: list[Block] = [context(t.ADMIN_EXPORT_INTRO)]
    chunks = yaml_chunks(text)
    room = VIEW_BLOCKS_MAX - len(blocks) - 1
    blocks += [section(chunk) for chunk in chunks[:room]]
    if len(chunks) > room:
        blocks.append(context(t.ADMIN_EXPORT_CUT))
    return _modal(t.ADMIN_TITLES["export"], blocks)


def saved_modal(
    fields: list[str], values: Mapping[str, SettingValue], versions: dict[str, int]
) -> dict[str, Any]:
    """After a save: what changed, each setting named as its form names it with the value it took
    (bot/setting_words.py), and for a flow's definition the version new mediations use."""
    if not fields:
        return info(t.ADMIN_SAVED_TITLE, t.ADMIN_UNCHANGED)
    told = {f"flows.{flow}.version" for flow in versions}  # said below, in a sentence
    lines = "\n".join(f"• {line}" for line in describe_all(fields[:40], values, skip=told))
    blocks: list[Block] = [section(clip(f"{t.ADMIN_SAVED}\n{lines}"))]
    for flow, version in versions.items():
        blocks.append(
            context(f"*{esc(flow_name(flow))}:* " + t.ADMIN_SAVED_DEFINITION.format(version=version))
        )
    return _modal(t.ADMIN_SAVED_TITLE, blocks)


def describe_action(action: str) -> str:
    """An audit action in words: `prompts:peer` → `Prompts (Peer mediation)`."""
    opened = action.startswith("open:")
    name, _, flow = action.removeprefix("open:").removeprefix("cli:").partition(":")
    words = t.ADMIN_TITLES.get(name, name) + (f" ({flow_name(flow)})" if flow else "")
    return t.ADMIN_AUDIT_OPEN.format(what=words) if opened else words


def audit_modal(entries: list[AuditEntry], actor_cli: str) -> dict[str, Any]:
    """The latest configuration changes and refused attempts: who, when, which fields."""
    blocks: list[Block] = [context(t.ADMIN_AUDIT_INTRO)]
    if not entries:
        blocks.append(section(t.ADMIN_AUDIT_EMPTY))
    lines: list[str] = []
    for entry in entries[:AUDIT_SHOWN]:
        if not entry.ok:
            what = t.ADMIN_AUDIT_REFUSED
        else:
            what = "; ".join(describe_all(entry.fields, entry.values)) or t.ADMIN_AUDIT_NO_FIELDS
        template = t.ADMIN_AUDIT_LINE_CLI if entry.actor == actor_cli else t.ADMIN_AUDIT_LINE
        lines.append(
            "• "
            + template.format(
                when=slack_date(entry.at),
                actor=esc(entry.actor),
                action=esc(describe_action(entry.action)),
                what=clip(what, 900),
            )
        )
    blocks += [section(chunk) for chunk in _join_lines(lines)]
    return _modal(t.ADMIN_TITLES["audit"], blocks)


def _join_lines(lines: list[str], limit: int = SECTION_MAX) -> list[str]:
    chunks: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks


def loading_modal() -> dict[str, Any]:
    """Shown at once while the outcomes are counted (a trigger id lasts three seconds)."""
    return info(t.ADMIN_TITLES["outcomes"], "…")


_Figure = tuple[str, Cell, Callable[[float], str] | None]
"""One figure of the outcomes screen: its label, its cell, and how to write its value (None: a count)."""


def outcomes_modal(report: Aggregates) -> dict[str, Any]:
    """Anonymous aggregate outcomes; every number from fewer than `min_group` mediations is hidden.

    Until `min_group` mediations have closed there is one kind sentence instead of any figure. It does
    not say how many have closed so far: that is a count under the threshold, the very thing this
    screen hides, and an admin who opened it before and after a mediation they know of could date it.
    Hidden figures of a section are named together on one line, and a flow with nothing to show says so
    once (hidden for being small and hidden to protect a small one are not told apart).
    """
    blocks: list[Block] = [context(t.ADMIN_OUTCOMES_INTRO.format(min=report.min_group))]
    if not report.enough_closed:
        blocks.append(section(t.ADMIN_OUTCOMES_NOT_YET.format(min=report.min_group)))
        return _modal(t.ADMIN_TITLES["outcomes"], blocks)
    blocks += [HeaderBlock(text=t.ADMIN_OUTCOMES_ALL), section(_figures(_outcome_rows(report.all_flows)))]
    order = {flow: i for i, flow in enumerate(shapeable_flows())}
    for flow in sorted(report.flows.values(), key=lambda f: (order.get(f.flow, len(order)), f.flow)):
        days: list[_Figure] = [
            (t.ADMIN_STAGE_LABELS[key], cell, _fmt_one)
            for key, cell in flow.stage_days.items()
            if key in t.ADMIN_STAGE_LABELS
        ]
        alliance: list[_Figure] = [
            (t.ADMIN_ALLIANCE_ITEM.format(number=i), cell, _fmt_one)
            for i, cell in enumerate(flow.alliance.items, start=1)
        ]
        alliance.append((t.ADMIN_ALLIANCE_TOTAL, flow.alliance.total, _fmt_one))
        rounds: list[_Figure] = [
            (t.ADMIN_ROUNDS_MEDIAN, flow.rounds.median, _fmt_one),
            (t.ADMIN_ROUNDS_MEAN, flow.rounds.mean, _fmt_one),
            (t.ADMIN_ROUNDS_NOT_YET, flow.rounds.not_yet_share, _fmt_percent),
        ]
        parts: list[tuple[str, list[_Figure]]] = [
            (t.ADMIN_OUTCOMES_COUNTS, _outcome_rows(flow.outcomes)),
            (t.ADMIN_OUTCOMES_DAYS, days),
            (t.ADMIN_OUTCOMES_ALLIANCE, alliance),
            (t.ADMIN_OUTCOMES_ROUNDS, rounds),
        ]
        blocks.append(HeaderBlock(text=flow_name(flow.flow)))
        if all(cell.value is None for _, rows in parts for _, cell, _ in rows):
            blocks.append(section(t.ADMIN_OUTCOMES_FLOW_HIDDEN))
            continue
        blocks += [section(f"{title}\n{_figures(rows)}") for title, rows in parts]
    return _modal(t.ADMIN_TITLES["outcomes"], blocks)


def _outcome_rows(line: OutcomeLine) -> list[_Figure]:
    rows: list[_Figure] = [
        (t.ADMIN_OUTCOME_LABELS.get(key, key), cell, None) for key, cell in line.counts.items()
    ]
    rows.append((t.ADMIN_OUTCOME_LABELS["total"], line.total, None))
    return rows


def _fmt_one(value: float) -> str:
    return f"{value:.1f}"


def _fmt_percent(value: float) -> str:
    return f"{value:.0%}"


def _figures(rows: list[_Figure]) -> str:
    """A section's figures, one line each; the hidden ones named together on one line."""
    shown = [_line(label, cell, fmt) for label, cell, fmt in rows if cell.value is not None]
    hidden = [label for label, cell, _ in rows if cell.value is None]
    if not shown:
        return t.ADMIN_OUTCOMES_HIDDEN_ALL
    if hidden:
        shown.append("• " + t.ADMIN_OUTCOMES_HIDDEN_SOME.format(labels=", ".join(hidden)))
    return "\n".join(shown)


def _line(label: str, cell: Cell, fmt: Callable[[float], str] | None) -> str:
    """One figure: a count as is; a median, average or share with the number it is drawn from."""
    assert cell.value is not None
    if fmt is None:
        value = str(int(cell.value))
    else:
        value = t.ADMIN_OUTCOMES_FROM.format(value=fmt(cell.value), n=cell.n)
    return "• " + t.ADMIN_OUTCOMES_LINE.format(label=label, value=value)
