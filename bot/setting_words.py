"""Settings in words: how *Saved* and the change log name a changed setting and say its value.

The one mapping from a setting's path, as `bot.admin.audit_fields` names it (`retention_days`,
`flows.peer.intake.questions.0.label`), to the words of bot/texts.py: a setting is named as its form
names it ("Retention: 90 days", "Peer mediation — Question 1: “What took place?”"), and a path
nobody foresaw (a YAML-only setting, a new one) is still said in words, never as a dotted key.

Values are configuration an admin wrote (settings, prompts, contacts), never a mediation's text; they
are escaped for mrkdwn, and only Slack user ids become mentions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot import texts as t
from bot.views.common import clip, esc
from flows.config import SettingScalar, SettingValue

VALUE_SHOWN = 200
"""The longest text value shown in a line (the change log keeps a little more)."""

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_USER_SETTINGS = ("admins", "facilitators")
_CHOICES: dict[str, Mapping[str, str]] = {
    "facilitator_policy": t.ADMIN_POLICIES,
    "default_share": t.ADMIN_SHARES,
    "order": t.ADMIN_ORDERS,
    "first_speaker": t.ADMIN_FIRST,
    "space": t.ADMIN_SPACES,
}


def describe(path: str, value: SettingValue = None, *, with_value: bool = True) -> str:
    """One changed setting in words, `Name: value` (just the name without a value)."""
    name = setting_name(path)
    if not with_value:
        return name
    return t.ADMIN_SETTING_LINE.format(name=name, value=setting_value(path, value))


def describe_all(
    fields: list[str], values: Mapping[str, SettingValue], skip: set[str] | None = None
) -> list[str]:
    """Each changed setting in words, in the order given; a field without a kept value is named only."""
    return [describe(f, values.get(f), with_value=f in values) for f in fields if f not in (skip or set())]


def setting_name(path: str) -> str:
    """A setting's name as an admin reads it (mrkdwn-safe)."""
    parts = path.split(".")
    if parts[0] == "flows" and len(parts) >= 2:
        flow = t.ADMIN_FLOW_NAMES.get(parts[1]) or _humane(parts[1:2])
        if len(parts) == 2:
            return flow
        return t.ADMIN_SETTING_IN_FLOW.format(flow=flow, name=_flow_setting(parts[2:]))
    if parts[0] == "escalation_contacts" and len(parts) >= 2 and parts[1].isdigit():
        contact = t.ADMIN_SETTING_CONTACT.format(number=int(parts[1]) + 1)
        return _part(contact, parts[2:], t.ADMIN_SETTING_CONTACT_PARTS)
    if path in t.ADMIN_SETTING_NAMES:
        return t.ADMIN_SETTING_NAMES[path]
    return _humane(parts)


def _flow_setting(parts: list[str]) -> str:
    """The name of a setting inside one flow's definition (`parts` after `flows.<flow>.`)."""
    stage = parts[0]
    if len(parts) == 1:
        return t.ADMIN_SETTING_NAMES.get(stage) or t.ADMIN_STAGE_LABELS.get(stage) or _humane(parts)
    key = f"{stage}.{parts[1]}"
    numbered = len(parts) >= 3 and parts[2].isdigit()
    if key == "intake.questions" and numbered:
        question = t.ADMIN_SETTING_QUESTION.format(number=int(parts[2]) + 1)
        if parts[3:] == ["label"]:  # the question itself
            return question
        return _part(question, parts[3:], t.ADMIN_SETTING_QUESTION_PARTS)
    if key in t.ADMIN_SETTING_ITEMS and numbered and len(parts) == 3:
        return t.ADMIN_SETTING_ITEMS[key].format(number=int(parts[2]) + 1)
    if key in t.ADMIN_SETTING_NAMES and len(parts) == 2:
        return t.ADMIN_SETTING_NAMES[key]
    return _humane(parts)


def _part(name: str, rest: list[str], parts: Mapping[str, str]) -> str:
    """`Contact 2, name`: a numbered item and, when the path goes on, which part of it."""
    if not rest:
        return name
    part = parts.get(rest[0]) if len(rest) == 1 else None
    return t.ADMIN_SETTING_PART.format(name=name, part=part or _humane(rest, capital=False))


def _humane(parts: list[str], *, capital: bool = True) -> str:
    """A path nobody foresaw, in words: stage types by their names, `low_total` as "low total", an
    index as "item 2"."""
    words = []
    for part in parts:
        if part.isdigit():
            words.append(t.ADMIN_SETTING_ITEM.format(number=int(part) + 1))
        else:
            words.append(t.ADMIN_STAGE_LABELS.get(part) or esc(part.replace("_", " ").strip() or part))
    text = ", ".join(words)
    return text[:1].upper() + text[1:] if capital else text


def setting_value(path: str, value: SettingValue) -> str:
    """A setting's value as an admin reads it (mrkdwn: escaped; user ids as mentions)."""
    leaf = next((p for p in reversed(path.split(".")) if not p.isdigit()), path)
    if value is None or value == "" or value == []:
        return t.ADMIN_NO_FLOWS if path == "enabled_flows" else t.ADMIN_SETTING_EMPTY
    if isinstance(value, list):
        return ", ".join(_scalar(path, leaf, item) for item in value)
    return _scalar(path, leaf, value)


def _scalar(path: str, leaf: str, value: SettingScalar) -> str:
    if value is None:
        return t.ADMIN_SETTING_EMPTY
    if isinstance(value, bool):
        return t.ADMIN_SETTING_ON if value else t.ADMIN_SETTING_OFF
    if leaf == "working_days" and isinstance(value, int) and 0 <= value < len(t.WEEKDAYS):
        return t.WEEKDAYS[value]
    if isinstance(value, int | float):
        return t.ADMIN_SETTING_DAYS.format(n=value) if path == "retention_days" else str(value)
    if leaf in ("quiet_start", "quiet_end"):
        return esc(value[:5])  # "20:00:00" as "20:00"
    if path == "enabled_flows":
        return esc(t.ADMIN_FLOW_NAMES.get(value, value))
    if (path in _USER_SETTINGS or leaf == "user_id") and _USER_ID.match(value):
        return f"<@{value}>"
    if leaf in _CHOICES and value in _CHOICES[leaf]:
        return _CHOICES[leaf][value]
    if path == "facilitator_group":
        return esc(value)
    return t.ADMIN_SETTING_QUOTED.format(text=esc(clip(" ".join(value.split()), VALUE_SHOWN)))
