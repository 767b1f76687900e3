"""Regression guard: the coach's measured figures on the held-out sets must not drop.

Each held-out set was written blind (a fresh helper session given only the brief and the rubric) and
committed before it was first measured. holdout10 (6a0b301, 3beeb46) and holdout11 (2f177ef, ee98ba3)
were first measured with the model of a6cf4bd; holdout12 (845f912) was first measured with the model of
3ec0854 (phrase detectors, 2,353 new training rows, a gate allowed 0.1 % of good reflections held back in
cross-validation instead of 0.5 %). holdout13 (abfa49a) was first measured with the model of ca092d1,
trained with 1,630 more statements; that model raised holdout12's false alarms from 7 to 11, over its
floor here, for no gain in macro-F1 beyond the sets' noise, and was not landed; holdout13 was then
measured with the model of 3ec0854. holdout14 (41398e5) was first measured at 33638ee, holdout15
(c91d78f) at abf8eea, with the two-threshold gate, holdout16 (58ee0a4) after the score was scaled down by
how likely a reply is a question, holdout17 (1526697) with the statement encoder, which raised every
set's statement figure (the floors followed, a little below), holdout18 (cc8765a) with the encoder
retrained on 600 more statements and a long text's sentences read by the heads without it (d4f8419, not
landed), holdout19 (407a39d) with the first encoder and that sentence reading (af04309), holdout20
(8649c9f) once holdout10-16 had joined the training data and the encoder was retrained (b90710c),
holdout21 (74eefd4) once the score was floored for replies that are no question (a694fbd), holdout22
(8bd52bf) once holdout17-19's statements had joined the heads' training data (84e4647), holdout23
(ddd0a65) once the tenth round's statements had joined it too (dbf37d3), holdout24 (92a4e73) once the
eleventh round's had (2efa8a6), holdout25 (2a8c1db) once the encoder was fine-tuned again with the
twelfth round's statements and the heads learned the thirteenth round's (39a3009),
holdout26 (ec43905) once the heads learned the fourteenth round's (44cc1b2),
holdout27 (9091efd) with the encoder fine-tuned again and the fifteenth round's rows (f822903, not
landed), then with 44cc1b2's model again. dbf37d3 and 2efa8a6
were trained, by mistake, without the dev set of
../shared/coach-dev (60 statements, 100 reflections), which also changed the reflection model;
dfea364 retrained the same data with it (what make coach-train gives here; the reflection model of 6298f3f
again), and holdout20-24 were measured again on it. The
floors sit a little below the measured figures (the comments give them). The gate's floor on holdout11
was lowered to 0.93 with one good reflection held back when the stricter gate of 3ec0854 traded accuracy
for fewer good reflections held back; the two-threshold gate (a reply likely to be good is never held
back; both bars fitted on cross-validation) held none back on any set, and that floor is 0.96 and 0
again. A change that lifts these figures does not make a set a tuning set as long as nothing was changed
because of its rows; read its misses and it becomes one (say so in tests/coach/data/README.md). The
earlier held-out sets (holdout4-9) were each measured and then added to the training data; the
statements of holdout10-16 joined it together (b90710c), each after many measurements (their last
figures as held-out sets are in the README), so that the statement heads and encoder learn from more
writers; their reflections stay held out (a reflection model trained on them too scored lower on the
AnnoMI tuning sample). holdout17-19's statements joined the same way, for the heads only (the shipped
encoder, which never saw them, gives their encoder features: ``make coach-encoder-read``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.coach.evaluate import evaluate_reflections, evaluate_statements, roc_auc
from flows.coach.training import held_out_splits

DATA = Path(__file__).parent / "data"
DEV = Path(__file__).resolve().parents[2].parent / "shared" / "coach-dev"


@pytest.mark.parametrize(
    ("split", "rows", "macro_f1", "false_alarms", "gate", "good_held", "auc", "question_auc"),
    [
        # first measured at b90710c (holdout10-16 trained on, the encoder retrained with 7-bit weights):
        # 0.878 (6 false alarms; contempt and defensiveness recall 0.69) / 0.969 (0 held) / 0.996 / 1.000,
        # its reflections measured again with the reflection model of 6298f3f: 0.966 (0) / 0.995 / 1.000;
        # 84e4647 (holdout17-19's statements trained on): 0.883 (6 false alarms); dbf37d3: 0.890 (6);
        # 2efa8a6: 0.893 (6); with the dev set (below): 0.892 (5); 39a3009 (the encoder fine-tuned
        # again): 0.898 (5); 44cc1b2 (the fourteenth round, heads only): 0.904 (7)
        ("holdout20", (303, 320), 0.85, 8, 0.95, 0, 0.98, 0.98),
        # first measured at 1b32413 (the score floored for replies that are no question, a694fbd; the
        # statement model of b90710c): 0.926 (2 false alarms; contempt recall 0.74, blame 0.80) / 0.979 (0
        # held) / 0.998 / 1.000; 84e4647: 0.930 (2 false alarms); dbf37d3: 0.938 (1); 2efa8a6: 0.939 (2);
        # with the dev set: 0.938 (2); 39a3009: 0.949 (1); 44cc1b2: 0.954 (1)
        ("holdout21", (323, 330), 0.90, 4, 0.96, 0, 0.98, 0.98),
        # first measured at 84e4647 (holdout17-19's statements joined the heads' training data, read by
        # the shipped encoder): 0.878 (4 false alarms; contempt recall 0.59, defensiveness 0.72,
        # evaluation 0.73) / 0.985 (0 held) / 0.990 / 1.000; dbf37d3: 0.880 (4); 2efa8a6: 0.877 (4);
        # with the dev set: 0.874 (5); 39a3009: 0.881 (4); 44cc1b2: 0.884 (4)
        ("holdout22", (318, 330), 0.85, 6, 0.96, 0, 0.98, 0.98),
        # first measured at dbf37d3 (the tenth round's statements and `credit` joined the heads' training
        # data): 0.927 (5 false alarms on 132 clean rows; contempt recall 0.76, evaluation 0.81) / 0.988
        # (0 held) / 0.991 / 1.000; 2efa8a6: 0.932 (5); with the dev set: 0.931 (4) / 0.988 (0 held) /
        # 0.990 / 1.000; 39a3009: 0.942 (3); 44cc1b2: 0.947 (2)
        ("holdout23", (329, 330), 0.90, 7, 0.96, 0, 0.98, 0.98),
        # first measured at 2efa8a6 (the eleventh round's statements joined the heads' training data):
        # 0.942 (2 false alarms on 135 clean rows; blame recall 0.80, evaluation 0.81) / 0.955 (0 held;
        # 8 of 26 minimising replies held back) / 0.985 / 1.000; with the dev set: 0.951 (0) / 0.958 (0
        # held; 7 of 26 minimising held back) / 0.984 / 1.000; 39a3009: 0.947 (0); 44cc1b2: 0.943 (0)
        ("holdout24", (322, 330), 0.91, 4, 0.94, 0, 0.97, 0.98),
        # first measured at 39a3009 (the encoder fine-tuned again on 15,023 statements, the twelfth round's
        # among them; its heads on 16,249 with the thirteenth round's): 0.915 (5 false alarms on 134 clean
        # rows; demand recall 0.71, contempt 0.78, blame 0.80) / 0.976 (0 held) / 0.991 / 1.000;
        # 44cc1b2: 0.925 (6)
        ("holdout25", (325, 330), 0.88, 7, 0.96, 0, 0.98, 0.98),
        # first measured at 44cc1b2 (the fourteenth round's statements joined the heads' training data,
        # read by the encoder of 39a3009; the counter act deferring.choice): 0.916 (4 false alarms on 133
        # clean rows; contempt recall 0.76, demand 0.83) / 0.943 (0 held; 8 of 26 advice replies passed,
        # 7 of 26 minimising held back: under the 0.95) / 0.994 / 1.000
        ("holdout26", (322, 332), 0.88, 6, 0.93, 0, 0.98, 0.98),
        # first measured at f822903 (the encoder fine-tuned again and the fifteenth round's rows; not
        # landed, reverted): 0.957 (0 false alarms on 133 clean rows) / 0.970 (0 held) / 0.997 / 1.000;
        # then on the landed model (44cc1b2's): 0.953 (0; evaluation recall 0.85, defensiveness 0.81) /
        # 0.970 (0 held; 4 of 26 advice replies passed, 3 of 26 minimising held back) / 0.997 / 1.000
        ("holdout27", (321, 330), 0.92, 3, 0.95, 0, 0.98, 0.98),
    ],
)
def test_held_out_floor(
    split: str,
    rows: tuple[int, int],
    macro_f1: float,
    false_alarms: int,
    gate: float,
    good_held: int,
    auc: float,
    question_auc: float,
) -> None:
    st = evaluate_statements(DATA / f"statements.{split}.jsonl")
    assert st.rows == rows[0]
    assert st.macro_f1 >= macro_f1
    assert st.clean_false_alarms <= false_alarms
    _assert_reflections_floor(split, rows[1], gate, good_held, auc, question_auc)


def _assert_reflections_floor(
    split: str, rows: int, gate: float, good_held: int, auc: float, question_auc: float
) -> None:
    rf = evaluate_reflections(DATA / f"reflections.{split}.jsonl")
    assert rf.rows == rows
    assert rf.gate_accuracy >= gate
    assert rf.good_held <= good_held
    assert rf.auc >= auc
    assert rf.question_auc >= question_auc


@pytest.mark.parametrize(
    ("split", "rows", "gate", "good_held", "auc", "question_auc"),
    [
        # their statements are training data from b90710c; their reflections stay held out. Measured at
        # 71cd858's reflection model (6298f3f's, the score with decimals): gate 0.988, 0.972, 0.984,
        # 0.991, 0.988, 0.975 and 0.969, none held back; AUC 0.992-0.995; question AUC 0.999-1.000
        ("holdout10", 320, 0.96, 0, 0.98, 0.98),
        ("holdout11", 320, 0.96, 0, 0.98, 0.98),
        ("holdout12", 320, 0.96, 0, 0.98, 0.98),
        ("holdout13", 320, 0.96, 0, 0.98, 0.98),
        ("holdout14", 320, 0.96, 0, 0.98, 0.98),
        ("holdout15", 320, 0.96, 0, 0.98, 0.98),
        ("holdout16", 320, 0.95, 0, 0.98, 0.98),
        # their statements joined the training data later, read by the shipped encoder (make
        # coach-encoder-read); their statement floors were 0.93 (3 false alarms), 0.91 (3) and 0.88 (5)
        # and their last held-out statement figures are in the README. Reflections as measured before:
        # holdout17 first measured with the statement encoder (2026-12-06): gate 0.994 (0 held) / 0.993
        # / 1.000; holdout18 first measured at d4f8419: 0.978 (0 held) / 0.996 / 1.000; holdout19 first
        # measured at af04309: 0.984 (0 held) / 0.997 / 1.000; with 6298f3f's reflection model (the
        # score with decimals): 0.994, 0.978 and 0.984
        ("holdout17", 320, 0.97, 0, 0.98, 0.98),
        ("holdout18", 320, 0.96, 0, 0.98, 0.98),
        ("holdout19", 320, 0.96, 0, 0.98, 0.98),
    ],
)
def test_held_out_reflections_floor(
    split: str, rows: int, gate: float, good_held: int, auc: float, question_auc: float
) -> None:
    assert split in held_out_splits("reflections") and split not in held_out_splits("statements")
    _assert_reflections_floor(split, rows, gate, good_held, auc, question_auc)


@pytest.mark.skipif(not DEV.exists(), reason="shared/coach-dev not present")
def test_dev_floor() -> None:  # trained on: a sanity check that training took, not an estimate
    st = evaluate_statements(DEV / "statements.jsonl")
    rf = evaluate_reflections(DEV / "reflections.jsonl")
    assert st.macro_f1 >= 0.95 and rf.gate_accuracy >= 0.97 and rf.auc >= 0.97


@pytest.mark.parametrize(
    ("pos", "neg", "auc"),
    [([3, 4], [1, 2], 1.0), ([1, 2], [3, 4], 0.0), ([1, 1], [1, 1], 0.5), ([2, 3], [1, 3], 0.625)],
)
def test_roc_auc_rank_formula(pos: list[float], neg: list[float], auc: float) -> None:
    assert roc_auc(pos, neg) == pytest.approx(auc)
