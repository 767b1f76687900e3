"""Train the coach's model (``make coach-train``): logistic regression, thresholds fitted by CV.

Reads the labelled training files (never a held-out file), computes the same feature vectors the app
computes, fits L2-regularised logistic regression heads by Newton's method (IRLS), picks the
regularisation and each head's threshold by 5-fold cross-validation (folds grouped by original, so
reflections of one original never sit on both sides), and writes ``flows/coach/data/model.json``.
Deterministic: the same data gives the same file.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from flows.coach import lexical, phrase_fit
from flows.coach.decide import (
    FORWARDED_LABELS,
    HELD_LABELS,
    LABELS,
    holds_back,
    reflection_input,
    statement_features,
)
from flows.coach.embed import Embedder, get_embedder
from flows.coach.features import (
    NUDGE_KINDS,
    REFLECTION_EVIDENCE,
    reflection_names,
    reflection_vector,
    statement_names,
)
from flows.coach.model import WITHOUT_ENCODER
from flows.coach.phrases import PhraseNet

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Array = npt.NDArray[np.float64]
    Mask = npt.NDArray[np.bool_]

# the project's own sets by split name (tests/coach/data/<kind>.<split>.jsonl): read or measured before,
# so training data now (holdout4-9 each joined after being measured), and the ones held out
TRAINING_SPLITS = (
    "tune",
    "tune2",
    "holdout",
    "holdout3",
    "holdout4",
    "holdout5",
    "holdout6",
    "holdout7",
    "holdout8",
    "holdout9",
)
# measured many times, their misses never read: their statements are training data (holdout10-16 from
# b90710c, for the statement heads and encoder; holdout17-19 for the heads, read by the shipped encoder,
# which never saw them), their reflections stay held out (a reflection model trained on them too scored
# lower on the AnnoMI tuning sample, 0.824 against 0.837)
STATEMENTS_TRAINED = (
    "holdout10",
    "holdout11",
    "holdout12",
    "holdout13",
    "holdout14",
    "holdout15",
    "holdout16",
    "holdout17",
    "holdout18",
    "holdout19",
)
# written blind, each committed before it was first measured; never trained on
HELD_OUT = (
    "holdout20",
    "holdout21",
    "holdout22",
    "holdout23",
    "holdout24",
    "holdout25",
    "holdout26",
    "holdout27",
)
# written blind and committed, never measured: the next change to the coach is first measured on the
# first of them, and the others wait for the changes after it
RESERVED = ("holdout28", "holdout29")
Kind = Literal["statements", "reflections"]


def training_splits(kind: Kind) -> tuple[str, ...]:
    """The project's own sets whose rows of ``kind`` are training data, in training order."""
    return TRAINING_SPLITS + (STATEMENTS_TRAINED if kind == "statements" else ())


def held_out_splits(kind: Kind) -> tuple[str, ...]:
    """The measured sets whose rows of ``kind`` are never trained on."""
    return (() if kind == "statements" else STATEMENTS_TRAINED) + HELD_OUT


def kind_and_split(name: str) -> tuple[str, str] | None:
    """``("statements", "holdout12")`` for a file named ``statements.holdout12.jsonl``; None for others."""
    parts = name.split(".")
    return (parts[0], parts[1]) if len(parts) >= 3 else None


LAMBDAS = (1.0, 3.0, 10.0, 30.0)
# the 256 raw embedding dimensions are many and weak: they may take a heavier penalty than the rest
EMB_FACTORS = (30.0, 100.0, 300.0)
Grid = tuple[tuple[float, ...], tuple[float, ...]]  # the L2 penalties tried, and the embedding factors
GRID: Grid = (LAMBDAS, EMB_FACTORS)
QUICK_GRID: Grid = ((3.0,), (30.0,))  # one setting: for tests of the pipeline, not for a model
FOLDS = 5
# a nudge no cue rule supports needs at least even odds: the training sets hold each kind far more
# often than real writing does, so a lower bar would nudge ordinary sentences on similarity alone
ALONE_FROM = 0.5
# Statement thresholds maximise F-beta with this beta: below 1 a false alarm costs more than a miss, as
# it does for a person told their kind words may be hard to hear.
NUDGE_BETA = 0.5
# the gate may hold back at most this share of the good reflections in cross-validation
MAX_GOOD_HELD = 0.001
# where the gate may stop holding back: a text at least this likely to be good (the grid searched; none
# at all is tried first, and a cut point must do strictly better to be chosen)
SPARE_FROM = tuple(round(0.02 * i, 2) for i in range(1, 50))


def read_rows(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """The rows of JSON Lines files, in file order."""
    rows: list[dict[str, Any]] = []
    for path in paths:
        with path.open(encoding="utf-8") as f:
            rows.extend(json.loads(line) for line in f if line.strip())
    return rows


def same_text(text: str) -> str:
    """The form two texts are compared in (two writers can arrive at one sentence): lower case, single
    spaces."""
    return " ".join(text.lower().split())


def row_text(row: dict[str, Any]) -> str:
    """A row's :func:`same_text` form: a statement's text or a reflection's reply."""
    return same_text(str(row.get("text") or row.get("reflection") or ""))


def _fold(key: str) -> int:
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % FOLDS


def fit_logistic(x: Array, y: Array, lam: Array, iters: int = 30) -> tuple[Array, float]:
    """L2-regularised logistic regression (``lam`` per feature, intercept unpenalised), Newton's method."""
    import numpy as np

    n, d = x.shape
    xa = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    reg = np.append(np.asarray(lam, dtype=np.float64), 1e-6)
    for _ in range(iters):
        z = np.clip(xa @ w, -40, 40)
        p = 1.0 / (1.0 + np.exp(-z))
        g = xa.T @ (p - y) + reg * w
        s = p * (1 - p) + 1e-9
        h = (xa * s[:, None]).T @ xa + np.diag(reg)
        step = np.linalg.solve(h, g)
        w -= step
        if float(np.abs(step).max()) < 1e-7:
            break
    return w[:-1], float(w[-1])


def _standardise(x: Array) -> tuple[Array, Array]:

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    return mean, scale


def _predict(x: Array, w: Array, b: float) -> Array:
    import numpy as np

    return 1.0 / (1.0 + np.exp(-np.clip(x @ w + b, -40, 40)))


@dataclass(frozen=True)
class Sentences:
    """Extra vectors, one per sentence of a multi-sentence row, scored with their row's text.

    A row's probability is the highest of its text's and its sentences' (as the app decides).
    """

    x: Array
    row: list[int]


def _aggregate(p_rows: Array, p_extra: Array, rows: Sequence[int], extra: Sentences) -> Array:
    """Raise each row's probability to the highest of its sentences'."""
    out = p_rows.copy()
    pos = {r: i for i, r in enumerate(rows)}
    for j, r in enumerate(extra.row):
        i = pos.get(r)
        if i is not None:
            out[i] = max(out[i], float(p_extra[j]))
    return out


@dataclass(frozen=True)
class SentencesRead:
    """Sentences' out-of-fold probabilities from other heads (by head name), to raise rows to."""

    sentences: Sentences
    p: dict[str, Array]


def penalty(names: Sequence[str], lam: float, emb_factor: float) -> Array:
    """The L2 penalty of each feature: ``lam``, times ``emb_factor`` for the raw embedding dimensions."""
    import numpy as np

    is_emb = np.asarray([n.startswith("emb.") for n in names])
    return np.where(is_emb, lam * emb_factor, lam)


def cv_parts(
    x: Array, y: Array, folds: Sequence[int], lam: Array, extra: Sentences | None = None
) -> tuple[Array, Array]:
    """Out-of-fold probabilities for one head: of each row's text, and of each sentence in ``extra`` (read
    by the head fitted without its row's fold)."""
    import numpy as np

    out = np.zeros(len(y))
    sent = np.zeros(len(extra.row) if extra is not None else 0)
    f = np.asarray(folds)
    for k in range(FOLDS):
        tr, te = f != k, f == k
        sel = [j for j, r in enumerate(extra.row) if te[r]] if extra is not None else []
        if not te.any() or len(set(y[tr].tolist())) < 2:
            out[te] = sent[sel] = float(y[tr].mean()) if tr.any() else 0.5
            continue
        mean, scale = _standardise(x[tr])
        w, b = fit_logistic((x[tr] - mean) / scale, y[tr], lam)
        out[te] = _predict((x[te] - mean) / scale, w, b)
        if extra is not None and sel:
            sent[sel] = _predict((extra.x[sel] - mean) / scale, w, b)
    return out, sent


def _logloss(p: Array, y: Array) -> float:
    import numpy as np

    q = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-(y * np.log(q) + (1 - y) * np.log(1 - q)).mean())


def best_threshold(p: Array, y: Array, score: Callable[[Mask], float]) -> float:
    """The cut point (midway between neighbouring probabilities) that maximises ``score``."""
    import numpy as np

    cands = np.unique(np.round(p, 4))
    mids = np.concatenate([[0.0], (cands[:-1] + cands[1:]) / 2, [1.0]])
    best_t, best_s = 0.5, -1.0
    for t in mids:
        s = score(p >= t)
        if s > best_s + 1e-12 or (abs(s - best_s) <= 1e-12 and abs(t - 0.5) < abs(best_t - 0.5)):
            best_t, best_s = float(t), s
    return best_t


def f1(pred: Mask, y: Array, beta: float = 1.0) -> float:
    """F-beta of boolean predictions against 0/1 labels (F1 by default; beta < 1 favours precision)."""
    tp = float((pred & (y == 1)).sum())
    fp = float((pred & (y == 0)).sum())
    fn = float((~pred & (y == 1)).sum())
    b2 = beta * beta
    return (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp) if tp else 0.0


@dataclass
class Trained:
    """One trained variant, ready to serialise."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    heads: dict[str, dict[str, Any]]
    lam: float
    emb_factor: float
    cv: dict[str, float]
    # each sentence's out-of-fold probability per head (when the heads read sentences); not serialised
    sentences_cv: dict[str, Array] = field(default_factory=dict)
    # each row's cross-validated decision, as the app decides: "held" for reflections (the gate, both
    # bars), each raised kind for statements; not serialised (:func:`cv_by_file` reports it)
    decided: dict[str, Mask] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON structure :func:`flows.coach.model.parse` reads."""
        return {"features": self.features, "mean": self.mean, "scale": self.scale, "heads": self.heads}


def _fit_variant(
    x: Array,
    targets: dict[str, Array],
    folds: list[int],
    names: list[str],
    main_heads: Sequence[str],
    thresholds: Callable[[dict[str, Array]], dict[str, float]],
    progress: Callable[[str], None],
    search: Grid,
    extra: Sentences | None = None,
    sentences_read: SentencesRead | None = None,
) -> Trained:
    """Fit the heads on a lambda grid chosen by CV log-loss; a row's CV probability is raised to its
    sentences' (``extra``, read by these heads, or ``sentences_read``, read by other heads)."""

    lambdas, factors = search
    has_emb = any(n.startswith("emb.") for n in names)
    grid = [(lam, f) for lam in lambdas for f in (factors if has_emb else (1.0,))]
    losses: dict[tuple[float, float], float] = {}

    sentences_cv: dict[str, Array] = {}

    def cv_of(h: str, pen: Array) -> Array:
        rows, own = cv_parts(x, targets[h], folds, pen, extra if sentences_read is None else None)
        if sentences_read is not None:
            return _aggregate(rows, sentences_read.p[h], range(len(rows)), sentences_read.sentences)
        if extra is None:
            return rows
        sentences_cv[h] = own
        return _aggregate(rows, own, range(len(rows)), extra)

    for lam_, fac in grid:
        pen = penalty(names, lam_, fac)
        losses[(lam_, fac)] = sum(_logloss(cv_of(h, pen), targets[h]) for h in main_heads)
        progress(
            f"    lambda {lam_:g}, embedding x{fac:g}: "
            f"CV log-loss {losses[(lam_, fac)] / len(main_heads):.4f}"
        )
    best = min(grid, key=lambda v: (losses[v], v))
    lam = penalty(names, *best)
    cv = {h: cv_of(h, lam) for h in targets}
    cuts = thresholds(cv)
    mean, scale = _standardise(x)
    z = (x - mean) / scale
    heads: dict[str, dict[str, Any]] = {}
    for h, y in targets.items():
        w, b = fit_logistic(z, y, lam)
        heads[h] = {
            "w": [round(float(v), 6) for v in w],
            "b": round(b, 6),
            "threshold": round(cuts.get(h, 0.5), 6),
        }
        if f"{h}.alone" in cuts:
            heads[h]["threshold_alone"] = round(cuts[f"{h}.alone"], 6)
        if f"{h}.spare_from" in cuts:
            heads[h]["spare_from"] = round(cuts[f"{h}.spare_from"], 6)
    return Trained(
        features=names,
        mean=[round(float(v), 6) for v in mean],
        scale=[round(float(v), 6) for v in scale],
        heads=heads,
        lam=best[0],
        emb_factor=best[1],
        cv={
            "logloss": round(losses[best] / len(main_heads), 4),
            "rows": float(len(folds)),
            **_cv_summary(cv, targets, cuts),
        },
        sentences_cv=sentences_cv,
    )


def _cv_summary(cv: dict[str, Array], targets: dict[str, Array], cuts: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for h, t in cuts.items():
        if h not in cv:
            continue
        pred = cv[h] >= t
        out[f"{h}.accuracy"] = round(float((pred == (targets[h] == 1)).mean()), 4)
    return out


def _readings(row: dict[str, Any]) -> set[str]:
    label = str(row["label"])
    return {label, "held"} if label in HELD_LABELS else {label}


def reflection_evidence(rows: list[dict[str, Any]]) -> lexical.WordEvidence:
    """The reflections' word evidence, counted on ``rows``."""
    return lexical.fit(
        [r["reflection"] for r in rows],
        [_readings(r) for r in rows],
        REFLECTION_EVIDENCE,
        min_docs=lexical.REFLECTION_MIN_DOCS,
    )


def reflection_matrix(rows: list[dict[str, Any]], embedder: Embedder | None) -> Array:
    """The feature matrix of reflection rows (word evidence cross-fitted by original, like the folds)."""
    import numpy as np

    by_fold = {k: reflection_evidence([r for r in rows if _fold(r["original"]) != k]) for k in range(FOLDS)}
    return np.asarray(
        [
            reflection_vector(
                reflection_input(r["original"], r["reflection"]), embedder, by_fold[_fold(r["original"])]
            )
            for r in rows
        ],
        dtype=np.float64,
    )


def phrase_nets(
    rows: list[dict[str, Any]], embedder: Embedder, epochs: int = phrase_fit.EPOCHS
) -> tuple[dict[int, PhraseNet], PhraseNet]:
    """Phrase detectors for statement ``rows``: for each fold, fitted on the other folds (to read that
    fold's rows with), and one fitted on every row (the model's). Each text is tokenised once."""
    import numpy as np

    seqs = [embedder.tokens(r["text"])[0] for r in rows]
    y = np.asarray([[k in r["kinds"] for k in NUDGE_KINDS] for r in rows], dtype=np.float32)
    folds = np.asarray([_fold(r["text"]) for r in rows])

    def fit_on(keep: npt.NDArray[np.bool_]) -> PhraseNet:
        return phrase_fit.fit([s for s, k in zip(seqs, keep, strict=True) if k], y[keep], epochs=epochs)

    return {k: fit_on(folds != k) for k in range(FOLDS)}, fit_on(np.ones(len(rows), dtype=np.bool_))


def encoder_key(text: str) -> str:
    """The key a training statement's cross-fitted encoder logits are filed under."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def read_encoder_cv(path: Path) -> dict[str, list[float]]:
    """The cross-fitted encoder logits ``make coach-encoder`` wrote, by :func:`encoder_key`."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    if tuple(raw["kinds"]) != NUDGE_KINDS:
        raise ValueError(f"{path.name} was written for kinds {raw['kinds']}: run make coach-encoder")
    return {key: [float(v) for v in logits] for key, logits in raw["logits"].items()}


def statement_matrix(
    rows: list[dict[str, Any]],
    embedder: Embedder | None,
    nets: dict[int, PhraseNet] | None = None,
    encoded: dict[str, list[float]] | None = None,
) -> tuple[Array, Sentences]:
    """The feature matrix of statement rows, and their sentences' vectors.

    ``nets`` are the phrase detectors by fold (:func:`phrase_nets`); without them the phrase features
    are zero. ``encoded`` are the cross-fitted encoder logits (:func:`read_encoder_cv`); without them
    the shipped encoder reads every row, which has seen them all (for tests of the pipeline only).
    """
    import numpy as np

    # word evidence is cross-fitted: a row is read with the evidence counted on the other folds only
    by_fold = {
        k: lexical.fit(
            [r["text"] for r in rows if _fold(r["text"]) != k],
            [r["kinds"] for r in rows if _fold(r["text"]) != k],
            NUDGE_KINDS,
        )
        for k in range(FOLDS)
    }
    texts: list[list[float]] = []
    extra: list[list[float]] = []
    extra_row: list[int] = []
    if encoded is not None and embedder is not None:
        missing = [r["text"] for r in rows if encoder_key(r["text"]) not in encoded]
        if missing:
            first = missing[0][:40]
            raise ValueError(f"no cross-fitted encoder logits for {first!r}: run make coach-encoder")
    for i, r in enumerate(rows):
        k = _fold(r["text"])
        logits: list[float] | str = "model"
        if encoded is not None and embedder is not None:
            logits = encoded[encoder_key(r["text"])]
        vecs = statement_features(
            r["text"], embedder, by_fold[k], phrases=nets[k] if nets else None, encoded=logits
        )
        texts.append(vecs[0])
        extra += vecs[1:]
        extra_row += [i] * (len(vecs) - 1)
    # a sentence's vector is the text's without the encoder's logits (only the text has them)
    width = len(statement_names(embedder is not None, encoded=False))
    ex = np.asarray(extra, dtype=np.float64).reshape(len(extra), width)
    return np.asarray(texts, dtype=np.float64), Sentences(ex, extra_row)


def _reflection_thresholds(
    cv: dict[str, Array],
    targets: dict[str, Array],
    scores: dict[str, float],
    decided: dict[str, Mask] | None = None,
) -> dict[str, float]:
    """The gate's and ``forward``'s cut points; ``scores`` gets both cross-validated accuracies, each
    decided as the app decides it.

    The gate holds a text back when the ``held`` head passes its threshold and the ``good`` head stays
    below ``spare_from`` (:func:`flows.coach.decide.holds_back`); both are fitted together to hold back
    at most ``MAX_GOOD_HELD`` of the good reflections and, within that, to be right most often.
    """
    import numpy as np

    held_y = targets["held"] == 1
    good_y = targets["label.good"] == 1
    n_good = max(1, int(good_y.sum()))

    def gate_score(pred: Mask) -> float:
        good_held = float((pred & good_y).sum()) / n_good
        if good_held > MAX_GOOD_HELD:
            return -good_held
        return float((pred == held_y).mean())

    best: tuple[float, float, float] = (-2.0, 0.5, math.inf)
    for spare in (math.inf, *SPARE_FROM):
        unless_good = cv["good"] < spare

        def spared_score(pred: Mask, unless_good: Mask = unless_good) -> float:
            return gate_score(pred & unless_good)

        t = best_threshold(cv["held"], targets["held"], spared_score)
        value = spared_score(cv["held"] >= t)
        if value > best[0] + 1e-12:
            best = (value, t, spare)
    _, t_held, spare_from = best
    passed = ~holds_back(cv["held"], cv["good"], t_held, spare_from)
    scores["held.accuracy"] = round(float((~passed == held_y).mean()), 4)
    if decided is not None:
        decided["held"] = ~passed
    # forward only when "good" is also the likeliest of the forwarded labels (as flows.coach.decide does)
    others = np.max(np.vstack([cv[f"label.{lab}"] for lab in FORWARDED_LABELS if lab != "good"]), axis=0)
    likeliest = cv["good"] >= others

    def forward_score(pred: Mask) -> float:
        return float(((pred & passed & likeliest) == good_y).mean())

    t_good = best_threshold(cv["good"], targets["good"], forward_score)
    scores["forward_accuracy"] = round(forward_score(cv["good"] >= t_good), 4)
    cuts = {"held": t_held, "good": t_good}
    if spare_from != math.inf:
        cuts["held.spare_from"] = spare_from
    for lab in LABELS:
        cuts[f"label.{lab}"] = 0.5
    return cuts


def train_reflections(
    rows: list[dict[str, Any]], x: Array, names: list[str], progress: Callable[[str], None], search: Grid
) -> Trained:
    """Fit the reflection heads on the rows' feature matrix: held (the gate), good (forward), each label."""
    import numpy as np

    labels = [r["label"] for r in rows]
    targets = {
        "held": np.asarray([lab in HELD_LABELS for lab in labels], dtype=np.float64),
        "good": np.asarray([lab == "good" for lab in labels], dtype=np.float64),
    }
    for lab in LABELS:
        targets[f"label.{lab}"] = np.asarray([x_ == lab for x_ in labels], dtype=np.float64)
    folds = [_fold(r["original"]) for r in rows]
    scores: dict[str, float] = {}
    decided: dict[str, Mask] = {}
    trained = _fit_variant(
        x,
        targets,
        folds,
        names,
        ("held", "good"),
        lambda cv: _reflection_thresholds(cv, targets, scores, decided),
        progress,
        search,
    )
    trained.cv.update(scores)
    trained.decided = decided
    progress(
        f"    cross-validated gate accuracy {trained.cv['held.accuracy']:.3f}, "
        f"forward accuracy {scores['forward_accuracy']:.3f}"
    )
    return trained


def train_statements(
    rows: list[dict[str, Any]],
    x: Array,
    sentences: Sentences,
    names: list[str],
    progress: Callable[[str], None],
    search: Grid,
    sentences_read: SentencesRead | None = None,
) -> Trained:
    """Fit one head per nudge kind on the rows' feature matrix; thresholds are fitted on CV F-beta.

    A row's CV probability is raised to its sentences': read by these heads, or by the heads of
    ``sentences_read`` (as the app reads a text with the encoder and its sentences without it).
    """

    targets = {k: _target(rows, k) for k in NUDGE_KINDS}
    folds = [_fold(r["text"]) for r in rows]
    evidence = {k: _evidence(x, sentences, names, k) for k in NUDGE_KINDS}

    f1s: dict[str, float] = {}
    decided: dict[str, Mask] = {}

    def cuts(cv: dict[str, Array]) -> dict[str, float]:
        out: dict[str, float] = {}
        for k in NUDGE_KINDS:
            out[k], out[f"{k}.alone"] = _two_thresholds(cv[k], targets[k], evidence[k])
            raised = ((cv[k] >= out[k]) & evidence[k]) | (cv[k] >= out[f"{k}.alone"])
            f1s[k] = f1(raised, targets[k])
            decided[k] = raised
        return out

    trained = _fit_variant(
        x, targets, folds, names, NUDGE_KINDS, cuts, progress, search, sentences, sentences_read
    )
    trained.decided = decided
    trained.cv["macro_f1"] = round(sum(f1s.values()) / len(f1s), 4)
    progress(f"    cross-validated macro-F1 {trained.cv['macro_f1']:.3f}")
    return trained


def _evidence(x: Array, sentences: Sentences, names: list[str], kind: str) -> Mask:
    """Rows where a cue rule (hand-written or in the book) fired for ``kind``, in the text or a sentence."""
    import numpy as np

    cols = [names.index(f"rules.{kind}"), names.index(f"act.{kind}")]
    ev: Mask = np.asarray((x[:, cols] > 0).any(axis=1), dtype=np.bool_)
    for j, r in enumerate(sentences.row):
        if (sentences.x[j, cols] > 0).any():
            ev[r] = True
    return ev


def _two_thresholds(p: Array, y: Array, evidence: Mask) -> tuple[float, float]:
    """A threshold for a kind a cue rule supports, and a higher one for a kind the model sees alone.

    Both maximise the kind's cross-validated F1: the model may raise a kind without any cue only when
    it is surer, which keeps it from nudging short or unusual texts on embedding similarity alone.
    """
    import numpy as np

    best = (-1.0, 0.5, 1.0)
    for alone in np.round(np.linspace(ALONE_FROM, 1.0, 26), 3):

        def score(pred: Mask, alone: float = float(alone)) -> float:
            return f1((pred & evidence) | (p >= alone), y, NUDGE_BETA)

        t = best_threshold(p, y, score)
        t = min(t, float(alone))
        value = score(p >= t)
        if value > best[0] + 1e-12:
            best = (value, t, float(alone))
    return best[1], best[2]


@dataclass(frozen=True)
class FileFigures:
    """One training file's cross-validated figures, decided as the app decides."""

    name: str
    rows: int
    right: int  # reflections: the gate right; statements: every kind right
    good_held: int = 0  # reflections: good ones held back
    clean: int = 0  # statements: rows with no kind
    clean_flagged: int = 0  # statements: clean rows given a kind
    kinds: int = 0  # statements: the kinds labelled
    kinds_missed: int = 0  # statements: labelled kinds not raised


def cv_by_file(kind: Kind, files: Sequence[Path], decided: dict[str, Mask]) -> list[FileFigures]:
    """Each file's share of one variant's cross-validated decisions (``decided``, from :func:`train`'s
    ``decisions`` for the same files in the same order), for judging a round of new rows against the
    older ones without a held-out set."""
    import numpy as np

    parts = [read_rows([path]) for path in files]
    total = sum(len(part) for part in parts)
    n_decided = {len(v) for v in decided.values()}
    if n_decided != {total}:
        raise ValueError(f"the files hold {total} rows, the decisions {sorted(n_decided)}")
    out: list[FileFigures] = []
    start = 0
    for path, part in zip(files, parts, strict=True):
        n = len(part)
        sl = slice(start, start + n)
        start += n
        if kind == "reflections":
            held = decided["held"][sl]
            should = np.asarray([r["label"] in HELD_LABELS for r in part], dtype=np.bool_)
            good = np.asarray([r["label"] == "good" for r in part], dtype=np.bool_)
            out.append(
                FileFigures(path.name, n, int((held == should).sum()), good_held=int((held & good).sum()))
            )
            continue
        y = np.asarray([[k in r["kinds"] for k in NUDGE_KINDS] for r in part], dtype=np.bool_).reshape(n, -1)
        pred = np.stack([decided[k][sl] for k in NUDGE_KINDS], axis=1).reshape(n, -1)
        clean = ~y.any(axis=1)
        out.append(
            FileFigures(
                path.name,
                n,
                int((pred == y).all(axis=1).sum()),
                clean=int(clean.sum()),
                clean_flagged=int((pred.any(axis=1) & clean).sum()),
                kinds=int(y.sum()),
                kinds_missed=int((y & ~pred).sum()),
            )
        )
    return out


def file_digests(paths: Sequence[Path]) -> dict[str, str]:
    """Each file's name and the first 16 hex digits of its SHA-256: what a model records it was trained on."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:16] for p in paths}


def _target(rows: list[dict[str, Any]], kind: str) -> Array:
    import numpy as np

    return np.asarray([kind in r["kinds"] for r in rows], dtype=np.float64)


def _keep_statements(
    variants: dict[str, Any], meta: dict[str, Any], name: str, t: Trained, decided: dict[str, dict[str, Mask]]
) -> None:
    variants[f"statement/{name}"] = t.to_json()
    meta["cv"][f"statement/{name}"] = {"lambda": t.lam, "embedding_factor": t.emb_factor, **t.cv}
    decided[f"statement/{name}"] = t.decided


def train(
    statement_files: Sequence[Path],
    reflection_files: Sequence[Path],
    progress: Callable[[str], None] = lambda _m: None,
    quick: bool = False,
    encoder_cv: Path | None = None,
    decisions: dict[str, dict[str, Mask]] | None = None,
) -> dict[str, Any]:
    """Train every variant on the given files and return the model file's JSON structure.

    ``encoder_cv`` is the file of cross-fitted encoder logits (:func:`read_encoder_cv`), needed unless
    ``quick``. ``quick`` searches one regularisation setting only (for tests of the pipeline, not for a
    model). ``decisions``, when given, receives each variant's cross-validated decisions per row
    (:attr:`Trained.decided`, by variant name), for :func:`cv_by_file`.
    """
    decided = decisions if decisions is not None else {}
    search = QUICK_GRID if quick else GRID
    by_kind: tuple[tuple[Kind, Sequence[Path]], ...] = (
        ("statements", statement_files),
        ("reflections", reflection_files),
    )
    for kind, files in by_kind:
        refused = {*held_out_splits(kind), *RESERVED}
        if any((ks := kind_and_split(p.name)) and ks[1] in refused for p in files):
            raise ValueError("held-out files are never trained on")
    if encoder_cv is None and not quick:
        raise ValueError("training a model needs the encoder's cross-fitted logits (encoder_cv)")
    embedder = get_embedder()
    if embedder is None:
        raise RuntimeError("the embedding model could not load: install the wordllama package")
    s_rows = read_rows(statement_files)
    r_rows = read_rows(reflection_files)
    variants: dict[str, Any] = {}
    meta: dict[str, Any] = {
        "statement_rows": len(s_rows),
        "reflection_rows": len(r_rows),
        "files": file_digests([*statement_files, *reflection_files, *([encoder_cv] if encoder_cv else [])]),
        "cv": {},
    }
    # the rules-only features are the first columns of the embedded ones: compute them once
    xr = reflection_matrix(r_rows, embedder)
    # phrase detectors are cross-fitted like the word evidence; the model keeps one fitted on every row
    epochs = 1 if quick else phrase_fit.EPOCHS
    progress(f"phrase detectors: {FOLDS} folds and the final fit, {epochs} passes each")
    nets, phrases = phrase_nets(s_rows, embedder, epochs)
    encoded = read_encoder_cv(encoder_cv) if encoder_cv is not None else None
    xs, sentences = statement_matrix(s_rows, embedder, nets, encoded)
    for embedded in (True, False):
        r_names, s_names = reflection_names(embedded), statement_names(embedded)
        if not embedded:
            assert reflection_names(True)[: len(r_names)] == r_names
            assert statement_names(True)[: len(s_names)] == s_names
        tag = "embedded" if embedded else "rules_only"
        progress(f"reflections, {tag}: {len(r_rows)} rows")
        tr = train_reflections(r_rows, xr[:, : len(r_names)], r_names, progress, search)
        variants[f"reflection/{tag}"] = tr.to_json()
        decided[f"reflection/{tag}"] = tr.decided
        meta["cv"][f"reflection/{tag}"] = {"lambda": tr.lam, "embedding_factor": tr.emb_factor, **tr.cv}
        if embedded:
            # the heads without the encoder first: their sentence readings are also the sentences'
            # readings under the heads with it (a sentence has no encoder reading of its own)
            plain = statement_names(True, encoded=False)
            assert s_names[: len(plain)] == plain
            progress(f"statements, {WITHOUT_ENCODER}: {len(s_rows)} rows")
            tw = train_statements(s_rows, xs[:, : len(plain)], sentences, plain, progress, search)
            _keep_statements(variants, meta, WITHOUT_ENCODER, tw, decided)
            read = SentencesRead(sentences, {k: tw.sentences_cv[k] for k in NUDGE_KINDS})
            progress(f"statements, {tag}: {len(s_rows)} rows (sentences read without the encoder)")
            ts = train_statements(s_rows, xs, sentences, s_names, progress, search, read)
        else:
            progress(f"statements, {tag}: {len(s_rows)} rows")
            cut = Sentences(sentences.x[:, : len(s_names)], sentences.row)
            ts = train_statements(s_rows, xs[:, : len(s_names)], cut, s_names, progress, search)
        _keep_statements(variants, meta, tag, ts, decided)
    evidence = lexical.fit([r["text"] for r in s_rows], [r["kinds"] for r in s_rows], NUDGE_KINDS)
    meta["word_evidence_entries"] = len(evidence.table)
    refl_evidence = reflection_evidence(r_rows)
    meta["reflection_word_evidence_entries"] = len(refl_evidence.table)
    return {
        "version": 1,
        "meta": meta,
        "variants": variants,
        "word_evidence": evidence.to_json(),
        "reflection_word_evidence": refl_evidence.to_json(),
        "phrases": phrases.to_json(),
    }
