"""Tone features for statements: praise and grievance, and the two together (sarcasm's shape).

Sarcasm rarely needs an insult word: it praises what the rest of the sentence says went wrong
("Gold star for you, you filled in a timesheet"). VADER's valence lexicon (``vaderSentiment``, MIT,
Hutto & Gilbert 2014; the lexicon ships inside the wheel) scores how positive and how negative each
sentence is; the learned model reads both and their product. Loaded once per process, on first use.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

TONE_NAMES = (
    "tone.pos",
    "tone.neg",
    "tone.compound",
    "tone.sentence_pos",
    "tone.sentence_neg",
    "tone.incongruity",
    "tone.mixed",
    "tone.mixed_you",
    "tone.pos_you",
)
_YOU = re.compile(r"\b(?:you|your|you're|you've|you'd|you'll|yours|yourself|u|ur)\b", re.IGNORECASE)


def _windowed() -> Any:
    """VADER's analyser, with its two word-window checks given only the window they read.

    Both checks lower-case the whole text's word list on every call, which makes a long text cost the
    square of its length; they only ever read the three words before the word at ``i`` and the two
    after it, so handing them that slice (and ``i`` within it) gives the same valences in linear time
    (``tests/coach/test_tone.py`` compares with the unmodified analyser).
    """
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    negation = SentimentIntensityAnalyzer._negation_check
    idioms = SentimentIntensityAnalyzer._special_idioms_check

    class Windowed(SentimentIntensityAnalyzer):  # type: ignore[misc]
        @staticmethod
        def _negation_check(valence: float, words: list[str], start_i: int, i: int) -> float:
            lo = max(0, i - 3)
            return float(negation(valence, words[lo : i + 1], start_i, i - lo))

        @staticmethod
        def _special_idioms_check(valence: float, words: list[str], i: int) -> float:
            lo = max(0, i - 3)
            return float(idioms(valence, words[lo : i + 3], i - lo))

    return Windowed()


@functools.cache  # once per process (two threads racing at start may both build one: harmless)
def _analyzer() -> Any:
    return _windowed()


def _vector(whole: dict[str, float], scored: Sequence[dict[str, float]], you: float) -> list[float]:
    pos = max(s["pos"] for s in scored)
    neg = max(s["neg"] for s in scored)
    mixed = pos * neg
    return [
        float(whole["pos"]),
        float(whole["neg"]),
        float(whole["compound"]),
        float(pos),
        float(neg),
        float(max(s["pos"] * s["neg"] for s in scored)),
        float(mixed),
        float(mixed * you),
        float(whole["pos"] * you),
    ]


def _you(text: str) -> float:
    return 1.0 if _YOU.search(text) else 0.0


def tone_vectors(text: str, sentences: Sequence[str]) -> tuple[list[float], list[list[float]]]:
    """The tone features of ``text`` and of each of its ``sentences`` (each sentence is scored once)."""
    an = _analyzer()
    whole = an.polarity_scores(text)
    if len(sentences) <= 1:
        own = [_vector(whole, [whole], _you(text))]
        return own[0], [own[0] for _ in sentences]
    scored = [an.polarity_scores(s) for s in sentences]
    per = [_vector(sc, [sc], _you(s)) for s, sc in zip(sentences, scored, strict=True)]
    return _vector(whole, scored, _you(text)), per
