"""Phrase detectors for statements: a small convolutional network over the text's token vectors.

The embedding features see a text as a bag of words; sarcasm, blame in a causal clause and a demand
dressed as a plan live in word order ("thanks to your change", "congratulations on finally…", "will be
on my desk by nine"). Each of the network's filters reads three neighbouring WordLlama token vectors at
a time; its strongest response anywhere in a sentence (max pooling) says whether that three-word
pattern occurs; a linear layer turns the filters' responses into one score (a logit) per nudge kind.
Those scores are features of the statement model (``phrase.<kind>``); the logistic heads decide.

One convolution pass covers the whole text, and each sentence pools over its own tokens, so reading a
long text sentence by sentence costs no more than reading it whole. Pure numpy: the weights are part
of the model file and are trained by :mod:`flows.coach.phrase_fit` (``make coach-train``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np
    import numpy.typing as npt

    Floats = npt.NDArray[np.float32]

WIDTH = 3  # tokens each filter reads at once


def _encode(a: Floats) -> dict[str, Any]:
    import numpy as np

    data = np.ascontiguousarray(a, dtype="<f4").tobytes()
    return {"shape": list(a.shape), "f32": base64.b64encode(data).decode("ascii")}


def _decode(raw: dict[str, Any]) -> Floats:
    import numpy as np

    flat = np.frombuffer(base64.b64decode(raw["f32"]), dtype="<f4").astype(np.float32)
    return flat.reshape(tuple(int(n) for n in raw["shape"]))


def windows(batch: Sequence[Floats], dim: int) -> tuple[Floats, npt.NDArray[np.bool_]]:
    """Each text's ``WIDTH``-token windows, one row per token (zero-padded at both ends and to the
    longest text), and which rows are real tokens: shapes (texts, tokens, WIDTH * dim) and (texts, tokens).
    """
    import numpy as np

    n = max(1, max((len(s) for s in batch), default=0))
    padded = np.zeros((len(batch), n + WIDTH - 1, dim), dtype=np.float32)
    mask = np.zeros((len(batch), n), dtype=np.bool_)
    for i, s in enumerate(batch):
        padded[i, WIDTH // 2 : WIDTH // 2 + len(s)] = s
        mask[i, : len(s)] = True
    return np.concatenate([padded[:, i : i + n] for i in range(WIDTH)], axis=2), mask


@dataclass(frozen=True)
class PhraseNet:
    """Convolution (``WIDTH`` tokens → filters, ReLU), max pooling, then one logit per kind."""

    w: Floats  # (WIDTH * dim, filters)
    b: Floats  # (filters,)
    out_w: Floats  # (filters, kinds)
    out_b: Floats  # (kinds,)

    @property
    def kinds(self) -> int:
        """How many scores each text gets."""
        return int(self.out_b.shape[0])

    def pooled(self, vectors: Floats, ranges: list[tuple[int, int]]) -> Floats:
        """Each filter's strongest response within each token range (one row per range).

        A range with no tokens pools to zeros, as an empty text does.
        """
        import numpy as np

        out = np.zeros((len(ranges), self.w.shape[1]), dtype=np.float32)
        if len(vectors) == 0:
            return out
        h = np.maximum(windows([vectors], vectors.shape[1])[0][0] @ self.w + self.b, 0.0)
        for i, (a, b) in enumerate(ranges):
            if b > a:
                out[i] = h[a:b].max(axis=0)
        return out

    def logits(self, vectors: Floats, ranges: list[tuple[int, int]]) -> list[list[float]]:
        """One score per kind for each token range of one text."""
        z = self.pooled(vectors, ranges) @ self.out_w + self.out_b
        return [[float(v) for v in row] for row in z]

    def to_json(self) -> dict[str, Any]:
        """The model file's form: float32 arrays, base64-encoded."""
        return {
            "width": WIDTH,
            "w": _encode(self.w),
            "b": _encode(self.b),
            "out_w": _encode(self.out_w),
            "out_b": _encode(self.out_b),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> PhraseNet:
        """Read :meth:`to_json`'s form back."""
        if int(raw["width"]) != WIDTH:
            raise ValueError(f"phrase network of width {raw['width']}; this code reads width {WIDTH}")
        return cls(_decode(raw["w"]), _decode(raw["b"]), _decode(raw["out_w"]), _decode(raw["out_b"]))


def token_ranges(ends: list[int], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The token index range of each character span, given where each token ends (sorted)."""
    import bisect

    return [(bisect.bisect_left(ends, a), bisect.bisect_left(ends, b)) for a, b in spans]
