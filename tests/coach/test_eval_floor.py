"""Regression guard: the measured figures on our own holdout (and the dev set) must not drop.

Floors sit a little below what was measured when the holdout was first scored (see the README in
tests/coach/data); the holdout was never tuned on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.coach.evaluate import evaluate_reflections, evaluate_statements, roc_auc

DATA = Path(__file__).parent / "data"
DEV = Path(__file__).resolve().parents[2].parent / "shared" / "coach-dev"

# measured on the holdout: statements macro-F1 1.000; reflections forward 0.925, AUC 0.959
HOLDOUT_MACRO_F1 = 0.90
HOLDOUT_FORWARD_ACC = 0.90
HOLDOUT_AUC = 0.93


def test_holdout_statements_floor() -> None:
    res = evaluate_statements(DATA / "statements.holdout.jsonl")
    assert res.rows >= 30
    assert res.macro_f1 >= HOLDOUT_MACRO_F1, res.errors


def test_holdout_reflections_floor() -> None:
    res = evaluate_reflections(DATA / "reflections.holdout.jsonl")
    assert res.rows >= 40
    assert res.forward_accuracy >= HOLDOUT_FORWARD_ACC, res.errors
    assert res.auc >= HOLDOUT_AUC


def test_tune_floor() -> None:
    st = evaluate_statements(DATA / "statements.tune.jsonl")
    rf = evaluate_reflections(DATA / "reflections.tune.jsonl")
    assert st.macro_f1 >= 0.95 and rf.forward_accuracy >= 0.95 and rf.auc >= 0.97


@pytest.mark.skipif(not DEV.exists(), reason="shared/coach-dev not present")
def test_dev_floor() -> None:
    st = evaluate_statements(DEV / "statements.jsonl")
    rf = evaluate_reflections(DEV / "reflections.jsonl")
    assert st.macro_f1 >= 0.95 and rf.forward_accuracy >= 0.95 and rf.auc >= 0.97


@pytest.mark.parametrize(
    ("pos", "neg", "auc"),
    [([3, 4], [1, 2], 1.0), ([1, 2], [3, 4], 0.0), ([1, 1], [1, 1], 0.5), ([2, 3], [1, 3], 0.625)],
)
def test_roc_auc_rank_formula(pos: list[float], neg: list[float], auc: float) -> None:
    assert roc_auc(pos, neg) == pytest.approx(auc)
