#!/usr/bin/env python
"""Measure the coach on labelled data.

Usage::

    .venv/bin/python scripts/coach_eval.py                       # shared/coach-dev (the dev set)
    .venv/bin/python scripts/coach_eval.py --data PATH           # a folder or a single .jsonl file
    .venv/bin/python scripts/coach_eval.py --data tests/coach/data --split holdout
    .venv/bin/python scripts/coach_eval.py --all                 # every training set
    .venv/bin/python scripts/coach_eval.py --held-out            # flows.coach.training.HELD_OUT
    .venv/bin/python scripts/coach_eval.py -v                    # also list the misses
    .venv/bin/python scripts/coach_eval.py --agreement           # a second labeller against holdout10

``--agreement`` scores a second, independent labeller's kinds (``tests/coach/data/agreement/``) the way
the coach is scored: how far two careful labellers agree is the ceiling of what the labels can show.

A folder holds ``statements.jsonl`` / ``reflections.jsonl`` (or ``statements.<split>.jsonl`` …).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.coach.evaluate import (  # noqa: E402
    evaluate_reflections,
    evaluate_statements,
    statement_agreement,
)
from flows.coach.training import HELD_OUT, STATEMENTS_TRAINED, TRAINING_SPLITS  # noqa: E402

DEFAULT_DATA = (ROOT / ".." / "shared" / "coach-dev").resolve()
OWN_DATA = ROOT / "tests" / "coach" / "data"
AGREEMENT = OWN_DATA / "agreement"


def _files(data: Path, split: str | None) -> tuple[Path | None, Path | None]:
    if data.is_file():
        if "reflection" in data.name:
            return None, data
        return data, None
    suffix = f".{split}.jsonl" if split else ".jsonl"
    st, rf = data / f"statements{suffix}", data / f"reflections{suffix}"
    return (st if st.exists() else None), (rf if rf.exists() else None)


def report(title: str, st: Path | None, rf: Path | None, verbose: bool, second: Path | None = None) -> None:
    """Print the statement and reflection figures for one data set (``second``: a second labeller's)."""
    print(f"=== {title} ===")
    if st is not None:
        res = evaluate_statements(st) if second is None else statement_agreement(st, second)
        print(f"statements: {res.rows} rows ({st})" + (f", second labeller {second.name}" if second else ""))
        print(f"  {'kind':<20}{'prec':>6}{'rec':>6}{'f1':>6}{'tp':>5}{'fp':>4}{'fn':>4}")
        for kind, s in res.per_kind.items():
            print(f"  {kind:<20}{s.precision:6.2f}{s.recall:6.2f}{s.f1:6.2f}{s.tp:5d}{s.fp:4d}{s.fn:4d}")
        print(
            f"  macro-F1 {res.macro_f1:.3f}   exact-set {res.exact}/{res.rows}   "
            f"false alarms on clean rows {res.clean_false_alarms}"
        )
        if verbose:
            for rid, want, got in res.errors:
                print(f"    miss {rid}: want {want} got {got}")
    if rf is not None:
        r = evaluate_reflections(rf)
        print(f"reflections: {r.rows} rows ({rf})")
        print(
            f"  gate accuracy {r.gate_accuracy:.3f} (good held back: {r.good_held})   "
            f"forward accuracy {r.forward_accuracy:.3f}   ROC AUC good vs rest {r.auc:.3f}   "
            f"reflections vs questions {r.question_auc:.3f}"
        )
        print(f"  {'label':<12}{'n':>4}{'passed':>8}{'held':>6}{'forward':>9}{'mean score':>12}")
        for label in sorted(r.confusion):
            c = r.confusion[label]
            n = c["passed"] + c["held"]
            print(
                f"  {label:<12}{n:4d}{c['passed']:8d}{c['held']:6d}{c['forward']:9d}"
                f"{r.mean_score[label]:12.1f}"
            )
        if verbose:
            for rid, label, score, gate, fwd in r.errors:
                print(f"    miss {rid}: label {label} score {score} gate_passed {gate} forward {fwd}")
    print()


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and print the figures. Always exits 0."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", nargs="?", type=Path, help="same as --data")
    ap.add_argument("--data", type=Path, default=None, help=f"folder or .jsonl file (default {DEFAULT_DATA})")
    ap.add_argument("--split", default=None, help="use statements.<split>.jsonl / reflections.<split>.jsonl")
    ap.add_argument(
        "--all", action="store_true", help="every training set (the held-out sets only with --held-out)"
    )
    ap.add_argument(
        "--held-out",
        action="store_true",
        help=f"the held-out set{'s' if len(HELD_OUT) > 1 else ''}: {', '.join(HELD_OUT)}",
    )
    ap.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    ap.add_argument(
        "--agreement",
        action="store_true",
        help="score each second labeller's file in tests/coach/data/agreement/",
    )
    args = ap.parse_args(argv)
    if args.agreement:
        for second in sorted(AGREEMENT.glob("statements.*.jsonl")):
            split = second.name.split(".")[1]
            report(
                f"{split}: a second labeller against the set's own labels",
                OWN_DATA / f"statements.{split}.jsonl",
                None,
                args.verbose,
                second,
            )
        return 0
    if args.all:
        report("dev (shared/coach-dev) - trained on", *_files(DEFAULT_DATA, None), args.verbose)
        for split in TRAINING_SPLITS:
            report(f"{split} (tests/coach/data) - trained on", *_files(OWN_DATA, split), args.verbose)
        for split in STATEMENTS_TRAINED:
            st, _ = _files(OWN_DATA, split)
            report(f"{split} statements (tests/coach/data) - trained on", st, None, args.verbose)
        for kind in ("statements", "reflections"):
            for f in sorted((OWN_DATA / "train").glob(f"{kind}.*.jsonl")):
                st, rf = (f, None) if kind == "statements" else (None, f)
                report(f"{f.name} (tests/coach/data/train) - trained on", st, rf, args.verbose)
        return 0
    if args.held_out:
        for split in STATEMENTS_TRAINED:
            _, rf = _files(OWN_DATA, split)
            report(f"{split} reflections (tests/coach/data) - held out", None, rf, args.verbose)
        for split in HELD_OUT:
            report(f"{split} (tests/coach/data) - held out", *_files(OWN_DATA, split), args.verbose)
        return 0
    data = args.data or args.path or DEFAULT_DATA
    if not data.is_absolute() and not data.exists():
        data = ROOT / data
    report(str(data), *_files(data, args.split), args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
