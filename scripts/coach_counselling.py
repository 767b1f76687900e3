#!/usr/bin/env python
"""Reflections against questions on real counselling transcripts (AnnoMI), as the gate scores them.

Usage::

    .venv/bin/python scripts/coach_counselling.py --csv PATH/TO/AnnoMI/dataset.csv
    .venv/bin/python scripts/coach_counselling.py --csv dataset.csv --ids tests/coach/data/annomi/heldout.ids
    .venv/bin/python scripts/coach_counselling.py --pairs pairs.jsonl --ids tests/coach/data/annomi/tuning.ids

``--csv`` reads AnnoMI's own file (github.com/uccollab/AnnoMI: dataset.csv, AnnoMI-simple.csv or
AnnoMI-full.csv); its text is not in this repository. ``--ids`` keeps the pairs of one committed sample
(``tuning.ids`` was read and tuned on; ``heldout.ids`` was measured, not read). ``--pairs`` reads pairs
already extracted, one JSON object per line. ``-v`` lists every pair by score.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.coach.counselling import (  # noqa: E402
    evaluate_counselling,
    pairs_from_csv,
    pairs_from_jsonl,
    read_ids,
)


def main(argv: list[str] | None = None) -> int:
    """Print the figures; exit 2 when no pair was found."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--csv", type=Path, help="AnnoMI's CSV file")
    src.add_argument("--pairs", type=Path, help="extracted pairs (JSON Lines)")
    ap.add_argument("--ids", type=Path, action="append", help="keep only these pairs (may repeat)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every pair by score")
    args = ap.parse_args(argv)
    pairs = pairs_from_csv(args.csv.read_text(encoding="utf-8")) if args.csv else pairs_from_jsonl(args.pairs)
    if args.ids:
        keep = set().union(*(read_ids(p) for p in args.ids))
        pairs = [p for p in pairs if p.key in keep]
        missing = len(keep) - len(pairs)
        if missing:
            print(f"note: {missing} of the {len(keep)} listed pairs are not in the source")
    if not pairs:
        print("no reflection or question replies found", file=sys.stderr)
        return 2
    r = evaluate_counselling(pairs)
    print(f"{r.reflections} reflections, {r.questions} questions")
    print(f"  ROC AUC reflections vs questions (score): {r.auc:.3f}")
    for q, auc in r.auc_by_quality.items():
        print(f"    {q}-quality sessions: {auc:.3f}")
    print(
        f"  passed the gate: reflections {r.reflections_passed}/{r.reflections}, "
        f"questions {r.questions_passed}/{r.questions}"
    )
    if args.verbose:
        for p, s in sorted(r.scored, key=lambda ps: ps[1].score):
            print(f"  {p.label[:4]} {s.score:6.2f} {'pass' if s.gate_passed else 'held'} {p.therapist[:110]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
