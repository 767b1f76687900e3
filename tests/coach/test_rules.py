"""Rules as data: every cue rule fires on its own examples and stays quiet on its counterexamples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.coach import rulebook
from flows.coach.text import normalise

CASES = [
    pytest.param(rule, text, True, id=f"{rule.id}+{i}")
    for book in ("reflection", "statement")
    for rule in rulebook.rules(book)  # type: ignore[arg-type]
    for i, text in enumerate(rule.examples)
] + [
    pytest.param(rule, text, False, id=f"{rule.id}-{i}")
    for book in ("reflection", "statement")
    for rule in rulebook.rules(book)  # type: ignore[arg-type]
    for i, text in enumerate(rule.counterexamples)
]


@pytest.mark.parametrize(("rule", "text", "fires"), CASES)
def test_rule_on_its_own_examples(rule: rulebook.Rule, text: str, fires: bool) -> None:
    assert (rule.hits(normalise(text).strip()) is not None) is fires


@pytest.mark.parametrize("book", ["reflection", "statement"])
def test_every_rule_has_an_example_and_a_known_act(book: rulebook.Book) -> None:
    acts = rulebook.REFLECTION_ACTS if book == "reflection" else rulebook.STATEMENT_ACTS
    acts += () if book == "reflection" else rulebook.STATEMENT_COUNTER_ACTS
    for rule in rulebook.rules(book):
        assert rule.examples, rule.id
        assert rule.act in acts


def test_hits_carry_sentence_and_span() -> None:
    text = "I hear you. But I had no choice, the client moved it."
    hits = rulebook.apply("reflection", text)
    found = {h.rule for h in hits}
    assert "excuse.no_choice" in found
    for h in hits:
        a, b = h.span
        assert 0 <= a < b <= len(text)
    assert {h.sentence for h in hits if h.rule == "excuse.no_choice"} == {1}


def test_a_bad_rule_file_is_refused(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "reflection.yaml"  # type: ignore[operator]
    bad.write_text("- {id: x, act: shouting, pattern: 'x'}\n", encoding="utf-8")
    monkeypatch.setattr(rulebook, "RULES_DIR", tmp_path)
    with pytest.raises(ValueError, match="unknown act"):
        rulebook._compile("reflection")


def _every_rule_on_every_sentence(book: rulebook.Book, text: str) -> list[rulebook.Hit]:
    norm = normalise(text)
    out = []
    for si, (a, b) in enumerate(rulebook.sentences(norm)):
        for rule in rulebook.rules(book):
            m = rule.hits(norm[a:b])
            if m is not None:
                end = min(a + m.end(), len(text))
                out.append(rulebook.Hit(rule.id, rule.act, si, (min(a + m.start(), end), end)))
    return out


def _data_texts() -> list[str]:
    texts = []
    for path in sorted((Path(__file__).parent / "data").glob("**/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts += [row[k] for k in ("text", "original", "reflection") if k in row]
    return texts


def test_ruling_rules_out_by_the_whole_text_changes_no_hit() -> None:
    """`apply` skips a rule the whole text cannot match; on the texts of the data sets, run together
    and squashed (no space after a full stop) and shouted, it finds exactly what every rule on every
    sentence finds."""
    texts = _data_texts()[::4]  # a quarter of them: the whole check takes seconds
    assert len(texts) > 2000
    texts += [t.replace(". ", ".") for t in texts[:600]] + [t.upper() for t in texts[:200]]
    texts += ["", "   ", "x.y.z", "Fine.Whatever", "ok you win.i won't raise it again"]
    for book in ("statement", "reflection"):
        assert any(r.whole_text_first for r in rulebook.rules(book))
        for text in texts:
            assert rulebook.apply(book, text) == _every_rule_on_every_sentence(book, text), (book, text)
