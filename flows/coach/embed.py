"""Sentence embeddings for the coach: WordLlama's static token vectors, read from its installed wheel.

The `wordllama` wheel (MIT) ships a 32,000 × 256 token-embedding table and its tokenizer. We read both
files straight from the installed package (``importlib.util.find_spec`` finds it without importing it,
so its hub-download code never runs) and embed a text as the mean of its token vectors, normalised,
exactly as WordLlama's own ``embed`` does. No network, no download, CPU only.

The model loads once per process, on first use (``import flows.coach`` stays light). If it cannot load
(the wheel missing or damaged), :func:`get_embedder` returns ``None`` after logging once, and the coach
answers from its rules alone.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.coach.once import LoadedOnce

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

log = logging.getLogger("commonground.coach")

WEIGHTS = "weights/l2_supercat_256.safetensors"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
DIM = 256


class Embedder:
    """Mean-pooled, L2-normalised token embeddings (WordLlama l2_supercat, 256 dimensions)."""

    def __init__(self, table: npt.NDArray[np.float32], tokenizer: Any) -> None:
        self._table = table
        self._tok = tokenizer

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """One unit vector per text (a zero vector for a text with no tokens)."""
        import numpy as np

        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        for i, enc in enumerate(self._tok.encode_batch(texts, add_special_tokens=False)):
            out[i] = unit_mean(self._table[np.asarray(enc.ids, dtype=np.int64)])
        return out

    def tokens(self, text: str) -> tuple[npt.NDArray[np.float32], list[int]]:
        """The text's token vectors (one row per token) and where each token ends (its last character).

        A token's last character places it in a sentence (a token starts at the space before its word).
        """
        import numpy as np

        enc = self._tok.encode(text, add_special_tokens=False)
        ids = np.asarray(enc.ids, dtype=np.int64)
        return self._table[ids].reshape(len(enc.ids), DIM), [max(int(a), int(b) - 1) for a, b in enc.offsets]


def unit_mean(vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """A text's embedding from its token vectors: their mean, normalised (zeros for no tokens)."""
    import numpy as np

    out = np.zeros(DIM, dtype=np.float32)
    if len(vectors):
        vec = vectors.mean(axis=0)
        norm = float(np.linalg.norm(vec))
        if norm > 0.0:
            out[:] = vec / norm
    return out


def package_dir() -> Path | None:
    """Where the installed ``wordllama`` package lives, without importing it."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _load() -> Embedder:
    import numpy as np
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    root = package_dir()
    if root is None:
        raise FileNotFoundError("the wordllama package is not installed")
    table = load_file(str(root / WEIGHTS))["embedding.weight"].astype(np.float32)
    tok = Tokenizer.from_file(str(root / TOKENIZER))
    tok.no_padding()
    tok.no_truncation()
    return Embedder(table, tok)


_loaded: LoadedOnce[Embedder] = LoadedOnce(_load, "coach embedding model unavailable, using rules only", log)


def get_embedder() -> Embedder | None:
    """The process's embedder, loaded on first call; ``None`` (logged once) if it cannot load."""
    return _loaded.get()


# tests: forget the loaded model (no argument) or force one (``None``: run without it)
_reset_for_tests = _loaded.reset
