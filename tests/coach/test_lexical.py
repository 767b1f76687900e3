"""Learned word evidence: the same text gets bitwise the same evidence in every process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = (
    "from flows.coach.model import get_model\n"
    "words = get_model().word_evidence\n"
    "text = 'You always leave the rota late and then blame the night team for the gaps, honestly.'\n"
    "print(repr(words.score(text)))\n"
)


@pytest.mark.timeout(120)
def test_word_evidence_does_not_depend_on_the_hash_seed() -> None:
    outs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        res = subprocess.run(
            [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        outs.add(res.stdout)
    assert len(outs) == 1
    assert any(float(v) != 0.0 for v in next(iter(outs)).strip("[]\n").split(","))
