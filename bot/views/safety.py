"""Safety: the workspace's safety text and escalation contacts, and what to say when a person's own
words signal harassment, violence, discrimination or a threat."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, HeaderBlock

from bot import texts as t
from bot.views.common import clip, context, esc, modal, section
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
    blocks: list[Block] = [section(t.SAFETY_STARTED), *safety_blocks(config, found)]
    return modal(Callback.INFO.value, t.SAFETY_STARTED_TITLE, blocks, submit=None, close=t.CLOSE)
