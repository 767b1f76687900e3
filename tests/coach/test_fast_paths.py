"""The coach's fast paths must give exactly what the plain forms they replace give.

Each speed-up (a regex rewritten to start with one character class, words reused from the index,
sentences skipped by the number check, …) is checked here against the plain form on random texts built
from the characters and words that decide the edge cases.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

import flows.coach.reflections as refl_mod
import flows.coach.statements as stmt_mod
import flows.coach.text as text_mod
from flows.coach.models import ReflectionScore, StatementReview
from flows.coach.text import (
    Doc,
    GatedRegex,
    LazyPattern,
    PhraseMatcher,
    normalise,
    numbers,
    sentence_spans,
    words,
)

PLAIN_SENT_END = re.compile(r"[.!?]+(?:['\")\]]*)(?=\s|$)|\n+|(?<=[a-z])\s*[;:]\s+(?=[a-z])")
PLAIN_CLAUSE_BREAK = re.compile(
    r"\s*[,;:()\u2014\u2013]\s*|\s+-\s+|\s+(?=(?:and|but|so|because|though|although|while|yet|whereas|"
    r"when|whenever|if|unless|since|then)\b)"
)

PIECES = [
    *"ab zq.!?;:,()-'\")]_\n\t",
    "\u2014",
    "\u2013",
    "\xa0",
    " and ",
    " but ",
    " so ",
    "then",
    "--",
    "''",
    "'-",
    "o'clock",
    "thirty-five",
    "2,000",
    "10pm",
    "5k",
    "\u0663",
    "\u00b2",
    "\u212a",
    "\u0130",
    "caf\u00e9",
    "often",
    "two\nhundred",
    "a hundred",
    "seventh",
    "I'm",
    "You",
    "Anna",
    "Monday",
    "\u03a3",
]


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 30))) for _ in range(n)]


def _plain_sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in PLAIN_SENT_END.finditer(text):
        seg = text[start : m.end()]
        if seg.strip():
            lead = len(seg) - len(seg.lstrip())
            spans.append((start + lead, start + len(seg.rstrip())))
        start = m.end()
    seg = text[start:]
    if seg.strip():
        lead = len(seg) - len(seg.lstrip())
        spans.append((start + lead, start + len(seg.rstrip())))
    return spans


def test_sentence_ends_match_the_plain_form() -> None:
    for text in _random_texts(20000, 1):
        assert sentence_spans(text) == _plain_sentence_spans(text), repr(text)


def test_clause_breaks_match_the_plain_form() -> None:
    rng = random.Random(2)
    for text in _random_texts(20000, 3):
        a = rng.randint(0, len(text))
        b = rng.randint(a, len(text))
        fast = [m.span() for m in text_mod._CLAUSE_BREAK.finditer(text, a, b)]
        plain = [m.span() for m in PLAIN_CLAUSE_BREAK.finditer(text, a, b)]
        assert fast == plain, (repr(text), a, b)


def test_doc_words_are_the_plain_words() -> None:
    for text in _random_texts(5000, 4):
        norm = normalise(text)
        ws, starts, ends = Doc(norm).words()
        assert ws == words(norm)
        assert [norm[a:b] for a, b in zip(starts, ends, strict=True)] == ws
        # each sentence's words are the run of the text's words inside it
        for a, b in sentence_spans(norm):
            inside = [w for w, s, e in zip(ws, starts, ends, strict=True) if a <= s and e <= b]
            assert inside == words(norm[a:b]), (repr(text), a, b)


def test_number_check_never_hides_a_number() -> None:
    for text in _random_texts(20000, 5):
        norm = normalise(text)
        if numbers(norm) and norm.isascii():
            assert any(map(text_mod.may_hold_number, words(norm))), repr(text)


def _outcome(f: Callable[[], object]) -> object:
    try:
        return f()
    except IndexError:  # "İ" lower-cases to two characters: offsets can run past the raw text
        return IndexError


def test_capitalised_words_match_the_plain_test() -> None:
    for text in _random_texts(5000, 6):
        t = refl_mod._prep(text, True)
        starts = {a for a, _ in t.sents}

        def plain(t: refl_mod._Text = t, starts: set[int] = starts) -> object:
            return [
                tok
                for tok in t.doc.tokens
                if tok[1] not in starts
                and len(tok[0]) > 2
                and tok[1] < len(t.raw)
                and t.raw[tok[1]].isupper()
            ]

        def fast(t: refl_mod._Text = t) -> object:
            return refl_mod._capitalised(t)

        assert _outcome(fast) == _outcome(plain), repr(text)


def test_person_runs_count_like_the_regexes() -> None:
    for text in _random_texts(5000, 7):
        t = refl_mod._prep(text, False)
        runs = refl_mod._runs(t)
        assert sum(w in refl_mod._FIRST_RUNS for w in runs) == len(refl_mod._FIRST_PERSON.findall(t.norm))
        assert sum(w in refl_mod._SECOND_RUNS for w in runs) == len(refl_mod._SECOND_PERSON.findall(t.norm))
        plain_addressed = re.search(r"\b(?:you|you're|you've|you'd|you'll|your|yours|yourself|u)\b", t.norm)
        assert (not refl_mod._ADDRESS_RUNS.isdisjoint(runs)) == bool(plain_addressed)


def test_lazy_pattern_compiles_once_on_first_use() -> None:
    lp = LazyPattern(r"\bb+\b")
    assert lp._rx is None
    assert lp.search("a bb c") is not None
    first = lp.rx
    assert lp.findall("b bb") == ["b", "bb"]
    assert [m.span() for m in lp.finditer("b bb", 1)] == [(2, 4)]
    assert lp.match("bb") is not None and lp.fullmatch("bb b") is None
    assert lp.rx is first


@pytest.mark.parametrize("model", [StatementReview, ReflectionScore])
def test_result_models_still_validate_and_dump(model: type[StatementReview] | type[ReflectionScore]) -> None:
    # the models build their validators on first use (defer_build); they must still validate strictly
    assert model.model_json_schema()["title"] == model.__name__
    with pytest.raises(ValueError):
        model.model_validate({"unexpected": 1})


@cache
def _mixed_corpus_texts(n: int, seed: int) -> list[str]:
    """Random mixes of sentences from the labelled data, some upper-cased or run together."""
    data = Path(__file__).parent / "data"
    sentences: list[str] = []
    for f in sorted(data.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            for key in ("text", "original", "reflection"):
                sentences += re.split(r"(?<=[.!?])\s+", row.get(key, ""))
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        text = rng.choice([" ", "\n", ", ", "; "]).join(
            rng.choice(sentences) for _ in range(rng.randint(1, 6))
        )
        out.append(text.upper() if rng.random() < 0.1 else text)
    return out


GATED = [
    (f"{mod.__name__.rsplit('.', 1)[-1]}.{name}", obj)
    for mod in (refl_mod, stmt_mod)
    for name, obj in vars(mod).items()
    if isinstance(obj, GatedRegex)
]


@pytest.mark.parametrize(("name", "rx"), GATED, ids=[n for n, _ in GATED])
def test_gated_alternatives_find_what_the_whole_regex_finds(name: str, rx: GatedRegex) -> None:
    # each place is tried with only the alternatives that can start with its word: same matches
    for text in _mixed_corpus_texts(250, 8):
        norm = normalise(text)
        doc = Doc(norm)
        plain = [(m.span(), m.group()) for m in rx.rx.finditer(norm)]
        assert [(m.span(), m.group()) for m in rx.finditer(doc)] == plain, (name, text)
        first = rx.search(doc)
        assert (first.span() if first else None) == (plain[0][0] if plain else None), (name, text)


def _plain_phrase_matches(pm: PhraseMatcher, doc: Doc, start: int, stop: int) -> list[tuple[int, int, str]]:
    """The plain walk over every word: at each, the longest phrase that starts there."""
    phrases = sorted(
        {words for _, by_second in pm.by_first.values() for v in by_second.values() for words, _ in v}
        | {(single,) for single, _ in pm.by_first.values() if single is not None},
        key=len,
        reverse=True,
    )
    toks = doc.tokens
    ws = tuple(t[0] for t in toks)
    out: list[tuple[int, int, str]] = []
    i = next((k for k, t in enumerate(toks) if t[1] >= start), len(toks))
    while i < len(toks) and toks[i][1] < stop:
        hit = next((p for p in phrases if p[0] == ws[i] and ws[i : i + len(p)] == p), None)
        if hit is not None and toks[i + len(hit) - 1][2] <= stop:
            end = toks[i + len(hit) - 1][2]
            out.append((toks[i][1], end, " ".join(hit)))
            while i < len(toks) and toks[i][1] < end:
                i += 1
            continue
        i += 1
    return out


@pytest.mark.parametrize("name", ["_FEEL_RE", "_FAUX_RE", "_NEED_NOUN_RE"])
def test_phrase_matcher_finds_what_a_plain_walk_finds(name: str) -> None:
    pm: PhraseMatcher = getattr(refl_mod, name)
    rng = random.Random(9)
    for text in _mixed_corpus_texts(250, 10):
        doc = Doc(normalise(text))
        a = rng.randint(0, len(text))
        b = rng.randint(a, len(text))
        for start, stop in ((0, len(text)), (a, b)):
            got = [(m.start(), m.end(), m.group()) for m in pm.finditer(doc, start, stop)]
            assert got == _plain_phrase_matches(pm, doc, start, stop), (name, text, start, stop)
            first = pm.search(doc, start, stop)
            assert (first.start() if first else None) == (got[0][0] if got else None)
