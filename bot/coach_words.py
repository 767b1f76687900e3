"""The coach's codes in words (bot/texts.py): reasons for the writer of a reflection, and why a nudge
was given."""

from __future__ import annotations

from bot import texts as t
from bot.views.common import esc
from flows.coach import Nudge, Reason, ReasonCode


def reason_text(reason: Reason, name: str = t.COACH_THEY, mrkdwn: bool = False) -> str:
    """One reason in words; a wrong detail is named when the coach found which one.

    With ``mrkdwn`` the quoted details (words of the speaker's shared text) are escaped, so they can
    never mention or link anyone.
    """
    if reason.code is ReasonCode.FACTS_DISTORTED:
        kind = reason.detail.get("kind", "")
        said, wrote = reason.detail.get("said", ""), reason.detail.get("wrote", "")
        if mrkdwn:
            said, wrote = esc(said), esc(wrote)
        template = t.COACH_DISTORTED.get(kind)
        if template and wrote and (said or kind == "actor"):
            text = template.format(name=name, said=said, wrote=wrote)
            return text[0].upper() + text[1:]
    return t.COACH_REASONS[reason.code.value]


def reasons_text(reasons: list[Reason], name: str = t.COACH_THEY, mrkdwn: bool = False) -> str:
    """Several reasons, one after the other."""
    return " ".join(reason_text(r, name, mrkdwn) for r in reasons)


def nudge_message(nudge: Nudge) -> str:
    """Why the coach noticed a nudge's words, in words (the suggestion comes with the nudge)."""
    return t.NUDGE_MESSAGES[nudge.kind.value]
