"""Forged requests: a validly signed payload that Slack's client would never have sent for this user
(someone replaying or editing a payload)."""

from __future__ import annotations

import copy
import json
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier


async def send_signed_payload(url: str, secret: str, payload: dict[str, Any]) -> int:
    """POST an interactivity payload with a valid signature; returns the HTTP status."""
    body = urlencode({"payload": json.dumps(payload)})
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
        await response.read()
        return response.status


def as_user(payload: dict[str, Any], user_id: str, trigger_id: str) -> dict[str, Any]:
    """The same payload, claiming to come from another user (with a fresh trigger id)."""
    forged = copy.deepcopy(payload)
    forged["user"] = {**forged.get("user", {}), "id": user_id}
    forged["trigger_id"] = trigger_id
    for action in forged.get("actions", []):
        action["action_ts"] = f"{time.time():.6f}"
    return forged
