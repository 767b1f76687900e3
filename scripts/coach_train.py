#!/usr/bin/env python
"""Train the coach's model and write flows/coach/data/model.json (``make coach-train``).

Usage::

    .venv/bin/python scripts/coach_train.py            # train on every training file, write the model
    .venv/bin/python scripts/coach_train.py --check    # train, compare with the committed file
    .venv/bin/python scripts/coach_train.py --check --by-file   # and each training file's CV figures

The training files are the development set (shared/coach-dev), our earlier tune and holdout sets
(tuned on, or measured and then added: training data now) and tests/coach/data/train/. The held-out
sets (`flows.coach.training.held_out_splits`: holdout10-16's reflections too, whose statements are
training data) and the reserved ones (`RESERVED`) are never read here (flows.coach.training refuses
them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

# OpenBLAS picks its kernels by CPU, and the phrase detectors' training amplifies their last-bit
# differences: with AVX-512 kernels the same data gives another model than with AVX2 ones. One kernel
# family (AVX2, which every x86-64 machine of the last decade has) makes the model the same on every
# such machine; it must be set before numpy loads. Elsewhere (ARM) OpenBLAS ignores it.
os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.coach.model import MODEL_FILE  # noqa: E402
from flows.coach.training import Kind, cv_by_file, train, training_splits  # noqa: E402

DEV = (ROOT / ".." / "shared" / "coach-dev").resolve()
OWN = ROOT / "tests" / "coach" / "data"
# each training statement's statement-encoder logits from the fit that did not see it (make coach-encoder)
ENCODER_CV = OWN / "encoder" / "cv_logits.json"


def training_files(kind: Kind) -> list[Path]:
    """The training files of one kind ("statements" or "reflections"), in a fixed order."""
    files = [DEV / f"{kind}.jsonl"] if (DEV / f"{kind}.jsonl").exists() else []
    files += [OWN / f"{kind}.{split}.jsonl" for split in training_splits(kind)]
    files += sorted((OWN / "train").glob(f"{kind}.*.jsonl"))
    return [f for f in files if f.exists()]


def add_without_dev(ap: argparse.ArgumentParser) -> None:
    """The ``--without-dev`` option of the scripts that train on :func:`training_files`."""
    ap.add_argument(
        "--without-dev",
        action="store_true",
        help="train although ../shared/coach-dev is missing (the committed models are trained with it)",
    )


def dev_present(without_dev: bool) -> bool:
    """Whether training may go on: the dev set is there, or ``--without-dev`` was given (else says why)."""
    if DEV.exists() or without_dev:
        return True
    # a checkout without ../shared beside it (a git worktree elsewhere, a CI clone) would train
    # another model than the committed one, silently
    print(f"{DEV} is missing: the committed models are trained with it (or --without-dev)", file=sys.stderr)
    return False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--check", action="store_true", help="compare with the committed model instead of writing"
    )
    ap.add_argument("--out", type=Path, default=MODEL_FILE)
    ap.add_argument(
        "--by-file",
        action="store_true",
        help="also print each training file's cross-validated figures (the heads the app uses)",
    )
    add_without_dev(ap)
    args = ap.parse_args()
    if not dev_present(args.without_dev):
        return 2
    started = time.monotonic()
    decisions: dict[str, Any] = {}
    model = train(
        training_files("statements"),
        training_files("reflections"),
        progress=print,
        encoder_cv=ENCODER_CV,
        decisions=decisions,
    )
    text = json.dumps(model, sort_keys=True, separators=(",", ":")) + "\n"
    print(json.dumps(model["meta"]["cv"], indent=2))
    if args.by_file:
        print_by_file(decisions)
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print("identical to the committed model" if same else "DIFFERENT from the committed model")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text) // 1024} KB) in {time.monotonic() - started:.0f} s")
    return 0


def print_by_file(decisions: dict[str, Any]) -> None:
    """Each training file's cross-validated figures under the heads the app uses with every reader."""
    files = training_files("reflections")
    print("\nreflections (reflection/embedded), cross-validated, the gate as the app decides:")
    print(f"  {'file':<48}{'rows':>6}{'gate right':>12}{'good held':>11}")
    for f in cv_by_file("reflections", files, decisions["reflection/embedded"]):
        print(f"  {f.name:<48}{f.rows:>6}{f.right / f.rows:>12.3f}{f.good_held:>11}")
    files = training_files("statements")
    print("\nstatements (statement/embedded), cross-validated, the kinds as the app raises them:")
    print(f"  {'file':<48}{'rows':>6}{'all right':>11}{'clean flagged':>15}{'kinds missed':>14}")
    for f in cv_by_file("statements", files, decisions["statement/embedded"]):
        flagged = f"{f.clean_flagged}/{f.clean}"
        missed = f"{f.kinds_missed}/{f.kinds}"
        print(f"  {f.name:<48}{f.rows:>6}{f.right / f.rows:>11.3f}{flagged:>15}{missed:>14}")


if __name__ == "__main__":
    raise SystemExit(main())
