"""Confirm dialogs (Block Kit `confirm` objects) for buttons that cannot be undone: each says what
will happen before it does."""

from __future__ import annotations

from slack_sdk.models.blocks import ConfirmObject, PlainTextObject

from bot import texts as t
from flows.models import Outcome


def _dialog(title: str, text: str, ok: str, style: str) -> ConfirmObject:
    return ConfirmObject(
        title=title, text=PlainTextObject(text=text), confirm=ok, deny=t.CONFIRM_BACK, style=style
    )


def decline() -> ConfirmObject:
    """Declining an invitation closes the mediation for good."""
    return _dialog(t.CONFIRM_DECLINE_TITLE, t.CONFIRM_DECLINE_TEXT, t.CONFIRM_DECLINE_OK, "danger")


def propose_finish() -> ConfirmObject:
    """Proposing to finish: the other person is asked to confirm."""
    return _dialog(t.CONFIRM_FINISH_TITLE, t.CONFIRM_FINISH_TEXT, t.CONFIRM_FINISH_OK, "primary")


def close(outcome: Outcome) -> ConfirmObject:
    """Confirming a proposal to finish closes the mediation with its outcome."""
    text = t.CONFIRM_CLOSE_TEXT.format(outcome=t.FINISH_LABELS.get(outcome, outcome.value))
    return _dialog(t.CONFIRM_CLOSE_TITLE, text, t.CONFIRM_CLOSE_OK, "primary")


def cancel() -> ConfirmObject:
    """Cancelling closes the mediation for both."""
    return _dialog(t.CONFIRM_CANCEL_TITLE, t.CONFIRM_CANCEL_TEXT, t.CONFIRM_CANCEL_OK, "danger")


def end() -> ConfirmObject:
    """The host's End: they choose what to record next."""
    return _dialog(t.CONFIRM_END_TITLE, t.CONFIRM_END_TEXT, t.CONFIRM_END_OK, "danger")


def stop() -> ConfirmObject:
    """Stopping after a low check-in closes the mediation for both."""
    return _dialog(t.CONFIRM_STOP_TITLE, t.CONFIRM_STOP_TEXT, t.CONFIRM_STOP_OK, "danger")
