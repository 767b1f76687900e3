"""The bodies Slack sends to an app: slash commands, interaction payloads and event envelopes.

Pure builders over the stand-in's state; :class:`~bot.sandbox.delivery.SlackDelivery` signs and sends
them. Shapes follow Slack's documentation and real payloads (extra fields kept where Bolt reads them).
"""

from __future__ import annotations

import itertools
import time
import uuid

from bot.sandbox.models import JSON, Conversation, User, View
from bot.sandbox.workspace import Workspace

VERIFICATION_TOKEN = "sandbox-verification-token"
"""The (deprecated) verification token Slack still puts in every payload."""

_event_ids = itertools.count(1)


def team_of(ws: Workspace) -> JSON:
    """The ``team`` object of interaction payloads."""
    return {"id": ws.team_id, "domain": ws.team_domain}


def user_of(user: User) -> JSON:
    """The ``user`` object of interaction payloads."""
    return {"id": user.id, "username": user.name, "name": user.name, "team_id": user.team_id}


def channel_name(conv: Conversation) -> str:
    """The ``channel_name`` Slack sends for a conversation (``directmessage`` for IMs)."""
    return "directmessage" if conv.kind == "im" else conv.name


def command_fields(
    ws: Workspace,
    user: User,
    conv: Conversation,
    *,
    command: str,
    text: str,
    api_app_id: str,
    team_id: str,
    trigger_id: str,
    response_url: str,
) -> dict[str, str]:
    """The form fields of a slash command request."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": ws.team_domain,
        "channel_id": conv.id,
        "channel_name": channel_name(conv),
        "user_id": user.id,
        "user_name": user.name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def interaction_base(ws: Workspace, user: User, kind: str, *, api_app_id: str) -> JSON:
    """The fields every interaction payload has (``type``, ``user``, ``team``, ``enterprise``…)."""
    return {
        "type": kind,
        "user": user_of(user),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "team": team_of(ws),
        "enterprise": None,
        "is_enterprise_install": False,
    }


def block_actions(
    ws: Workspace,
    user: User,
    *,
    api_app_id: str,
    container: JSON,
    trigger_id: str,
    actions: list[JSON],
    state: dict[str, dict[str, JSON]],
    conv: Conversation | None = None,
    message: JSON | None = None,
    view: View | None = None,
    response_url: str | None = None,
) -> JSON:
    """A ``block_actions`` payload for a click in a message (``conv`` given) or in a view."""
    payload = interaction_base(ws, user, "block_actions", api_app_id=api_app_id)
    payload.update({"container": container, "trigger_id": trigger_id})
    if conv is not None:
        payload["channel"] = {"id": conv.id, "name": channel_name(conv)}
        if message is not None:
            payload["message"] = message
        payload["state"] = {"values": state}
        payload["response_url"] = response_url
    if view is not None:
        payload["view"] = view.to_api()
    payload["actions"] = actions
    return payload


def view_submission(ws: Workspace, user: User, view: View, *, api_app_id: str, trigger_id: str) -> JSON:
    """A ``view_submission`` payload (the full view, its ``state.values`` included)."""
    payload = interaction_base(ws, user, "view_submission", api_app_id=api_app_id)
    payload.update({"trigger_id": trigger_id, "view": view.to_api(), "response_urls": []})
    return payload


def view_closed(ws: Workspace, user: User, view: View, *, api_app_id: str, is_cleared: bool) -> JSON:
    """A ``view_closed`` payload (no trigger_id, as Slack)."""
    payload = interaction_base(ws, user, "view_closed", api_app_id=api_app_id)
    payload.update({"view": view.to_api(), "is_cleared": is_cleared})
    return payload


def event_envelope(
    ws: Workspace, event: JSON, *, api_app_id: str, team_id: str, event_id: str | None
) -> JSON:
    """Wrap an event in Slack's ``event_callback`` envelope (unique ``event_id``)."""
    inner = dict(event)
    inner.setdefault("event_ts", ws.next_ts())
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": inner,
        "type": "event_callback",
        "event_id": event_id or f"Ev0SB{next(_event_ids):06d}{uuid.uuid4().hex[:4].upper()}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": ws.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-sandbox-{team_id}",
    }


def user_message_event(
    ws: Workspace, conv: Conversation, user_id: str, text: str, ts: str, thread_ts: str | None
) -> JSON:
    """A ``message`` event for a person's message, with ``channel_type`` im / mpim / group / channel."""
    event: JSON = {
        "type": "message",
        "channel": conv.id,
        "user": user_id,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": conv.channel_type,
        "team": ws.team_id,
        "client_msg_id": str(uuid.uuid4()),
        "blocks": [
            {
                "type": "rich_text",
                "block_id": uuid.uuid4().hex[:5],
                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
            }
        ],
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event
