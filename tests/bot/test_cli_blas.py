"""The console script asks numpy's BLAS for one thread before numpy loads, unless told otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = (
    "import os, sys; from bot.cli import single_threaded_blas; "
    "assert 'numpy' not in sys.modules; single_threaded_blas(); "
    "import numpy; from flows.coach.embed import get_embedder; get_embedder(); "
    "print(os.environ['OPENBLAS_NUM_THREADS'])"
)


def _probe(env: dict[str, str]) -> str:
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_one_blas_thread_by_default() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert _probe(env) == "1"


def test_an_operators_setting_wins() -> None:
    assert _probe({**os.environ, "OPENBLAS_NUM_THREADS": "2"}) == "2"
