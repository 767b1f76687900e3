"""The coach: offline statement review and reflection scoring (rules, embeddings, a learned model).

Public API::

    from flows.coach import review_statement, score_reflection

Importing it loads only the standard library and pydantic; the rules, the embedding model and the
model's weights load on first use. See shared/COACHING.md for the rubric.
"""

from flows.coach.decide import review_statement, score_reflection, warm_up
from flows.coach.models import (
    GATE_CODES,
    Nudge,
    NudgeKind,
    Reason,
    ReasonCode,
    ReflectionScore,
    StatementReview,
)

__all__ = [
    "GATE_CODES",
    "Nudge",
    "NudgeKind",
    "Reason",
    "ReasonCode",
    "ReflectionScore",
    "StatementReview",
    "review_statement",
    "score_reflection",
    "warm_up",
]
