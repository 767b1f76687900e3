"""The coach's learned combination: logistic-regression heads over the feature vectors.

The weights are a small committed data file (``flows/coach/data/model.json``) written by
``make coach-train`` (:mod:`flows.coach.training`); thresholds are fitted there by cross-validation,
never set by hand. Each book (reflection, statement) has two variants: ``embedded`` (rules and
embedding features) and ``rules_only`` (used when the embedding model cannot load). The file loads once
per process, on first use.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.coach.lexical import WordEvidence
from flows.coach.phrases import PhraseNet

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

MODEL_FILE = Path(__file__).parent / "data" / "model.json"


@dataclass(frozen=True)
class Head:
    """One binary logistic regression: P(positive) = sigmoid(w · standardised(x) + b)."""

    w: npt.NDArray[np.float64]
    b: float
    threshold: float
    threshold_alone: float = 1.0  # statement kinds: the bar when no cue rule supports the kind
    spare_from: float = math.inf  # the gate: a text at least this likely to be good is never held back


@dataclass(frozen=True)
class Variant:
    """A set of heads sharing one feature list and standardisation."""

    features: tuple[str, ...]
    mean: npt.NDArray[np.float64]
    scale: npt.NDArray[np.float64]
    heads: dict[str, Head]

    def probabilities(self, vector: list[float]) -> dict[str, float]:
        """P(positive) of every head for one feature vector."""
        import numpy as np

        if len(vector) != len(self.features):
            raise ValueError(
                f"feature vector has {len(vector)} values, the model expects {len(self.features)}"
            )
        z = (np.asarray(vector, dtype=np.float64) - self.mean) / self.scale
        out: dict[str, float] = {}
        for name, h in self.heads.items():
            s = float(z @ h.w) + h.b
            out[name] = 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, s))))
        return out


# the statement heads for a text the encoder does not read (too long for its window, or it cannot load)
WITHOUT_ENCODER = "embedded_without_encoder"


@dataclass(frozen=True)
class Model:
    """The loaded model file."""

    variants: dict[str, Variant]  # "reflection/embedded", "statement/rules_only", …
    meta: dict[str, Any]
    word_evidence: WordEvidence | None = None  # statements' learned word evidence (flows.coach.lexical)
    reflection_word_evidence: WordEvidence | None = None  # the same, for reflections' readings
    phrases: PhraseNet | None = None  # statements' phrase detectors (flows.coach.phrases)

    def variant(self, book: str, embedded: bool, encoded: bool = True) -> Variant:
        """The heads for a book, with or without the embedding features; for statements, read with the
        embedding features but without the statement encoder when not ``encoded``."""
        if embedded and not encoded and book == "statement":
            return self.variants[f"{book}/{WITHOUT_ENCODER}"]
        return self.variants[f"{book}/{'embedded' if embedded else 'rules_only'}"]


def parse(raw: dict[str, Any]) -> Model:
    """Build a :class:`Model` from the JSON structure :mod:`flows.coach.training` writes."""
    import numpy as np

    variants: dict[str, Variant] = {}
    for key, v in raw["variants"].items():
        heads = {
            name: Head(
                np.asarray(h["w"], dtype=np.float64),
                float(h["b"]),
                float(h["threshold"]),
                float(h.get("threshold_alone", 1.0)),
                float(h.get("spare_from", math.inf)),
            )
            for name, h in v["heads"].items()
        }
        variants[key] = Variant(
            tuple(v["features"]),
            np.asarray(v["mean"], dtype=np.float64),
            np.asarray(v["scale"], dtype=np.float64),
            heads,
        )
    evidence = WordEvidence.from_json(raw["word_evidence"]) if "word_evidence" in raw else None
    refl = raw.get("reflection_word_evidence")
    phrases = PhraseNet.from_json(raw["phrases"]) if "phrases" in raw else None
    return Model(
        variants, raw.get("meta", {}), evidence, WordEvidence.from_json(refl) if refl else None, phrases
    )


_lock = threading.Lock()
_state: dict[str, Model] = {}


def get_model() -> Model:
    """The committed model, read once per process."""
    found = _state.get("m")
    if found is None:
        with _lock:
            found = _state.get("m")
            if found is None:
                found = parse(json.loads(MODEL_FILE.read_text(encoding="utf-8")))
                _state["m"] = found
    return found


def _reset_for_tests() -> None:
    with _lock:
        _state.clear()
