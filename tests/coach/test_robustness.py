"""The coach never fails on odd input: texts of every shape from the training data, cut, joined and
mutated (Unicode, hyphens, emoji, bare punctuation, very long), reviewed and scored without an error,
with valid spans and bounded scores. A fixed seed keeps it reproducible."""

from __future__ import annotations

import json
import random
from pathlib import Path

from flows.coach import review_statement, score_reflection

DATA = Path(__file__).parent / "data"
ODD = ["İstanbul", "—", "monday-to-wednesday", "😅", "?!", "...", "\n\n", "'", '"', "3rd", "2,000", "ﬁx", "ß"]


def _texts() -> list[str]:
    rows = [json.loads(line) for line in (DATA / "statements.tune.jsonl").read_text("utf-8").splitlines()]
    refl = [json.loads(line) for line in (DATA / "reflections.tune.jsonl").read_text("utf-8").splitlines()]
    return [r["text"] for r in rows] + [r["reflection"] for r in refl]


def _mutate(rng: random.Random, text: str) -> str:
    words = text.split()
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(4)
        if op == 0 and words:
            words.insert(rng.randrange(len(words) + 1), rng.choice(ODD))
        elif op == 1 and len(words) > 1:
            del words[rng.randrange(len(words))]
        elif op == 2 and words:
            i = rng.randrange(len(words))
            words[i] = words[i].upper()
        else:
            words.append(rng.choice(ODD))
    return " ".join(words)


def test_statements_of_every_shape() -> None:
    rng = random.Random(8)
    texts = _texts()
    cases = ["", " ", "?", "…!?", "a", "x" * 3000, " ".join(texts[:12]), *rng.sample(texts, 60)]
    cases += [_mutate(rng, rng.choice(texts)) for _ in range(120)]
    for text in cases:
        review = review_statement(text)
        for n in review.nudges:
            a, b = n.span
            assert 0 <= a < b <= len(text), (text, n.span)
            assert n.suggestion


def test_reflections_of_every_shape() -> None:
    rng = random.Random(9)
    texts = _texts()
    for _ in range(80):
        original, reflection = _mutate(rng, rng.choice(texts)), _mutate(rng, rng.choice(texts))
        res = score_reflection(original, reflection)
        assert 0 <= res.score <= 100
        assert not res.forward or res.gate_passed
    for original, reflection in [
        ("", "You felt hurt."),
        ("I was hurt.", ""),
        ("?", "?"),
        ("x" * 3000, "y" * 3000),
    ]:
        res = score_reflection(original, reflection)
        assert 0 <= res.score <= 100
