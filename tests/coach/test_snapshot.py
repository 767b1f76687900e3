"""Results must not drift: the full ``model_dump()`` of both functions on every labelled example.

``data/snapshot.json`` holds the dumps of ``review_statement`` and ``score_reflection`` over every row of
``tests/coach/data/*.jsonl`` and ``shared/coach-dev/*.jsonl``, recorded before the speed work. A change
that alters any result on purpose must re-record it (and say why in the commit)::

    .venv/bin/python -m tests.coach.test_snapshot --record
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from flows.coach import review_statement, score_reflection

DATA = Path(__file__).parent / "data"
DEV = Path(__file__).resolve().parents[2].parent / "shared" / "coach-dev"
SNAPSHOT = DATA / "snapshot.json"


def _files() -> list[tuple[str, Path]]:
    own = [(f"data/{f.name}", f) for f in sorted(DATA.glob("*.jsonl"))]
    dev = [(f"coach-dev/{f.name}", f) for f in sorted(DEV.glob("*.jsonl"))] if DEV.exists() else []
    return own + dev


def _rows() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for label, path in _files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append((f"{label}:{row['id']}", row))
    return out


def _dump(row: dict[str, Any]) -> dict[str, Any]:
    if "text" in row:
        return review_statement(row["text"]).model_dump(mode="json")
    return score_reflection(row["original"], row["reflection"]).model_dump(mode="json")


def _load() -> dict[str, Any]:
    got: dict[str, Any] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return got


def test_snapshot_covers_every_row() -> None:
    snap = _load()
    keys = {k for k, _ in _rows()}
    missing = sorted(keys - snap.keys())
    assert not missing, f"rows not in the snapshot (re-record?): {missing[:5]}"


@pytest.mark.parametrize("prefix", ["data/", "coach-dev/"])
def test_results_match_snapshot(prefix: str) -> None:
    rows = [(k, r) for k, r in _rows() if k.startswith(prefix)]
    if not rows:
        pytest.skip(f"no {prefix} rows here")
    snap = _load()
    diffs = [k for k, row in rows if k in snap and _dump(row) != snap[k]]
    assert not diffs, f"{len(diffs)} results changed, e.g. {diffs[:5]}: {_dump(dict(rows)[diffs[0]])}"


def _record() -> None:
    snap = {key: _dump(row) for key, row in _rows()}
    # one row per line: small, and a changed result shows as one changed line
    lines = []
    for key in sorted(snap):
        lines.append(f"{json.dumps(key)}: {json.dumps(snap[key], sort_keys=True, ensure_ascii=False)}")
    SNAPSHOT.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"recorded {len(snap)} rows in {SNAPSHOT}")


if __name__ == "__main__" and "--record" in sys.argv:
    _record()
