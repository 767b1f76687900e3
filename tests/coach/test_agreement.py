"""A second labeller is scored the way the coach is: the ceiling of what the labels can show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.coach.evaluate import statement_agreement

DATA = Path(__file__).parent / "data"


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_identical_labels_agree_fully(tmp_path: Path) -> None:
    gold = _write(
        tmp_path / "g.jsonl",
        [{"id": "a", "text": "x", "kinds": ["blame"]}, {"id": "b", "text": "y", "kinds": []}],
    )
    same = _write(tmp_path / "s.jsonl", [{"id": "a", "kinds": ["blame"]}, {"id": "b", "kinds": []}])
    res = statement_agreement(gold, same)
    assert res.macro_f1 == 1.0 and res.exact == 2 and res.clean_false_alarms == 0


def test_disagreement_counts_like_a_coach_miss(tmp_path: Path) -> None:
    gold = _write(
        tmp_path / "g.jsonl",
        [{"id": "a", "text": "x", "kinds": ["blame"]}, {"id": "b", "text": "y", "kinds": []}],
    )
    other = _write(tmp_path / "o.jsonl", [{"id": "a", "kinds": []}, {"id": "b", "kinds": ["contempt"]}])
    res = statement_agreement(gold, other)
    assert res.per_kind["blame"].fn == 1 and res.per_kind["contempt"].fp == 1
    assert res.clean_false_alarms == 1 and res.macro_f1 == 0.0


def test_a_second_labeller_must_label_exactly_the_same_rows(tmp_path: Path) -> None:
    gold = _write(tmp_path / "g.jsonl", [{"id": "a", "text": "x", "kinds": []}])
    other = _write(tmp_path / "o.jsonl", [{"id": "z", "kinds": []}])
    with pytest.raises(ValueError, match="exactly the rows"):
        statement_agreement(gold, other)


def test_the_committed_second_labelling_of_holdout10_agrees_closely() -> None:
    res = statement_agreement(
        DATA / "statements.holdout10.jsonl", DATA / "agreement" / "statements.holdout10.second.jsonl"
    )
    assert res.rows == 320 and res.macro_f1 >= 0.95
