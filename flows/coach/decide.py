"""The coach's decisions: rule features and embedding features, combined by the learned model.

:func:`score_reflection` decides whether a text is a reflection of the speaker at all (``gate_passed``,
what the app acts on), whether it is a faithful, complete one (``forward``), and which tips to give.
:func:`review_statement` decides which nudge kinds a person's own words earn. Both return codes and
details only; the words people read are in ``bot/texts.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from flows.coach import rulebook
from flows.coach.embed import Embedder, get_embedder
from flows.coach.encoder import get_encoder
from flows.coach.features import (
    NUDGE_KINDS,
    ReflectionInput,
    reflection_vector,
    statement_vectors,
)
from flows.coach.lexical import WordEvidence
from flows.coach.model import Head, Variant, get_model
from flows.coach.models import Nudge, NudgeKind, Reason, ReasonCode, ReflectionScore, StatementReview
from flows.coach.phrases import PhraseNet
from flows.coach.reflections import W_FEEL, W_NEED, analyse
from flows.coach.statements import rule_review
from flows.coach.suggest import Context, make_nudge
from flows.coach.text import normalise

HELD_LABELS = ("rebuttal", "advice", "question", "judgement", "off_topic")
FORWARDED_LABELS = ("good", "partial", "parroting", "minimising", "distorted")
LABELS = FORWARDED_LABELS + HELD_LABELS

_WORDS = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_LETTERS = re.compile(r"[^\W\d_]{2,}")  # a word of two letters or more, in any script

_GATE_REASON = {
    "rebuttal": ReasonCode.NOT_A_REFLECTION_REBUTTAL,
    "advice": ReasonCode.NOT_A_REFLECTION_ADVICE,
    "question": ReasonCode.NOT_A_REFLECTION_QUESTION,
    "judgement": ReasonCode.JUDGEMENT,
    "off_topic": ReasonCode.OFF_TOPIC,
}
# Statements of this many sentences or more are also read sentence by sentence (each sentence scored on
# its own, the highest probability counts). 98 % of the training statements have at most three
# sentences, so the whole-text model has seen those lengths; longer texts would dilute it.
SENTENCE_READING_FROM = 4
# A text this short (in words) earns a nudge only where a cue rule fires for that kind: a label or a
# one-word reply gives the model too little to read on its own.
MIN_WORDS_WITHOUT_CUE = 3
# the score mixes "a good reflection" with "a reflection at all", so a partial one ranks above a question,
# and is then scaled down by how likely the reply is a question: on transcripts a question that reuses
# the speaker's words otherwise outranks a short real reflection (AnnoMI tuning sample 0.745 -> 0.791 on
# the model of abf8eea; cross-validated good vs rest unchanged at 0.989, reflection vs question 0.997 ->
# 0.999)
SCORE_GOOD_WEIGHT = 0.7
# the score keeps two decimals: rounded to whole numbers, a third of the replies on transcripts tied at 0,
# where the model still ranked them (AnnoMI tuning sample, model of 6298f3f: 0.803 whole, 0.836 with one
# decimal, 0.837 with two; with a model trained on more rows, 0.797, 0.818 and 0.824)
SCORE_DECIMALS = 2
# a reply that is no question keeps this share of the score however weak a reflection the model reads:
# without it a question that reuses the speaker's words outranked a short spoken reflection the model
# reads as advice or a judgement, as most transcript reflections are read (AnnoMI tuning sample 0.837 ->
# 0.872; 0.1, 0.3 and 0.5 gave 0.861, 0.873 and 0.872; cross-validated good vs rest 0.9892 either way).
# Cross-validated on the training reflections, the middle 90 % of each: good 61-100, partial, parroting
# and minimising 24-49, advice, judgement, rebuttal and off-topic 19-37, a question 0-12
SCORE_FLOOR = 0.2


def score_of(p: dict[str, float]) -> float:
    """The 0-100 score from the reflection heads' probabilities: how good a reflection (``good``), how much
    a reflection at all (``held``), floored for any reply but a question (``label.question``)."""
    mix = SCORE_GOOD_WEIGHT * p["good"] + (1.0 - SCORE_GOOD_WEIGHT) * (1.0 - p["held"])
    return 100.0 * (1.0 - p.get("label.question", 0.0)) * (SCORE_FLOOR + (1.0 - SCORE_FLOOR) * mix)


def holds_back(p_held: Any, p_good: Any, threshold: float, spare_from: float) -> Any:
    """The gate's decision: likely no reflection at all (``p_held`` past its threshold), unless likely
    enough a good one (``p_good`` at least ``spare_from``). Works on floats and on numpy arrays alike."""
    return (p_held >= threshold) & (p_good < spare_from)


def reflection_input(original: str, reflection: str) -> ReflectionInput:
    """The rule analysis and rule hits of a reflection (shared by scoring and training)."""
    spans = rulebook.sentences(reflection)
    return ReflectionInput(
        original=original,
        reflection=reflection,
        analysis=analyse(original, reflection),
        hits=rulebook.apply("reflection", reflection, spans),
        spans=spans,
    )


def score_reflection(original: str, reflection: str) -> ReflectionScore:
    """Score a reflection of ``original`` (0–100), decide whether it is one at all, and say why."""
    if not _LETTERS.search(reflection):
        return ReflectionScore(
            score=0.0,
            forward=False,
            gate_passed=False,
            facts=0.0,
            feelings=0.0,
            needs=0.0,
            own_words=0.0,
            neutrality=0.0,
            reasons=[Reason(code=ReasonCode.OFF_TOPIC)],
            label="off_topic",
        )
    inp = reflection_input(original, reflection)
    embedder = get_embedder()
    variant = get_model().variant("reflection", embedder is not None)
    p = variant.probabilities(reflection_vector(inp, embedder, get_model().reflection_word_evidence))
    gate = variant.heads["held"]
    held = bool(holds_back(p["held"], p["good"], gate.threshold, gate.spare_from))
    label = max(HELD_LABELS if held else FORWARDED_LABELS, key=lambda lab: p.get(f"label.{lab}", 0.0))
    # a faithful, complete reflection: likely good, and good the likeliest of the forwarded readings
    forward = (
        not held
        and p["good"] >= variant.heads["good"].threshold
        and p["good"] >= max(p.get(f"label.{lab}", 0.0) for lab in FORWARDED_LABELS[1:])
    )
    if forward:
        label = "good"
    elif label == "good":
        label = max(FORWARDED_LABELS[1:], key=lambda lab: p.get(f"label.{lab}", 0.0))
    score = round(score_of(p), SCORE_DECIMALS)
    a = inp.analysis
    acts = {h.act for h in inp.hits}
    feeling = a.feeling_named or ("feeling" in acts and not a.faux_feeling)
    need = a.need_marker or "need" in acts
    reasons: list[Reason] = []
    if held:
        reasons.append(Reason(code=_GATE_REASON[label]))
        # what a reflection would add (the app shows only the gate reason; the practice space shows all)
        if not feeling:
            reasons.append(Reason(code=ReasonCode.FEELING_MISSING))
        if not need:
            reasons.append(Reason(code=ReasonCode.NEED_MISSING))
    else:
        if label == "distorted" or a.distortions:
            for d in a.distortions[:1]:
                reasons.append(
                    Reason(
                        code=ReasonCode.FACTS_DISTORTED,
                        detail={"kind": d.kind, "wrote": d.wrote, "said": d.said},
                    )
                )
            if not a.distortions:
                reasons.append(Reason(code=ReasonCode.FACTS_DISTORTED))
        if a.minimising or "minimising" in acts:  # said only where the words show it
            reasons.append(Reason(code=ReasonCode.MINIMISING))
        if label == "parroting":
            reasons.append(Reason(code=ReasonCode.PARROTING))
        elif not forward or a.own_words > 0:
            reasons.append(Reason(code=ReasonCode.OWN_WORDS))
        reasons.append(
            Reason(code=ReasonCode.FACTS_COVERED if a.coverage >= 0.3 else ReasonCode.FACTS_MISSING)
        )
        reasons.append(Reason(code=ReasonCode.FEELING_NAMED if feeling else ReasonCode.FEELING_MISSING))
        reasons.append(Reason(code=ReasonCode.NEED_NAMED if need else ReasonCode.NEED_MISSING))
        if not forward and label == "partial" and feeling and need:
            reasons.append(Reason(code=ReasonCode.FACTS_MISSING))
    return ReflectionScore(
        score=max(0.0, min(100.0, score)),
        forward=forward,
        gate_passed=not held,
        facts=a.facts,
        # a feeling or need said only in an idiom the rule book knows earns the part credit
        feelings=a.feelings if a.feeling_named or not feeling else round(W_FEEL * 0.7, 2),
        needs=a.needs if a.need_marker or not need else W_NEED,
        own_words=a.own_words,
        neutrality=a.neutrality,
        reasons=_dedupe(reasons),
        label=label,
        probabilities={k: round(v, 4) for k, v in p.items()},
    )


def warm_up() -> float:
    """Load the rules, the embedding model and the weights now (once per process); seconds taken.

    ``serve`` and the sandbox call it before they listen, so no person's first request pays for it.
    """
    import time

    started = time.perf_counter()
    review_statement("You always move the rota. I feel ignored. Fix it.")
    score_reflection("You moved the rota. I felt ignored.", "You felt ignored when I moved the rota.")
    return time.perf_counter() - started


def _dedupe(reasons: list[Reason]) -> list[Reason]:
    seen: set[ReasonCode] = set()
    out: list[Reason] = []
    for r in reasons:
        if r.code not in seen:
            seen.add(r.code)
            out.append(r)
    return out


@dataclass(frozen=True)
class StatementReading:
    """What the rules find in a statement, read once and shared by the features and the decision."""

    spans: list[tuple[int, int]]
    legacy: list[Nudge]
    hits: list[rulebook.Hit]


def read_statement(text: str) -> StatementReading:
    """The sentences, the hand-written rules' nudges and the rule book's hits of a statement."""
    spans = rulebook.sentences(text)
    return StatementReading(spans, rule_review(text).nudges, rulebook.apply("statement", text, spans))


def statement_features(
    text: str,
    embedder: Embedder | None,
    evidence: WordEvidence | str | None = "model",
    reading: StatementReading | None = None,
    phrases: PhraseNet | str | None = "model",
    encoded: list[float] | Callable[[], list[float]] | str | None = "model",
) -> list[list[float]]:
    """The feature vectors of a statement: the whole text, then each sentence of a long one.

    ``evidence`` and ``phrases`` are the word evidence and phrase detectors to read with, and ``encoded``
    the statement encoder's logits for the text (or a call that waits for them): the committed model's
    by default (training passes the ones fitted without the row's own fold); ``None`` leaves them out
    (the heads without the encoder). Only the text's vector ends with the encoder's logits: the encoder
    reads a text once (reading each sentence too would cost more than the budget), so a sentence's
    vector is the one the heads without the encoder read (:func:`statement_probabilities`).
    """
    pending = _encoding(text, encoded) if embedder is not None and encoded is not None else None
    words = get_model().word_evidence if isinstance(evidence, str) else evidence
    nets = get_model().phrases if isinstance(phrases, str) else phrases
    r = reading or read_statement(text)
    legacy = [(n.kind.value, n.span[0]) for n in r.legacy]
    per_sentence = len(r.spans) >= SENTENCE_READING_FROM
    vectors = statement_vectors(text, legacy, r.hits, r.spans, embedder, per_sentence, words, nets)
    if pending is None:
        return vectors
    logits = pending()
    if len(logits) != len(NUDGE_KINDS):
        raise ValueError(f"{len(NUDGE_KINDS)} encoder logits are needed, not {len(logits)}")
    vectors[0] += logits
    return vectors


def _encoding(text: str, encoded: list[float] | Callable[[], list[float]] | str) -> Callable[[], list[float]]:
    """A call that returns the encoder's logits for ``text``; the shipped encoder (``"model"``) starts
    reading at once on its own thread, so it runs beside the rules and embeddings, on the second core."""
    if not isinstance(encoded, str):
        return encoded if callable(encoded) else (lambda: encoded)
    encoder = get_encoder()
    if encoder is None:
        raise RuntimeError("the statement encoder could not load")
    return encoder.submit(text).result


def _statement_readers(text: str) -> tuple[Embedder | None, Future[list[float]] | None]:
    """The embedder a statement is read with, and the statement encoder's reading of it, started at once
    on its own thread so it runs beside the rules and embeddings: no embedder when it cannot load (the
    rules-only heads), no encoder reading when it cannot load or the text is longer than its window (the
    heads without it: its budget is one window, and a longer text is read sentence by sentence)."""
    embedder = get_embedder()
    if embedder is None:
        return None, None
    encoder = get_encoder()
    return embedder, encoder.read_if_fits(text) if encoder is not None else None


def statement_probabilities(
    text: str,
) -> tuple[dict[str, float], list[dict[str, float]], StatementReading, Variant]:
    """The model's probability of each nudge kind for the whole text and for each of its sentences, and
    the heads that gave them.

    A text earns a kind when the whole or any one sentence passes the kind's threshold; a text shorter
    than ``SENTENCE_READING_FROM`` sentences is read whole only (the thresholds were fitted the same way).
    """
    embedder, pending = _statement_readers(text)
    encoded = pending.result if pending is not None else None
    r = read_statement(text)
    variant = get_model().variant("statement", embedder is not None, encoded=pending is not None)
    vectors = statement_features(text, embedder, reading=r, encoded=encoded)
    whole = variant.probabilities(vectors[0])
    if len(vectors) == 1:
        return whole, [whole], r, variant
    # a sentence has no encoder reading of its own: the heads trained without the encoder read it, and
    # the thresholds of the text's heads were fitted on exactly this mixture (flows.coach.training)
    by_sentence = variant if pending is None else get_model().variant("statement", True, encoded=False)
    return whole, [by_sentence.probabilities(v) for v in vectors[1:]], r, variant


def _raised(
    text: str,
    whole: dict[str, float],
    per_sentence: list[dict[str, float]],
    reading: StatementReading,
    heads: dict[str, Head],
) -> set[str]:
    """The kinds the model raises: past the bar for a kind a cue supports, or the higher bar alone."""
    cued = {n.kind.value for n in reading.legacy} | {h.act for h in reading.hits}
    kinds: set[str] = set()
    for k in NUDGE_KINDS:
        p = max(whole[k], *(q[k] for q in per_sentence))
        head = heads[k]
        if p >= head.threshold_alone or (p >= head.threshold and k in cued):
            kinds.add(k)
    if len(_WORDS.findall(text)) < MIN_WORDS_WITHOUT_CUE:
        kinds &= cued
    return kinds


def review_statement(text: str) -> StatementReview:
    """Review a party's own words and return gentle nudges (empty for a clear I-statement).

    Each nudge carries its kind (``bot/texts.py`` says why it matters), the character span of the words
    it is about and a concrete suggestion.
    """
    if not _LETTERS.search(text):
        return StatementReview(text=text, nudges=[])  # no words to read: nothing to suggest
    whole, per_sentence, reading, variant = statement_probabilities(text)
    kinds = _raised(text, whole, per_sentence, reading, variant.heads)
    spans, hits = reading.spans, reading.hits
    nudges = [n for n in reading.legacy if n.kind.value in kinds]
    have = {n.kind.value for n in nudges}
    ctx = Context(normalise(text))
    for kind in sorted(kinds - have):
        hit = next((h for h in hits if h.act == kind), None)
        if hit is not None:
            a, b = spans[hit.sentence]
        elif spans:
            a, b = spans[
                max(
                    range(len(spans)),
                    key=lambda i: per_sentence[i][kind] if len(per_sentence) == len(spans) else 0.0,
                )
            ]
        else:
            a, b = 0, len(text)
        a, b = _trim(text, a, min(b, len(text)))
        nudges.append(make_nudge(text, NudgeKind(kind), a, b, "", ctx))
    nudges.sort(key=lambda n: (n.span[0], n.kind.value))
    return StatementReview(text=text, nudges=nudges)


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Shrink a span so it neither starts nor ends with white space."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if a < b else (0, len(text))


__all__ = [
    "LABELS",
    "read_statement",
    "reflection_input",
    "review_statement",
    "score_reflection",
    "statement_probabilities",
    "warm_up",
]
