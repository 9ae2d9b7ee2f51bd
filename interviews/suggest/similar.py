"""Rank sentences by their similarity to a passage ("More like this").

Two methods, best first: the pretrained sentence encoder of
`interviews.suggest.encoder` when it is installed and usable, otherwise
TF-IDF cosine similarity over the candidate sentences (word unigrams and
bigrams, sublinear term frequency). Both give a cosine in [0, 1] for TF-IDF
and [-1, 1] for the encoder; only positive scores are kept.

The encoder module is optional (it needs torch): it is imported lazily, and
its absence, or an error while loading it, falls back to TF-IDF.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

TFIDF = "TF-IDF cosine similarity (words and word pairs)"
BATCH = 256


@dataclass(frozen=True)
class Method:
    """How similarity is computed: its label and, for the encoder, encode()."""

    name: str  # "encoder" or "tfidf"
    label: str
    encode: Callable[[list[str]], np.ndarray] | None = None


def choose_method() -> Method:
    """Return the encoder when it is available, else TF-IDF."""
    try:
        from . import encoder
    except ImportError:
        return Method("tfidf", TFIDF)
    try:
        if encoder.available():
            return Method("encoder", encoder.describe(), encoder.encode)
    except Exception:  # a broken optional install must not break the feature
        pass
    return Method("tfidf", TFIDF)


def tfidf_scores(query: str, texts: Sequence[str]) -> np.ndarray:
    """Return the TF-IDF cosine of `query` with each of `texts`.

    The vocabulary and document frequencies come from `texts` (the
    project's sentences) and the query together. Texts with no word in
    common with the query score 0; so does everything when the query has no
    word at all.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not texts:
        return np.zeros(0, dtype=np.float32)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([query, *texts])
    except ValueError:  # no word anywhere ("empty vocabulary")
        return np.zeros(len(texts), dtype=np.float32)
    # Rows are L2-normalised by the vectorizer: the dot product is the cosine.
    scores = (matrix[1:] @ matrix[0].T).toarray().ravel()
    return scores.astype(np.float32)


def encoder_scores(
    query: str,
    texts: Sequence[str],
    encode: Callable[[list[str]], np.ndarray],
    on_progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Return the cosine of the encoded query with each encoded text.

    `encode` returns L2-normalised float32 rows; texts are encoded in
    batches so that progress can be reported (0-100).
    """
    if not texts:
        return np.zeros(0, dtype=np.float32)
    q = np.asarray(encode([query]), dtype=np.float32)[0]
    out = np.empty(len(texts), dtype=np.float32)
    for at in range(0, len(texts), BATCH):
        rows = np.asarray(encode(list(texts[at : at + BATCH])), dtype=np.float32)
        out[at : at + len(rows)] = rows @ q
        if on_progress:
            on_progress(min(100, (at + len(rows)) * 100 // len(texts)))
    return out


def top_k(
    scores: np.ndarray, *, exclude: set[int] = frozenset(), limit: int = 25
) -> list[tuple[int, float]]:
    """Return (index, score) of the `limit` best positive scores, best first.

    Excluded indexes are skipped; ties go to the earlier index, so that the
    order is stable across runs.
    """
    order = sorted(
        (i for i in range(len(scores)) if i not in exclude and scores[i] > 0),
        key=lambda i: (-float(scores[i]), i),
    )
    return [(i, round(float(scores[i]), 4)) for i in order[:limit]]


def rank_similar(
    query: str,
    texts: Sequence[str],
    *,
    exclude: set[int] = frozenset(),
    limit: int = 25,
    method: Method | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[list[tuple[int, float]], Method]:
    """Return the texts most similar to `query`, as (index, score), and the
    method used (chosen with choose_method() unless given)."""
    method = method or choose_method()
    if method.encode is not None:
        scores = encoder_scores(query, texts, method.encode, on_progress)
    else:
        scores = tfidf_scores(query, texts)
    return top_k(scores, exclude=exclude, limit=limit), method
