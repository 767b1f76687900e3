"""The coach: deterministic, offline statement review and reflection scoring.

Public API::

    from flows.coach import review_statement, score_reflection

Imports only the standard library and pydantic. See shared/COACHING.md for the rubric.
"""

from flows.coach.models import (
    Nudge,
    NudgeKind,
    Reason,
    ReasonCode,
    ReflectionScore,
    StatementReview,
)
from flows.coach.reflections import score_reflection
from flows.coach.statements import review_statement

__all__ = [
    "Nudge",
    "NudgeKind",
    "Reason",
    "ReasonCode",
    "ReflectionScore",
    "StatementReview",
    "review_statement",
    "score_reflection",
]
