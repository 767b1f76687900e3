"""How the flow uses the coach: which nudges a person sees where, and what is forwarded.

The coach only suggests; the person may always keep their own words. It decides one thing: a text
that is no reflection of the speaker at all (a rebuttal or excuse, advice or information, a question,
a judgement of the speaker, an off-topic reply) is not forwarded as a reflection (``gate_passed``).
Everything else goes to the speaker, with a private tip for the writer when it is partial, parrots,
minimises or gets a detail wrong. The other party's confirmation decides whether it was right.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flows.coach import (
    GATE_CODES,
    Nudge,
    NudgeKind,
    Reason,
    ReasonCode,
    ReflectionScore,
    review_statement,
    score_reflection,
)

log = logging.getLogger("commonground.coach")


def _nudges(text: str) -> list[Nudge]:
    """The coach's nudges; none when the coach fails on some odd input (the person's words still go
    through: the coach only ever suggests). Only the error's type is logged, never the text."""
    try:
        return review_statement(text).nudges
    except Exception as exc:  # any coach failure must not cost a person their words
        log.error("statement review failed", extra={"error": type(exc).__name__})
        return []


# In the joint space, only these earn a (private) nudge: they are the ones that start fights.
LIVE_KINDS = frozenset({NudgeKind.BLAME, NudgeKind.CONTEMPT, NudgeKind.ABSOLUTE})
LIVE_PAUSE_SECONDS = 300  # at most one live nudge per person per five minutes

# Reasons worth telling the writer of a reflection that is forwarded anyway, most useful first.
TIP_CODES = (
    ReasonCode.FACTS_DISTORTED,
    ReasonCode.MINIMISING,
    ReasonCode.PARROTING,
    ReasonCode.FEELING_MISSING,
    ReasonCode.NEED_MISSING,
    ReasonCode.FACTS_MISSING,
)


def intake_nudges(answers: dict[str, str]) -> dict[str, list[Nudge]]:
    """The nudges for each intake answer that has any, by question key."""
    found: dict[str, list[Nudge]] = {}
    for key, text in answers.items():
        nudges = _nudges(text)
        if nudges:
            found[key] = nudges
    return found


def live_nudge(text: str) -> Nudge | None:
    """The one nudge a message in the joint space earns its author privately, if any."""
    for nudge in _nudges(text):
        if nudge.kind in LIVE_KINDS:
            return nudge
    return None


@dataclass(frozen=True)
class ReflectionCheck:
    """What the coach makes of a reflection before it goes to the speaker."""

    passed: bool  # False: no reflection at all; the writer is told why and may rewrite it
    reasons: list[Reason]  # why it was held back, or the tips for a forwarded one (codes: bot/texts.py)
    score: ReflectionScore | None  # None when the coach could not score it


def check_reflection(shared: dict[str, str], reflection: str) -> ReflectionCheck:
    """Score a reflection against what the speaker shared: the gate, and the tips worth giving."""
    original = "\n".join(shared.values())
    try:
        score = score_reflection(original, reflection)
    except Exception as exc:  # forward uncoached rather than lose the reflection
        log.error("reflection scoring failed", extra={"error": type(exc).__name__})
        return ReflectionCheck(passed=True, reasons=[], score=None)
    if not score.gate_passed:
        gate = [r for r in score.reasons if r.code in GATE_CODES]
        return ReflectionCheck(passed=False, reasons=gate[:1] or score.reasons[:1], score=score)
    if score.forward:
        tips = [r for r in score.reasons if r.code is ReasonCode.FACTS_DISTORTED]
    else:
        tips = sorted(
            (r for r in score.reasons if r.code in TIP_CODES), key=lambda r: TIP_CODES.index(r.code)
        )
    return ReflectionCheck(passed=True, reasons=tips[:2], score=score)
