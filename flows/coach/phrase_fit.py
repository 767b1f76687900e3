"""Train the phrase detectors (:mod:`flows.coach.phrases`): numpy, CPU, deterministic.

Minibatch AdamW on the mean binary cross-entropy of every kind, dropout on the pooled responses. Only
each filter's strongest position gets a gradient (max pooling), so a backward pass is cheap; the cost
is the forward convolution, about 10 s for 5,000 statements on two cores. The settings were chosen by
cross-validation on the training statements, stacked under the logistic heads and scored on the 5,233
statements of a6cf4bd with 7,033 in training: macro-F1 0.843 without the network, 0.857 with 128
filters (83 false alarms on 1,841 clean rows), 0.856 with 64 (81). 64 filters cost half as much.
On the 7,069 statements of 3ec0854 (same heads, one regularisation setting): 0.836 without the network,
0.842 with 10 passes, 0.848 with 20 (0.845 from another seed), 0.848 with 30; filters of widths 2, 3
and 5 scored 0.843, three seeds averaged 0.846, and torch prototypes of a one-layer transformer and a
bidirectional GRU over the same token vectors 0.847: word order over static vectors adds about 0.01,
whatever reads it. A model trained with 20 passes (CV 0.848) read "Thanks for the update. Really
helpful." as contempt and added a faux feeling to "You made me look like a fool…" (tests in
``tests/coach/test_statements.py``): the gain is within the seeds' noise and the losses are not, so 10.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.coach.phrases import WIDTH, PhraseNet, windows

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Floats = npt.NDArray[np.float32]

FILTERS = 64
EPOCHS = 10
BATCH = 32
LEARNING_RATE = 2e-3
WEIGHT_DECAY = 1e-2
DROPOUT = 0.3


def fit(seqs: list[Floats], y: Floats, seed: int = 0, epochs: int = EPOCHS) -> PhraseNet:
    """Fit a phrase network to token-vector sequences ``seqs`` and 0/1 targets ``y`` (rows × kinds)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    dim = next((s.shape[1] for s in seqs if s.ndim == 2), 0)
    kinds = y.shape[1]
    fan = dim * WIDTH
    p: dict[str, Floats] = {
        "w": rng.uniform(-1, 1, (fan, FILTERS)).astype(np.float32) / np.float32(np.sqrt(fan)),
        "b": rng.uniform(-1, 1, FILTERS).astype(np.float32) / np.float32(np.sqrt(fan)),
        "out_w": rng.uniform(-1, 1, (FILTERS, kinds)).astype(np.float32) / np.float32(np.sqrt(FILTERS)),
        "out_b": np.zeros(kinds, dtype=np.float32),
    }
    m1 = {k: np.zeros_like(v) for k, v in p.items()}
    m2 = {k: np.zeros_like(v) for k, v in p.items()}
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    order = np.arange(len(seqs))
    step = 0
    for _ in range(epochs):
        rng.shuffle(order)
        for start in range(0, len(order), BATCH):
            idx = order[start : start + BATCH]
            wins, mask = windows([seqs[i] for i in idx], dim)
            h = np.maximum(wins @ p["w"] + p["b"], 0.0)
            h[~mask] = -1.0
            arg = h.argmax(axis=1)
            pooled = np.maximum(np.take_along_axis(h, arg[:, None, :], axis=1)[:, 0, :], 0.0)
            keep = (rng.random(pooled.shape) >= DROPOUT).astype(np.float32) / np.float32(1 - DROPOUT)
            dropped = pooled * keep
            prob = 1.0 / (1.0 + np.exp(-(dropped @ p["out_w"] + p["out_b"])))
            g = ((prob - y[idx]) / np.float32(y[idx].size)).astype(np.float32)
            d_pool = (g @ p["out_w"].T) * keep * (pooled > 0)
            at_max = wins[np.arange(len(idx))[:, None], arg]  # (batch, filters, fan)
            grads = {
                "w": np.einsum("bfk,bf->kf", at_max, d_pool),
                "b": d_pool.sum(axis=0),
                "out_w": dropped.T @ g,
                "out_b": g.sum(axis=0),
            }
            step += 1
            for k, grad in grads.items():
                p[k] *= np.float32(1 - LEARNING_RATE * WEIGHT_DECAY)
                m1[k] = beta1 * m1[k] + (1 - beta1) * grad
                m2[k] = beta2 * m2[k] + (1 - beta2) * grad * grad
                update = (m1[k] / (1 - beta1**step)) / (np.sqrt(m2[k] / (1 - beta2**step)) + eps)
                p[k] = (p[k] - LEARNING_RATE * update).astype(np.float32)
    return PhraseNet(p["w"], p["b"], p["out_w"], p["out_b"])
