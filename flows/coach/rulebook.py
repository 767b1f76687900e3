"""Rules as data: the coach's cue rules, read from ``flows/coach/rules/*.yaml``.

Each rule is a record: an ``id``, the ``act`` it signals (a speech act of a reflection, or a nudge kind
of a statement), a ``pattern``, ``exceptions`` that veto a match, and its own ``examples`` and
``counterexamples``. A rule only *signals*: its hits are counted per act and fed to the learned model
(:mod:`flows.coach.model`), which decides. ``tests/coach/test_rules.py`` runs every rule on its own
examples and counterexamples, so whoever edits a rule sees at once what moved.

The files are read and compiled on first use, not at import.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from flows.coach.text import normalise, sentence_spans

RULES_DIR = Path(__file__).parent / "rules"
Book = Literal["reflection", "statement"]

REFLECTION_ACTS: tuple[str, ...] = (
    "question",
    "rhetorical",
    "check",
    "advice",
    "info",
    "rebuttal",
    "excuse",
    "counter",
    "minimising",
    "judgement",
    "off_topic",
    "owning",
    "feeling",
    "need",
)
STATEMENT_ACTS: tuple[str, ...] = (
    "blame",
    "absolute",
    "contempt",
    "defensiveness",
    "stonewalling",
    "faux_feeling",
    "thought_as_feeling",
    "demand",
    "evaluation",
)
# statement acts that speak against a kind rather than for one: the model learns their weight from the
# training data, and they never lower a kind's bar as a kind's own cue does (flows.coach.decide)
STATEMENT_COUNTER_ACTS: tuple[str, ...] = ("deferring",)


@dataclass(frozen=True)
class Rule:
    """One cue rule (see the module docstring)."""

    id: str
    act: str
    pattern: re.Pattern[str]
    exceptions: tuple[re.Pattern[str], ...]
    examples: tuple[str, ...]
    counterexamples: tuple[str, ...]
    # True when a match inside a sentence is also a match somewhere in the whole text (no anchors or
    # look-behinds that see the sentence's edges): one search of the whole text can rule it out
    whole_text_first: bool = False

    def hits(self, sentence: str) -> re.Match[str] | None:
        """The match in a normalised sentence, unless an exception vetoes it."""
        m = self.pattern.search(sentence)
        if m is None:
            return None
        if any(e.search(sentence) for e in self.exceptions):
            return None
        return m


@dataclass(frozen=True)
class Hit:
    """A rule that fired on one sentence: ``span`` is in the whole text's offsets."""

    rule: str
    act: str
    sentence: int
    span: tuple[int, int]


# what can make a pattern match at a sentence's edge but nowhere in the whole text
# (word boundaries are safe: `apply` uses the whole text only when every sentence is flanked by
# non-word characters, where a boundary reads the same inside the sentence and in the whole text)
_EDGE_SENSITIVE = re.compile(r"\^|\$|\\A|\\Z|\(\?<?[=!]")
_lock = threading.Lock()
_books: dict[str, tuple[Rule, ...]] = {}


def _compile(book: Book) -> tuple[Rule, ...]:
    import yaml

    raw = yaml.safe_load((RULES_DIR / f"{book}.yaml").read_text(encoding="utf-8"))
    acts = REFLECTION_ACTS if book == "reflection" else STATEMENT_ACTS + STATEMENT_COUNTER_ACTS
    rules: list[Rule] = []
    for rec in raw:
        if rec["act"] not in acts:
            raise ValueError(f"rule {rec['id']}: unknown act {rec['act']!r}")
        rules.append(
            Rule(
                id=str(rec["id"]),
                act=str(rec["act"]),
                pattern=re.compile(rec["pattern"]),
                exceptions=tuple(re.compile(e) for e in rec.get("exceptions") or ()),
                examples=tuple(rec.get("examples") or ()),
                counterexamples=tuple(rec.get("counterexamples") or ()),
                whole_text_first=not _EDGE_SENSITIVE.search(rec["pattern"]),
            )
        )
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise ValueError(f"duplicate rule ids in {book}.yaml")
    return tuple(rules)


def rules(book: Book) -> tuple[Rule, ...]:
    """The compiled rules of a book, read once per process."""
    found = _books.get(book)
    if found is None:
        with _lock:
            found = _books.get(book)
            if found is None:
                found = _compile(book)
                _books[book] = found
    return found


def sentences(text: str) -> list[tuple[int, int]]:
    """The sentence spans the rules run on (offsets into ``text``)."""
    return sentence_spans(text) or ([(0, len(text))] if text.strip() else [])


def apply(book: Book, text: str, spans: list[tuple[int, int]] | None = None) -> list[Hit]:
    """Every rule hit in ``text``, sentence by sentence, in order."""
    norm = normalise(text)
    out: list[Hit] = []
    book_rules = rules(book)
    cut = spans if spans is not None else sentences(norm)
    live = book_rules
    if all(_flanked(norm, a, b) for a, b in cut):
        live = tuple(r for r in book_rules if not r.whole_text_first or r.pattern.search(norm))
    # lower-casing can lengthen a text (İ): then the offsets are the normalised text's, clamped
    for si, (a, b) in enumerate(cut):
        sent = norm[a:b]
        for rule in live:
            m = rule.hits(sent)
            if m is not None:
                end = min(a + m.end(), len(text))
                out.append(Hit(rule.id, rule.act, si, (min(a + m.start(), end), end)))
    return out


def _flanked(text: str, a: int, b: int) -> bool:
    """Whether ``text[a:b]`` has no word character just outside it (see ``Rule.whole_text_first``)."""
    before = a <= 0 or a > len(text) or not _word(text[a - 1])
    after = b >= len(text) or b < 0 or not _word(text[b])
    return before and after


_WORD_CHAR = re.compile(r"\w")


def _word(ch: str) -> bool:
    return _WORD_CHAR.match(ch) is not None
