"""Tone features for statements: praise and grievance, and the two together (sarcasm's shape).

Sarcasm rarely needs an insult word: it praises what the rest of the sentence says went wrong
("Gold star for you, you filled in a timesheet"). VADER's valence lexicon (``vaderSentiment``, MIT,
Hutto & Gilbert 2014; the lexicon ships inside the wheel) scores how positive and how negative each
sentence is; the learned model reads both and their product. Loaded once per process, on first use.
"""

from __future__ import annotations

import re
import threading
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
_lock = threading.Lock()
_state: dict[str, Any] = {}


def _analyzer() -> Any:
    found = _state.get("a")
    if found is None:
        with _lock:
            found = _state.get("a")
            if found is None:
                from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

                found = _state["a"] = SentimentIntensityAnalyzer()
    return found


def tone_features(text: str, sentences: Sequence[str]) -> list[float]:
    """The tone features of ``text`` (in :data:`TONE_NAMES` order), reading each of its ``sentences``."""
    an = _analyzer()
    whole = an.polarity_scores(text)
    scored = [an.polarity_scores(s) for s in sentences] if len(sentences) > 1 else [whole]
    pos = max(s["pos"] for s in scored)
    neg = max(s["neg"] for s in scored)
    mixed = pos * neg
    you = 1.0 if _YOU.search(text) else 0.0
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
