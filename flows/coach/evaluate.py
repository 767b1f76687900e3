"""Measure the coach against labelled JSON Lines files (used by scripts/coach_eval.py and the tests)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.coach.decide import HELD_LABELS, review_statement, score_reflection
from flows.coach.models import NudgeKind


@dataclass
class KindStats:
    """Per-kind counts and figures."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 1.0 when nothing was expected."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class StatementResult:
    """Figures for a statements file."""

    rows: int
    per_kind: dict[str, KindStats]
    exact: int
    clean_false_alarms: int
    errors: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the kinds that occur (expected or predicted) in the file."""
        used = [s for s in self.per_kind.values() if s.tp + s.fp + s.fn]
        return sum(s.f1 for s in used) / len(used) if used else 1.0


@dataclass
class ReflectionResult:
    """Figures for a reflections file: the gate (what the app acts on) and ``forward``, per label."""

    rows: int
    gate_correct: int
    forward_correct: int
    auc: float
    question_auc: float
    confusion: dict[str, Counter[str]]
    mean_score: dict[str, float]
    good_held: int
    errors: list[tuple[str, str, float, bool, bool]] = field(default_factory=list)

    @property
    def gate_accuracy(self) -> float:
        """Share of rows where ``gate_passed`` is right: held exactly for the labels that are none."""
        return self.gate_correct / self.rows if self.rows else 1.0

    @property
    def forward_accuracy(self) -> float:
        """Share of rows where ``forward`` matches the label (true only for good)."""
        return self.forward_correct / self.rows if self.rows else 1.0


def _read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def evaluate_statements(path: Path) -> StatementResult:
    """Per-kind precision/recall/F1 of :func:`review_statement` on a statements file."""
    rows = _read(path)
    return compare_statements(
        rows, {r["id"]: {k.value for k in review_statement(r["text"]).kinds} for r in rows}
    )


def statement_agreement(path: Path, other: Path) -> StatementResult:
    """How far a second labeller's kinds (``other``: id and kinds per line) agree with ``path``'s.

    The same figures as :func:`evaluate_statements`, with the second labeller in the coach's place: an
    upper bound on what the coach can score against these labels.
    """
    rows = _read(path)
    second = {r["id"]: set(r["kinds"]) for r in _read(other)}
    if set(second) != {r["id"] for r in rows}:
        raise ValueError(f"{other.name} does not label exactly the rows of {path.name}")
    return compare_statements(rows, second)


def compare_statements(rows: list[dict[str, Any]], got_by_id: dict[str, set[str]]) -> StatementResult:
    """Per-kind figures of the kinds ``got_by_id`` gives each row against the rows' own labels."""
    stats = {k.value: KindStats() for k in NudgeKind}
    exact = clean_fa = 0
    errors: list[tuple[str, list[str], list[str]]] = []
    for row in rows:
        want = set(row["kinds"])
        got = got_by_id[row["id"]]
        for k in stats:
            if k in want and k in got:
                stats[k].tp += 1
            elif k in got:
                stats[k].fp += 1
            elif k in want:
                stats[k].fn += 1
        if want == got:
            exact += 1
        else:
            errors.append((row["id"], sorted(want), sorted(got)))
        if not want and got:
            clean_fa += 1
    return StatementResult(len(rows), stats, exact, clean_fa, errors)


def roc_auc(pos: list[float], neg: list[float]) -> float:
    """ROC AUC by the rank (Mann–Whitney) formula; ties count half."""
    if not pos or not neg:
        return float("nan")
    ranked = sorted([(s, 1) for s in pos] + [(s, 0) for s in neg], key=lambda x: x[0])
    ranks = [0.0] * len(ranked)
    i = 0
    while i < len(ranked):
        j = i
        while j + 1 < len(ranked) and ranked[j + 1][0] == ranked[i][0]:
            j += 1
        avg = (i + j) / 2 + 1
        for k in range(i, j + 1):
            ranks[k] = avg
        i = j + 1
    r_pos = sum(r for r, (_, lab) in zip(ranks, ranked, strict=True) if lab == 1)
    n1, n0 = len(pos), len(neg)
    return (r_pos - n1 * (n1 + 1) / 2) / (n1 * n0)


def evaluate_reflections(path: Path) -> ReflectionResult:
    """Gate and forward accuracy, ROC AUC (good vs rest; reflections vs questions), confusion by label."""
    rows = _read(path)
    gate_ok = fwd_ok = good_held = 0
    pos: list[float] = []
    neg: list[float] = []
    refl_scores: list[float] = []
    question_scores: list[float] = []
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    scores: dict[str, list[float]] = defaultdict(list)
    errors: list[tuple[str, str, float, bool, bool]] = []
    for row in rows:
        res = score_reflection(row["original"], row["reflection"])
        label = row["label"]
        want_gate = label not in HELD_LABELS
        want_fwd = bool(row.get("forward", label == "good"))
        gate_ok += res.gate_passed == want_gate
        fwd_ok += res.forward == want_fwd
        good_held += label == "good" and not res.gate_passed
        (pos if label == "good" else neg).append(float(res.score))
        if label == "question":
            question_scores.append(float(res.score))
        elif want_gate:
            refl_scores.append(float(res.score))
        scores[label].append(res.score)
        confusion[label]["passed" if res.gate_passed else "held"] += 1
        confusion[label]["forward"] += res.forward
        if res.gate_passed != want_gate or res.forward != want_fwd:
            errors.append((row["id"], label, res.score, res.gate_passed, res.forward))
    mean = {k: sum(v) / len(v) for k, v in scores.items()}
    return ReflectionResult(
        rows=len(rows),
        gate_correct=gate_ok,
        forward_correct=fwd_ok,
        auc=roc_auc(pos, neg),
        question_auc=roc_auc(refl_scores, question_scores),
        confusion=dict(confusion),
        mean_score=mean,
        good_held=good_held,
        errors=errors,
    )
