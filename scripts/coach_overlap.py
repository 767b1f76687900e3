#!/usr/bin/env python
"""Drop new coach rows whose text another set, a test or the bot already holds.

Usage::

    .venv/bin/python scripts/coach_overlap.py NEW.jsonl [NEW2.jsonl ...] --out DIR

Two writers can arrive at one sentence. A new row whose text (a statement's ``text``, a reflection's
``reflection``; case and spacing ignored) equals a text in ``tests/coach/data`` (every set, held-out
and reserved ones included), in the dev set (``../shared/coach-dev``), a string constant of more than
eight characters in ``tests/`` or ``bot/``, or an earlier row of the new files is dropped; the rest are
written to ``DIR`` under the same file names. Only counts are printed, never a text: a held-out text
must not be read.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.coach.training import read_rows, row_text, same_text  # noqa: E402

DATA = ROOT / "tests" / "coach" / "data"
DEV = (ROOT / ".." / "shared" / "coach-dev").resolve()
CODE = (ROOT / "tests", ROOT / "bot")
MIN_CONSTANT = 9


def code_texts(folders: Iterable[Path]) -> set[str]:
    """String constants longer than eight characters in the Python files under the folders."""
    seen: set[str] = set()
    for folder in folders:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                value = node.value if isinstance(node, ast.Constant) else None
                if isinstance(value, str) and len(value) >= MIN_CONSTANT:
                    seen.add(same_text(value))
    return seen


def known_texts(exclude: set[Path]) -> set[str]:
    """What a new row may not repeat: the project's data, the dev set, the tests' and bot's strings."""
    files = [p for p in DATA.rglob("*.jsonl") if p.resolve() not in exclude]
    if DEV.is_dir():
        files += sorted(DEV.glob("*.jsonl"))
    return {row_text(r) for r in read_rows(files)} | code_texts(CODE)


def keep_new(rows: Iterable[dict[str, Any]], known: set[str]) -> Iterator[dict[str, Any]]:
    """The rows whose text is neither known nor met earlier among ``rows``; ``known`` grows."""
    for row in rows:
        text = row_text(row)
        if text and text not in known:
            known.add(text)
            yield row


def main(argv: list[str] | None = None) -> int:
    """Filter the new files into ``--out``; print how many rows each kept."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="folder for the kept rows")
    args = parser.parse_args(argv)
    known = known_texts({p.resolve() for p in args.files})
    args.out.mkdir(parents=True, exist_ok=True)
    for path in args.files:
        rows = read_rows([path])
        kept = list(keep_new(rows, known))
        lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in kept)
        (args.out / path.name).write_text(lines, encoding="utf-8")
        print(f"{path.name}: kept {len(kept)} of {len(rows)}, dropped {len(rows) - len(kept)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
