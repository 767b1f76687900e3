"""What Slack does with the app's answers: ``response_url`` bodies, slash-command acks, modal responses.

Functions over a :class:`~bot.sandbox.workspace.Workspace`; the stand-in's ``/response_url`` route and
:class:`~bot.sandbox.delivery.SlackDelivery` both use them, so the two paths behave the same.
"""

from __future__ import annotations

import json

from bot.sandbox import elements
from bot.sandbox.blockkit import parse_message, parse_view
from bot.sandbox.models import JSON, Ephemeral, Message, SlackError
from bot.sandbox.workspace import Workspace


def deliver_response(
    ws: Workspace, user_id: str, channel_id: str, body: JSON, *, message_ts: str | None, method: str
) -> SlackError | None:
    """Show a ``response_url`` (or slash-command ack) message as Slack does, and record the call.

    Ephemeral for ``user_id`` by default; ``response_type: in_channel`` posts a visible bot message;
    ``replace_original`` / ``delete_original`` act on the message ``message_ts`` the interaction came
    from (a message of the channel or one of the user's ephemeral messages). Returns the error, if any.
    """
    audience = _response_audience(ws, user_id, channel_id, body, message_ts)
    try:
        _deliver(ws, user_id, channel_id, body, message_ts)
    except SlackError as exc:
        ws.record(method, body, exc, audience=[user_id])
        return exc
    ws.record(method, body, audience=audience)
    return None


def _response_audience(
    ws: Workspace, user_id: str, channel_id: str, body: JSON, message_ts: str | None
) -> list[str]:
    """Who sees a response: the channel's members when it is posted in, or changes, a message of the
    channel; otherwise only the person who acted (an ephemeral message)."""
    shared = body.get("response_type") == "in_channel" or (
        (body.get("replace_original") or body.get("delete_original"))
        and isinstance(_original(ws, user_id, channel_id, message_ts), Message)
    )
    conv = ws.conversations.get(channel_id)
    return list(conv.members) if shared and conv is not None else [user_id]


def _original(
    ws: Workspace, user_id: str, channel_id: str, message_ts: str | None
) -> Message | Ephemeral | None:
    if message_ts is None:
        return None
    try:
        return ws.message(channel_id, message_ts)
    except KeyError:
        pass
    try:
        return ws.ephemeral(user_id, message_ts)
    except KeyError:
        return None


def _deliver(ws: Workspace, user_id: str, channel_id: str, body: JSON, message_ts: str | None) -> None:
    original = _original(ws, user_id, channel_id, message_ts)
    if body.get("delete_original"):
        if original is None:
            raise SlackError("message_not_found")
        original.deleted = True
        ws.mark_changed()
        return
    text = body.get("text")
    blocks = parse_message(text, body.get("blocks"))
    if body.get("replace_original") and original is not None:
        original.text = str(text or "")
        original.blocks = blocks or []
        if isinstance(original, Message):
            original.edited_ts = ws.next_ts()
        ws.mark_changed()
    elif body.get("response_type") == "in_channel":
        ws.store_message(ws.bot_message(channel_id, text, blocks, body.get("thread_ts")))
    else:
        ws.store_ephemeral(
            Ephemeral(
                channel=channel_id, user=user_id, ts=ws.next_ts(), text=str(text or ""), blocks=blocks or []
            )
        )


def apply_submission_response(
    ws: Workspace, user_id: str, view_id: str, status: int, body: str
) -> tuple[str, JSON]:
    """Apply the app's answer to a view_submission as Slack does; return (response_action, parsed body).

    Empty body (or no ``response_action``): the submitted view closes, back to the previous view of the
    stack, the whole modal when it was the root (``"close"``). ``errors``: the view stays, with the
    errors stored on it. ``update``: replaced in place (same id, new hash). ``push``: a view is pushed.
    ``clear``: the whole modal closes. A failing or invalid answer is recorded as a rejected call
    (method ``view_submission``), the view stays, and ``"failed"`` is returned.
    """
    parsed: JSON = {}
    if status != 200:
        ws.record(
            "view_submission", {"status": status, "body": body}, SlackError("http_error"), audience=[user_id]
        )
        return "failed", parsed
    if body.strip():
        try:
            loaded = json.loads(body)
        except ValueError:
            loaded = None
        if not isinstance(loaded, dict):
            ws.record("view_submission", {"body": body}, SlackError("invalid_response"), audience=[user_id])
            return "failed", parsed
        parsed = loaded
    action = str(parsed.get("response_action", "")) or "close"
    try:
        _apply_response_action(ws, user_id, view_id, action, parsed)
    except SlackError as exc:
        ws.record("view_submission", parsed, exc, audience=[user_id])
        return "failed", parsed
    ws.record("view_submission", parsed, audience=[user_id])
    return action, parsed


def _apply_response_action(ws: Workspace, user_id: str, view_id: str, action: str, parsed: JSON) -> None:
    view = ws.view(view_id)
    if action == "errors":
        errors = parsed.get("errors")
        inputs = {r.block_id for r in elements.iter_elements(view.blocks) if r.block_type == "input"}
        if not isinstance(errors, dict) or not errors:
            raise SlackError("invalid_arguments", ["[ERROR] errors must be a non-empty object"])
        unknown = [k for k in errors if k not in inputs]
        if unknown:
            raise SlackError(
                "invalid_arguments", [f"[ERROR] errors name blocks that are not inputs: {unknown}"]
            )
        view.errors = {str(k): str(v) for k, v in errors.items()}
        ws.mark_changed()
        return
    view.errors = {}
    if action == "close":
        ws.close_view(user_id, view_id)
    elif action == "clear":
        ws.close_view(user_id, view_id, clear=True)
    elif action == "update":
        ws.build_view(parse_view(parsed.get("view"), "modal"), user_id, existing=view)
    elif action == "push":
        ws.push_modal(user_id, parse_view(parsed.get("view"), "modal"))
    else:
        raise SlackError("invalid_arguments", [f"[ERROR] unknown response_action {action!r}"])
