"""The learned model: training is deterministic, refuses held-out data, and matches the rules it was
trained with; the rules-only model answers when the embedding model cannot load."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from flows.coach import embed, review_statement, score_reflection
from flows.coach.decide import LABELS, holds_back
from flows.coach.features import reflection_names, statement_names
from flows.coach.model import MODEL_FILE, get_model
from flows.coach.training import (
    HELD_OUT,
    RESERVED,
    STATEMENTS_TRAINED,
    TRAINING_SPLITS,
    Kind,
    Sentences,
    _aggregate,
    _reflection_thresholds,
    cv_by_file,
    cv_parts,
    fit_logistic,
    held_out_splits,
    kind_and_split,
    read_rows,
    row_text,
    train,
    training_splits,
)

DATA = Path(__file__).parent / "data"


def test_logistic_regression_separates_a_separable_problem() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    y = (x[:, 0] - x[:, 1] > 0).astype(np.float64)
    w, b = fit_logistic(x, y, np.full(3, 0.1))
    pred = (x @ w + b) > 0
    assert (pred == (y == 1)).mean() > 0.97
    assert w[0] > 0 > w[1] and abs(w[2]) < abs(w[0]) / 5


def test_a_rows_cv_probability_is_raised_to_its_best_sentences() -> None:
    # cv_parts reads each sentence with the head fitted without its row's fold; _aggregate takes the
    # highest of a row's text and its sentences (as the app decides); the heads with the encoder are
    # raised to the sentences' readings by the heads without it in the same way (train)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(120, 2))
    y = (x[:, 0] > 0).astype(np.float64)
    folds = [i % 5 for i in range(120)]
    shift = np.asarray([3.0, 0.0])
    owners = [i * 4 for i in range(30)]
    extra = Sentences(rng.normal(size=(30, 2)) + shift, owners)
    rows, sentences = cv_parts(x, y, folds, np.full(2, 0.1), extra)
    assert len(sentences) == 30 and (sentences > 0.5).all()  # far on the positive side
    raised = _aggregate(rows, sentences, range(len(rows)), extra)
    expected = rows.copy()
    for j, r in enumerate(extra.row):
        expected[r] = max(expected[r], sentences[j])
    assert np.array_equal(raised, expected)
    assert (raised[owners] > 0.5).all() and not (rows[owners] > 0.5).all()


def test_the_gate_holds_back_only_what_is_unlikely_to_be_good() -> None:
    assert holds_back(0.9, 0.1, 0.5, 0.6)
    assert not holds_back(0.9, 0.7, 0.5, 0.6)  # likely no reflection, but likelier a good one
    assert not holds_back(0.4, 0.1, 0.5, 0.6)
    assert holds_back(0.9, 0.99, 0.5, float("inf"))  # no spare bar: the held head alone decides
    got = holds_back(np.array([0.9, 0.9, 0.4]), np.array([0.1, 0.7, 0.1]), 0.5, 0.6)
    assert got.tolist() == [True, False, False]


def test_gate_thresholds_spare_a_good_reflection_the_held_head_doubts() -> None:
    # 40 non-reflections the held head is sure of, 10 more it is unsure of, and 50 good reflections,
    # one of which the held head doubts as much as the unsure ones (but the good head is sure of it)
    held_p = np.array([0.95] * 40 + [0.8] * 10 + [0.1] * 49 + [0.85])
    good_p = np.array([0.05] * 50 + [0.9] * 50)
    is_held = np.array([1.0] * 50 + [0.0] * 50)
    cv = {"held": held_p, "good": good_p}
    targets = {"held": is_held, "good": 1.0 - is_held, "label.good": 1.0 - is_held}
    for lab in LABELS:
        if lab != "good":
            cv[f"label.{lab}"] = np.where(is_held == 1, 0.5, 0.01)
            targets[f"label.{lab}"] = np.zeros(100)
    scores: dict[str, float] = {}
    cuts = _reflection_thresholds(cv, targets, scores)
    held = holds_back(held_p, good_p, cuts["held"], cuts["held.spare_from"])
    assert (
        held == (is_held == 1)
    ).all()  # the held head alone would pass the 10 unsure ones, or hold the good one
    assert scores["held.accuracy"] == 1.0


def test_the_committed_model_matches_the_current_features() -> None:
    model = get_model()
    for embedded in (True, False):
        assert list(model.variant("reflection", embedded).features) == reflection_names(embedded)
        assert list(model.variant("statement", embedded).features) == statement_names(embedded)
    plain = model.variant("statement", True, encoded=False).features
    assert list(plain) == statement_names(True, encoded=False)
    assert not any(name.startswith("enc.") for name in plain)
    meta = json.loads(MODEL_FILE.read_text(encoding="utf-8"))["meta"]
    assert meta["statement_rows"] >= 1000 and meta["reflection_rows"] >= 1000
    for name in meta["files"]:
        ks = kind_and_split(name)
        if ks is not None and ks[0] in ("statements", "reflections"):
            assert ks[1] not in held_out_splits(ks[0]), name  # type: ignore[arg-type]


def _texts(path: Path) -> set[str]:
    return {row_text(r) for r in read_rows([path])}


@pytest.mark.parametrize("kind", ["statements", "reflections"])
def test_no_training_text_repeats_a_held_out_or_reserved_one(kind: Kind) -> None:
    # two writers can arrive at one sentence; a held-out text met in training is no longer held out
    held: set[str] = set()
    for split in (*held_out_splits(kind), *RESERVED):
        held |= _texts(DATA / f"{kind}.{split}.jsonl")
    train_files = sorted((DATA / "train").glob(f"{kind}.*.jsonl"))
    train_files += [DATA / f"{kind}.{split}.jsonl" for split in training_splits(kind)]
    assert len(train_files) > len(TRAINING_SPLITS)
    for path in train_files:
        if path.exists():
            assert not _texts(path) & held, path.name


def test_holdout10_16_train_the_statements_and_hold_out_the_reflections() -> None:
    assert set(STATEMENTS_TRAINED) <= set(training_splits("statements"))
    assert set(STATEMENTS_TRAINED) <= set(held_out_splits("reflections"))
    assert not set(training_splits("reflections")) & set(held_out_splits("reflections"))
    assert not set(training_splits("statements")) & set(held_out_splits("statements"))
    with pytest.raises(ValueError, match="never trained on"):
        train([DATA / "statements.tune.jsonl"], [DATA / "reflections.holdout12.jsonl"])


def _small(tmp_path: Path) -> tuple[list[Path], list[Path]]:
    st = tmp_path / "statements.small.jsonl"
    rf = tmp_path / "reflections.small.jsonl"
    st.write_text("".join((DATA / "statements.tune.jsonl").read_text(encoding="utf-8").splitlines(True)[:80]))
    rf.write_text(
        "".join((DATA / "reflections.tune.jsonl").read_text(encoding="utf-8").splitlines(True)[:80])
    )
    return [st], [rf]


def test_training_is_deterministic(tmp_path: Path) -> None:
    st, rf = _small(tmp_path)
    first = json.dumps(train(st, rf, quick=True), sort_keys=True)
    second = json.dumps(train(st, rf, quick=True), sort_keys=True)
    assert first == second
    model = json.loads(first)
    assert set(model["variants"]) == {
        "reflection/embedded",
        "reflection/rules_only",
        "statement/embedded",
        "statement/embedded_without_encoder",
        "statement/rules_only",
    }


@pytest.mark.parametrize("split", [*HELD_OUT, *RESERVED])
def test_held_out_and_reserved_files_are_never_trained_on(split: str) -> None:
    with pytest.raises(ValueError, match="never trained on"):
        train([DATA / f"statements.{split}.jsonl"], [DATA / "reflections.tune.jsonl"])


def test_rules_only_path_answers_when_the_model_cannot_load() -> None:
    embed._reset_for_tests(None)
    try:
        res = score_reflection("I was late because the van broke down. I felt awful.", "Did the van break?")
        assert not res.gate_passed
        assert review_statement("You always change the plan at the last minute.").kinds
    finally:
        embed._reset_for_tests()


def test_cv_by_file_splits_the_decisions_the_cv_figures_come_from(tmp_path: Path) -> None:
    # `scripts/coach_train.py --by-file`: each file's share of the cross-validated decisions, which must
    # add up to the figures the model records
    files: dict[str, list[Path]] = {}
    for kind in ("statements", "reflections"):
        rows = (DATA / f"{kind}.tune.jsonl").read_text(encoding="utf-8").splitlines(True)
        first, second = tmp_path / f"{kind}.one.jsonl", tmp_path / f"{kind}.two.jsonl"
        first.write_text("".join(rows[:50]), encoding="utf-8")
        second.write_text("".join(rows[50:90]), encoding="utf-8")
        files[kind] = [first, second]
    decisions: dict[str, dict[str, np.ndarray]] = {}
    model = train(files["statements"], files["reflections"], quick=True, decisions=decisions)
    assert set(decisions) == set(model["variants"])
    r_rows = read_rows(files["reflections"])
    gate = cv_by_file("reflections", files["reflections"], decisions["reflection/embedded"])
    assert [(f.name, f.rows) for f in gate] == [("reflections.one.jsonl", 50), ("reflections.two.jsonl", 40)]
    recorded = model["meta"]["cv"]["reflection/embedded"]["held.accuracy"]
    assert round(sum(f.right for f in gate) / 90, 4) == recorded
    assert sum(f.good_held for f in gate) == int(
        (decisions["reflection/embedded"]["held"] & np.asarray([r["label"] == "good" for r in r_rows])).sum()
    )
    s_rows = read_rows(files["statements"])
    per_file = cv_by_file("statements", files["statements"], decisions["statement/embedded"])
    assert [f.rows for f in per_file] == [50, 40]
    assert sum(f.clean for f in per_file) == sum(1 for r in s_rows if not r["kinds"])
    assert sum(f.kinds for f in per_file) == sum(len(r["kinds"]) for r in s_rows)
    assert all(0 <= f.kinds_missed <= f.kinds and 0 <= f.right <= f.rows for f in per_file)
    with pytest.raises(ValueError, match="rows"):
        cv_by_file("statements", files["statements"][:1], decisions["statement/embedded"])
