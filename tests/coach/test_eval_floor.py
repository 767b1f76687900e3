"""Regression guard: the measured figures on our own held-out files (and the dev set) must not drop.

Floors sit a little below what was measured (see tests/coach/data/README.md for the history). The
holdout files were never tuned on; holdout3 is the cleanest, written last and measured first at
statements macro-F1 0.903, forward accuracy 0.975, ROC AUC 0.963.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.coach.evaluate import evaluate_reflections, evaluate_statements, roc_auc

DATA = Path(__file__).parent / "data"
DEV = Path(__file__).resolve().parents[2].parent / "shared" / "coach-dev"


@pytest.mark.parametrize(
    ("split", "macro_f1", "forward_acc", "auc"),
    [
        ("holdout", 0.95, 0.95, 0.97),  # measured now: 1.000 / 1.000 / 1.000
        ("holdout3", 0.90, 0.95, 0.94),  # measured now: 0.974 / 0.975 / 0.963
        ("tune", 0.97, 0.97, 0.98),
        ("tune2", 0.95, 0.95, 0.97),
    ],
)
def test_own_data_floor(split: str, macro_f1: float, forward_acc: float, auc: float) -> None:
    st = evaluate_statements(DATA / f"statements.{split}.jsonl")
    rf = evaluate_reflections(DATA / f"reflections.{split}.jsonl")
    assert st.rows >= 30 and rf.rows >= 40
    assert st.macro_f1 >= macro_f1, st.errors
    assert rf.forward_accuracy >= forward_acc, rf.errors
    assert rf.auc >= auc


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
