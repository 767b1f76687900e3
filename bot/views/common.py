"""Small Block Kit helpers shared by every surface (built with `slack_sdk.models`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
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


DATE_TIME = "{date_short_pretty} at {time}"
DATE_ONLY = "{date_short_pretty}"


def slack_date(at: datetime, style: str = DATE_TIME) -> str:
    """A moment in Slack's own date format, so each reader sees it in their own time zone; clients
    that cannot render it show the fallback, in UTC."""
    moment = at if at.tzinfo else at.replace(tzinfo=UTC)
    fallback = moment.astimezone(UTC).strftime("%-d %b %Y %H:%M UTC" if "{time}" in style else "%-d %b %Y")
    return f"<!date^{int(moment.timestamp())}^{style}|{fallback}>"


def calendar_day(day: date) -> str:
    """A calendar date ("by 1 Jan 2027"): a day, not a moment, so no time zone moves it."""
    return day.strftime("%a %-d %b %Y")


def split_at_word(text: str, limit: int) -> tuple[str, str]:
    """``text`` cut to at most ``limit`` characters at a word boundary, and the rest ("" when it fits)."""
    text = text.strip()
    if len(text) <= limit:
        return text, ""
    cut = text.rfind(" ", 0, limit + 1)
    if cut <= 0:  # one very long word: cut inside it rather than lose it all
        cut = limit
    return text[:cut].rstrip(), text[cut:].strip()


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
