"""Block Kit validation as Slack applies it, for the stand-in and for the app's own tests.

``slack_sdk.models`` does most of the work (``Block.parse`` + ``validate_json`` + ``to_dict``), but it
silently accepts a lot that Slack refuses: unknown block and element types are skipped, unknown or
misspelt fields are dropped, a bare string is turned into a text object, ``mrkdwn`` is accepted where
Slack wants ``plain_text``, and it does not count blocks per message. So every block is also compared
with its SDK round trip (anything dropped or changed is a problem) and checked explicitly against the
limits in shared/SLACK_NOTES.md.

Every function returns a list of problems in Slack's own format,
``"[ERROR] <what> [json-pointer:/blocks/3/text]"``; an empty list means valid.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterable
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.sandbox.elements import fill_ids
from bot.sandbox.models import JSON, SlackError

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_VIEW_TITLE = 24
MAX_PRIVATE_METADATA = 3000
MAX_ID_LENGTH = 255
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELD_TEXT = 2000
MAX_SECTION_FIELDS = 10
MAX_HEADER_TEXT = 150
MAX_VIEW_BYTES = 250_000
MAX_SELECT_OPTIONS = 100
MAX_CHECKBOX_OPTIONS = 10
MAX_OVERFLOW_OPTIONS = 5
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_OPTION_VALUE = 150
MAX_OPTION_TEXT = 75

VIEW_TYPES = ("modal", "home")
_MODAL_KEYS = frozenset(
    {
        "type",
        "title",
        "blocks",
        "close",
        "submit",
        "private_metadata",
        "callback_id",
        "clear_on_close",
        "notify_on_close",
        "external_id",
        "submit_disabled",
    }
)
_HOME_KEYS = frozenset({"type", "blocks", "private_metadata", "callback_id", "external_id"})
_SELECT_TYPES = frozenset({"static_select", "multi_static_select", "overflow"})
_FEW_OPTION_TYPES = frozenset({"checkboxes", "radio_buttons"})
_TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})

# Block.parse logs a warning for every unknown block; we report those as problems instead.
logging.getLogger("slack_sdk.models.blocks.blocks").setLevel(logging.ERROR)
logging.getLogger("slack_sdk.models.blocks.block_elements").setLevel(logging.ERROR)


def problem(message: str, pointer: str) -> str:
    """Format one problem the way Slack reports it in ``response_metadata.messages``."""
    return f"[ERROR] {message} [json-pointer:{pointer}]"


def validate_message_blocks(blocks: object) -> list[str]:
    """Return the problems Slack would find in the ``blocks`` of a message (empty list: valid).

    Checks the block count (≤ 50), every block with ``slack_sdk.models`` and its round trip, unique
    ``block_id`` s, and the text and id limits.
    """
    return _validate_blocks(blocks, "/blocks", MAX_MESSAGE_BLOCKS)


def validate_message(text: object, blocks: object) -> list[str]:
    """Return the problems of a whole message: text and/or blocks needed, text ≤ 40,000, valid blocks."""
    problems: list[str] = []
    has_blocks = isinstance(blocks, list) and len(blocks) > 0
    if text is not None and not isinstance(text, str):
        problems.append(problem("text must be a string", "/text"))
    elif not text and not has_blocks:
        problems.append(problem("a message needs text or blocks (no_text)", "/text"))
    elif isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        problems.append(
            problem(f"text must be at most {MAX_MESSAGE_TEXT} characters (msg_too_long)", "/text")
        )
    if blocks is not None:
        problems.extend(validate_message_blocks(blocks))
    return problems


def view_size(view: object) -> int:
    """Return the size in bytes of the view's JSON encoding."""
    return len(json.dumps(view, ensure_ascii=False).encode("utf-8"))


def validate_view(view: object, *, expected_type: str | None = None) -> list[str]:
    """Return the problems Slack would find in a view (empty list: valid).

    ``expected_type`` is ``"modal"`` for ``views.open/push/update`` and ``"home"`` for
    ``views.publish``; ``None`` accepts either. Checks the size (≤ 250 kB), type, title (plain_text,
    ≤ 24 chars), submit/close, ``private_metadata`` (≤ 3000), ``callback_id`` (≤ 255), unknown fields,
    submit present when there are input blocks, and the blocks (≤ 100) as for messages.
    """
    if not isinstance(view, dict):
        return [problem("view must be a JSON object", "/view")]
    problems: list[str] = []
    size = view_size(view)
    if size > MAX_VIEW_BYTES:
        problems.append(
            problem(f"view is {size} bytes, more than {MAX_VIEW_BYTES} (view_too_large)", "/view")
        )
    view_type = view.get("type")
    if expected_type is not None and view_type != expected_type:
        problems.append(problem(f"type must be {expected_type!r}, not {view_type!r}", "/view/type"))
    elif view_type not in VIEW_TYPES:
        problems.append(problem(f"type must be one of {VIEW_TYPES}, not {view_type!r}", "/view/type"))
    allowed = _HOME_KEYS if view_type == "home" else _MODAL_KEYS
    for key in view:
        if key not in allowed:
            problems.append(problem(f"unsupported field {key!r} in a {view_type} view", f"/view/{key}"))
    if view_type == "modal":
        if "title" not in view:
            problems.append(problem("a modal needs a title", "/view/title"))
        for key in ("title", "submit", "close"):
            if key in view:
                problems.extend(_check_plain_text(view[key], f"/view/{key}", max_length=MAX_VIEW_TITLE))
        blocks = view.get("blocks")
        has_inputs = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_inputs and "submit" not in view:
            problems.append(problem("submit is required when the view has input blocks", "/view/submit"))
    problems.extend(_check_string(view, "private_metadata", "/view", MAX_PRIVATE_METADATA))
    problems.extend(_check_string(view, "callback_id", "/view", MAX_ID_LENGTH))
    problems.extend(_check_string(view, "external_id", "/view", MAX_ID_LENGTH))
    for key in ("clear_on_close", "notify_on_close", "submit_disabled"):
        if key in view and not isinstance(view[key], bool):
            problems.append(problem("must be a boolean", f"/view/{key}"))
    if not problems:
        problems.extend(_sdk_view_problems(view))
    blocks = view.get("blocks")
    if blocks is None:
        problems.append(problem("blocks are required", "/view/blocks"))
    elif isinstance(blocks, list) and not blocks:
        problems.append(problem("a view needs at least one block", "/view/blocks"))
    else:
        problems.extend(_validate_blocks(blocks, "/view/blocks", MAX_VIEW_BLOCKS))
    return _unique(problems)


def parse_message(text: object, blocks: object, *, required: bool = True) -> list[JSON] | None:
    """Check a message's ``text`` and ``blocks`` arguments as ``chat.postMessage`` does.

    Returns the blocks with the ids Slack fills in (None when no blocks were given); raises
    :class:`~bot.sandbox.models.SlackError`: ``no_text``, ``msg_too_long``, ``invalid_blocks`` (with
    the problems as ``messages``), ``invalid_blocks_format``.
    """
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError as exc:
            raise SlackError("invalid_blocks_format") from exc
    if text is not None and not isinstance(text, str):
        raise SlackError("invalid_arguments", [problem("text must be a string", "/text")])
    if required and not text and not blocks:
        raise SlackError("no_text")
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        raise SlackError("msg_too_long")
    if blocks is None:
        return None
    problems = validate_message_blocks(blocks)
    if problems:
        raise SlackError("invalid_blocks", problems)
    assert isinstance(blocks, list)
    return fill_ids(blocks)


def parse_view(view: object, expected_type: str) -> JSON:
    """Check a ``view`` argument as ``views.*`` do and return it parsed.

    Raises :class:`~bot.sandbox.models.SlackError`: ``view_too_large`` or ``invalid_arguments`` (with
    the problems as ``messages``, as Slack reports them).
    """
    if isinstance(view, str):
        try:
            view = json.loads(view)
        except ValueError as exc:
            raise SlackError("invalid_arguments", [problem("view must be JSON", "/view")]) from exc
    if not isinstance(view, dict):
        raise SlackError("invalid_arguments", [problem("missing required field: view", "/view")])
    if view_size(view) > MAX_VIEW_BYTES:
        raise SlackError("view_too_large")
    problems = validate_view(view, expected_type=expected_type)
    if problems:
        raise SlackError("invalid_arguments", problems)
    return view


# --------------------------------------------------------------------------- internals


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _check_string(obj: dict[str, Any], key: str, pointer: str, max_length: int) -> list[str]:
    if key not in obj:
        return []
    value = obj[key]
    if not isinstance(value, str):
        return [problem("must be a string", f"{pointer}/{key}")]
    if len(value) > max_length:
        return [problem(f"must be at most {max_length} characters, not {len(value)}", f"{pointer}/{key}")]
    return []


def _check_plain_text(obj: object, pointer: str, *, max_length: int | None = None) -> list[str]:
    if not isinstance(obj, dict):
        return [problem("must be a plain_text text object", pointer)]
    if obj.get("type") != "plain_text":
        return [problem(f"must be a plain_text text object, not {obj.get('type')!r}", f"{pointer}/type")]
    text = obj.get("text")
    if isinstance(text, str) and max_length is not None and len(text) > max_length:
        return [problem(f"must be at most {max_length} characters, not {len(text)}", f"{pointer}/text")]
    return []


def _sdk_view_problems(view: dict[str, Any]) -> list[str]:
    """Validate the view's own fields with slack_sdk (its blocks are checked separately)."""
    probe = {k: copy.deepcopy(v) for k, v in view.items() if k != "blocks"}
    probe["blocks"] = [{"type": "divider"}]
    try:
        View(**probe).to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, AttributeError, KeyError) as exc:
        return [problem(str(exc), "/view")]
    return []


def _validate_blocks(blocks: object, pointer: str, limit: int) -> list[str]:
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            return [problem("blocks must be a JSON array", pointer)]
    if not isinstance(blocks, list):
        return [problem("blocks must be an array", pointer)]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(problem(f"no more than {limit} items allowed, got {len(blocks)}", pointer))
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        block_pointer = f"{pointer}/{index}"
        problems.extend(_validate_block(block, block_pointer))
        if isinstance(block, dict) and isinstance(block.get("block_id"), str):
            if block["block_id"] in seen:
                problems.append(
                    problem(f"duplicate block_id {block['block_id']!r}", f"{block_pointer}/block_id")
                )
            seen.add(block["block_id"])
    return _unique(problems)


def _validate_block(block: object, pointer: str) -> list[str]:
    if not isinstance(block, dict):
        return [problem("each block must be a JSON object", pointer)]
    problems = _explicit_checks(block, pointer)
    problems.extend(_block_id_checks(block, pointer))
    try:
        parsed = Block.parse(copy.deepcopy(block))
        if parsed is None:
            problems.append(problem(f"unsupported block type {block.get('type')!r}", f"{pointer}/type"))
            return problems
        parsed.validate_json()
        round_trip = parsed.to_dict()
    except SlackObjectFormationError as exc:
        problems.append(problem(str(exc), pointer))
        return problems
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        problems.append(problem(f"malformed {block.get('type')} block: {exc}", pointer))
        return problems
    problems.extend(_round_trip_diff(block, round_trip, pointer))
    return problems


def _round_trip_diff(sent: object, kept: object, pointer: str) -> list[str]:
    """Report what slack_sdk dropped or changed: Slack refuses those fields."""
    if isinstance(sent, dict):
        if not isinstance(kept, dict):
            return [problem("unsupported or malformed object", pointer)]
        problems: list[str] = []
        for key, value in sent.items():
            sub = f"{pointer}/{key}"
            if key not in kept:
                if value is None:
                    problems.append(problem("must not be null", sub))
                elif value in ("", [], {}):
                    problems.append(problem("must not be empty", sub))
                else:
                    problems.append(problem(f"unsupported field {key!r}", sub))
            else:
                problems.extend(_round_trip_diff(value, kept[key], sub))
        return problems
    if isinstance(sent, list):
        if not isinstance(kept, list) or len(kept) != len(sent):
            return [problem("unsupported items in array", pointer)]
        problems = []
        for index, (item, kept_item) in enumerate(zip(sent, kept, strict=True)):
            problems.extend(_round_trip_diff(item, kept_item, f"{pointer}/{index}"))
        return problems
    if isinstance(kept, dict):
        return [problem(f"must be an object, not {type(sent).__name__}", pointer)]
    if kept is None:
        return [problem(f"unsupported value {sent!r}", pointer)]
    if type(sent) is not type(kept) or sent != kept:
        return [problem(f"unsupported value {sent!r}", pointer)]
    return []


def _block_id_checks(block: dict[str, Any], pointer: str) -> list[str]:
    problems = _check_string(block, "block_id", pointer, MAX_ID_LENGTH)
    action_ids: set[str] = set()
    for element, element_pointer in _block_elements(block, pointer):
        action_id = element.get("action_id")
        if isinstance(action_id, str):
            if action_id in action_ids:
                problems.append(problem(f"duplicate action_id {action_id!r} in one block", element_pointer))
            action_ids.add(action_id)
    return problems


def _block_elements(block: dict[str, Any], pointer: str) -> list[tuple[dict[str, Any], str]]:
    found: list[tuple[dict[str, Any], str]] = []
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            found.append((block[key], f"{pointer}/{key}"))
    elements = block.get("elements")
    if block.get("type") == "actions" and isinstance(elements, list):
        found.extend((e, f"{pointer}/elements/{i}") for i, e in enumerate(elements) if isinstance(e, dict))
    return found


def _explicit_checks(node: object, pointer: str) -> list[str]:
    """Walk the raw JSON and check what slack_sdk misses or may miss in another version."""
    if isinstance(node, list):
        return [p for i, item in enumerate(node) for p in _explicit_checks(item, f"{pointer}/{i}")]
    if not isinstance(node, dict):
        return []
    problems: list[str] = []
    node_type = node.get("type")
    problems.extend(_check_string(node, "action_id", pointer, MAX_ID_LENGTH))
    if node_type in _TEXT_TYPES:
        text = node.get("text")
        if not isinstance(text, str) or not text:
            problems.append(problem("text must be a non-empty string", f"{pointer}/text"))
    if node_type == "section":
        problems.extend(_section_checks(node, pointer))
    elif node_type == "header" and "text" in node:
        problems.extend(_check_plain_text(node["text"], f"{pointer}/text", max_length=MAX_HEADER_TEXT))
    elif node_type == "button":
        if "text" in node:
            problems.extend(_check_plain_text(node["text"], f"{pointer}/text", max_length=MAX_BUTTON_TEXT))
        problems.extend(_check_string(node, "value", pointer, MAX_BUTTON_VALUE))
    elif node_type == "input":
        for key in ("label", "hint"):
            if key in node:
                problems.extend(_check_plain_text(node[key], f"{pointer}/{key}"))
    problems.extend(_option_checks(node, pointer))
    if "placeholder" in node:
        problems.extend(_check_plain_text(node["placeholder"], f"{pointer}/placeholder", max_length=150))
    confirm = node.get("confirm")
    if isinstance(confirm, dict):
        for key in ("title", "confirm", "deny"):
            if key in confirm:
                problems.extend(_check_plain_text(confirm[key], f"{pointer}/confirm/{key}"))
    for key, value in node.items():
        if isinstance(value, dict | list):
            problems.extend(_explicit_checks(value, f"{pointer}/{key}"))
    return problems


def _section_checks(node: dict[str, Any], pointer: str) -> list[str]:
    problems: list[str] = []
    text = node.get("text")
    if isinstance(text, dict) and isinstance(text.get("text"), str) and len(text["text"]) > MAX_SECTION_TEXT:
        problems.append(
            problem(
                f"must be at most {MAX_SECTION_TEXT} characters, not {len(text['text'])}",
                f"{pointer}/text/text",
            )
        )
    fields = node.get("fields")
    if isinstance(fields, list):
        if len(fields) > MAX_SECTION_FIELDS:
            problems.append(problem(f"no more than {MAX_SECTION_FIELDS} fields allowed", f"{pointer}/fields"))
        for index, item in enumerate(fields):
            text_value = item.get("text") if isinstance(item, dict) else None
            if isinstance(text_value, str) and len(text_value) > MAX_SECTION_FIELD_TEXT:
                problems.append(
                    problem(
                        f"must be at most {MAX_SECTION_FIELD_TEXT} characters", f"{pointer}/fields/{index}"
                    )
                )
    return problems


def _option_checks(node: dict[str, Any], pointer: str) -> list[str]:
    node_type = node.get("type")
    options = node.get("options")
    problems: list[str] = []
    if not isinstance(options, list):
        return problems
    if node_type in _FEW_OPTION_TYPES and len(options) > MAX_CHECKBOX_OPTIONS:
        problems.append(problem(f"no more than {MAX_CHECKBOX_OPTIONS} options allowed", f"{pointer}/options"))
    if node_type == "overflow" and not 1 <= len(options) <= MAX_OVERFLOW_OPTIONS:
        problems.append(
            problem(f"between 1 and {MAX_OVERFLOW_OPTIONS} options allowed", f"{pointer}/options")
        )
    if node_type in _SELECT_TYPES and len(options) > MAX_SELECT_OPTIONS:
        problems.append(problem(f"no more than {MAX_SELECT_OPTIONS} options allowed", f"{pointer}/options"))
    for index, option in enumerate(options):
        option_pointer = f"{pointer}/options/{index}"
        if not isinstance(option, dict):
            problems.append(problem("an option must be an object", option_pointer))
            continue
        if node_type in _SELECT_TYPES and "text" in option:
            problems.extend(
                _check_plain_text(option["text"], f"{option_pointer}/text", max_length=MAX_OPTION_TEXT)
            )
        problems.extend(_check_string(option, "value", option_pointer, MAX_OPTION_VALUE))
    return problems
