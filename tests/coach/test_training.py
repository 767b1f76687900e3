"""The learned model: training is deterministic, refuses held-out data, and matches the rules it was
trained with; the rules-only model answers when the embedding model cannot load."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from flows.coach import embed, review_statement, score_reflection
from flows.coach.features import reflection_names, statement_names
from flows.coach.model import MODEL_FILE, get_model
from flows.coach.training import HELD_OUT, RESERVED, TRAINING_SPLITS, fit_logistic, read_rows, train

DATA = Path(__file__).parent / "data"


def test_logistic_regression_separates_a_separable_problem() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    y = (x[:, 0] - x[:, 1] > 0).astype(np.float64)
    w, b = fit_logistic(x, y, np.full(3, 0.1))
    pred = (x @ w + b) > 0
    assert (pred == (y == 1)).mean() > 0.97
    assert w[0] > 0 > w[1] and abs(w[2]) < abs(w[0]) / 5


def test_the_committed_model_matches_the_current_features() -> None:
    model = get_model()
    for embedded in (True, False):
        assert list(model.variant("reflection", embedded).features) == reflection_names(embedded)
        assert list(model.variant("statement", embedded).features) == statement_names(embedded)
    meta = json.loads(MODEL_FILE.read_text(encoding="utf-8"))["meta"]
    assert meta["statement_rows"] >= 1000 and meta["reflection_rows"] >= 1000
    assert not any(held in name for held in HELD_OUT for name in meta["files"])


def _texts(path: Path) -> set[str]:
    return {" ".join(str(r.get("text") or r["reflection"]).lower().split()) for r in read_rows([path])}


def test_no_training_text_repeats_a_held_out_or_reserved_one() -> None:
    # two writers can arrive at one sentence; a held-out text met in training is no longer held out
    held: set[str] = set()
    for split in (*HELD_OUT, *RESERVED):
        for kind in ("statements", "reflections"):
            held |= _texts(DATA / f"{kind}.{split}.jsonl")
    train_files = sorted((DATA / "train").glob("*.jsonl"))
    kinds = ("statements", "reflections")
    train_files += [DATA / f"{kind}.{split}.jsonl" for kind in kinds for split in TRAINING_SPLITS]
    assert len(train_files) > len(TRAINING_SPLITS)
    for path in train_files:
        if path.exists():
            assert not _texts(path) & held, path.name


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
