"""Typed, frozen result models of the coach (pydantic v2).

The models build their validators and serializers on first use (``defer_build``): building them, and
the scan for pydantic plugins that the first validator triggers, would otherwise be paid by every
``import flows.coach``. The annotations are plain objects (no ``from __future__ import annotations``), so
the deferred build needs no lookups in this module's namespace.
"""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field


class NudgeKind(StrEnum):
    """The fixed vocabulary of statement nudges (shared/COACHING.md §2)."""

    BLAME = "blame"
    ABSOLUTE = "absolute"
    CONTEMPT = "contempt"
    DEFENSIVENESS = "defensiveness"
    STONEWALLING = "stonewalling"
    FAUX_FEELING = "faux_feeling"
    THOUGHT_AS_FEELING = "thought_as_feeling"
    DEMAND = "demand"
    EVALUATION = "evaluation"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # see the module docstring


class Nudge(_Frozen):
    """One suggestion about a party's own words.

    ``span`` is a ``(start, end)`` pair of character offsets: ``text[start:end]`` is the flagged words.
    """

    kind: NudgeKind
    span: tuple[int, int]
    suggestion: str
    quote: str = ""


class StatementReview(_Frozen):
    """The coach's review of a statement: the nudges, in order of appearance."""

    # ``kinds`` is computed and appears in dumps; accept it back when re-validating a dump.
    model_config = ConfigDict(frozen=True, extra="ignore")

    text: str
    nudges: list[Nudge] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kinds(self) -> list[NudgeKind]:
        """The sorted set of nudge kinds found."""
        return sorted({n.kind for n in self.nudges})

    @property
    def clean(self) -> bool:
        """True when no nudge was raised."""
        return not self.nudges


class ReasonCode(StrEnum):
    """Why a reflection scored as it did (shared/COACHING.md §3)."""

    NOT_A_REFLECTION_REBUTTAL = "not_a_reflection_rebuttal"
    NOT_A_REFLECTION_ADVICE = "not_a_reflection_advice"
    NOT_A_REFLECTION_QUESTION = "not_a_reflection_question"
    JUDGEMENT = "judgement"
    MINIMISING = "minimising"
    OFF_TOPIC = "off_topic"
    FACTS_COVERED = "facts_covered"
    FACTS_MISSING = "facts_missing"
    FACTS_DISTORTED = "facts_distorted"
    FEELING_NAMED = "feeling_named"
    FEELING_MISSING = "feeling_missing"
    NEED_NAMED = "need_named"
    NEED_MISSING = "need_missing"
    PARROTING = "parroting"
    OWN_WORDS = "own_words"


# The reasons that hold a text back: it is no reflection of the speaker at all.
GATE_CODES = frozenset(
    {
        ReasonCode.NOT_A_REFLECTION_REBUTTAL,
        ReasonCode.NOT_A_REFLECTION_ADVICE,
        ReasonCode.NOT_A_REFLECTION_QUESTION,
        ReasonCode.JUDGEMENT,
        ReasonCode.OFF_TOPIC,
    }
)


class Reason(_Frozen):
    """One reason behind a reflection score: a code, and the details a tip names.

    The coach returns codes only; the words a person reads are in ``bot/texts.py``. ``detail`` carries
    what a tip needs, e.g. for ``facts_distorted``: ``{"kind": "number", "wrote": "twice", "said":
    "four times"}``.
    """

    code: ReasonCode
    detail: dict[str, str] = Field(default_factory=dict)


class ReflectionScore(_Frozen):
    """Score (0–100, two decimals: it ranks replies) of a reflection, whether to forward it, and why.

    Sub-scores: ``facts`` (0–35), ``feelings`` (0–20), ``needs`` (0–20), ``own_words`` (0–15) and
    ``neutrality`` (0–10). ``gate_passed`` is the app's decision: the text is a reflection of the speaker
    at all (not a rebuttal or excuse, advice or information, a question, a judgement of the speaker or an
    off-topic reply). ``forward`` says it is a faithful, complete one. ``label`` is the model's reading
    (good, partial, parroting, minimising, distorted, rebuttal, advice, question, judgement, off_topic)
    and ``probabilities`` its probabilities for the two decisions and each label.
    """

    score: float = Field(ge=0.0, le=100.0)
    forward: bool
    gate_passed: bool
    facts: float = Field(ge=0.0)
    feelings: float = Field(ge=0.0)
    needs: float = Field(ge=0.0)
    own_words: float = Field(ge=0.0)
    neutrality: float = Field(ge=0.0)
    reasons: list[Reason] = Field(default_factory=list)
    label: str = ""
    probabilities: dict[str, float] = Field(default_factory=dict)

    @property
    def codes(self) -> list[ReasonCode]:
        """The reason codes, in order."""
        return [r.code for r in self.reasons]
