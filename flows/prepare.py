"""The prepare flow's logic: one person practises a hard conversation on their own.

Pure: no Slack, aiohttp or Redis. Nothing here keeps any text; the Slack adapter carries what a step
needs in the modal itself, which only its author sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from flows.coach import (
    Nudge,
    NudgeKind,
    Reason,
    ReasonCode,
    ReflectionScore,
    review_statement,
    score_reflection,
)
from flows.errors import FieldProblem

STATEMENT_MAX = 1500  # "what happened, and how did it affect you?"
WORDS_MAX = 1000  # the I-statement the person takes into the conversation
IMAGINED_MAX = 1000  # what they imagine the other person would say
PRACTICE_MAX = 1000  # one practice reflection
NUDGES_SHOWN = 5

# Bands of a practice reflection (shared/COACHING.md §3: ≥ 70 forward, 50–69 forward with a nudge).

# What a reflection got right: said as encouragement; every other reason is something to try.
_LANDED = frozenset(
    {ReasonCode.FACTS_COVERED, ReasonCode.FEELING_NAMED, ReasonCode.NEED_NAMED, ReasonCode.OWN_WORDS}
)
_STEM = '"When '
_REQUEST = "Would you be willing"
_FELT = "I felt"
_NEED = "because I need"
_QUOTED = re.compile(r'"([^"]+)"')


class Band(StrEnum):
    """How a practice reflection would likely land with the other person."""

    HEARD = "heard"  # they would likely feel heard
    CLOSE = "close"  # most of the way there
    START = "start"  # a start; the coach has ideas


def text_problem(text: str, limit: int) -> FieldProblem | None:
    """What is wrong with one free-text answer (blank, or over `limit` characters), or None."""
    if not text.strip():
        return FieldProblem.EMPTY
    if len(text.strip()) > limit:
        return FieldProblem.TOO_LONG
    return None


@dataclass(frozen=True)
class StatementCoaching:
    """The coach's notes on what happened, and a starting point for an I-statement."""

    nudges: list[Nudge]
    scaffold: str  # the coach's own I-statement where it offers one, else the generic scaffold

    @property
    def clean(self) -> bool:
        """True when the coach has nothing to suggest."""
        return not self.nudges


def coach_statement(text: str, generic_scaffold: str) -> StatementCoaching:
    """Review what the person wrote; the scaffold comes from the coach's suggestion where it has one."""
    nudges = review_statement(text).nudges
    return StatementCoaching(nudges=nudges, scaffold=scaffold_from(nudges, generic_scaffold))


def scaffold_from(nudges: list[Nudge], generic_scaffold: str) -> str:
    """An I-statement to start from ("When …, I felt …, because I need …. Would you be willing to …?"),
    shaped by the coach's suggestions: its whole I-statement where it offers one (from a blame nudge,
    built on the person's words), else the feelings and needs it names under a faux feeling set in the
    scaffold, else `generic_scaffold` itself."""
    ordered = sorted(nudges, key=lambda n: n.kind is not NudgeKind.BLAME)
    for nudge in ordered:
        start = nudge.suggestion.find(_STEM)
        end = nudge.suggestion.rfind('"')
        if start < 0 or end <= start:
            continue
        statement = nudge.suggestion[start + 1 : end].strip()
        if _FELT in statement and _REQUEST in statement:
            return statement[:WORDS_MAX]
    felt, ask = generic_scaffold.find(_FELT), generic_scaffold.find(_REQUEST)
    if 0 <= felt < ask:
        for nudge in ordered:
            for quoted in _QUOTED.findall(nudge.suggestion):
                if quoted.startswith(_FELT) and _NEED in quoted:
                    sentence = quoted.strip().rstrip(".") + "."
                    return f"{generic_scaffold[:felt]}{sentence} {generic_scaffold[ask:]}"[:WORDS_MAX]
    return generic_scaffold


@dataclass(frozen=True)
class PracticeFeedback:
    """How a practice reflection of the imagined account went, in a coach's words."""

    band: Band
    score: int
    landed: list[Reason] = field(default_factory=list)  # what the reflection did well
    to_try: list[Reason] = field(default_factory=list)  # what could help the other feel heard


def band_of(score: ReflectionScore) -> Band:
    """The band follows the coach's decisions: a faithful, complete reflection is heard; any other
    reflection is close; anything that is not a reflection at all is a start."""
    if score.forward:
        return Band.HEARD
    return Band.CLOSE if score.gate_passed else Band.START


def practice_feedback(imagined: str, practice: str) -> PracticeFeedback:
    """Score a practice reflection against the account the person imagined for the other side."""
    score = score_reflection(imagined, practice)
    landed = [r for r in score.reasons if r.code in _LANDED]
    to_try = [r for r in score.reasons if r.code not in _LANDED]
    return PracticeFeedback(band=band_of(score), score=round(score.score), landed=landed, to_try=to_try)
