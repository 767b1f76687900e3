"""Reading what a person submitted in a modal: `view.state.values`, as Slack sends it."""

from __future__ import annotations

from typing import Any

Values = dict[str, dict[str, dict[str, Any]]]


def value(values: Values, block_id: str) -> Any:
    """The submitted value of the input in `block_id` (action id `value`): text or a number as a
    string, a chosen option's value, a user, date, time ("HH:MM") or conversation id, a list for
    checkboxes and multi-selects; None when empty."""
    block = values.get(block_id)
    state = block.get("value") if isinstance(block, dict) else None
    if not isinstance(state, dict):
        return None
    if "selected_options" in state:
        return [str(o.get("value")) for o in state.get("selected_options") or []]
    if "selected_users" in state:
        return [str(u) for u in state.get("selected_users") or []]
    if isinstance(state.get("selected_option"), dict):
        return state["selected_option"].get("value")
    for key in ("value", "selected_user", "selected_date", "selected_time", "selected_conversation"):
        if state.get(key) is not None:
            return state[key]
    return None


def text(values: Values, block_id: str) -> str:
    """The submitted text of `block_id`, or "" (not stripped)."""
    found = value(values, block_id)
    return found if isinstance(found, str) else ""


def choice(values: Values, block_id: str) -> str | None:
    """The one value chosen in `block_id` (an option, a person, a date, a conversation), or None
    when nothing (or a list) was submitted there."""
    found = value(values, block_id)
    return found if isinstance(found, str) and found else None


def choices(values: Values, block_id: str) -> list[str]:
    """The values chosen in a multi-select or checkboxes `block_id` ([] when none)."""
    found = value(values, block_id)
    return [str(v) for v in found] if isinstance(found, list) else []
