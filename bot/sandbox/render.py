"""Slack Block Kit to safe HTML, server-side, for the sandbox page (messages, modals, App Home).

Public API::

    render_message(message, *, users, surface="message", all_users=None) -> str
    render_blocks(blocks, *, users, surface, state=None, errors=None, all_users=None) -> str
    render_modal(view, *, users, all_users=None) -> str
    render_home(view, *, users, all_users=None) -> str
    mrkdwn(text, *, users) -> str

Each takes ``tz=`` (the reader's time zone: message times and Slack date tokens such as
``<!date^1392734382^{date_short_pretty} at {time}|fallback>`` show in it; default UTC) and ``now=``
(when "today" is, for ``{date_pretty}``; default the current time).

``users(user_id) -> display name``; ``all_users`` is ``[(user_id, name), …]``, the people offered by
users selects (without it they offer only the selected users). ``state`` is ``view.state.values``
(``{block_id: {action_id: entry}}``; ``{"values": …}`` is accepted too); ``errors`` maps block_id to
a message shown under the block. Everything from the input is HTML-escaped; nothing is interpreted as
HTML, and only http(s)/mailto links and http(s) images are kept. A block or element type the renderer
does not draw is a visible ``.bk-unsupported`` box, "Unsupported block: <type>" or "Unsupported
element: <type>", never dropped.

Contract with the page's JavaScript (``static/sandbox.js``):

- The outer element of a message is ``<div class="bk-message" data-ts="…">`` (plus ``bk-ephemeral``
  and a grey ``.bk-ephemeral-label`` "Only visible to you" for ``ephemeral: True``); of App Home
  ``<div class="bk-home" data-view-id="…">``; of a modal ``<form class="bk-modal" data-view-id="…"
  data-callback-id="…">`` (the page puts it inside ``.sb-backdrop``).
- Every rendered block has ``data-block-id`` (and ``data-type``, the block type). Input blocks with
  ``dispatch_action`` have ``data-dispatch="true"``.
- Every interactive element has ``data-action-id``, ``data-block-id`` and ``data-type`` (the Block Kit
  element type). Elements that send ``block_actions`` as soon as they change — everything outside input
  blocks, and the element of an input block with ``dispatch_action`` — also have
  ``data-dispatch="true"``; plain input-block fields are sent only with the modal's submission.
- Buttons: ``<button type="button" class="bk-button [bk-primary|bk-danger]" data-action="click"
  data-value="…">`` (``data-url`` for link buttons; ``data-confirm-title/-text/-ok/-deny`` when the
  button has a confirm dialog).
- Overflow menus: ``<select class="bk-overflow">`` (no ``name``) whose first option is an empty "⋯";
  each option has ``value`` and ``data-value`` = the option's value (``data-url`` for link options).
- Form controls have ``name="{block_id}/{action_id}"`` (buttons and overflows have none):
  static/users selects are ``<select>`` (``multiple`` for multi selects; single selects start with an
  empty-valued placeholder option; users select option value = user id); radio buttons and checkboxes
  are ``<input type="radio|checkbox" value="{option value}">`` each carrying the data attributes, inside
  a ``<div class="bk-radios|bk-checkboxes" data-type=…>`` group; ``plain_text_input`` is ``<input
  type="text">`` or (multiline) ``<textarea>`` with ``maxlength``/``minlength``/``placeholder``;
  ``number_input`` is ``<input type="number" min max step>`` (``step="any"`` when decimals are
  allowed); ``datepicker`` is ``<input type="date">``, ``timepicker`` ``<input type="time">``.
- In modals, required inputs (input blocks without ``optional``) carry ``required`` (Slack's client
  also refuses to submit them empty), so listen for the form's ``submit`` event. The close buttons (the
  header's × and the footer's close text) have ``data-modal-close``; the submit button is ``<button
  type="submit" class="bk-button bk-primary">``. Field errors are ``.bk-error`` under the block.
- Current values come from ``state`` (a modal's ``view.state.values``), else the elements' ``initial_*``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from bot.sandbox.render_elements import Ctx, Slot, image_tag, render_element
from bot.sandbox.render_text import (
    UserNames,
    attrs,
    esc,
    mrkdwn,
    plain_text,
    raw_text,
    reader,
    reading_as,
    rich_text,
    text_html,
    user_name,
)

__all__ = ["mrkdwn", "render_blocks", "render_home", "render_message", "render_modal"]

SURFACES = ("message", "modal", "home")
APP_NAME = "Common Ground"

AllUsers = Sequence[tuple[str, str]]


def _block_attrs(block: Mapping[str, Any], cls: str, **extra: str | None) -> str:
    pairs: dict[str, str | None] = {
        "class": f"bk-block {cls}",
        "data-block-id": str(block.get("block_id", "")),
        "data-type": str(block.get("type", "")),
        **extra,
    }
    return attrs(pairs)


def _error(block_id: str, ctx: Ctx) -> str:
    message = ctx.errors.get(block_id)
    return f'<div class="bk-error" role="alert">{plain_text(message)}</div>' if message else ""


def _unsupported_block(kind: object) -> str:
    name = str(kind)
    box = attrs({"class": "bk-block bk-unsupported", "data-type": name})
    return f"<div{box}>Unsupported block: {esc(name)}</div>"


# --- blocks --------------------------------------------------------------------------------------


def _header(block: Mapping[str, Any], ctx: Ctx) -> str:
    return f"<h2{_block_attrs(block, 'bk-header')}>{text_html(block.get('text'), ctx.users)}</h2>"


def _divider(block: Mapping[str, Any], ctx: Ctx) -> str:
    return f"<hr{_block_attrs(block, 'bk-divider')}>"


def _section(block: Mapping[str, Any], ctx: Ctx) -> str:
    block_id = str(block.get("block_id", ""))
    main: list[str] = []
    if block.get("text") is not None:
        main.append(f'<div class="bk-section-text">{text_html(block.get("text"), ctx.users)}</div>')
    fields = block.get("fields")
    if isinstance(fields, list) and fields:
        cells = "".join(f'<div class="bk-field">{text_html(f, ctx.users)}</div>' for f in fields)
        main.append(f'<div class="bk-fields">{cells}</div>')
    accessory = ""
    if block.get("accessory") is not None:
        element = render_element(block.get("accessory"), Slot(block_id), ctx)
        accessory = f'<div class="bk-accessory">{element}</div>'
    body = f'<div class="bk-section-main">{"".join(main)}</div>{accessory}'
    return f"<div{_block_attrs(block, 'bk-section')}>{body}</div>"


def _context(block: Mapping[str, Any], ctx: Ctx) -> str:
    items: list[str] = []
    elements = block.get("elements")
    for element in elements if isinstance(elements, list) else []:
        kind = element.get("type") if isinstance(element, Mapping) else None
        if isinstance(element, Mapping) and kind in ("mrkdwn", "plain_text"):
            items.append(f'<span class="bk-context-item">{text_html(element, ctx.users)}</span>')
        elif isinstance(element, Mapping) and kind == "image":
            items.append(image_tag(element, "bk-context-image"))
        else:
            items.append(render_element(element, Slot(str(block.get("block_id", ""))), ctx))
    return f"<div{_block_attrs(block, 'bk-context')}>{''.join(items)}</div>"


def _image(block: Mapping[str, Any], ctx: Ctx) -> str:
    title = block.get("title")
    caption = (
        f'<figcaption class="bk-image-title">{text_html(title, ctx.users)}</figcaption>' if title else ""
    )
    return f"<figure{_block_attrs(block, 'bk-image')}>{caption}{image_tag(block, 'bk-image-img')}</figure>"


def _actions(block: Mapping[str, Any], ctx: Ctx) -> str:
    block_id = str(block.get("block_id", ""))
    elements = block.get("elements")
    items = "".join(
        render_element(element, Slot(block_id), ctx)
        for element in (elements if isinstance(elements, list) else [])
    )
    return f"<div{_block_attrs(block, 'bk-actions')}>{items}</div>"


def _input(block: Mapping[str, Any], ctx: Ctx) -> str:
    block_id = str(block.get("block_id", ""))
    element = block.get("element")
    action_id = str(element.get("action_id", "")) if isinstance(element, Mapping) else ""
    kind = element.get("type") if isinstance(element, Mapping) else None
    control_id = ctx.control_id(block_id, action_id)
    label_id = f"{control_id}-label"
    grouped = kind in ("radio_buttons", "checkboxes")
    optional = block.get("optional") is True
    dispatch = block.get("dispatch_action") is True
    slot = Slot(
        block_id,
        in_input=True,
        dispatch=dispatch,
        required=ctx.surface == "modal" and not optional,
        control_id=None if grouped else control_id,
        label_id=label_id,
    )
    marker = '<span class="bk-optional"> (optional)</span>' if optional else ""
    label_attrs = attrs({"class": "bk-label", "id": label_id, "for": None if grouped else control_id})
    parts = [f"<label{label_attrs}>{plain_text(raw_text(block.get('label')))}{marker}</label>"]
    parts.append(render_element(element, slot, ctx))
    if block.get("hint"):
        parts.append(f'<div class="bk-hint">{text_html(block.get("hint"), ctx.users)}</div>')
    extra_cls = " bk-has-error" if ctx.errors.get(block_id) else ""
    block_attrs = _block_attrs(
        block, "bk-input-block" + extra_cls, **{"data-dispatch": "true" if dispatch else None}
    )
    return f"<div{block_attrs}>{''.join(parts)}{_error(block_id, ctx)}</div>"


def _rich_text(block: Mapping[str, Any], ctx: Ctx) -> str:
    return f"<div{_block_attrs(block, 'bk-rich-text')}>{rich_text(block, ctx.users)}</div>"


_BLOCKS: dict[str, Callable[[Mapping[str, Any], Ctx], str]] = {
    "header": _header,
    "section": _section,
    "context": _context,
    "divider": _divider,
    "image": _image,
    "actions": _actions,
    "input": _input,
    "rich_text": _rich_text,
}


def _render_block(block: object, ctx: Ctx) -> str:
    if not isinstance(block, Mapping):
        return _unsupported_block(type(block).__name__)
    render = _BLOCKS.get(str(block.get("type", "")))
    if render is None:
        return _unsupported_block(block.get("type", ""))
    html = render(block, ctx)
    if render is not _input:
        html += _error(str(block.get("block_id", "")), ctx)
    return html


def _values(state: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """``view.state.values`` from either that mapping itself or ``{"values": …}``."""
    if not state:
        return {}
    inner = state.get("values")
    if set(state) != {"values"} or not isinstance(inner, Mapping):
        return state
    nested = all(
        isinstance(b, Mapping) and all(isinstance(e, Mapping) for e in b.values()) for b in inner.values()
    )
    return inner if nested else state


def _ctx(
    users: UserNames,
    surface: str,
    state: Mapping[str, Any] | None,
    errors: Mapping[str, str] | None,
    all_users: AllUsers | None,
    prefix: str,
) -> Ctx:
    if surface not in SURFACES:
        raise ValueError(f"surface must be one of {SURFACES}, not {surface!r}")
    return Ctx(
        users=users,
        surface=surface,
        values=_values(state),
        errors={str(k): str(v) for k, v in (errors or {}).items()},
        all_users=tuple((str(i), str(n)) for i, n in all_users) if all_users is not None else None,
        prefix=prefix,
    )


def _blocks_html(blocks: object, ctx: Ctx) -> str:
    items = blocks if isinstance(blocks, list) else []
    return f'<div class="bk-blocks">{"".join(_render_block(b, ctx) for b in items)}</div>'


def render_blocks(
    blocks: list[dict[str, Any]],
    *,
    users: UserNames,
    surface: str,
    state: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    all_users: AllUsers | None = None,
    tz: str | tzinfo | None = None,
    now: float | None = None,
) -> str:
    """Render a list of Block Kit blocks as HTML for ``surface`` ("message", "modal" or "home").

    ``state`` holds current values (``view.state.values``), ``errors`` block_id → message, and
    ``all_users`` the ``(user_id, name)`` pairs offered by users selects; ``tz`` is the reader's time
    zone for dates, ``now`` the time "today" is judged at. Raises ``ValueError`` for an unknown surface.
    """
    with reading_as(tz, now):
        return _blocks_html(blocks, _ctx(users, surface, state, errors, all_users, surface))


def _time(ts: object) -> str:
    try:
        moment = datetime.fromtimestamp(float(str(ts)), tz=UTC).astimezone(reader().tz)
    except (ValueError, OverflowError, OSError):
        return ""
    return f"<time{attrs({'class': 'bk-ts', 'datetime': moment.isoformat()})}>{moment:%H:%M}</time>"


def _author(message: Mapping[str, Any], users: UserNames) -> tuple[str, bool]:
    ephemeral = message.get("ephemeral") or message.get("is_ephemeral")  # only apps post ephemerals
    is_app = bool(message.get("bot_id") or message.get("app_id") or message.get("bot_profile") or ephemeral)
    user = message.get("user")
    if isinstance(user, str) and user:
        return user_name(users, user), is_app
    profile = message.get("bot_profile")
    name = message.get("username") or (profile.get("name") if isinstance(profile, Mapping) else None)
    return str(name or APP_NAME), True


def render_message(
    message: dict[str, Any],
    *,
    users: UserNames,
    surface: str = "message",
    all_users: AllUsers | None = None,
    tz: str | tzinfo | None = None,
    now: float | None = None,
) -> str:
    """Render one message: avatar, author line (name, APP badge for the app, time, "(edited)"), then
    its blocks, or its ``text`` as mrkdwn when it has none. ``ephemeral: True`` (or ``is_ephemeral``)
    adds the grey "Only visible to you" label. The outer element carries ``data-ts``. Times and date
    tokens show in the reader's time zone ``tz`` (default UTC)."""
    with reading_as(tz, now):
        return _render_message(message, users, surface, all_users)


def _render_message(
    message: dict[str, Any], users: UserNames, surface: str, all_users: AllUsers | None
) -> str:
    ts = str(message.get("ts", ""))
    author, is_app = _author(message, users)
    ephemeral = bool(message.get("ephemeral") or message.get("is_ephemeral"))
    hue = int(hashlib.sha1(author.encode(), usedforsecurity=False).hexdigest()[:4], 16) % 360
    avatar = (
        f'<div class="bk-avatar" aria-hidden="true" style="--bk-hue: {hue}">{esc(author[:1].upper())}</div>'
    )
    meta = [f'<span class="bk-author">{esc(author)}</span>']
    if is_app:
        meta.append('<span class="bk-app-badge">APP</span>')
    meta.append(_time(ts))
    if message.get("edited"):
        meta.append('<span class="bk-edited">(edited)</span>')
    label = '<div class="bk-ephemeral-label">Only visible to you</div>' if ephemeral else ""
    blocks = message.get("blocks")
    if isinstance(blocks, list) and blocks:
        ctx = _ctx(users, surface, None, None, all_users, f"m{ts}")
        content = _blocks_html(blocks, ctx)
    else:
        content = f'<div class="bk-text">{mrkdwn(str(message.get("text") or ""), users=users)}</div>'
    if message.get("attachments"):
        content += _unsupported_block("attachments")
    cls = "bk-message bk-ephemeral" if ephemeral else "bk-message"
    body = f'<div class="bk-message-meta">{" ".join(m for m in meta if m)}</div>{label}{content}'
    return (
        f'<div{attrs({"class": cls, "data-ts": ts})}>{avatar}<div class="bk-message-body">{body}</div></div>'
    )


def _view_state(view: Mapping[str, Any]) -> Mapping[str, Any] | None:
    state = view.get("state")
    if isinstance(state, Mapping):
        values = state.get("values")
        return values if isinstance(values, Mapping) else None
    return None


def render_modal(
    view: dict[str, Any],
    *,
    users: UserNames,
    all_users: AllUsers | None = None,
    tz: str | tzinfo | None = None,
    now: float | None = None,
) -> str:
    """Render a modal view as a dialog: header with title and ×, its blocks with current values from
    ``view["state"]["values"]`` (else initial values) and ``view["errors"]`` (block_id → message) under
    the blocks, and a footer with the close button and, if the view has one, the submit button. Date
    tokens show in the reader's time zone ``tz`` (default UTC)."""
    with reading_as(tz, now):
        return _render_modal(view, users, all_users)


def _render_modal(view: dict[str, Any], users: UserNames, all_users: AllUsers | None) -> str:
    view_id = str(view.get("id", ""))
    errors = view.get("errors") if isinstance(view.get("errors"), Mapping) else None
    ctx = _ctx(users, "modal", _view_state(view), errors, all_users, f"v{view_id}")
    title_id = f"{ctx.control_id('', '')}-title"
    title = plain_text(raw_text(view.get("title")))
    close = plain_text(raw_text(view.get("close")) or "Cancel")
    header = (
        f'<header class="bk-modal-header"><h2 class="bk-modal-title" id="{esc(title_id)}">{title}</h2>'
        '<button type="button" class="bk-modal-x" data-modal-close aria-label="Close">×</button></header>'
    )
    buttons = [f'<button type="button" class="bk-button" data-modal-close>{close}</button>']
    if view.get("submit"):
        submit = plain_text(raw_text(view.get("submit")))
        buttons.append(f'<button type="submit" class="bk-button bk-primary">{submit}</button>')
    footer = f'<footer class="bk-modal-footer">{"".join(buttons)}</footer>'
    body = f'<div class="bk-modal-body">{_blocks_html(view.get("blocks"), ctx)}</div>'
    outer = {
        "class": "bk-modal",
        "role": "dialog",
        "aria-modal": "true",
        "aria-labelledby": title_id,
        "data-view-id": view_id,
        "data-callback-id": str(view.get("callback_id", "")) or None,
        "autocomplete": "off",
    }
    return f"<form{attrs(outer)}>{header}{body}{footer}</form>"


def render_home(
    view: dict[str, Any],
    *,
    users: UserNames,
    all_users: AllUsers | None = None,
    tz: str | tzinfo | None = None,
    now: float | None = None,
) -> str:
    """Render an App Home view: its blocks (with any ``state.values``) in ``<div class="bk-home"
    data-view-id>``; date tokens in the reader's time zone ``tz`` (default UTC)."""
    view_id = str(view.get("id", ""))
    with reading_as(tz, now):
        ctx = _ctx(users, "home", _view_state(view), None, all_users, f"h{view_id}")
        outer = attrs({"class": "bk-home", "data-view-id": view_id})
        return f"<div{outer}>{_blocks_html(view.get('blocks'), ctx)}</div>"
