"""The phrase detectors: they learn word order a bag of words cannot see, train deterministically,
survive the model file, and read each sentence of a text over that sentence's own tokens."""

from __future__ import annotations

import numpy as np
import pytest

from flows.coach.embed import get_embedder
from flows.coach.model import get_model
from flows.coach.phrase_fit import fit
from flows.coach.phrases import PhraseNet, token_ranges
from flows.coach.training import fit_logistic

DIM = 16


def _order_task(n: int, seed: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Sequences of random tokens holding both A and B; positive iff A comes directly before B.

    Negatives hold the same two tokens in the other order or apart, so counting words cannot tell.
    """
    rng = np.random.default_rng(seed)
    vocab = np.random.default_rng(99).normal(size=(12, DIM)).astype(np.float32)
    seqs, ys = [], []
    for i in range(n):
        ids = list(rng.integers(2, 12, size=int(rng.integers(4, 9))))
        at = int(rng.integers(0, len(ids) - 1))
        positive = i % 2 == 0
        pair = [0, 1] if positive else [1, 0]
        ids[at : at + 2] = pair
        if not positive and rng.random() < 0.5:  # apart, in the right order
            ids[at : at + 2] = [0, int(rng.integers(2, 12)), 1]
        seqs.append(vocab[ids])
        ys.append([1.0 if positive else 0.0])
    return seqs, np.asarray(ys, dtype=np.float32)


def test_the_network_learns_word_order_a_bag_of_words_cannot_see() -> None:
    seqs, y = _order_task(600, seed=1)
    net = fit(seqs, y, epochs=15)
    test, ty = _order_task(200, seed=2)
    scores = np.asarray([net.logits(s, [(0, len(s))])[0][0] for s in test])
    accuracy = float(((scores > 0) == (ty[:, 0] == 1)).mean())
    assert accuracy >= 0.9
    # logistic regression on the mean token vector (a bag of words) does no better than chance here
    w, b = fit_logistic(
        np.asarray([s.mean(axis=0) for s in seqs], dtype=np.float64), y[:, 0], np.full(DIM, 1.0)
    )
    bag = np.asarray([s.mean(axis=0) for s in test]) @ w + b
    assert float(((bag > 0) == (ty[:, 0] == 1)).mean()) < 0.75


def test_training_is_deterministic_and_the_file_form_round_trips() -> None:
    seqs, y = _order_task(120, seed=3)
    a, b = fit(seqs, y, epochs=2), fit(seqs, y, epochs=2)
    assert a.to_json() == b.to_json()
    back = PhraseNet.from_json(a.to_json())
    probe = seqs[5]
    assert back.logits(probe, [(0, len(probe))]) == a.logits(probe, [(0, len(probe))])


def test_an_empty_range_pools_to_nothing_and_a_wrong_width_is_refused() -> None:
    seqs, y = _order_task(60, seed=4)
    net = fit(seqs, y, epochs=1)
    empty = net.logits(np.zeros((0, DIM), dtype=np.float32), [(0, 0)])
    assert empty == [[float(v) for v in net.out_b]]
    raw = net.to_json() | {"width": 5}
    with pytest.raises(ValueError, match="width 5"):
        PhraseNet.from_json(raw)


def test_each_sentence_is_read_over_its_own_tokens() -> None:
    embedder = get_embedder()
    assert embedder is not None
    text = "Wow, a whole email. Truly heroic! Thanks to your change, the build broke."
    spans = [(0, 19), (20, 33), (34, len(text))]
    vectors, ends = embedder.tokens(text)
    ranges = token_ranges(ends, spans)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(ends)
    assert all(a < b for a, b in ranges) and all(ranges[i][1] == ranges[i + 1][0] for i in range(2))
    for (a, b), (ca, cb) in zip(ranges, spans, strict=True):
        assert all(ca <= ends[t] < cb for t in range(a, b))
    net = get_model().phrases
    assert net is not None
    whole, *by_sentence = net.logits(vectors, [(0, len(ends)), *ranges])
    # max pooling: the whole text's strongest responses are its sentences' strongest
    pooled = net.pooled(vectors, [(0, len(ends)), *ranges])
    assert np.allclose(pooled[0], pooled[1:].max(axis=0))
    assert len(whole) == len(by_sentence[0]) == net.kinds
