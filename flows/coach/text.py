"""Small, fast text utilities: normalising, quotes, sentences, clauses, tokens, stems, negation.

Everything keeps character offsets into the original text, so nudges can point at exact spans.
"""

from __future__ import annotations

import re
from bisect import bisect_left
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


def words(norm: str, start: int = 0, end: int | None = None) -> list[str]:
    """The word strings of a normalised text (cheaper than :func:`tokens`)."""
    return _TOKEN.findall(norm, start, len(norm) if end is None else end)


_NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "twice": 2,
    "thrice": 3,
    "once": 1,
    "single": 1,
    "half": 0,
    "dozen": 12,
    "a": 1,
    "an": 1,
    "couple": 2,
}
_WEAK_NUMBERS = {"a", "an", "one", "once", "first", "second", "single", "half", "couple", "zero"}
_NUM = re.compile(r"\d+")


_STRONG_NUMBER_WORDS = sorted((w for w in _NUMBER_WORDS if w not in _WEAK_NUMBERS), key=len, reverse=True)
_NUM_TOKEN = re.compile(
    r"\b(?:(\d[\d,]*)([a-z]*)|((?:" + "|".join(_STRONG_NUMBER_WORDS) + r")(?:-[a-z]+)?)\b|(?:a|an|one)(?=\s+"
    r"(?:hundred|thousand|million|grand)\b))(?:\s+(hundred|thousand|million|grand|k)\b)?"
)
_MULTIPLIER = {"hundred": 100, "thousand": 1000, "k": 1000, "million": 1_000_000, "grand": 1000}


def numbers(norm: str) -> set[int]:
    """Numbers named in a normalised text (digits and number words), except weak ones (a, one, first).

    "2,000", "2k", "two thousand" and "2 grand" all read as 2000; "10pm" and "15-minute" as 10 and 15.
    """
    found: set[int] = set()
    for m in _NUM_TOKEN.finditer(norm):
        digits, suffix, word, mult_word = m.groups()
        mult = _MULTIPLIER[mult_word] if mult_word else 1
        if digits:
            # "2,000" is one number; "1,2 and 3" lists several
            thousands = len(digits) > 4 and digits[-4] == ","
            raw = digits.replace(",", "") if thousands else digits.split(",")[0]
            if not raw or len(raw) > 9:
                continue
            found.add(int(raw) * (1000 if suffix == "k" else 1) * mult)
        elif word:
            for part in word.split("-"):
                if part in _NUMBER_WORDS and part not in _WEAK_NUMBERS:
                    found.add(_NUMBER_WORDS[part] * mult)
        elif mult_word:
            found.add(mult)  # "a hundred", "one thousand"
    found.discard(0)
    return found


_SUFFIXES = (
    "ational",
    "ization",
    "isation",
    "fulness",
    "iveness",
    "ements",
    "ement",
    "ments",
    "ment",
    "ingly",
    "ously",
    "ities",
    "ity",
    "ness",
    "ions",
    "ion",
    "ings",
    "ing",
    "edly",
    "ied",
    "ies",
    "ed",
    "ers",
    "er",
    "ly",
    "es",
    "s",
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


# --- fast gating of large rule regexes ----------------------------------------------------------------
# Python's `re` tries every alternative at every word boundary, so a rule with fifty alternatives costs
# ~0.5 ms per 1,000 characters. Most alternatives start with a literal word, so a sentence that contains
# none of those first words cannot match: we check a set of word prefixes first and skip such sentences.

_ANCHOR = re.compile(
    r"\(\?:\^(?:\|\(\?<[=!][^()]*(?:\([^()]*\))?[^()]*\))*\)|\(\?<[=!][^()]*\)|\\b|\\s[*+?]?"
)


def _split_top(pattern: str) -> list[str] | None:
    """Split a pattern at its top-level ``|``; None when it is not a plain alternation."""
    parts: list[str] = []
    depth = 0
    cls = False
    start = 0
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if cls:
            cls = c != "]"
        elif c == "[":
            cls = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def _group_body(alt: str) -> tuple[str, str] | None:
    """For an alternative starting with a group ``(?:…)`` or ``(…)`` return (group body, rest)."""
    if not alt.startswith("(") or alt.startswith(("(?=", "(?!", "(?<")):
        return None
    depth = 0
    i = 0
    while i < len(alt):
        c = alt[i]
        if c == "\\":
            i += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                body = alt[3:i] if alt.startswith("(?:") else alt[1:i]
                return body, alt[i + 1 :]
        i += 1
    return None


def first_words(pattern: str, depth: int = 0) -> set[str] | None:
    """Literal word prefixes that every match of ``pattern`` must start with; None if unknown.

    Only alternatives that start at a word boundary (``\\b``, ``^`` or a lookbehind) can be gated.
    """
    if depth > 6:
        return None
    out: set[str] = set()
    parts = _split_top(pattern)
    if parts is None:
        return None
    for alt in parts:
        anchored = depth > 0
        while True:
            if alt.startswith(("(?!", "(?=")):
                # a lookahead only narrows the match: skip it (balanced parentheses)
                depth, i = 0, 0
                while i < len(alt):
                    if alt[i] == "\\":
                        i += 2
                        continue
                    depth += alt[i] == "("
                    depth -= alt[i] == ")"
                    i += 1
                    if depth == 0:
                        break
                alt = alt[i:]
                continue
            m = _ANCHOR.match(alt)
            if not m or m.end() == 0:
                break
            anchored = anchored or not m.group().startswith("\\s")
            alt = alt[m.end() :]
        grp = _group_body(alt)
        if grp is not None:
            body, rest = grp
            sub = first_words(body, depth + 1)
            if sub is None:
                return None
            out |= sub
            if rest.startswith(("?", "*")):
                tail = first_words(rest[1:], depth + 1) if rest[1:] else None
                if tail is None:
                    return None
                out |= tail
            continue
        m = re.match(r"(?:[a-z0-9'\-]|\\[-'])+", alt)
        if not m or not anchored:
            return None
        word = m.group().replace("\\", "")
        # a quantifier right after the literal makes its last character optional
        nxt = alt[m.end() : m.end() + 1]
        if nxt in {"?", "*", "{"}:
            word = word[:-1]
        if not word:
            return None
        after = alt[m.end() : m.end() + 2]
        if after in {"\\s", "\\b"} and "'" not in word and "-" not in word:
            out.add(word + "$")  # a whole word
        else:
            out.add(word[:6])
    return out


class GatedRegex:
    """A compiled regex tried only where one of its possible first words starts (see :class:`Doc`).

    The regex is compiled at import; its trigger words are worked out once, on first use.
    """

    __slots__ = ("_by_len", "_exact", "_triggers", "pattern", "rx")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.rx = re.compile(pattern, flags)
        self._triggers: tuple[str, ...] | bool | None = False
        self._exact: tuple[str, ...] = ()
        self._by_len: dict[int, tuple[str, ...]] = {}

    @property
    def triggers(self) -> tuple[str, ...] | None:
        """The word (``w$``) and prefix triggers; None when the regex cannot be gated."""
        if self._triggers is False:
            words = first_words(self.pattern)
            self._triggers = tuple(sorted(words)) if words else None
            self._exact = tuple(t[:-1] for t in self._triggers or () if t.endswith("$"))
            by_len: dict[int, list[str]] = {}
            for t in self._triggers or ():
                if not t.endswith("$"):
                    by_len.setdefault(len(t), []).append(t)
            self._by_len = {k: tuple(v) for k, v in by_len.items()}
        return self._triggers  # type: ignore[return-value]

    def _positions(self, doc: Doc) -> list[int]:
        found: set[int] = set()
        index = doc.index
        for t in self._exact:
            hit = index.get(t)
            if hit:
                found.update(hit)
        for k, ts in self._by_len.items():
            pidx = doc.prefix_index(k)
            for t in ts:
                hit = pidx.get(t)
                if hit:
                    found.update(hit)
        return sorted(found)

    def finditer(self, doc: Doc) -> list[re.Match[str]]:
        """All non-overlapping matches, in order (like ``re.finditer`` on ``doc.norm``)."""
        if self.triggers is None:
            return list(self.rx.finditer(doc.norm))
        out: list[re.Match[str]] = []
        last = -1
        match = self.rx.match
        norm = doc.norm
        for pos in self._positions(doc):
            if pos < last:
                continue
            m = match(norm, pos)
            if m:
                out.append(m)
                last = max(m.end(), pos + 1)
        return out

    def search(self, doc: Doc) -> re.Match[str] | None:
        """The first match, or None."""
        if self.triggers is None:
            return self.rx.search(doc.norm)
        match = self.rx.match
        for pos in self._positions(doc):
            m = match(doc.norm, pos)
            if m:
                return m
        return None


_INDEX_TOKEN = re.compile(r"[a-z0-9](?:[a-z0-9'\-]*[a-z0-9])?")


class Doc:
    """A normalised text, its sentences, and an index from word prefixes (1–6 chars) to word starts."""

    __slots__ = ("_prefixes", "index", "norm", "sents", "token_starts", "tokens")

    def __init__(self, norm: str, sents: list[tuple[int, int]] | None = None) -> None:
        self.norm = norm
        self.sents = sents if sents is not None else sentence_spans(norm)
        index: dict[str, list[int]] = {}
        self.tokens: list[tuple[str, int, int]] = []
        for m in _INDEX_TOKEN.finditer(norm):
            w = m.group()
            pos = m.start()
            self.tokens.append((w, pos, m.end()))
            lst = index.get(w)
            if lst is None:
                index[w] = [pos]
            else:
                lst.append(pos)
        self.index = index
        self._prefixes: dict[int, dict[str, list[int]]] = {}
        self.token_starts = [t[1] for t in self.tokens]

    def prefix_index(self, k: int) -> dict[str, list[int]]:
        """Word starts by their first 1–6 characters (one shared index, built on first use)."""
        got = self._prefixes.get(0)
        if got is None:
            got = {}
            for w, positions in self.index.items():
                for j in range(1, (len(w) if len(w) < 6 else 6) + 1):
                    key = w[:j]
                    lst = got.get(key)
                    if lst is None:
                        got[key] = list(positions)
                    else:
                        lst.extend(positions)
            self._prefixes[0] = got
        return got


class PMatch:
    """A phrase match with the small part of the ``re.Match`` interface the coach uses."""

    __slots__ = ("_end", "_start", "_text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self._start, self._end, self._text = start, end, text

    def start(self) -> int:
        """Start offset."""
        return self._start

    def end(self) -> int:
        """End offset."""
        return self._end

    def group(self) -> str:
        """The phrase as listed in the lexicon."""
        return self._text


class PhraseMatcher:
    """Find lexicon phrases (one or more words) by token lookup: no regex, so it builds and runs fast."""

    __slots__ = ("by_first", "longest")

    def __init__(self, phrases: tuple[str, ...] | list[str] | frozenset[str] | set[str]) -> None:
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for p in set(phrases):
            words = tuple(_INDEX_TOKEN.findall(p.lower()))
            if words:
                by_first.setdefault(words[0], []).append(words)
        for v in by_first.values():
            v.sort(key=len, reverse=True)
        self.by_first = by_first
        self.longest = max((len(w) for v in by_first.values() for w in v), default=1)

    def _at(self, toks: list[tuple[str, int, int]], i: int) -> PMatch | None:
        cands = self.by_first.get(toks[i][0])
        if not cands:
            return None
        for words in cands:
            n = len(words)
            if i + n <= len(toks) and all(toks[i + k][0] == words[k] for k in range(1, n)):
                return PMatch(toks[i][1], toks[i + n - 1][2], " ".join(words))
        return None

    def finditer(self, doc: Doc, start: int = 0, end: int | None = None) -> list[PMatch]:
        """Non-overlapping matches, longest phrase first at each word, within ``[start, end)``."""
        toks = doc.tokens
        stop = len(doc.norm) if end is None else end
        out: list[PMatch] = []
        i = bisect_left(doc.token_starts, start)
        by_first = self.by_first
        n = len(toks)
        while i < n and toks[i][1] < stop:
            if toks[i][0] not in by_first:
                i += 1
                continue
            m = self._at(toks, i)
            if m is not None and m.end() <= stop:
                out.append(m)
                while i < len(toks) and toks[i][1] < m.end():
                    i += 1
                continue
            i += 1
        return out

    def search(self, doc: Doc, start: int = 0, end: int | None = None) -> PMatch | None:
        """The first match, or None."""
        found = self.finditer(doc, start, end)
        return found[0] if found else None

    def match(self, doc: Doc, pos: int) -> PMatch | None:
        """A phrase starting exactly at character ``pos`` (after optional spaces), or None."""
        i = bisect_left(doc.token_starts, pos)
        if i >= len(doc.tokens) or doc.norm[pos : doc.tokens[i][1]].strip():
            return None
        return self._at(doc.tokens, i)
