"""Measure the gate on real counselling transcripts: a therapist's reply after a client's turn.

The source is AnnoMI (github.com/uccollab/AnnoMI: 133 transcribed motivational-interviewing
demonstrations, each therapist turn labelled by experts as reflection, question, input or other). Its
text is not committed here (its licence is not stated); only the (transcript, utterance) ids of the
sample we measured are, so anyone with the public CSV gets the same pairs.

A pair is a therapist turn labelled ``reflection`` or ``question`` and the client turn just before it
in the same transcript. The figure is ROC AUC of ``score_reflection(client, therapist).score``,
reflections against questions, with how many of each passed the gate (what the app acts on).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flows.coach.decide import score_reflection
from flows.coach.evaluate import roc_auc
from flows.coach.models import ReflectionScore

LABELS = ("reflection", "question")


@dataclass(frozen=True)
class Pair:
    """A client's turn and the therapist's reply, with the reply's expert label."""

    transcript: int
    utterance: int
    quality: str
    client: str
    therapist: str
    label: str

    @property
    def key(self) -> tuple[int, int]:
        """(transcript id, the therapist turn's utterance id)."""
        return self.transcript, self.utterance


@dataclass(frozen=True)
class CounsellingResult:
    """Reflection vs question on one sample of pairs."""

    reflections: int
    questions: int
    auc: float
    reflections_passed: int
    questions_passed: int
    auc_by_quality: dict[str, float]
    scored: list[tuple[Pair, ReflectionScore]]  # every pair with the app's reading of it


def pairs_from_csv(text: str) -> list[Pair]:
    """Every reflection or question reply and the client turn before it, from AnnoMI's CSV text.

    Reads ``dataset.csv``, ``AnnoMI-simple.csv`` or ``AnnoMI-full.csv`` (whose repeated rows per
    utterance, one per annotator, count once: the first).
    """
    turns: dict[tuple[int, int], dict[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        key = (int(row["transcript_id"]), int(row["utterance_id"]))
        turns.setdefault(key, row)
    out: list[Pair] = []
    for (tid, uid), row in sorted(turns.items()):
        before = turns.get((tid, uid - 1))
        if (
            row["interlocutor"] != "therapist"
            or row["main_therapist_behaviour"] not in LABELS
            or before is None
            or before["interlocutor"] != "client"
        ):
            continue
        out.append(
            Pair(
                tid,
                uid,
                row["mi_quality"],
                before["utterance_text"],
                row["utterance_text"],
                row["main_therapist_behaviour"],
            )
        )
    return out


def pairs_from_jsonl(path: Path) -> list[Pair]:
    """Pairs already extracted, one JSON object per line (transcript_id, utterance_id, mi_quality,
    client, therapist, label)."""
    out: list[Pair] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            out.append(
                Pair(
                    int(r["transcript_id"]),
                    int(r["utterance_id"]),
                    str(r["mi_quality"]),
                    str(r["client"]),
                    str(r["therapist"]),
                    str(r["label"]),
                )
            )
    return out


def read_ids(path: Path) -> set[tuple[int, int]]:
    """A sample's ids: one ``transcript_id,utterance_id`` per line (``#`` starts a comment)."""
    ids: set[tuple[int, int]] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            t, u = line.split(",")
            ids.add((int(t), int(u)))
    return ids


def evaluate_counselling(pairs: Iterable[Pair]) -> CounsellingResult:
    """Score every pair as the app would and compare reflections with questions."""
    scored = [(p, score_reflection(p.client, p.therapist)) for p in pairs if p.label in LABELS]
    pos = [float(s.score) for p, s in scored if p.label == "reflection"]
    neg = [float(s.score) for p, s in scored if p.label == "question"]
    by_quality: dict[str, float] = {}
    for q in sorted({p.quality for p, _ in scored}):
        qp = [float(s.score) for p, s in scored if p.quality == q and p.label == "reflection"]
        qn = [float(s.score) for p, s in scored if p.quality == q and p.label == "question"]
        if qp and qn:
            by_quality[q] = roc_auc(qp, qn)
    return CounsellingResult(
        reflections=len(pos),
        questions=len(neg),
        auc=roc_auc(pos, neg),
        reflections_passed=sum(s.gate_passed for p, s in scored if p.label == "reflection"),
        questions_passed=sum(s.gate_passed for p, s in scored if p.label == "question"),
        auc_by_quality=by_quality,
        scored=scored,
    )
