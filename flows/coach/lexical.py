"""Learned word evidence for statements: how much each word or word pair leans toward a nudge kind.

For every kind, a word or pair of words (lower-cased) gets the log ratio of how often it appears in
statements with that kind and in statements without it (naive Bayes, add-one smoothing), counted on the
training data by ``make coach-train``. A text's evidence for a kind is the sum over its words and pairs,
scaled by the square root of their number: one feature per kind for the learned model, which weighs it
with the rules and the embedding. Only words seen in at least ``MIN_DOCS`` training texts are kept
(reflections, which are longer and more numerous, keep those seen in ``REFLECTION_MIN_DOCS``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import pairwise

MIN_DOCS = 3
REFLECTION_MIN_DOCS = 5
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def grams(text: str) -> set[str]:
    """The distinct lower-cased words and adjacent word pairs of a text."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    return set(words) | {f"{a} {b}" for a, b in pairwise(words)}


@dataclass(frozen=True)
class WordEvidence:
    """Per word or pair, its log ratio for each kind (in ``kinds`` order)."""

    kinds: tuple[str, ...]
    table: dict[str, tuple[float, ...]]

    def score(self, text: str) -> list[float]:
        """The text's evidence for each kind."""
        found = grams(text)
        total = [0.0] * len(self.kinds)
        for g in sorted(found):  # a fixed order: float sums in a set's hash order differ between processes
            row = self.table.get(g)
            if row is not None:
                for i, v in enumerate(row):
                    total[i] += v
        scale = 1.0 / math.sqrt(len(found) + 1)
        return [v * scale for v in total]

    def to_json(self) -> dict[str, object]:
        """The structure the model file keeps."""
        return {"kinds": list(self.kinds), "table": {g: list(v) for g, v in sorted(self.table.items())}}

    @classmethod
    def from_json(cls, raw: dict[str, object]) -> WordEvidence:
        """Read :meth:`to_json`'s structure back."""
        kinds = tuple(str(k) for k in raw["kinds"])  # type: ignore[attr-defined]
        table = {str(g): tuple(float(x) for x in v) for g, v in raw["table"].items()}  # type: ignore[attr-defined]
        return cls(kinds, table)


def fit(
    texts: Sequence[str], labels: Sequence[Collection[str]], kinds: Sequence[str], min_docs: int = MIN_DOCS
) -> WordEvidence:
    """Count the evidence on labelled texts (``labels[i]`` is the set of kinds of ``texts[i]``); keep
    the words and pairs seen in at least ``min_docs`` texts."""
    docs = [grams(t) for t in texts]
    seen: Counter[str] = Counter()
    for d in docs:
        seen.update(d)
    kept = {g for g, n in seen.items() if n >= min_docs}
    table: dict[str, list[float]] = {g: [] for g in kept}
    for kind in kinds:
        pos: Counter[str] = Counter()
        neg: Counter[str] = Counter()
        n_pos = n_neg = 0
        for d, lab in zip(docs, labels, strict=True):
            if kind in lab:
                pos.update(d & kept)
                n_pos += 1
            else:
                neg.update(d & kept)
                n_neg += 1
        for g in kept:
            ratio = math.log((pos[g] + 1) / (n_pos + 2)) - math.log((neg[g] + 1) / (n_neg + 2))
            table[g].append(round(ratio, 2))
    return WordEvidence(tuple(kinds), {g: tuple(v) for g, v in table.items()})
