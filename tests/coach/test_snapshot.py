"""Results must not drift: the full ``model_dump()`` of both functions on every labelled example.

``data/snapshot.json`` holds, for every row of ``tests/coach/data/*.jsonl`` and ``shared/coach-dev/*.jsonl``,
a hash of its input and the dump of ``review_statement`` / ``score_reflection`` on it, recorded before the
speed work (issue 4). Rows added or edited since then are not compared (they have no recorded result). A
change that alters a result on purpose must re-record the snapshot, and say why in its commit::

    .venv/bin/python -m tests.coach.test_snapshot --record
"""

from __future__ import annotations

import hashlib
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


def _rows() -> list[tuple[str, list[str]]]:
    """(file:id, inputs) of every row: [text] for a statement, [original, reflection] for a reflection."""
    out: list[tuple[str, list[str]]] = []
    for label, path in _files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                inputs = [row["text"]] if "text" in row else [row["original"], row["reflection"]]
                out.append((f"{label}:{row['id']}", inputs))
    return out


def _hash(inputs: list[str]) -> str:
    return hashlib.sha256("\0".join(inputs).encode()).hexdigest()[:16]


def _dump(inputs: list[str]) -> dict[str, Any]:
    if len(inputs) == 1:
        return review_statement(inputs[0]).model_dump(mode="json")
    return score_reflection(inputs[0], inputs[1]).model_dump(mode="json")


def _load() -> dict[str, Any]:
    snap: dict[str, Any] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return snap


@pytest.mark.parametrize("prefix", ["data/", "coach-dev/"])
def test_results_match_snapshot(prefix: str) -> None:
    snap = _load()
    rows = [(k, x) for k, x in _rows() if k.startswith(prefix) and snap.get(k, {}).get("in") == _hash(x)]
    if not rows:
        pytest.skip(f"no recorded {prefix} rows here")
    diffs = [k for k, x in rows if _dump(x) != snap[k]["out"]]
    assert not diffs, f"{len(diffs)} of {len(rows)} results changed, e.g. {diffs[:5]}"


def test_snapshot_still_covers_the_rows_it_was_recorded_on() -> None:
    snap = _load()
    own = [k for k, x in _rows() if k.startswith("data/") and snap.get(k, {}).get("in") == _hash(x)]
    assert len(own) >= 500, "the snapshot was recorded on 522 rows of tests/coach/data"


def _record() -> None:
    # one row per line: small, and a changed result shows as one changed line
    lines = []
    for key, inputs in sorted(_rows()):
        entry = {"in": _hash(inputs), "out": _dump(inputs)}
        lines.append(f"{json.dumps(key)}: {json.dumps(entry, sort_keys=True, ensure_ascii=False)}")
    SNAPSHOT.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"recorded {len(lines)} rows in {SNAPSHOT}")


if __name__ == "__main__" and "--record" in sys.argv:
    _record()
