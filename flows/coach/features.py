"""Feature vectors for the coach's learned model: rule hits, the rule analysis and embedding similarity.

A feature vector is a plain ``list[float]`` in the order of the names :func:`reflection_names` and
:func:`statement_names` give; the model file stores those names and refuses a vector of another shape.
``embedded=False`` leaves out the embedding features (the rules-only model, used when the embedding
model cannot load).
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flows.coach import rulebook
from flows.coach.embed import DIM, Embedder, unit_mean
from flows.coach.lexical import WordEvidence
from flows.coach.phrases import PhraseNet, token_ranges
from flows.coach.reflections import RuleAnalysis
from flows.coach.text import normalise
from flows.coach.tone import TONE_NAMES, tone_vectors

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

PROTOTYPES = Path(__file__).parent / "data" / "prototypes.yaml"
DISTORTION_KINDS = ("number", "day", "name", "actor", "negation")
NUDGE_KINDS = rulebook.STATEMENT_ACTS
# Statements read the raw 256 embedding dimensions as well as the prototype similarities: without them
# the cross-validated macro-F1 drops by about three points (contempt most). Set False to compare.
STATEMENT_RAW_EMBEDDING = True

_YOU = re.compile(r"\b(?:you|your|you're|you've|you'd|you'll|yours|yourself|u)\b")
_ME = re.compile(r"\b(?:i|me|my|mine|i'm|i've|i'd|i'll|myself|we|our|us)\b")
_WORD = re.compile(r"[a-z0-9']+")
_STEM_OPENERS = re.compile(
    r"^\s*(?:so|it\s+sounds|sounds|it\s+seems|you're\s+saying|what\s+i\s+hear|if\s+i've\s+got|i\s+hear|"
    r"from\s+what|you\s+felt|you\s+were|you)\b"
)


@dataclass(frozen=True)
class Prototypes:
    """The prototype phrases' unit vectors, by book and group."""

    groups: dict[str, dict[str, npt.NDArray[np.float32]]]


_lock = threading.Lock()
_protos: dict[int, Prototypes] = {}


def prototypes(embedder: Embedder) -> Prototypes:
    """The prototype vectors for ``embedder``, embedded once per process."""
    key = id(embedder)
    found = _protos.get(key)
    if found is None:
        with _lock:
            found = _protos.get(key)
            if found is None:
                import yaml

                raw = yaml.safe_load(PROTOTYPES.read_text(encoding="utf-8"))
                found = Prototypes(
                    {
                        book: {g: embedder.embed(list(ps)) for g, ps in groups.items()}
                        for book, groups in raw.items()
                    }
                )
                _protos.clear()
                _protos[key] = found
    return found


def _group_names(book: str) -> list[str]:
    return list(_PROTO_GROUPS[book])


_PROTO_GROUPS = {
    "reflection": (
        "feeling",
        "need",
        "question",
        "advice",
        "rebuttal",
        "judgement",
        "minimising",
        "off_topic",
    ),
    "statement": NUDGE_KINDS,
}


def _act_names(book: rulebook.Book, acts: tuple[str, ...]) -> list[str]:
    rules = [f"rule.{r.id}" for r in rulebook.rules(book)]
    return [f"act.{a}" for a in acts] + rules + [f"act_share.{a}" for a in acts]


def _shape_names() -> list[str]:
    return [
        "shape.log_words",
        "shape.sentences",
        "shape.question_share",
        "shape.ends_question",
        "shape.exclaim",
        "shape.you_rate",
        "shape.me_rate",
        "shape.stem_opener",
        "shape.first_is_question",
        "shape.last_is_check",
    ]


_ANALYSIS_NAMES = [
    "rules.rebuttal",
    "rules.advice",
    "rules.question",
    "rules.real_questions",
    "rules.checkins",
    "rules.declarative_share",
    "rules.judgement",
    "rules.minimising",
    "rules.sarcasm",
    "rules.coverage",
    "rules.reuse",
    *[f"rules.distortion.{k}" for k in DISTORTION_KINDS],
    "rules.self_focus",
    "rules.addressed",
    "rules.speaks_of_self",
    "rules.feeling_named",
    "rules.feeling_matches",
    "rules.faux_feeling",
    "rules.need_marker",
    "rules.need_noun",
    "rules.off_topic",
    "rules.copy_share",
    "rules.longest_copy",
    "rules.facts",
    "rules.feelings",
    "rules.needs",
    "rules.own_words",
    "rules.neutrality",
    "rules.score",
]


# the readings the reflections' word evidence is counted for (flows.coach.lexical)
REFLECTION_EVIDENCE = ("held", "good", "distorted", "judgement")


def reflection_names(embedded: bool) -> list[str]:
    """The names of the reflection features, in vector order."""
    names = _ANALYSIS_NAMES + _act_names("reflection", rulebook.REFLECTION_ACTS) + _shape_names()
    names += [f"words.{k}" for k in REFLECTION_EVIDENCE]
    if embedded:
        names += [f"proto.{g}" for g in _group_names("reflection")]
        names += ["sim.whole", "sim.best_sentence", "sim.mean_sentence"]
        names += [f"emb.{i}" for i in range(DIM)]
    return names


def statement_names(embedded: bool, encoded: bool = True) -> list[str]:
    """The names of the statement features, in vector order (``encoded``: with the statement encoder's
    logits, which come last, so the heads without them read a prefix of the same vector)."""
    names = [f"rules.{k}" for k in NUDGE_KINDS] + _act_names("statement", NUDGE_KINDS) + _shape_names()
    names += [f"words.{k}" for k in NUDGE_KINDS]
    names += list(TONE_NAMES)
    if embedded:
        names += [f"proto.{g}" for g in _group_names("statement")]
        names += [f"phrase.{k}" for k in NUDGE_KINDS]
        if STATEMENT_RAW_EMBEDDING:
            names += [f"emb.{i}" for i in range(DIM)]
        if encoded:
            names += [f"enc.{k}" for k in NUDGE_KINDS]
    return names


def _acts(book: rulebook.Book, hits: list[rulebook.Hit], acts: tuple[str, ...], n_sent: int) -> list[float]:
    """Per act: did any rule fire; per rule: did it fire; per act: the share of sentences it fired on."""
    fired = {h.rule for h in hits}
    per_act: dict[str, set[int]] = {a: set() for a in acts}
    for h in hits:
        if h.act in per_act:  # a counter act (rulebook.STATEMENT_COUNTER_ACTS) speaks through its rule
            per_act[h.act].add(h.sentence)
    anyhit = [1.0 if per_act[a] else 0.0 for a in acts]
    per_rule = [1.0 if r.id in fired else 0.0 for r in rulebook.rules(book)]
    share = [len(per_act[a]) / max(1, n_sent) for a in acts]
    return anyhit + per_rule + share


def _shape(text: str, spans: list[tuple[int, int]], hits: list[rulebook.Hit]) -> list[float]:
    norm = normalise(text)
    words = _WORD.findall(norm)
    n = max(1, len(words))
    sents = [norm[a:b].strip() for a, b in spans] or [norm.strip()]
    q = [s.endswith("?") for s in sents]
    last = len(sents) - 1
    return [
        math.log1p(len(words)) / 5.0,
        min(len(sents), 10) / 10.0,
        sum(q) / len(sents),
        1.0 if q[-1] else 0.0,
        min(norm.count("!"), 3) / 3.0,
        min(1.0, 8.0 * len(_YOU.findall(norm)) / n),
        min(1.0, 8.0 * len(_ME.findall(norm)) / n),
        1.0 if _STEM_OPENERS.match(norm) else 0.0,
        1.0 if q[0] and not any(h.sentence == 0 and h.act == "check" for h in hits) else 0.0,
        1.0 if any(h.sentence == last and h.act == "check" for h in hits) else 0.0,
    ]


def _analysis(a: RuleAnalysis) -> list[float]:
    kinds = {d.kind for d in a.distortions}
    return [
        float(a.rebuttal),
        float(a.advice),
        float(a.question),
        min(a.real_questions, 3) / 3.0,
        min(a.checkins, 2) / 2.0,
        a.declaratives / max(1, a.declaratives + a.real_questions + a.checkins),
        float(a.judgement),
        float(a.minimising),
        float(a.sarcasm),
        min(1.0, a.coverage),
        min(1.0, a.reuse),
        *[1.0 if k in kinds else 0.0 for k in DISTORTION_KINDS],
        a.self_focus,
        float(a.addressed),
        float(a.speaks_of_self),
        float(a.feeling_named),
        float(a.feeling_matches),
        float(a.faux_feeling),
        float(a.need_marker),
        float(a.need_noun),
        float(a.off_topic),
        min(1.0, a.copy_share),
        min(a.longest_copy, 20) / 20.0,
        a.facts / 35.0,
        a.feelings / 20.0,
        a.needs / 20.0,
        a.own_words / 15.0,
        a.neutrality / 10.0,
        a.rules_score / 100.0,
    ]


def _sentence_texts(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[a:b] for a, b in spans] or [text]


def _proto_max(
    sent_vecs: npt.NDArray[np.float32], groups: dict[str, npt.NDArray[np.float32]], names: list[str]
) -> list[float]:
    return [float((sent_vecs @ groups[g].T).max()) for g in names]


@dataclass(frozen=True)
class ReflectionInput:
    """Everything the reflection features are computed from."""

    original: str
    reflection: str
    analysis: RuleAnalysis
    hits: list[rulebook.Hit]
    spans: list[tuple[int, int]]


def reflection_vector(
    inp: ReflectionInput, embedder: Embedder | None, evidence: WordEvidence | None = None
) -> list[float]:
    """The reflection feature vector (embedded features only when ``embedder`` is given)."""
    n_sent = max(1, len(inp.spans))
    vec = _analysis(inp.analysis) + _acts("reflection", inp.hits, rulebook.REFLECTION_ACTS, n_sent)
    vec += _shape(inp.reflection, inp.spans, inp.hits)
    vec += evidence.score(inp.reflection) if evidence is not None else [0.0] * len(REFLECTION_EVIDENCE)
    if embedder is None:
        return vec
    r_sents = _sentence_texts(inp.reflection, inp.spans)
    o_spans = rulebook.sentences(inp.original)
    o_sents = _sentence_texts(inp.original, o_spans)
    mats = embedder.embed([inp.reflection, inp.original, *r_sents, *o_sents])
    whole_r, whole_o = mats[0], mats[1]
    rs, os_ = mats[2 : 2 + len(r_sents)], mats[2 + len(r_sents) :]
    protos = prototypes(embedder).groups["reflection"]
    vec += _proto_max(rs, protos, _group_names("reflection"))
    cross = rs @ os_.T
    best = cross.max(axis=1)
    vec += [float(whole_r @ whole_o), float(best.max()), float(best.mean())]
    vec += [float(x) for x in whole_r]
    return vec


def statement_vectors(
    text: str,
    rule_nudge_spans: list[tuple[str, int]],
    hits: list[rulebook.Hit],
    spans: list[tuple[int, int]],
    embedder: Embedder | None,
    per_sentence: bool,
    evidence: WordEvidence | None = None,
    phrases: PhraseNet | None = None,
) -> list[list[float]]:
    """The statement feature vector, then (with ``per_sentence``) one for each sentence.

    ``rule_nudge_spans`` are the hand-written rules' nudges as (kind, start offset). Everything is
    computed once for the whole text and shared out by sentence, so reading a long text sentence by
    sentence costs one batch of embeddings, not one pass per sentence. The embedded vectors end with the
    statement encoder's logits (``enc.*``), which :func:`flows.coach.decide.statement_features` appends.
    """
    kinds_all = {k for k, _ in rule_nudge_spans}
    vec = [1.0 if k in kinds_all else 0.0 for k in NUDGE_KINDS]
    vec += _acts("statement", hits, NUDGE_KINDS, max(1, len(spans)))
    vec += _shape(text, spans, hits)
    none = [0.0] * len(NUDGE_KINDS)
    vec += evidence.score(text) if evidence is not None else none
    tone_whole, tone_sentences = tone_vectors(text, _sentence_texts(text, spans))
    vec += tone_whole
    parts = spans if per_sentence else []
    out = [vec]
    for si, (a, b) in enumerate(parts):
        kinds = {k for k, pos in rule_nudge_spans if a <= pos < b}
        s_hits = [rulebook.Hit(h.rule, h.act, 0, h.span) for h in hits if h.sentence == si]
        v = [1.0 if k in kinds else 0.0 for k in NUDGE_KINDS]
        v += _acts("statement", s_hits, NUDGE_KINDS, 1)
        v += _shape(text[a:b], [(0, b - a)], s_hits)
        v += evidence.score(text[a:b]) if evidence is not None else none
        v += tone_sentences[si]
        out.append(v)
    if embedder is None:
        return out
    import numpy as np

    # the whole text is tokenised once: its embedding and the phrase detectors read the same tokens
    vectors, ends = embedder.tokens(text)
    mats = np.vstack([unit_mean(vectors), embedder.embed(_sentence_texts(text, spans))])
    protos = prototypes(embedder).groups["statement"]
    names = _group_names("statement")
    raw = STATEMENT_RAW_EMBEDDING
    scores = _phrase_scores(vectors, ends, parts, phrases)
    out[0] += _proto_max(mats[1:], protos, names) + scores[0] + ([float(x) for x in mats[0]] if raw else [])
    for i in range(len(parts)):
        own = mats[i + 1 : i + 2]
        emb = [float(x) for x in own[0]] if raw else []
        out[i + 1] += _proto_max(own, protos, names) + scores[i + 1] + emb
    return out


def _phrase_scores(
    vectors: npt.NDArray[np.float32], ends: list[int], parts: list[tuple[int, int]], phrases: PhraseNet | None
) -> list[list[float]]:
    """The phrase network's scores for the whole text (its token ``vectors`` and their ``ends``), then
    for each sentence in ``parts``."""
    if phrases is None:
        return [[0.0] * len(NUDGE_KINDS)] * (1 + len(parts))
    return phrases.logits(vectors, [(0, len(ends)), *token_ranges(ends, parts)])
