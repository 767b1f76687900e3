"""What :class:`~bot.sandbox.delivery.SlackDelivery` returns and logs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from bot.sandbox.models import JSON


@dataclass
class DeliveryRecord:
    """One request sent to the app and its answer (for debugging and the sandbox's developer drawer)."""

    kind: str
    url: str
    headers: dict[str, str]
    body: str
    status: int
    response: str
    elapsed: float
    timed_out: bool
    sent_at: float
    id: str = ""
    """A unique id (``r1``, ``r2``…), sent to the app in ``X-Sandbox-Request``."""
    user_id: str | None = None
    """The person whose Slack client sent it (None when the body names nobody)."""


@dataclass
class DeliveryResult:
    """The app's HTTP answer: ``status`` (0 when it timed out or could not be reached) and ``body``."""

    status: int
    body: str
    elapsed: float
    timed_out: bool = False

    @property
    def json(self) -> JSON | None:
        """The body parsed as a JSON object, or None."""
        try:
            loaded = json.loads(self.body)
        except ValueError:
            return None
        return loaded if isinstance(loaded, dict) else None


@dataclass
class CommandResult(DeliveryResult):
    """A slash command's answer; ``error`` is what Slack would show the user instead, if anything."""

    channel_id: str = ""
    trigger_id: str = ""
    response_url: str = ""
    error: str | None = None


@dataclass
class ActionResult(DeliveryResult):
    """A block_actions (or shortcut) answer, with the trigger_id and response_url it carried."""

    trigger_id: str = ""
    response_url: str | None = None
    payload: JSON = field(default_factory=dict)


@dataclass
class SubmitResult(DeliveryResult):
    """A view_submission answer as applied: ``response_action`` is ``close`` (empty answer), ``errors``,
    ``update``, ``push``, ``clear`` or ``failed``; ``view_id`` is the view on screen afterwards."""

    response_action: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    view_id: str | None = None
    payload: JSON = field(default_factory=dict)
