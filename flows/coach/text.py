"""Small, fast text utilities: normalising, quotes, sentences, clauses, tokens, stems, negation.

Everything keeps character offsets into the original text, so nudges can point at exact spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_TRANS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "´": "'", "`": "'"})


def normalise(text: str) -> str:
    """Lower-case the text and straighten curly quotes, keeping its length (offsets stay valid)."""
    return text.translate(_TRANS).lower()


# A single quote opens when it follows a non-word character and precedes a word character; it closes
# when it follows a word/punctuation character and precedes a non-word character. Apostrophes inside
# words (won't, it's) match neither.
_SQ_OPEN = re.compile(r"(?<![\w])'(?=[\w])")
_SQ_CLOSE = re.compile(r"(?<=[\w.,!?])'(?![\w])")
_DQ = re.compile(r'"([^"\n]{1,400})"')


def quote_spans(norm: str) -> list[tuple[int, int]]:
    """Spans (including the quote marks) of quoted words in a normalised text."""
    spans: list[tuple[int, int]] = [(m.start(), m.end()) for m in _DQ.finditer(norm)]
    closes = [m.start() for m in _SQ_CLOSE.finditer(norm)]
    pos = 0
    for m in _SQ_OPEN.finditer(norm):
        start = m.start()
        if start < pos or any(a <= start < b for a, b in spans):
            continue
        end = next((c for c in closes if c > start), -1)
        if end < 0 or end - start > 300 or "\n" in norm[start:end]:
            continue
        spans.append((start, end + 1))
        pos = end + 1
    spans.sort()
    return spans


def mask_spans(norm: str, spans: list[tuple[int, int]], fill: str = "_") -> str:
    """Replace the inside of each span (not its first and last character) with ``fill``."""
    if not spans:
        return norm
    chars = list(norm)
    for a, b in spans:
        for i in range(a + 1, b - 1):
            if chars[i] != " ":
                chars[i] = fill
    return "".join(chars)


_SENT_END = re.compile(r"[.!?]+(?:['\")\]]*)(?=\s|$)|\n+|(?<=[a-z])\s*[;:]\s+(?=[a-z])")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of a text (end excludes trailing whitespace)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        end = m.end()
        seg = text[start:end]
        if seg.strip():
            lead = len(seg) - len(seg.lstrip())
            spans.append((start + lead, start + len(seg.rstrip())))
        start = end
    seg = text[start:]
    if seg.strip():
        lead = len(seg) - len(seg.lstrip())
        spans.append((start + lead, start + len(seg.rstrip())))
    return spans


_CLAUSE_BREAK = re.compile(
    r"\s*[,;:()\u2014\u2013]\s*|\s+-\s+|\s+(?=(?:and|but|so|because|though|although|while|yet|whereas|"
    r"when|whenever|if|unless|since|then)\b)"
)


def clause_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into rough clauses at punctuation and conjunctions."""
    stop = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    pos = start
    for m in _CLAUSE_BREAK.finditer(text, start, stop):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < stop:
        out.append((pos, stop))
    return [(a, b) for a, b in out if text[a:b].strip()]


@dataclass(frozen=True, slots=True)
class Token:
    """A word token with its offsets; ``low`` is lower-cased with straight apostrophes."""

    low: str
    start: int
    end: int


_TOKEN = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*")


def tokens(norm: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Word tokens of a normalised text (or of a slice of it)."""
    stop = len(norm) if end is None else end
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(norm, start, stop)]


_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "twice": 2, "thrice": 3, "once": 1, "single": 1,
    "half": 0, "dozen": 12, "a": 1, "an": 1, "couple": 2,
}
_WEAK_NUMBERS = {"a", "an", "one", "once", "first", "second", "single", "half", "couple", "zero"}
_NUM = re.compile(r"\d+")


def numbers(norm: str) -> set[int]:
    """Numbers named in a normalised text (digits and number words), except weak ones (a, one, first)."""
    found: set[int] = set()
    for m in _NUM.finditer(norm):
        if len(m.group()) <= 6:
            found.add(int(m.group()))
    for t in tokens(norm):
        for part in t.low.split("-"):
            if part in _NUMBER_WORDS and part not in _WEAK_NUMBERS:
                found.add(_NUMBER_WORDS[part])
    return found


_SUFFIXES = (
    "ational", "ization", "isation", "fulness", "iveness", "ements", "ement", "ments", "ment",
    "ingly", "ously", "ities", "ity", "ness", "ions", "ion", "ings", "ing", "edly", "ied", "ies", "ed",
    "ers", "er", "ly", "es", "s",
)


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A light, deterministic suffix-stripping stemmer (good enough to match word families)."""
    w = word.lower().replace("'", "")
    if w.endswith("n't"):
        w = w[:-3]
    if len(w) <= 3:
        return w
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            w = w[: -len(suf)]
            break
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    if w.endswith("i") and len(w) > 3:
        w = w[:-1] + "y"
    return w
