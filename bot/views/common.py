"""Small Block Kit helpers shared by every surface (built with `slack_sdk.models`)."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

SECTION_MAX = 3000


def esc(text: str) -> str:
    """Escape user text for mrkdwn so that it cannot mention, link or ping anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int = SECTION_MAX) -> str:
    """Shorten text to Slack's limit, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(text: str) -> SectionBlock:
    """A mrkdwn section."""
    return SectionBlock(text=MarkdownTextObject(text=clip(text)))


def context(text: str) -> ContextBlock:
    """A small grey line."""
    return ContextBlock(elements=[MarkdownTextObject(text=clip(text))])


def button(
    text: str, action_id: str, value: str, style: str | None = None, confirm: ConfirmObject | None = None
) -> ButtonElement:
    """A button carrying a value (and a confirm dialog, for a step that cannot be undone)."""
    return ButtonElement(text=text, action_id=action_id, value=value, style=style, confirm=confirm)


def actions(*buttons: ButtonElement, block_id: str | None = None) -> ActionsBlock:
    """A row of buttons."""
    return ActionsBlock(elements=list(buttons), block_id=block_id)


TITLE_MAX = 24


def modal(
    callback_id: str, title: str, blocks: list[Block], *, submit: str | None, close: str, meta: str = "{}"
) -> dict[str, Any]:
    """A modal view as Slack JSON (title cut to Slack's 24 characters), validated by slack_sdk."""
    return dump_view(
        View(
            type="modal",
            callback_id=callback_id,
            title=title[:TITLE_MAX],
            submit=submit,
            close=close,
            blocks=blocks,
            private_metadata=meta,
        )
    )


def dump(blocks: list[Block]) -> list[dict[str, Any]]:
    """Blocks as Slack JSON, validated by slack_sdk."""
    return [b.to_dict() for b in blocks]


def dump_view(view: View) -> dict[str, Any]:
    """A view as Slack JSON, validated by slack_sdk."""
    result: dict[str, Any] = view.to_dict()
    return result
