"""Small, fast text utilities: normalising, quotes, sentences, clauses, tokens, stems, negation.

Everything keeps character offsets into the original text, so nudges can point at exact spans.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat


class LazyPattern:
    """A regex compiled on first use, with the ``re.Pattern`` methods the coach calls.

    Compiling the coach's large rules takes tens of milliseconds; most are needed only for some texts,
    so ``import flows.coach`` stays fast and each rule is compiled once, the first time it runs.
    """

    __slots__ = ("_rx", "flags", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._rx: re.Pattern[str] | None = None

    @property
    def rx(self) -> re.Pattern[str]:
        """The compiled pattern (compiled now if it was not yet)."""
        rx = self._rx
        if rx is None:
            rx = self._rx = re.compile(self.pattern, self.flags)
        return rx

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """Like ``re.Pattern.search``."""
        return self.rx.search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """Like ``re.Pattern.match``."""
        return self.rx.match(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """Like ``re.Pattern.fullmatch``."""
        return self.rx.fullmatch(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        """Like ``re.Pattern.finditer``."""
        return self.rx.finditer(string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list[str]:
        """Like ``re.Pattern.findall`` (for patterns without groups)."""
        found: list[str] = self.rx.findall(string, pos, endpos)
        return found


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


# Sentence ends. The same matches as the plain form
#     [.!?]+(?:['")\]]*)(?=\s|$)  |  \n+  |  (?<=[a-z])\s*[;:]\s+(?=[a-z])
# written so that every match starts with one character class: `re` then skips all other characters
# quickly instead of trying three alternatives at each one (twice as fast). The class consumes the first
# character; a one-character lookbehind picks the alternative it can start.
_SENT_END = LazyPattern(
    r"[.!?;:\s](?:(?<=[.!?])[.!?]*(?:['\")\]]*)(?=\s|$)|(?<=\n)\n*"
    r"|(?<=[a-z]\s)\s*[;:]\s+(?=[a-z])|(?<=[a-z][;:])\s+(?=[a-z]))"
)
# In a text without ";" or ":" only the first two alternatives can match, and they start at [.!?\n]: this
# form finds the same matches there without stopping at every space.
_SENT_END_NO_COLON = LazyPattern(r"[.!?\n](?:(?<=[.!?])[.!?]*(?:['\")\]]*)(?=\s|$)|(?<=\n)\n*)")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of a text (end excludes trailing whitespace)."""
    spans: list[tuple[int, int]] = []
    start = 0
    rx = _SENT_END if ";" in text or ":" in text else _SENT_END_NO_COLON
    for m in rx.finditer(text):
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


# Clause breaks. The same matches as the plain form
#     \s*[,;:()—–]\s*  |  \s+-\s+  |  \s+(?=(?:and|but|…|then)\b)
# written to start with one character class, like _SENT_END.
_CLAUSE_BREAK = LazyPattern(
    r"[\s,;:()\u2014\u2013](?:(?<=[,;:()\u2014\u2013])\s*|(?<=\s)(?:\s*[,;:()\u2014\u2013]\s*|\s*-\s+"
    r"|\s*(?=(?:and|but|so|because|though|although|while|yet|whereas|when|whenever|if|unless|since|then)\b)))"
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
_NUM_TOKEN = LazyPattern(
    r"\b(?:(\d[\d,]*)([a-z]*)|((?:" + "|".join(_STRONG_NUMBER_WORDS) + r")(?:-[a-z]+)?)\b|(?:a|an|one)(?=\s+"
    r"(?:hundred|thousand|million|grand)\b))(?:\s+(hundred|thousand|million|grand|k)\b)?"
)
_MULTIPLIER = {"hundred": 100, "thousand": 1000, "k": 1000, "million": 1_000_000, "grand": 1000}
_NUMBER_HINTS = (*_STRONG_NUMBER_WORDS, "hundred", "thousand", "million", "grand")


@lru_cache(maxsize=8192)
def may_hold_number(word: str) -> bool:
    """False when :func:`numbers` cannot find anything in a text whose ASCII words include ``word``.

    Every number it reads starts, at a word boundary, with a digit or a number word or multiplier ("a
    hundred"); letters and ASCII digits always lie inside one word, and a word boundary inside a word
    only follows "-" or "'". So a text none of whose words passes this check (and that has no
    non-ASCII digits) names no number.
    """
    if any(c.isdigit() for c in word):
        return True
    # a number word starts a word, or a part of one after "-" or "'" ("thirty-five", "o'clock")
    return any(part.startswith(_NUMBER_HINTS) for part in word.replace("'", "-").split("-"))


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


def _space_follows(follow: str) -> bool:
    """True when ``follow`` (what comes after a group) starts with at least one white space."""
    return follow.startswith("\\s") and follow[2:3] not in {"*", "?", "{"}


def first_words(pattern: str, depth: int = 0, follow: str = "") -> set[str] | None:
    """Literal word prefixes that every match of ``pattern`` must start with; None if unknown.

    Only alternatives that start at a word boundary (``\\b``, ``^`` or a lookbehind) can be gated.
    ``follow`` is what comes right after ``pattern`` when it is the body of a group that is neither
    optional nor repeated: a literal that ends an alternative there, followed by white space, is a whole
    word (``(?:you|we)\\s+`` starts with the word "you" or "we", not with any word starting "you").
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
            after_group = "" if rest[:1] in {"?", "*", "+", "{"} else rest or follow
            sub = first_words(body, depth + 1, after_group)
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
        elif m.end() == len(alt) and _space_follows(follow) and "'" not in word and "-" not in word:
            out.add(word + "$")  # the literal ends the group, and white space follows the group
        else:
            out.add(word[:6])
    return out


# Every prefix trigger of every GatedRegex that has worked out its triggers: a Doc indexes only these
# prefixes of its words. New triggers bump the generation, so indexes built before are built again.
_PREFIX_TRIGGERS: set[str] = set()
_prefix_generation = 0


@lru_cache(maxsize=16384)
def _wanted_prefixes(word: str, generation: int) -> tuple[str, ...]:
    """The prefixes (1–6 characters) of ``word`` that some rule is triggered by."""
    _ = generation  # part of the cache key only
    return tuple(p for p in (word[:j] for j in range(1, min(len(word), 6) + 1)) if p in _PREFIX_TRIGGERS)


def _common(index: Mapping[str, object], keys: frozenset[str]) -> set[str] | frozenset[str]:
    """The ``keys`` that are in ``index``, found by walking the smaller of the two.

    (``dict.keys() & frozenset`` walks the frozenset whatever its size.)
    """
    return keys.intersection(index) if len(index) < len(keys) else index.keys() & keys


_INLINE_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def _has_groups(pattern: str) -> bool:
    """True when the pattern has a capturing group (or inline flags): then it must not be split."""
    if _INLINE_FLAGS.search(pattern):
        return True
    cls = False
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
        elif c == "(" and (not pattern.startswith("(?", i) or pattern.startswith("(?P<", i)):
            return True
        i += 1
    return False


class GatedRegex:
    """A regex tried only where one of its possible first words starts (see :class:`Doc`).

    Its trigger words are worked out once, on first use, from the pattern text alone. A pattern that is
    an alternation (``a|b|c``, no capturing groups) is tried at each place with only the alternatives
    that can start with the word there, in their order: the alternatives left out cannot match there,
    so the match is the one the whole pattern finds, at a fraction of the cost. The regexes are compiled
    on first use (most rules are rarely needed: see :class:`LazyPattern`).
    """

    __slots__ = (
        "_alts",
        "_exact",
        "_exact_mask",
        "_full",
        "_matchers",
        "_prefix",
        "_prefix_mask",
        "_rx",
        "_triggers",
        "flags",
        "pattern",
    )

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._rx: re.Pattern[str] | None = None
        self._triggers: tuple[str, ...] | bool | None = False
        self._exact: frozenset[str] = frozenset()
        self._prefix: frozenset[str] = frozenset()
        self._alts: list[str] = [pattern]
        self._exact_mask: dict[str, int] = {}
        self._prefix_mask: dict[str, int] = {}
        self._full = 1
        self._matchers: dict[int, Callable[[str, int], re.Match[str] | None]] = {}

    @property
    def rx(self) -> re.Pattern[str]:
        """The compiled regex (compiled now if it was not yet)."""
        rx = self._rx
        if rx is None:
            rx = self._rx = re.compile(self.pattern, self.flags)
        return rx

    @property
    def triggers(self) -> tuple[str, ...] | None:
        """The word (``w$``) and prefix triggers; None when the regex cannot be gated."""
        if self._triggers is False:
            self._work_out_triggers()
        return self._triggers  # type: ignore[return-value]

    def _work_out_triggers(self) -> None:
        # Everything is set before ``_triggers`` (last), so another thread never sees half of it.
        words = first_words(self.pattern)
        triggers = tuple(sorted(words)) if words else None
        exact = frozenset(t[:-1] for t in triggers or () if t.endswith("$"))
        prefix = frozenset(t for t in triggers or () if not t.endswith("$"))
        alts = _split_top(self.pattern) if words and not _has_groups(self.pattern) else None
        exact_mask: dict[str, int] = {}
        prefix_mask: dict[str, int] = {}
        if alts and len(alts) > 1:
            # which alternatives each trigger can start (a bit per alternative, in order)
            for k, alt in enumerate(alts):
                for t in first_words(alt) or ():
                    masks = exact_mask if t.endswith("$") else prefix_mask
                    key = t[:-1] if t.endswith("$") else t
                    masks[key] = masks.get(key, 0) | 1 << k
            self._alts = alts
            self._full = (1 << len(alts)) - 1
        else:
            exact_mask = dict.fromkeys(exact, 1)
            prefix_mask = dict.fromkeys(prefix, 1)
        self._exact, self._prefix = exact, prefix
        self._exact_mask, self._prefix_mask = exact_mask, prefix_mask
        if not prefix <= _PREFIX_TRIGGERS:
            global _prefix_generation  # a cache generation, bumped on new triggers
            _PREFIX_TRIGGERS.update(prefix)
            _prefix_generation += 1
        self._triggers = triggers

    def _matcher(self, mask: int) -> Callable[[str, int], re.Match[str] | None]:
        """``match`` of the pattern made of the alternatives in ``mask`` (compiled on first use)."""
        got = self._matchers.get(mask)
        if got is None:
            if mask == self._full:
                got = self.rx.match
            else:
                alts = self._alts
                sub = "|".join(alts[k] for k in range(len(alts)) if mask >> k & 1)
                got = re.compile(sub, self.flags).match
            self._matchers[mask] = got
        return got

    def _positions(self, doc: Doc) -> list[tuple[int, int]]:
        """Where a match can start, in order, each with the alternatives that can start there."""
        index = doc.index
        # the text's words that can start a match, each with the alternatives it can start
        masks = {w: self._exact_mask[w] for w in _common(index, self._exact)}
        if self._prefix:
            by_prefix = doc.prefix_words()
            for t in _common(by_prefix, self._prefix):
                mask = self._prefix_mask[t]
                for w in by_prefix[t]:
                    masks[w] = masks.get(w, 0) | mask
        found: list[tuple[int, int]] = []
        for w, mask in masks.items():
            found.extend(zip(index[w], repeat(mask)))
        # "monday-to-wednesday" is one indexed word: its later parts can start a match too
        for part, pos in doc.hyphen_parts():
            mask = self._exact_mask.get(part, 0)
            for n in range(1, min(len(part), 6) + 1):
                mask |= self._prefix_mask.get(part[:n], 0)
            if mask:
                found.append((pos, mask))
        found.sort()
        return found

    def finditer(self, doc: Doc) -> list[re.Match[str]]:
        """All non-overlapping matches, in order (like ``re.finditer`` on ``doc.norm``)."""
        return list(self.iterate(doc))

    def iterate(self, doc: Doc) -> Iterator[re.Match[str]]:
        """The matches of :meth:`finditer`, one at a time (a caller that stops early saves the rest)."""
        if self.triggers is None:
            yield from self.rx.finditer(doc.norm)
            return
        last = -1
        norm = doc.norm
        matchers = self._matchers
        for pos, mask in self._positions(doc):
            if pos < last:
                continue
            m = (matchers.get(mask) or self._matcher(mask))(norm, pos)
            if m:
                yield m
                last = max(m.end(), pos + 1)

    def search(self, doc: Doc) -> re.Match[str] | None:
        """The first match, or None."""
        if self.triggers is None:
            return self.rx.search(doc.norm)
        norm = doc.norm
        matchers = self._matchers
        for pos, mask in self._positions(doc):
            m = (matchers.get(mask) or self._matcher(mask))(norm, pos)
            if m:
                return m
        return None


_INDEX_TOKEN = re.compile(r"[a-z0-9](?:[a-z0-9'\-]*[a-z0-9])?")
_GROUP = re.Match.group
_START = re.Match.start
_END = re.Match.end
# `_TOKEN` and `_INDEX_TOKEN` find the same tokens unless two separators (' or -) touch inside a word
_DOUBLE_SEPARATORS = ("''", "--", "'-", "-'")


class Doc:
    """A normalised text, its sentences, its words with their starts, and an index from words to starts."""

    __slots__ = (
        "_prefix_gen",
        "_prefixes",
        "_word_lists",
        "index",
        "norm",
        "sents",
        "token_ends",
        "token_starts",
        "token_words",
        "tokens",
    )

    def __init__(self, norm: str, sents: list[tuple[int, int]] | None = None) -> None:
        self.norm = norm
        self.sents = sents if sents is not None else sentence_spans(norm)
        # map() over the unbound Match methods runs in C: much faster than a comprehension per token
        found = list(_INDEX_TOKEN.finditer(norm))
        ws = list(map(_GROUP, found))
        starts = list(map(_START, found))
        index: dict[str, list[int]] = {}
        for w, pos in zip(ws, starts, strict=True):
            lst = index.get(w)
            if lst is None:
                index[w] = [pos]
            else:
                lst.append(pos)
        ends = list(map(_END, found))
        self.tokens: list[tuple[str, int, int]] = list(zip(ws, starts, ends, strict=True))
        self.index = index
        self._prefixes: dict[str, list[str]] | None = None
        self._prefix_gen = -1
        self._word_lists: tuple[list[str], list[int], list[int]] | None = None
        self.token_words = ws
        self.token_starts = starts
        self.token_ends = ends

    def hyphen_parts(self) -> list[tuple[str, int]]:
        """The parts after the first of each hyphenated word, with their offsets (few texts have any)."""
        if "-" not in self.norm:
            return []
        out: list[tuple[str, int]] = []
        for w, pos, _ in self.tokens:
            if "-" in w:
                off = 0
                for k, part in enumerate(w.split("-")):
                    if k and part:
                        out.append((part, pos + off))
                    off += len(part) + 1
        return out

    def prefix_words(self) -> dict[str, list[str]]:
        """The text's words by their first 1–6 characters, for the prefixes rules are triggered by.

        One shared index for every length, built on first use (again when rules add new prefixes).
        """
        got = self._prefixes
        gen = _prefix_generation
        if got is None or self._prefix_gen != gen:
            got = {}
            for w in self.index:
                for key in _wanted_prefixes(w, gen):
                    lst = got.get(key)
                    if lst is None:
                        got[key] = [w]
                    else:
                        lst.append(w)
            self._prefixes = got
            self._prefix_gen = gen
        return got

    def words(self) -> tuple[list[str], list[int], list[int]]:
        """Exactly the words :func:`words` finds in the whole text, with their start and end offsets.

        The index tokens are reused when no two separators touch (then both tokenisers agree).
        """
        got = self._word_lists
        if got is None:
            norm = self.norm
            if any(sep in norm for sep in _DOUBLE_SEPARATORS):
                found = list(_TOKEN.finditer(norm))
                got = (list(map(_GROUP, found)), list(map(_START, found)), list(map(_END, found)))
            else:
                got = (self.token_words, self.token_starts, self.token_ends)
            self._word_lists = got
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

    __slots__ = ("by_first", "first_words", "longest")

    def __init__(self, phrases: tuple[str, ...] | list[str] | frozenset[str] | set[str]) -> None:
        # first word -> (the one-word phrase or None, second word -> longer phrases, longest first)
        by_first: dict[str, tuple[str | None, dict[str, list[tuple[tuple[str, ...], str]]]]] = {}
        longest = 1
        for p in set(phrases):
            words = tuple(_INDEX_TOKEN.findall(p.lower()))
            if not words:
                continue
            single, by_second = by_first.get(words[0], (None, {}))
            if len(words) == 1:
                single = words[0]
            else:
                by_second.setdefault(words[1], []).append((words, " ".join(words)))
                longest = max(longest, len(words))
            by_first[words[0]] = (single, by_second)
        for _, by_second in by_first.values():
            for v in by_second.values():
                v.sort(key=lambda phrase: len(phrase[0]), reverse=True)
        self.by_first = by_first
        self.first_words = frozenset(by_first)
        self.longest = longest

    def _at(self, toks: list[tuple[str, int, int]], i: int) -> PMatch | None:
        """The longest phrase starting at word ``i``, or None."""
        entry = self.by_first.get(toks[i][0])
        if entry is None:
            return None
        single, by_second = entry
        if by_second and i + 1 < len(toks):
            for words, text in by_second.get(toks[i + 1][0], ()):
                n = len(words)
                if i + n <= len(toks) and all(toks[i + k][0] == words[k] for k in range(2, n)):
                    return PMatch(toks[i][1], toks[i + n - 1][2], text)
        if single is not None:
            return PMatch(toks[i][1], toks[i][2], single)
        return None

    def _candidates(self, doc: Doc, start: int, stop: int) -> list[int]:
        """The starts of the words in ``[start, stop)`` a phrase can begin with, in order."""
        index = doc.index
        firsts = _common(index, self.first_words)
        if not firsts:
            return []
        if start == 0 and stop >= len(doc.norm):
            return sorted(chain.from_iterable(map(index.__getitem__, firsts)))
        return sorted(p for w in firsts for p in index[w] if start <= p < stop)

    def finditer(self, doc: Doc, start: int = 0, end: int | None = None) -> list[PMatch]:
        """Non-overlapping matches, longest phrase first at each word, within ``[start, end)``."""
        stop = len(doc.norm) if end is None else end
        cands = self._candidates(doc, start, stop)
        if not cands:
            return []
        toks = doc.tokens
        starts = doc.token_starts
        at = self._at
        out: list[PMatch] = []
        nxt = 0  # words before this index are inside the previous match
        for pos in cands:
            i = bisect_left(starts, pos)
            if i < nxt:
                continue
            m = at(toks, i)
            if m is not None and m._end <= stop:
                out.append(m)
                nxt = bisect_left(starts, m._end)
        return out

    def search(self, doc: Doc, start: int = 0, end: int | None = None) -> PMatch | None:
        """The first match, or None (the first of :meth:`finditer`, found without looking further)."""
        stop = len(doc.norm) if end is None else end
        toks = doc.tokens
        starts = doc.token_starts
        for pos in self._candidates(doc, start, stop):
            m = self._at(toks, bisect_left(starts, pos))
            if m is not None and m._end <= stop:
                return m
        return None

    def match(self, doc: Doc, pos: int) -> PMatch | None:
        """A phrase starting exactly at character ``pos`` (after optional spaces), or None."""
        i = bisect_left(doc.token_starts, pos)
        if i >= len(doc.tokens) or doc.norm[pos : doc.tokens[i][1]].strip():
            return None
        return self._at(doc.tokens, i)
