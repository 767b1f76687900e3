#!/usr/bin/env python
"""Time the coach: p50/p95 per call at 100, 1,000 and 5,000 characters, and the import time.

Wall-clock and process CPU time are both shown: on a shared machine the wall-clock p95 mostly measures
the neighbours. Targets (issue 8): p95 <= 15 ms at 1,000 characters on 2 cores, import < 300 ms. A
statement is also timed at the longest length the statement encoder reads (it reads a text that fits
its window of 64 word pieces on a second thread; a longer one is read without it).

The import is timed in fresh interpreters (median of ``--import-runs``): ``import flows.coach`` alone,
as this environment runs Python (where PYTHONDONTWRITEBYTECODE is set, every run compiles the coach's
source again) and with a warm bytecode cache (.pyc files, as an installed app has them; kept in a
temporary folder, not in the work tree); and ``import flows.coach`` after ``from pydantic import
BaseModel`` (what the app pays: it imports pydantic anyway). The coach compiles its rules and builds its
result models' validators on first use, so the first calls in a fresh interpreter are timed too.

Usage::

    .venv/bin/python scripts/coach_bench.py [--runs 200] [--import-runs 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cli import single_threaded_blas  # noqa: E402

single_threaded_blas()  # as `commonground` runs the coach: before numpy loads

STATEMENT_PARTS = [
    "You always change the plan at the last minute. ",
    "When the sprint scope changed on Wednesday without a message in the channel, I felt anxious, "
    "because I need time to plan testing. ",
    "I feel like you only bring me in when something is on fire. ",
    "Would you be willing to post scope changes in the release channel before they happen? ",
    "Your review comments were rude and unprofessional. ",
    "Whatever. Do it your way. ",
]
ORIGINAL_PARTS = [
    "On Monday's status call you announced the launch was moving from the 20th to the 13th, and that was "
    "the first I heard of it. ",
    "My team had planned the whole QA week around the 20th, so now we're cutting tests to fit. ",
    "I felt caught off guard and honestly anxious, because if something breaks in production it lands on "
    "us. ",
    "What matters to me is hearing about date changes before they go public. ",
]
REFLECTION_PARTS = [
    "So the new date hit you cold on Monday, and it's left your team squeezing testing into less time. ",
    "You were thrown, and you're worried about the fallout landing on your team. ",
    "Being asked before a schedule change goes out really matters to you. ",
    "Did I get that right? ",
]


def _text(parts: list[str], size: int) -> str:
    out = ""
    i = 0
    while len(out) < size:
        out += parts[i % len(parts)]
        i += 1
    return out[:size]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    p50 = statistics.median(s)
    p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
    return p50, p95


_CHILD = """
import sys, time
sys.path.insert(0, {root!r})
if {after_pydantic!r}:
    from pydantic import BaseModel
t = time.perf_counter()
import flows.coach
print((time.perf_counter() - t) * 1000)
t = time.perf_counter()
flows.coach.review_statement({statement!r})
print((time.perf_counter() - t) * 1000)
t = time.perf_counter()
flows.coach.score_reflection({original!r}, {reflection!r})
print((time.perf_counter() - t) * 1000)
"""


def import_times(
    repeats: int = 9, after_pydantic: bool = False, pycache: str | None = None
) -> tuple[list[float], list[float], list[float]]:
    """Per fresh interpreter: ms to ``import flows.coach``, then to the first review, then the first score.

    With ``pycache`` (a folder) the interpreters keep and reuse bytecode there; one untimed run fills it.
    """
    code = _CHILD.format(
        root=str(ROOT),
        after_pydantic=after_pydantic,
        statement=_text(STATEMENT_PARTS, 1000),
        original=_text(ORIGINAL_PARTS, 1000),
        reflection=_text(REFLECTION_PARTS, 1000),
    )
    env = dict(os.environ)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    argv = [sys.executable, "-c", code]
    if pycache is not None:
        subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    imports, reviews, scores = [], [], []
    for _ in range(repeats):
        out = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        a, b, c = (float(x) for x in out.stdout.split())
        imports.append(a)
        reviews.append(b)
        scores.append(c)
    return imports, reviews, scores


def import_time(repeats: int = 9) -> float:
    """Median wall time (ms) of ``import flows.coach`` in a fresh interpreter."""
    return statistics.median(import_times(repeats)[0])


def _longest_encoded(text: str) -> int:
    """The length of the longest opening of ``text`` the statement encoder reads (its costliest call; a
    longer text is read without it), or 0 when the encoder cannot load."""
    from flows.coach.encoder import get_encoder

    enc = get_encoder()
    if enc is None:
        return 0
    n = 0
    while n < len(text) and enc.fits(text[: n + 1]):
        n += 1
    return n


def _spread(samples: list[float]) -> str:
    return f"{statistics.median(samples):6.1f} ms  (min {min(samples):.1f}, max {max(samples):.1f})"


def main(argv: list[str] | None = None) -> int:
    """Print the timings."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=200, help="timed calls per function and size")
    ap.add_argument("--import-runs", type=int, default=9, help="fresh interpreters for the import times")
    args = ap.parse_args(argv)
    from flows.coach import review_statement, score_reflection

    print(f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']} (as commonground runs the coach)")
    print(f"{'function':<20}{'chars':>7}{'p50 ms':>9}{'p95 ms':>9}{'cpu p50':>9}{'cpu p95':>9}")
    window = _longest_encoded(_text(STATEMENT_PARTS, 1000))
    if window:
        print(f"({window} characters: the longest statement the encoder reads, its costliest call)")
    for size in (100, window, 1000, 5000) if window else (100, 1000, 5000):
        st = _text(STATEMENT_PARTS, size)
        orig, refl = _text(ORIGINAL_PARTS, size), _text(REFLECTION_PARTS, size)
        review_statement(st)
        score_reflection(orig, refl)
        for name, fn in (
            ("review_statement", lambda st=st: review_statement(st)),
            ("score_reflection", lambda o=orig, r=refl: score_reflection(o, r)),
        ):
            samples = []
            cpu = []
            for i in range(args.runs):
                # vary the text a little so no cache can hide the real cost
                if name == "review_statement":
                    t0, c0 = time.perf_counter(), time.process_time()
                    review_statement(st[: len(st) - (i % 3)])
                else:
                    t0, c0 = time.perf_counter(), time.process_time()
                    score_reflection(orig[: len(orig) - (i % 3)], refl)
                samples.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            _ = fn
            p50, p95 = _percentiles(samples)
            c50, c95 = _percentiles(cpu)
            print(f"{name:<20}{size:7d}{p50:9.2f}{p95:9.2f}{c50:9.2f}{c95:9.2f}")
    n = args.import_runs
    fresh, first_review, first_score = import_times(n)
    with tempfile.TemporaryDirectory(prefix="coach-bench-pyc-") as pycache:
        cached, _, _ = import_times(n, pycache=pycache)
    after, _, _ = import_times(n, after_pydantic=True)
    bytecode = "off, so the source is compiled each run" if sys.dont_write_bytecode else "on"
    rows = [
        (f"import flows.coach (bytecode cache {bytecode})", fresh),
        ("  then the first review_statement (1,000 chars)", first_review),
        ("  then the first score_reflection (1,000 chars)", first_score),
        ("import flows.coach, warm bytecode cache (.pyc files)", cached),
        ("import flows.coach after `from pydantic import BaseModel` (app)", after),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"\nimport, median of {n} fresh interpreters (target < 300 ms); the first calls (in the same")
    print("interpreters as the line above them) compile the rules they need and build the result models:")
    for label, samples in rows:
        print(f"  {label:<{width}}  {_spread(samples)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
