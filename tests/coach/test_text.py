"""Text utilities: the gated regexes must find exactly what a plain scan finds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import flows.coach.reflections as refl_mod
import flows.coach.statements as stmt_mod
from flows.coach.text import Doc, GatedRegex, PhraseMatcher, normalise, quote_spans, sentence_spans, stem

DATA = Path(__file__).parent / "data"


def _texts() -> list[str]:
    out: list[str] = []
    for f in sorted(DATA.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            out += [row.get("text", ""), row.get("original", ""), row.get("reflection", "")]
    return [t for t in out if t]


GATED = list(
    {
        id(obj): (name, obj)
        for mod in (stmt_mod, refl_mod)
        for name, obj in vars(mod).items()
        if isinstance(obj, GatedRegex)
    }.values()
)


@pytest.mark.parametrize(("name", "rx"), GATED, ids=[n for n, _ in GATED])
def test_gating_loses_no_match(name: str, rx: GatedRegex) -> None:
    for text in _texts():
        norm = normalise(text)
        plain = [m.end() for m in rx.rx.finditer(norm)]
        gated = [m.end() for m in rx.finditer(Doc(norm))]
        assert plain == gated, (name, text)


def test_most_rules_are_gated() -> None:
    ungated = [name for name, rx in GATED if rx.triggers is None]
    assert len(ungated) <= 3, ungated


def test_phrase_matcher_prefers_the_longest_phrase() -> None:
    pm = PhraseMatcher(["let down", "let", "taken for granted"])
    doc = Doc(normalise("I feel let down and taken for granted."))
    assert [m.group() for m in pm.finditer(doc)] == ["let down", "taken for granted"]


def test_normalise_keeps_offsets() -> None:
    text = "It’s “fine” — I’m OK"
    assert len(normalise(text)) == len(text)
    assert normalise(text) == "it's \"fine\" — i'm ok"


def test_quotes_and_sentences() -> None:
    norm = normalise("He said 'this won't scale' on my PR. I felt confused! Did I?")
    (span,) = quote_spans(norm)
    assert norm[span[0] : span[1]] == "'this won't scale'"
    assert len(sentence_spans(norm)) == 3


@pytest.mark.parametrize(
    ("a", "b"), [("frustrated", "frustration"), ("reviews", "reviewed"), ("meeting", "meetings")]
)
def test_stem_joins_word_families(a: str, b: str) -> None:
    assert stem(a) == stem(b)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("£2,000 over budget", {2000}),
        ("two thousand pounds", {2000}),
        ("day 4, not day 2", {2, 4}),
        ("from the 20th to the 13th", {13, 20}),
        ("a 15-minute call at 10pm", {10, 15}),
        ("twice, on one evening, the first time", {2}),
    ],
)
def test_numbers(text: str, expected: set[int]) -> None:
    from flows.coach.text import numbers

    assert numbers(normalise(text)) == expected
