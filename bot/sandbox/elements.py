"""Interactive elements inside stored blocks: finding them, their state values and action payloads.

Shared by the stand-in (state kept on views, ids Slack fills in) and the delivery (what a click or a
submission sends). The state shapes follow Slack's ``view.state.values[block_id][action_id]``.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from bot.sandbox.models import JSON, ScreenError

_ids = itertools.count(1)

# element type -> (state key, kind) where kind is "value", "option", "options", "scalar", "list"
_STATE_KEYS: dict[str, tuple[str, str]] = {
    "plain_text_input": ("value", "value"),
    "number_input": ("value", "value"),
    "email_text_input": ("value", "value"),
    "url_text_input": ("value", "value"),
    "static_select": ("selected_option", "option"),
    "external_select": ("selected_option", "option"),
    "radio_buttons": ("selected_option", "option"),
    "overflow": ("selected_option", "option"),
    "multi_static_select": ("selected_options", "options"),
    "multi_external_select": ("selected_options", "options"),
    "checkboxes": ("selected_options", "options"),
    "users_select": ("selected_user", "scalar"),
    "multi_users_select": ("selected_users", "list"),
    "conversations_select": ("selected_conversation", "scalar"),
    "multi_conversations_select": ("selected_conversations", "list"),
    "channels_select": ("selected_channel", "scalar"),
    "multi_channels_select": ("selected_channels", "list"),
    "datepicker": ("selected_date", "scalar"),
    "timepicker": ("selected_time", "scalar"),
    "datetimepicker": ("selected_date_time", "scalar"),
}
_INITIAL_KEYS: dict[str, str] = {
    "value": "initial_value",
    "selected_option": "initial_option",
    "selected_options": "initial_options",
    "selected_user": "initial_user",
    "selected_users": "initial_users",
    "selected_conversation": "initial_conversation",
    "selected_conversations": "initial_conversations",
    "selected_channel": "initial_channel",
    "selected_channels": "initial_channels",
    "selected_date": "initial_date",
    "selected_time": "initial_time",
    "selected_date_time": "initial_date_time",
}
_STATELESS = frozenset({"button", "overflow", "workflow_button"})


@dataclass(frozen=True)
class ElementRef:
    """An interactive element found in a list of blocks."""

    block_id: str
    block_type: str
    element: JSON
    dispatch_action: bool
    optional: bool

    @property
    def action_id(self) -> str:
        """The element's action_id."""
        return str(self.element.get("action_id", ""))

    @property
    def type(self) -> str:
        """The element's type (``button``, ``static_select``…)."""
        return str(self.element.get("type", ""))


def fill_ids(blocks: list[JSON]) -> list[JSON]:
    """Return a copy of ``blocks`` where every block has a block_id and every element an action_id.

    Slack generates the missing ones; payloads then carry the generated ids.
    """
    filled = copy.deepcopy(blocks)
    for block in filled:
        if "block_id" not in block:
            block["block_id"] = f"sb{next(_ids):05d}"
        for element in _elements_of(block):
            if "action_id" not in element:
                element["action_id"] = f"sa{next(_ids):05d}"
    return filled


def _elements_of(block: JSON) -> list[JSON]:
    found: list[JSON] = []
    for key in ("accessory", "element"):
        item = block.get(key)
        if isinstance(item, dict) and item.get("type") not in ("image",):
            found.append(item)
    if block.get("type") == "actions":
        found.extend(e for e in block.get("elements", []) if isinstance(e, dict))
    return found


def iter_elements(blocks: list[JSON]) -> Iterator[ElementRef]:
    """Yield every interactive element of ``blocks`` (section accessories, actions, inputs)."""
    for block in blocks:
        for element in _elements_of(block):
            yield ElementRef(
                block_id=str(block.get("block_id", "")),
                block_type=str(block.get("type", "")),
                element=element,
                dispatch_action=bool(block.get("dispatch_action", False)),
                optional=bool(block.get("optional", False)),
            )


def find_element(
    blocks: list[JSON], action_id: str, *, block_id: str | None = None, value: str | None = None, where: str
) -> ElementRef:
    """Find the one element with ``action_id`` (and ``block_id`` / button ``value`` if given).

    Raises :class:`ScreenError` when it is not on screen or when several match.
    """
    matches = [
        ref
        for ref in iter_elements(blocks)
        if ref.action_id == action_id
        and (block_id is None or ref.block_id == block_id)
        and (value is None or ref.type != "button" or ref.element.get("value") == value)
    ]
    if not matches:
        on_screen = sorted({f"{r.block_id}/{r.action_id}" for r in iter_elements(blocks)})
        raise ScreenError(f"no element with action_id={action_id!r} in {where}; on screen: {on_screen}")
    if len(matches) > 1:
        found = [f"{r.block_id}/{r.element.get('value')}" for r in matches]
        raise ScreenError(
            f"{len(matches)} elements with action_id={action_id!r} in {where}: {found}; "
            "pass block_id= or value= to choose"
        )
    return matches[0]


def options_of(element: JSON) -> list[JSON]:
    """Return the options of a select, radio or checkboxes element (option groups flattened)."""
    options = [o for o in element.get("options", []) if isinstance(o, dict)]
    for group in element.get("option_groups", []):
        options.extend(o for o in group.get("options", []) if isinstance(o, dict))
    return options


def _find_option(element: JSON, value: object) -> JSON:
    for option in options_of(element):
        if option.get("value") == value:
            return copy.deepcopy(option)
    values = [o.get("value") for o in options_of(element)]
    raise ScreenError(f"option {value!r} is not offered by {element.get('action_id')!r}; options: {values}")


def is_stateful(element: JSON) -> bool:
    """True when the element keeps a value in ``state.values``."""
    return element.get("type") in _STATE_KEYS and element.get("type") not in _STATELESS


def state_key(element: JSON) -> str:
    """The key of the element's value in state (``value``, ``selected_option``…)."""
    key = _STATE_KEYS.get(str(element.get("type")))
    if key is None:
        raise ScreenError(f"element type {element.get('type')!r} holds no value")
    return key[0]


def initial_state(element: JSON) -> JSON:
    """Return the element's state entry before the user touches it (from its ``initial_*``)."""
    key = state_key(element)
    initial = element.get(_INITIAL_KEYS[key])
    entry: JSON = {"type": element.get("type"), key: copy.deepcopy(initial)}
    if initial is None and key in (
        "selected_options",
        "selected_users",
        "selected_conversations",
        "selected_channels",
    ):
        entry[key] = []
    return entry


def typed_state(element: JSON, raw: object) -> JSON:
    """Return the state entry for ``raw`` as the user entered it, typed from the element.

    ``raw`` is a string for text and number inputs, an option value for selects and radio buttons, a
    list of option values for checkboxes and multi-selects, an id for user/conversation pickers,
    ``YYYY-MM-DD`` for date pickers; ``None`` means empty. A dict is taken as an already typed entry.
    """
    if isinstance(raw, dict):
        return {"type": element.get("type"), **raw}
    key = state_key(element)
    kind = _STATE_KEYS[str(element.get("type"))][1]
    entry: JSON = {"type": element.get("type")}
    if raw is None:
        entry[key] = [] if kind in ("options", "list") else None
    elif kind == "value":
        entry[key] = str(raw) if raw != "" else None
    elif kind == "option":
        entry[key] = _find_option(element, raw)
    elif kind == "options":
        if not isinstance(raw, list | tuple):
            raise ScreenError(f"{element.get('action_id')!r} takes a list of option values")
        entry[key] = [_find_option(element, value) for value in raw]
    elif kind == "list":
        if not isinstance(raw, list | tuple):
            raise ScreenError(f"{element.get('action_id')!r} takes a list")
        entry[key] = list(raw)
    else:
        entry[key] = raw
    return entry


def is_empty(entry: JSON) -> bool:
    """True when a state entry holds no value."""
    return all(value in (None, [], "") for key, value in entry.items() if key != "type")


def client_side_problems(ref: ElementRef, entry: JSON) -> list[str]:
    """What Slack's client refuses before sending a submission: empty required field, length limits."""
    label = f"{ref.block_id}/{ref.action_id}"
    if is_empty(entry):
        return [] if ref.optional else [f"{label} is required"]
    element = ref.element
    problems: list[str] = []
    value = entry.get("value")
    if ref.type == "plain_text_input" and isinstance(value, str):
        if "max_length" in element and len(value) > int(element["max_length"]):
            problems.append(f"{label} is longer than {element['max_length']} characters")
        if "min_length" in element and len(value) < int(element["min_length"]):
            problems.append(f"{label} is shorter than {element['min_length']} characters")
    if ref.type == "number_input" and isinstance(value, str):
        problems.extend(_number_problems(element, value, label))
    return problems


def _number_problems(element: JSON, value: str, label: str) -> list[str]:
    try:
        number = float(value)
    except ValueError:
        return [f"{label}: {value!r} is not a number"]
    problems: list[str] = []
    if not element.get("is_decimal_allowed") and not number.is_integer():
        problems.append(f"{label}: decimals are not allowed")
    if "min_value" in element and number < float(element["min_value"]):
        problems.append(f"{label}: below {element['min_value']}")
    if "max_value" in element and number > float(element["max_value"]):
        problems.append(f"{label}: above {element['max_value']}")
    return problems


def state_of(
    blocks: list[JSON], previous: dict[str, dict[str, JSON]] | None = None
) -> dict[str, dict[str, JSON]]:
    """Return ``state.values`` for ``blocks``: kept entries from ``previous`` where the ids still match,
    else the initial values of every stateful element."""
    previous = previous or {}
    state: dict[str, dict[str, JSON]] = {}
    for ref in iter_elements(blocks):
        if not is_stateful(ref.element):
            continue
        kept = previous.get(ref.block_id, {}).get(ref.action_id)
        if kept is not None and kept.get("type") == ref.type:
            entry = copy.deepcopy(kept)
        else:
            entry = initial_state(ref.element)
        state.setdefault(ref.block_id, {})[ref.action_id] = entry
    return state


def action_payload(ref: ElementRef, entry: JSON | None, action_ts: str) -> JSON:
    """Return one item of ``actions`` in a block_actions payload for ``ref`` (``entry``: its new state)."""
    element = ref.element
    action: JSON = {
        "type": ref.type,
        "action_id": ref.action_id,
        "block_id": ref.block_id,
        "action_ts": action_ts,
    }
    for key in ("text", "value", "style", "url", "placeholder"):
        if key in element:
            action[key] = copy.deepcopy(element[key])
    if entry is not None:
        action.update({k: v for k, v in entry.items() if k != "type"})
    return action


def selection_from(kwargs: dict[str, object]) -> tuple[str, object] | None:
    """Pick the one ``selected_*`` keyword a click was given (``None`` when none was)."""
    given = [(k, v) for k, v in kwargs.items() if v is not None]
    if len(given) > 1:
        raise ScreenError(f"one selection at a time, got {[k for k, _ in given]}")
    return given[0] if given else None
