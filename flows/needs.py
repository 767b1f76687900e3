"""Need words: a short list of our own, used to name the needs two people share."""

from __future__ import annotations

import re

# Each need, with the word forms that point to it.
NEEDS: dict[str, tuple[str, ...]] = {
    "clarity": ("clarity", "clear", "clearly", "understand what"),
    "respect": ("respect", "respected", "respectful"),
    "recognition": ("recognition", "recognised", "recognized", "credit", "acknowledged", "appreciated"),
    "being consulted": ("consulted", "consult", "asked first", "a say", "involved", "included", "heads-up"),
    "predictability": ("predictability", "predictable", "planning", "plan ahead", "notice", "in advance"),
    "fairness": ("fairness", "fair", "fairly", "equal"),
    "trust": ("trust", "trusted", "rely on", "reliable", "reliability"),
    "support": ("support", "supported", "help", "backing"),
    "rest": ("rest", "weekends", "time off", "evenings", "balance"),
    "autonomy": ("autonomy", "independence", "space to decide", "freedom"),
    "honesty": ("honesty", "honest", "openness", "open", "transparent", "transparency"),
    "quality": ("quality", "done well", "thorough", "testing"),
    "collaboration": ("collaboration", "teamwork", "together", "partnership"),
    "safety": ("safety", "safe", "security"),
}

_PATTERNS = {
    need: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
    for need, words in NEEDS.items()
}


def needs_in(text: str) -> set[str]:
    """The needs from `NEEDS` that a text names."""
    return {need for need, pattern in _PATTERNS.items() if pattern.search(text)}


def shared_needs(first: str, second: str) -> list[str]:
    """The needs both texts name, in the list's order."""
    both = needs_in(first) & needs_in(second)
    return [need for need in NEEDS if need in both]
