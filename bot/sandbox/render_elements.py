"""Block Kit elements (buttons, selects, pickers, inputs…) as HTML form controls, for the sandbox page.

Part of :mod:`bot.sandbox.render`; the data-attribute contract is written down there.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.sandbox.render_text import (
    AttrValue,
    UserNames,
    attrs,
    esc,
    plain_text,
    raw_text,
    safe_url,
    text_html,
    user_name,
)

JSONish = Mapping[str, Any]


@dataclass(frozen=True)
class Ctx:
    """What every block and element renderer needs: names, the surface, current state and errors."""

    users: UserNames
    surface: str
    values: Mapping[str, Any]
    errors: Mapping[str, str]
    all_users: tuple[tuple[str, str], ...] | None
    prefix: str

    def control_id(self, block_id: str, action_id: str) -> str:
        """A stable, page-unique-enough HTML id for the control of ``block_id/action_id``."""
        digest = hashlib.sha1(f"{block_id}/{action_id}".encode(), usedforsecurity=False).hexdigest()[:10]
        prefix = re.sub(r"[^A-Za-z0-9_-]", "-", self.prefix)[:40]
        return f"bk-{prefix}-{digest}"


@dataclass(frozen=True)
class Slot:
    """Where an element sits: its block, whether it is an input block's form field, whether it dispatches."""

    block_id: str
    in_input: bool = False
    dispatch: bool = True
    required: bool = False
    control_id: str | None = None
    label_id: str | None = None


def unsupported_element(kind: object) -> str:
    """The visible box for an element type the renderer does not draw."""
    name = str(kind)
    return f'<span class="bk-unsupported"{attrs({"data-type": name})}>Unsupported element: {esc(name)}</span>'


def _action_id(element: JSONish) -> str:
    return str(element.get("action_id", ""))


def _data(element: JSONish, slot: Slot) -> dict[str, AttrValue]:
    return {
        "data-action-id": _action_id(element),
        "data-block-id": slot.block_id,
        "data-type": str(element.get("type", "")),
        "data-dispatch": "true" if slot.dispatch else None,
    }


def _name(element: JSONish, slot: Slot) -> str:
    return f"{slot.block_id}/{_action_id(element)}"


def _entry(element: JSONish, slot: Slot, ctx: Ctx) -> Mapping[str, Any] | None:
    """The element's entry in ``state.values`` (``None`` when it has none: show the initial value)."""
    block = ctx.values.get(slot.block_id)
    if isinstance(block, Mapping):
        entry = block.get(_action_id(element))
        if isinstance(entry, Mapping):
            return entry
    return None


def _option_value(option: object) -> str | None:
    if isinstance(option, Mapping) and option.get("value") is not None:
        return str(option["value"])
    return None


def _current(element: JSONish, slot: Slot, ctx: Ctx, key: str, initial_key: str) -> Any:
    entry = _entry(element, slot, ctx)
    return entry.get(key) if entry is not None else element.get(initial_key)


def _selected_one(element: JSONish, slot: Slot, ctx: Ctx) -> set[str]:
    value = _option_value(_current(element, slot, ctx, "selected_option", "initial_option"))
    return {value} if value is not None else set()


def _selected_many(element: JSONish, slot: Slot, ctx: Ctx) -> set[str]:
    options = _current(element, slot, ctx, "selected_options", "initial_options")
    if not isinstance(options, list):
        return set()
    return {v for v in (_option_value(o) for o in options) if v is not None}


def _options(element: JSONish) -> list[Mapping[str, Any]]:
    options = element.get("options")
    return [o for o in options if isinstance(o, Mapping)] if isinstance(options, list) else []


def _confirm(element: JSONish) -> dict[str, AttrValue]:
    confirm = element.get("confirm")
    if not isinstance(confirm, Mapping):
        return {}
    return {
        "data-confirm-title": raw_text(confirm.get("title")),
        "data-confirm-text": raw_text(confirm.get("text")),
        "data-confirm-ok": raw_text(confirm.get("confirm")) or None,
        "data-confirm-deny": raw_text(confirm.get("deny")) or None,
    }


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- the elements ------------------------------------------------------------------------------


def _button(element: JSONish, slot: Slot, ctx: Ctx) -> str:
    style = element.get("style")
    cls = "bk-button" + (f" bk-{style}" if style in ("primary", "danger") else "")
    data = _data(element, slot)
    data["data-dispatch"] = None
    label = element.get("accessibility_label")
    pairs: dict[str, AttrValue] = {
        "type": "button",
        "class": cls,
        **data,
        "data-action": "click",
        "data-value": str(element.get("value", "")),
        "data-url": safe_url(element.get("url")),
        "aria-label": label if isinstance(label, str) and label else None,
        **_confirm(element),
    }
    return f"<button{attrs(pairs)}>{text_html(element.get('text'), ctx.users)}</button>"


def _option_tag(
    option: Mapping[str, Any], selected: set[str], extra: Mapping[str, AttrValue] | None = None
) -> str:
    value = _option_value(option) or ""
    pairs: dict[str, AttrValue] = {"value": value, "selected": value in selected, **(extra or {})}
    return f"<option{attrs(pairs)}>{esc(raw_text(option.get('text')))}</option>"


def _select_attrs(element: JSONish, slot: Slot, *, cls: str, multiple: bool) -> dict[str, AttrValue]:
    placeholder = raw_text(element.get("placeholder"))
    return {
        "class": cls,
        "id": slot.control_id,
        "name": _name(element, slot),
        **_data(element, slot),
        "multiple": multiple,
        "required": slot.required,
        "autofocus": element.get("focus_on_load") is True,
        "aria-label": placeholder if slot.control_id is None and placeholder else None,
        "data-placeholder": placeholder or None,
    }


def _placeholder_option(element: JSONish, selected: set[str] | list[str], default: str) -> str:
    text = raw_text(element.get("placeholder")) or default
    return f"<option{attrs({'value': '', 'selected': not selected})}>{esc(text)}</option>"


def _static_select(element: JSONish, slot: Slot, ctx: Ctx) -> str:
    multiple = str(element.get("type", "")).startswith("multi_")
    selected = _selected_many(element, slot, ctx) if multiple else _selected_one(element, slot, ctx)
    parts: list[str] = [] if multiple else [_placeholder_option(element, selected, "Select an item")]
    parts += [_option_tag(o, selected) for o in _options(element)]
    groups = element.get("option_groups")
    for group in groups if isinstance(groups, list) else []:
        if isinstance(group, Mapping):
            inner = "".join(_option_tag(o, selected) for o in _options(group))
            parts.append(f"<optgroup{attrs({'label': raw_text(group.get('label'))})}>{inner}</optgroup>")
    pairs = _select_attrs(element, slot, cls="bk-select", multiple=multiple)
    return f"<select{attrs(pairs)}>{''.join(parts)}</select>"


def _people(ctx: Ctx, selected: Sequence[str]) -> list[tuple[str, str]]:
    people = list(ctx.all_users) if ctx.all_users is not None else []
    known = {user_id for user_id, _ in people}
    people += [(user_id, user_name(ctx.users, user_id)) for user_id in selected if user_id not in known]
    return people


def _users_select(element: JSONish, slot: Slot, ctx: Ctx) -> str:
    multiple = element.get("type") == "multi_users_select"
    if multiple:
        current = _current(element, slot, ctx, "selected_users", "initial_users")
        selected = [str(u) for u in current] if isinstance(current, list) else []
    else:
        current = _current(element, slot, ctx, "selected_user", "initial_user")
        selected = [str(current)] if isinstance(current, str) and current else []
    parts = [] if multiple else [_placeholder_option(element, selected, "Select a user")]
    for user_id, name in _people(ctx, selected):
        parts.append(
            f"<option{attrs({'value': user_id, 'selected': user_id in selected})}>{esc(name)}</option>"
        )
    pairs = _select_attrs(element, slot, cls="bk-select bk-users-select", multiple=multiple)
    return f"<select{attrs(pairs)}>{''.join(parts)}</select>"


def _choices(element: JSONish, slot: Slot, ctx: Ctx, *, kind: str) -> str:
    radio = kind == "radio"
    selected = _selected_one(element, slot, ctx) if radio else _selected_many(element, slot, ctx)
    items: list[str] = []
    for option in _options(element):
        value = _option_value(option) or ""
        control: dict[str, AttrValue] = {
            "type": kind,
            "name": _name(element, slot),
            "value": value,
            "checked": value in selected,
            "required": radio and slot.required,
            **_data(element, slot),
        }
        description = option.get("description")
        desc = (
            f'<span class="bk-choice-desc">{text_html(description, ctx.users)}</span>' if description else ""
        )
        text = f'<span class="bk-choice-text">{text_html(option.get("text"), ctx.users)}{desc}</span>'
        items.append(f'<label class="bk-choice"><input{attrs(control)}>{text}</label>')
    box = {
        "class": "bk-radios" if radio else "bk-checkboxes",
        "role": "radiogroup" if radio else "group",
        "aria-labelledby": slot.label_id,
        "data-action-id": _action_id(element),
        "data-block-id": slot.block_id,
        "data-type": str(element.get("type", "")),
    }
    return f"<div{attrs(box)}>{''.join(items)}</div>"


def _radio_buttons(element: JSONish, slot: Slot, ctx: Ctx) -> str:
    return _choices(element, slot, ctx, kind="radio")


def _checkboxes(element: JSONish, slot: Slot, ctx: Ctx) -> str:
    return _choices(element, slot, ctx, kind="checkbox")


def _field_attrs(element: JSONish, slot: Slot, cls: str) -> dict[str, AttrValue]:
    placeholder = raw_text(element.get("placeholder"))
    return {
        "class": cls,
        "id": slot.control_id,
        "name": _name(element, slot),
        **_data(element, slot),
        "placeholder": placeholder or None,
        "required": slot.required,
        "autofocus": element.get("focus_on_load") is True,
        "aria-label": placeholder if slot.control_id is None and placeholder else None,
    }


def _text_input(element: JSONish, slot: Slot, ctx: Ctx) -> str:
    value = _current(element, slot, ctx, "value", "initial_value")
    value = "" if value is None else str(value)
    pairs = _field_attrs(element, slot, "bk-input")
    pairs["maxlength"] = _int_or_none(element.get("max_length"))
    pairs["minlength"] = _int_or_none(element.get("min_length"))
    kind = element.get("type")
    if kind == "plain_text_input" and element.get("multiline") is True:
        pairs["class"] = "bk-input bk-textarea"
        pairs["rows"] = 4
        return f"<textarea{attrs(pairs)}>{esc(value)}</textarea>"
    input_type = {"email_text_input": "email", "url_text_input": "url"}.get(str(kind), "text")
    return f"<input{attrs({'type': input_type, **pairs, 'value': value})}>"


def _number_input(element: JSONish, slot: Slot, ctx: Ctx) -> str:
    value = _current(element, slot, ctx, "value", "initial_value")
    decimal = element.get("is_decimal_allowed") is True
    pairs: dict[str, AttrValue] = {
        "type": "number",
        **_field_attrs(element, slot, "bk-input bk-number"),
        "min": str(element["min_value"]) if element.get("min_value") is not None else None,
        "max": str(element["max_value"]) if element.get("max_value") is not None else None,
        "step": "any" if decimal else "1",
        "inputmode": "decimal" if decimal else "numeric",
        "value": "" if value is None else str(value),
    }
    return f"<input{attrs(pairs)}>"


def _picker(element: JSONish, slot: Slot, ctx: Ctx) -> str:
    kind = element.get("type")
    key, initial, input_type = (
        ("selected_date", "initial_date", "date")
        if kind == "datepicker"
        else ("selected_time", "initial_time", "time")
    )
    value = _current(element, slot, ctx, key, initial)
    pairs: dict[str, AttrValue] = {
        "type": input_type,
        **_field_attrs(element, slot, f"bk-input bk-{input_type}"),
        "value": "" if value is None else str(value),
    }
    return f"<input{attrs(pairs)}>"


def _overflow(element: JSONish, slot: Slot, ctx: Ctx) -> str:
    data = _data(element, slot)
    data["data-dispatch"] = "true"
    parts = ['<option value="" selected>⋯</option>']
    for option in _options(element):
        extra = {"data-value": _option_value(option) or "", "data-url": safe_url(option.get("url"))}
        parts.append(_option_tag(option, set(), extra))
    pairs = {"class": "bk-overflow", "aria-label": "More actions", **data, **_confirm(element)}
    return f"<select{attrs(pairs)}>{''.join(parts)}</select>"


def image_tag(element: JSONish, cls: str) -> str:
    """An image element (or image block's picture): ``<img>`` for http(s) URLs, else its alt text."""
    alt = str(element.get("alt_text", ""))
    url = safe_url(element.get("image_url"), image=True)
    if url is None:
        return f'<span class="bk-image-missing">{plain_text(alt or "image")}</span>'
    return f"<img{attrs({'class': cls, 'src': url, 'alt': alt, 'loading': 'lazy'})}>"


def _image(element: JSONish, slot: Slot, ctx: Ctx) -> str:
    return image_tag(element, "bk-accessory-image")


_ELEMENTS: dict[str, Callable[[JSONish, Slot, Ctx], str]] = {
    "button": _button,
    "static_select": _static_select,
    "multi_static_select": _static_select,
    "users_select": _users_select,
    "multi_users_select": _users_select,
    "radio_buttons": _radio_buttons,
    "checkboxes": _checkboxes,
    "plain_text_input": _text_input,
    "email_text_input": _text_input,
    "url_text_input": _text_input,
    "number_input": _number_input,
    "datepicker": _picker,
    "timepicker": _picker,
    "overflow": _overflow,
    "image": _image,
}


def render_element(element: object, slot: Slot, ctx: Ctx) -> str:
    """One element as HTML; an unknown type (or a non-object) is a visible "Unsupported element" box."""
    if not isinstance(element, Mapping):
        return unsupported_element(type(element).__name__)
    render = _ELEMENTS.get(str(element.get("type", "")))
    if render is None:
        return unsupported_element(element.get("type", ""))
    return render(element, slot, ctx)
