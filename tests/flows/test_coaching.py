"""How the flow uses the coach, including when the coach fails: the person's words always go through."""

from __future__ import annotations

import pytest

from flows import coaching
from flows.coach import NudgeKind, ReasonCode


def test_intake_nudges_only_for_answers_that_have_any() -> None:
    found = coaching.intake_nudges({"happened": "You always ignore me.", "needs": "Clarity matters to me."})
    assert set(found) == {"happened"}


def test_live_nudge_only_for_blame_contempt_or_absolutes() -> None:
    nudge = coaching.live_nudge("You never listen.")
    assert nudge is not None and nudge.kind in coaching.LIVE_KINDS
    demand = coaching.live_nudge("You need to reply within the hour.")
    assert demand is None or demand.kind in coaching.LIVE_KINDS  # a demand alone earns no live nudge
    assert coaching.live_nudge("Thank you, I felt relieved.") is None


def test_advice_is_not_forwarded_with_the_reason() -> None:
    check = coaching.check_reflection({"feelings": "I felt anxious."}, "You should just relax.")
    assert check.passed is False
    assert [r.code for r in check.reasons] == [ReasonCode.NOT_A_REFLECTION_ADVICE]


def test_a_forwarded_partial_reflection_carries_tips_most_useful_first() -> None:
    shared = {
        "happened": "On Monday the launch moved to the 13th and I heard it on the status call.",
        "feelings": "I felt caught off guard and anxious.",
        "needs": "Being consulted before dates change matters to me.",
    }
    check = coaching.check_reflection(shared, "The launch moved to the 13th and you heard it on the call.")
    assert check.passed is True
    codes = [r.code for r in check.reasons]
    assert codes and set(codes) <= set(coaching.TIP_CODES)
    assert codes == sorted(codes, key=coaching.TIP_CODES.index)


def test_a_failing_coach_costs_nobody_their_words(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> object:
        raise IndexError("string index out of range")

    monkeypatch.setattr(coaching, "review_statement", broken)
    monkeypatch.setattr(coaching, "score_reflection", broken)
    assert coaching.intake_nudges({"happened": "You always ignore me."}) == {}
    assert coaching.live_nudge("You never listen.") is None
    check = coaching.check_reflection({"feelings": "I felt anxious."}, "You felt anxious.")
    assert check.passed is True and check.reasons == [] and check.score is None


def test_live_kinds_are_the_three_that_start_fights() -> None:
    assert {NudgeKind.BLAME, NudgeKind.CONTEMPT, NudgeKind.ABSOLUTE} == coaching.LIVE_KINDS
