"""Kind, concrete suggestions for each nudge, shaped from the person's own words where possible."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flows.coach import lexicon as lx
from flows.coach.models import Nudge, NudgeKind
from flows.coach.text import Doc, LazyPattern, PhraseMatcher, normalise

_REAL = sorted(
    {
        w
        for fam, ws in lx.FEELING_FAMILIES.items()
        if fam != "positive"
        for w in ws
        if w not in lx.AMBIGUOUS_FEELINGS
    },
    key=len,
    reverse=True,
)
_REAL_SET = frozenset(_REAL)
_WORD = re.compile(r"[a-z][a-z'\-]*")
_SENT_STOP = re.compile(r"[.!?]")
_I_WE = re.compile(r"\b(?:i|we)\b")
_NEED_RE = re.compile(
    r"\b(?:i\s+need|i\s+want|i'd\s+like|matters\s+to\s+me|important\s+to\s+me)\s+([^.!?,;]{3,60})"
)
_ABS_WORDS = re.compile(
    r"\s*\b(?:always|constantly|continually|forever|all\s+the\s+time|every\s+(?:single\s+)?time|each\s+time|"
    r"without\s+fail)\b",
    re.IGNORECASE,
)
_FAULT_VERB = LazyPattern(
    r"^(?:you|you've|you\s+have)\s+(?:just\s+|totally\s+|completely\s+|really\s+)?(?:ruined|wrecked|destroyed|"
    r"sabotaged|screwed\s+up|messed\s+up|botched|derailed|trashed|blew)\s+(.+?)(?:\s+with\s+.*)?$",
    re.IGNORECASE,
)
_MADE_ME = re.compile(r"^you\s+(?:\w+\s+)?(?:made|make|makes|forced)\s+me\s+(.+)$", re.IGNORECASE)
_LOOK_FEEL = {
    "stupid": "embarrassed",
    "small": "hurt",
    "bad": "embarrassed",
    "foolish": "embarrassed",
    "angry": "angry",
    "cry": "upset",
    "late": "stressed",
    "miss": "disappointed",
    "wait": "frustrated",
}


def _clean(s: str) -> str:
    s = re.sub(r"\s+", " ", s).strip(" ,.;:!?")
    return s


def _own_feeling(norm: str) -> str | None:
    for m in _I_WE.finditer(norm):
        window = norm[m.end() : m.end() + 48]
        words: list[str] = _WORD.findall(_SENT_STOP.split(window)[0])
        for w in words:
            if w in _REAL_SET:
                return w
    return None


def _own_need(norm: str) -> str | None:
    m = _NEED_RE.search(norm)
    return _clean(str(m.group(1))) if m else None


_FAUX_ANY = PhraseMatcher(tuple(lx.FAUX_FEELINGS))


def _faux_in(norm: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    m = _FAUX_ANY.search(Doc(norm))
    return lx.FAUX_FEELINGS[m.group()] if m else None


_DISPOSITION = LazyPattern(
    r"^you\s+(?:just\s+|clearly\s+|obviously\s+|really\s+)?(?:don't|do\s+not|didn't|never|won't)\s+(?:even\s+)?"
    r"(care|listen|respect|bother|value|appreciate|think)\b",
    re.IGNORECASE,
)
_DISPOSITION_HINT = {
    "care": ("hurt", "consideration"),
    "listen": ("frustrated", "to be heard"),
    "respect": ("hurt", "respect"),
    "bother": ("disappointed", "to be able to rely on each other"),
    "value": ("discouraged", "appreciation"),
    "appreciate": ("discouraged", "appreciation"),
    "think": ("frustrated", "consideration"),
}
_EVERY_TIME = re.compile(
    r"^(?:every\s+(?:single\s+)?time|each\s+time|whenever)\s+(.+?),?\s+(you\b.*)$", re.IGNORECASE
)
_IF_YOU_HAD = LazyPattern(
    r"^if\s+you(?:'d|\s+had)\s+(?:just\s+|only\s+)?(\w+)\s*(.*?),?\s*(we|i|it|they)"
    r"(\s+wouldn't|\s+would\s+not|\s+would|\s+could|'d)\s+(?:have\s+)?(.+)$",
    re.IGNORECASE,
)
_LEADING_NOT = re.compile(r"^not\s+")
_IRREGULAR = {
    "sent": "send",
    "told": "tell",
    "given": "give",
    "done": "do",
    "made": "make",
    "written": "write",
    "read": "read",
    "taken": "take",
    "brought": "bring",
    "left": "leave",
    "kept": "keep",
    "put": "put",
    "checked": "check",
    "let": "let",
    "got": "get",
    "been": "be",
    "said": "say",
    "shown": "show",
}


def _base(verb: str) -> str:
    v = verb.lower()
    if v in _IRREGULAR:
        return _IRREGULAR[v]
    if v.endswith("ied"):
        return v[:-3] + "y"
    if v.endswith("ed") and len(v) > 4:
        stem = v[:-2]
        return (
            stem[:-1]
            if len(stem) > 2 and stem[-1] == stem[-2]
            else (stem if not stem.endswith("at") else v[:-1])
        )
    return v


@dataclass
class Context:
    """What the person already said about themselves, worked out once per statement (lazily)."""

    norm: str
    _cache: dict[str, object] = field(default_factory=dict)

    def feeling(self) -> str | None:
        """A real feeling they named about themselves."""
        if "feeling" not in self._cache:
            self._cache["feeling"] = _own_feeling(self.norm)
        return self._cache["feeling"]  # type: ignore[return-value]

    def need(self) -> str | None:
        """A need they named ("I need …", "… matters to me")."""
        if "need" not in self._cache:
            self._cache["need"] = _own_need(self.norm)
        return self._cache["need"]  # type: ignore[return-value]

    def faux(self) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """The feelings and needs under the first faux feeling they used."""
        if "faux" not in self._cache:
            self._cache["faux"] = _faux_in(self.norm)
        return self._cache["faux"]  # type: ignore[return-value]


def _observation(quote: str) -> tuple[str, str | None, str | None, str | None]:
    """Turn a blaming clause into a neutral 'When …' observation.

    Returns (observation, feeling hint, need hint, request hint).
    """
    if m := _EVERY_TIME.match(_clean(quote)):
        rest = _clean(_ABS_WORDS.sub("", m.group(2)))
        return f"{m.group(1)} [on one specific day] and {rest}", None, None, None
    q = _clean(_ABS_WORDS.sub("", quote))
    low = normalise(q)
    if m := _IF_YOU_HAD.match(q):
        verb, obj, subj, modal, outcome = m.groups()
        request = f"{_base(verb)} {obj}".strip() + " next time"
        if "n't" in modal or "not" in modal:
            outcome = _LEADING_NOT.sub("", outcome)
            return f"{subj} {outcome}", None, None, request
        return f"you didn't {_base(verb)} {obj}".strip(), None, None, request
    if m := _DISPOSITION.match(q):
        feeling, need = _DISPOSITION_HINT[m.group(1).lower()]
        return "[one specific moment, e.g. when my request on Tuesday went unanswered]", feeling, need, None
    if m := _FAULT_VERB.match(q):
        return f"{_clean(m.group(1))} went wrong", "disappointed", None, None
    if m := _MADE_ME.match(q):
        rest = _clean(m.group(1))
        words = normalise(rest).split()
        hint = next((_LOOK_FEEL[w] for w in words if w in _LOOK_FEEL), None)
        tail = re.sub(r"^(?:look|feel|seem)\s+(?:like\s+)?(?:an?\s+)?\w+\s*", "", rest, flags=re.IGNORECASE)
        return (f"that happened {tail}" if tail else "that happened"), hint, None, None
    for pat in (
        r"^because\s+of\s+you,?\s*",
        r"^thanks\s+to\s+you,?\s*",
        r"^it's\s+your\s+fault,?\s*",
        r"^(?:it\s+is|that's|it\s+was)\s+your\s+fault,?\s*",
        r"^your\s+fault,?\s*",
    ):
        pm = re.match(pat, low)
        if pm:
            rest = _clean(q[pm.end() :])
            return (rest or "that happened"), None, None, None
    if low.startswith(("you never", "you don't", "you didn't", "you do not")):
        return "[one specific time, e.g. in Tuesday's meeting] " + q[0].lower() + q[1:], None, None, None
    if low.startswith("you"):
        return q[0].lower() + q[1:], None, None, None
    return "[what happened, e.g. on Tuesday at 10]", None, None, None


def _blame_suggestion(ctx: Context, quote: str) -> str:
    obs, hint, need_hint, request = _observation(quote)
    feeling = ctx.feeling()
    need = ctx.need()
    faux = ctx.faux()
    if not feeling:
        feeling = (" and ".join(faux[0][:2]) if faux else hint) or "[your feeling, e.g. frustrated]"
    if not need:
        need = (
            faux[1][0] if faux else need_hint
        ) or "[what matters to you, e.g. to be able to rely on each other]"
    ask = request or "[one concrete thing they could do]"
    return (
        f'Try describing what happened and how it landed for you: "When {obs}, I felt {feeling}, '
        f'because I need {need}. Would you be willing to {ask}?"'
    )


def _demand_suggestion(quote: str) -> str:
    q = _clean(quote)
    m = re.match(
        r"^you\s+(?:(?:really|just|absolutely|seriously|simply)\s+)*(?:must|have\s+to|need\s+to|should(?:n't)?|"
        r"'ve\s+got\s+to|have\s+got\s+to|got\s+to|had\s+better|'d\s+better|ought\s+to)\s+(.+)$",
        normalise(q),
    )
    if m:
        action = q[m.start(1) :]
        if action.lower().startswith("have "):
            action = "next time, " + action[5:]
        return f'A request leaves them free to say yes: "Would you be willing to {action}?"'
    m2 = re.match(r"^(?:please\s+)?(?:just\s+)?(stop|quit)\s+(.+)$", normalise(q))
    if m2:
        return f'Try a request: "Would you be willing to check with me before {q[m2.start(2) :]}?"'
    return 'Try turning it into a request they can say yes or no to: "Would you be willing to …?"'


def _suggestion(ctx: Context, kind: NudgeKind, quote: str, info: str) -> str:
    q = quote.strip()
    if kind is NudgeKind.BLAME:
        return _blame_suggestion(ctx, q)
    if kind is NudgeKind.ABSOLUTE:
        return (
            f'Instead of "{q}", name one specific time: "On Tuesday, when …". A concrete example is '
            "easier to hear than a pattern."
        )
    if kind is NudgeKind.CONTEMPT:
        return (
            "Under the sharpness there's probably something that matters to you. Try saying it plainly: "
            '"I\'m frustrated, because I need [what matters to you]. Would you be willing to …?"'
        )
    if kind is NudgeKind.DEFENSIVENESS:
        return (
            "Try owning a part, even a small one, before giving your side: \"You're right that I …; what "
            'made it hard for me was …".'
        )
    if kind is NudgeKind.STONEWALLING:
        return (
            "If you need a pause, say so and name when you'll come back: \"I need about twenty minutes to "
            'settle. Can we pick this up at [time]?"'
        )
    if kind is NudgeKind.FAUX_FEELING:
        word = normalise(info or q)
        feelings, needs = lx.FAUX_FEELINGS.get(word, (("hurt", "frustrated"), ("respect",)))
        need_text = " or ".join(n if n.startswith("to ") else f"for {n}" for n in needs)
        return (
            f'"{q}" says what you think they did. Underneath there may be feelings like '
            f'{", ".join(feelings)}, and a need {need_text}. For example: "I felt '
            f'{" and ".join(feelings[:2])}, because I need {needs[0]}."'
        )
    if kind is NudgeKind.THOUGHT_AS_FEELING:
        return (
            'Try naming the feeling itself, then the thought as yours: "When …, I felt [worried / hurt / '
            'frustrated], and I started to wonder whether …".'
        )
    if kind is NudgeKind.DEMAND:
        return _demand_suggestion(q)
    return (
        f'"{q}" is a judgement. What exactly happened, and when? For example: "In Tuesday\'s review, '
        'three comments had no explanation."'
    )


def make_nudge(
    text: str, kind: NudgeKind, start: int, end: int, info: str = "", ctx: Context | None = None
) -> Nudge:
    """Build a nudge for ``text[start:end]`` with its suggestion (``bot/texts.py`` says why, by kind).

    Pass one ``Context`` for all the nudges of a statement so it is read only once.
    """
    quote = text[start:end]
    return Nudge(
        kind=kind,
        span=(start, end),
        suggestion=_suggestion(ctx or Context(normalise(text)), kind, quote, info),
        quote=quote,
    )
