"""`scripts/coach_overlap.py` keeps only rows whose text no other set, test or bot string holds."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from coach_overlap import main  # noqa: E402

TUNE = ROOT / "tests" / "coach" / "data" / "statements.tune.jsonl"


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_rows_already_held_anywhere_are_dropped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    known = json.loads(TUNE.read_text(encoding="utf-8").splitlines()[0])["text"]
    fresh = f"The seed trays in {tmp_path.name} were moved without a note to me."  # built: no file holds it
    new = _write(
        tmp_path / "statements.new.jsonl",
        [
            {"id": "n-1", "text": f"  {known.upper()} ", "kinds": []},  # a set's text, recased
            {"id": "n-2", "text": fresh, "kinds": []},
            {"id": "n-3", "text": fresh.lower(), "kinds": []},  # repeats the row above
            {"id": "n-4", "text": f"No row of the tests says this about {tmp_path.name}.", "kinds": []},
        ],
    )
    reply = _write(
        tmp_path / "reflections.new.jsonl",
        [{"id": "n-r-1", "original": "x", "reflection": fresh, "label": "good", "forward": True}],
    )
    assert main([str(new), str(reply), "--out", str(tmp_path / "kept")]) == 0
    kept = [json.loads(x)["id"] for x in (tmp_path / "kept" / new.name).read_text().splitlines()]
    assert kept == ["n-2", "n-4"]
    assert (tmp_path / "kept" / reply.name).read_text() == ""  # met in the first file
    out = capsys.readouterr().out
    assert "kept 2 of 4, dropped 2" in out and "kept 0 of 1" in out
    assert fresh not in out and known not in out  # counts only, never a text
