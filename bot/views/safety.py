"""Safety: the workspace's safety text and escalation contacts, and what to say when a person's own
words signal harassment, violence, discrimination or a threat."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import Block, HeaderBlock

from bot import texts as t
from bot.views.common import actions, clip, context, dump, esc, modal, section
from bot.views.ids import Callback
from flows.config import WorkspaceConfig
from flows.safety import Concern


def contacts_text(config: WorkspaceConfig) -> str:
    """The escalation contacts as mrkdwn lines (or a kind default)."""
    lines = []
    for contact in config.escalation_contacts:
        who = f" — <@{contact.user_id}>" if contact.user_id else ""
        details = f": {esc(contact.details)}" if contact.details else ""
        lines.append(t.SAFETY_CONTACT.format(label=esc(contact.label), who=who, details=details))
    return "\n".join(lines) if lines else t.SAFETY_NO_CONTACTS


def safety_blocks(config: WorkspaceConfig, found: list[Concern] | None = None) -> list[Block]:
    """The safety text and contacts, led by what was noticed when something was."""
    blocks: list[Block] = []
    if found:
        named = ", ".join(t.CONCERNS[c.value] for c in found)
        blocks.append(section(t.SAFETY_SIGNAL.format(concerns=named)))
    blocks += [section(clip(esc(config.safety_text))), section(contacts_text(config))]
    return blocks


def home_safety(config: WorkspaceConfig) -> list[Block]:
    """The App Home footer everyone sees."""
    return [
        HeaderBlock(text=t.SAFETY_HEADER),
        context(clip(esc(config.safety_text), 2000)),
        context(contacts_text(config)),
    ]


def started_with_concern(config: WorkspaceConfig, found: list[Concern]) -> dict[str, Any]:
    """Shown after a start whose words signalled a concern: the invitation went; here is help."""
    blocks: list[Block] = [
        section(t.SAFETY_STARTED),
        *safety_blocks(config, found),
        context(t.SAFETY_STARTED_CHOICE),
    ]
    return modal(Callback.INFO.value, t.SAFETY_STARTED_TITLE, blocks, submit=None, close=t.CLOSE)


def delete_prompt() -> list[dict[str, Any]]:
    """`/mediate delete-my-data`: what will happen, and the button (which asks to confirm)."""
    from bot.views.home import delete_button  # home builds on this module's helpers

    return dump([section(t.DELETE_WHAT), actions(delete_button(), block_id="delete_my_data")])


def when_text(at: datetime) -> str:
    """A moment as Slack shows it in the reader's own time zone (UTC as the fallback)."""
    fallback = at.strftime("%d %b %Y, %H:%M UTC")
    return f"<!date^{int(at.timestamp())}^{{date_long_pretty}} at {{time}}|{fallback}>"


def receipt_text(at: datetime, erased: int, closed: int) -> str:
    """What "delete my data" did, in words."""
    if erased == 0:
        return t.DELETE_RECEIPT_NONE.format(when=when_text(at))
    return t.DELETE_RECEIPT.format(when=when_text(at), count=erased, closed=closed)


def receipt_blocks(at: datetime, erased: int, closed: int) -> list[Block]:
    """The receipt: how many mediations, what was erased, when, and what stays."""
    return [section(receipt_text(at, erased, closed)), context(t.DELETE_RECEIPT_KEPT)]


def receipt_modal(at: datetime, erased: int, closed: int) -> dict[str, Any]:
    """The receipt as a modal (after the App Home button)."""
    blocks = receipt_blocks(at, erased, closed)
    return modal(Callback.DELETE_RECEIPT.value, t.DELETE_RECEIPT_TITLE, blocks, submit=None, close=t.CLOSE)


def working_modal() -> dict[str, Any]:
    """Opened at once after the App Home button (trigger ids expire), then replaced by the receipt."""
    blocks: list[Block] = [section(t.DELETE_WORKING)]
    return modal(Callback.DELETE_RECEIPT.value, t.DELETE_WORKING_TITLE, blocks, submit=None, close=t.CLOSE)
