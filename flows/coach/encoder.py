"""The statement encoder: a small fine-tuned transformer that reads a statement in context.

A four-layer cut of all-MiniLM-L6-v2 (Apache-2.0), fine-tuned on the project's training statements by
``make coach-encoder`` (:mod:`scripts.coach_encoder`), exported to ONNX with int8 weights and committed
as ``flows/coach/data/statement_encoder.onnx`` with its WordPiece tokenizer. It gives one logit per
nudge kind; the statement heads (:mod:`flows.coach.model`) take those logits as nine more features, so
the thresholds that decide are still fitted by ``make coach-train`` on cross-validated figures.

It runs on the CPU with onnxruntime, loads once per process on first use (``import flows.coach`` stays
light), and reads at most the first :data:`MAX_TOKENS` word pieces of a text (a call costs about what it
reads, and the coach's budget is 15 ms per call at 1,000 characters). If it cannot load,
:func:`get_encoder` returns ``None`` after logging once and the coach answers without it (the rules-only
heads).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from flows.coach.once import LoadedOnce

log = logging.getLogger("commonground.coach")

DATA = Path(__file__).parent / "data"
MODEL_FILE = DATA / "statement_encoder.onnx"
TOKENIZER_FILE = DATA / "statement_encoder_tokenizer.json"
MAX_TOKENS = 64  # word pieces read per text, [CLS] and [SEP] included (97 % of training statements fit)
THREADS = 1  # onnxruntime's threads for one call: it runs beside the rest of the coach (see submit)
WORKERS = 2  # calls that may run at once (each on one core)


class StatementEncoder:
    """One logit per nudge kind for each text, from the fine-tuned encoder."""

    def __init__(self, session: Any, tokenizer: Any) -> None:
        self._session = session
        self._tok = tokenizer
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def submit(self, text: str) -> Future[list[float]]:
        """Start :meth:`logits` on the encoder's own thread; onnxruntime releases the GIL while it
        computes, so the caller's Python work (rules, embeddings) runs meanwhile on another core."""
        return self._start(self._tok.encode(text))

    def read_if_fits(self, text: str) -> Future[list[float]] | None:
        """:meth:`submit` for a text that :meth:`fits` the window, tokenised once; ``None`` for a longer
        text, and without tokenising it for one of more whitespace-separated words than the window holds
        word pieces (a word is one word piece or more)."""
        if len(text.split()) > MAX_TOKENS - 2:
            return None
        enc = self._tok.encode(text)
        return None if enc.overflowing else self._start(enc)

    def logits(self, text: str) -> list[float]:
        """The text's logit for each nudge kind, in ``NUDGE_KINDS`` order.

        One text per call: int8 activations are scaled per call, so a text read in a padded batch would
        get slightly different logits, and training read each text alone as well.
        """
        return self._run(self._tok.encode(text))

    def fits(self, text: str) -> bool:
        """Whether the text fits the encoder's window of :data:`MAX_TOKENS` word pieces."""
        return not self._tok.encode(text).overflowing

    def _start(self, enc: Any) -> Future[list[float]]:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="coach-encoder")
            return self._pool.submit(self._run, enc)

    def _run(self, enc: Any) -> list[float]:
        import numpy as np

        ids = np.asarray([enc.ids], dtype=np.int64)
        mask = np.asarray([enc.attention_mask], dtype=np.int64)
        out = self._session.run(None, {"ids": ids, "mask": mask})[0]
        return [float(v) for v in out[0]]

    def close(self) -> None:
        """Stop the encoder's threads (they start on the first :meth:`submit`)."""
        with self._pool_lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None


def load_tokenizer(path: Path = TOKENIZER_FILE, pad: bool = False) -> Any:
    """The encoder's tokenizer, truncating at :data:`MAX_TOKENS` (``pad``: each batch to its longest)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.enable_truncation(max_length=MAX_TOKENS)
    if pad:
        tok.enable_padding(pad_id=0, pad_token="[PAD]")
    else:
        tok.no_padding()
    return tok


def open_session(path: Path, threads: int = THREADS) -> Any:
    """An onnxruntime session on the CPU with ``threads`` threads for one call."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    # idle threads sleep instead of spinning: a spinning pool would burn a core beside the event loop
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


_loaded: LoadedOnce[StatementEncoder] = LoadedOnce(
    lambda: StatementEncoder(open_session(MODEL_FILE), load_tokenizer()),
    "coach statement encoder unavailable",
    log,
)


def get_encoder() -> StatementEncoder | None:
    """The process's encoder, loaded on first call; ``None`` (logged once) if it cannot load."""
    return _loaded.get()


# tests: forget the loaded encoder (no argument) or force one (``None``: run without it)
_reset_for_tests = _loaded.reset
