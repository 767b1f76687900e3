"""How the flow uses the coach: which nudges a person sees where, and what is forwarded.

The coach only suggests; the person may always keep their own words. It decides one thing: a
paraphrase that is not a reflection at all (a rebuttal, advice, a bare question) is not forwarded as
a reflection. The other party's confirmation decides whether a reflection was right.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flows.coach import Nudge, NudgeKind, ReasonCode, ReflectionScore, review_statement, score_reflection

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

# Reasons worth telling the writer of a reflection that is forwarded anyway.
_WORTH_SAYING = (
    ReasonCode.FEELING_MISSING,
    ReasonCode.NEED_MISSING,
    ReasonCode.FACTS_MISSING,
    ReasonCode.PARROTING,
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

    forward: bool  # False: not a reflection at all; the writer is told why and may rewrite it
    explain: list[str]  # what to tell the writer (why not forwarded, or what could be added)
    score: ReflectionScore | None  # None when the coach could not score it


def check_reflection(shared: dict[str, str], reflection: str) -> ReflectionCheck:
    """Score a reflection against what the speaker shared."""
    original = "\n".join(shared.values())
    try:
        score = score_reflection(original, reflection)
    except Exception as exc:  # forward uncoached rather than lose the reflection
        log.error("reflection scoring failed", extra={"error": type(exc).__name__})
        return ReflectionCheck(forward=True, explain=[], score=None)
    if not score.gate_passed:
        gate = [r.text for r in score.reasons if r.code.value.startswith("not_a_reflection")]
        return ReflectionCheck(
            forward=False, explain=gate or [r.text for r in score.reasons[:1]], score=score
        )
    tips = [r.text for r in score.reasons if r.code in _WORTH_SAYING]
    return ReflectionCheck(forward=True, explain=tips, score=score)
