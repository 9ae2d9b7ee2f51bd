"""A spaCy pipeline on pretrained sentence embeddings (the optional extra).

Two components after the tokenizer of `spacy.blank("en")`:

- `code_suggest_encoder` sets each doc's vector (and, on demand, each span's)
  from the sentence encoder (encoder.py), a batch of docs at a time;
- `code_suggest_classifier` holds one logistic regression per code over
  that vector (fitted with scikit-learn, one-vs-rest, balanced classes) and
  sets `doc.cats` to each code's probability, as `textcat_multilabel` does.
  With the `tfidf` setting, each regression also sees the doc's TF-IDF
  weights of words and word pairs (the vocabulary of the training units):
  the embedding carries what a passage means, the words the team's own
  vocabulary (names of tools, places, programmes) that a general-purpose
  encoder blurs.

The classifier's weights, vocabulary and IDF are plain arrays and strings in
msgpack, so a stored version round-trips through `model.model_to_bytes` like
the textcat model, without pickle. Loading it needs the extra, since the
encoder does.
"""

from collections.abc import Callable, Iterable, Iterator

import numpy as np
import spacy
import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from . import encoder

EMBEDDING_SETTINGS = {
    "kind": "embedding",
    "encoder": encoder.MODEL_NAME,
    # Inverse regularisation strength of each code's logistic regression.
    "C": 1.0,
    # Also TF-IDF words and word pairs, beside the embedding.
    "tfidf": True,
    # How strongly each defined code's path and definition steer its
    # weights (0: not at all); see train_embedding.
    # 3: osfocus sentences, R@5 0.561 -> 0.583, segment F1 0.259 -> 0.302.
    "definitions": 3.0,
    "seed": 0,
}

# The TF-IDF features: as the baseline's (model.TfidfBaseline), but only
# terms in at least two training units, which halves the vocabulary.
TFIDF_OPTIONS = {"lowercase": True, "ngram_range": (1, 2), "sublinear_tf": True}
TFIDF_MIN_DF = 2


def tfidf_vectorizer(terms: list[str] | None = None, idf=None):
    """Return the TF-IDF vectorizer of the classifier: unfitted, or with the
    stored vocabulary (`terms`, in column order) and IDF weights."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if terms is None:
        return TfidfVectorizer(min_df=TFIDF_MIN_DF, **TFIDF_OPTIONS)
    vectorizer = TfidfVectorizer(vocabulary=terms, **TFIDF_OPTIONS)
    vectorizer.idf_ = idf
    return vectorizer


def _span_vector(span: Span) -> np.ndarray:
    return encoder.encode([span.text])[0]


def _set_vector(doc: Doc, vector: np.ndarray) -> Doc:
    doc.user_hooks["vector"] = lambda _doc: vector
    doc.user_hooks["has_vector"] = lambda _doc: True
    # Spans are encoded when asked for (say, "more like this" on a coding).
    doc.user_span_hooks["vector"] = _span_vector
    doc.user_span_hooks["has_vector"] = lambda _span: True
    return doc


class SentenceEncoder:
    """Set `doc.vector` to the doc's sentence embedding."""

    def __init__(self, name: str, model: str, batch_size: int):
        if model != encoder.MODEL_NAME:
            raise ValueError(
                f"Sentence encoder {model!r} is not available; this installation "
                f"has {encoder.MODEL_NAME!r}."
            )
        self.name = name
        self.model = model
        self.batch_size = batch_size

    def __call__(self, doc: Doc) -> Doc:
        return _set_vector(doc, encoder.encode([doc.text])[0])

    def pipe(self, docs: Iterable[Doc], batch_size: int = 0) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size or self.batch_size):
            vectors = encoder.encode([d.text for d in batch], self.batch_size)
            for doc, vector in zip(batch, vectors, strict=True):
                yield _set_vector(doc, vector)


@Language.factory(
    "code_suggest_encoder",
    default_config={"model": encoder.MODEL_NAME, "batch_size": encoder.BATCH_SIZE},
)
def make_encoder(nlp: Language, name: str, model: str, batch_size: int):
    return SentenceEncoder(name, model, batch_size)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


class CodeClassifier:
    """One logistic regression per code over `doc.vector` (and, with a
    vocabulary, the doc's TF-IDF term weights); sets `doc.cats`."""

    def __init__(self, name: str, threshold: float):
        self.name = name
        self.threshold = threshold
        self.labels: list[str] = []
        self.weights = np.zeros((0, encoder.DIMENSIONS), dtype=np.float32)
        self.bias = np.zeros(0, dtype=np.float32)
        self.terms: list[str] = []
        self.idf = np.zeros(0, dtype=np.float32)
        self.term_weights = np.zeros((0, 0), dtype=np.float32)
        self._vectorizer = None

    def set_weights(
        self,
        labels: list[str],
        weights: np.ndarray,
        bias: np.ndarray,
        *,
        terms: list[str] = (),
        idf: np.ndarray | None = None,
        term_weights: np.ndarray | None = None,
    ) -> None:
        terms = list(terms)
        idf = np.zeros(0) if idf is None else idf
        if term_weights is None:
            term_weights = np.zeros((len(labels), 0))
        if (
            weights.shape != (len(labels), encoder.DIMENSIONS)
            or bias.shape != (len(labels),)
            or idf.shape != (len(terms),)
            or term_weights.shape != (len(labels), len(terms))
        ):
            raise ValueError(
                "one row of weights and one bias per label, one IDF weight "
                "and one column of term weights per term"
            )
        self.labels = list(labels)
        self.weights = np.asarray(weights, dtype=np.float32)
        self.bias = np.asarray(bias, dtype=np.float32)
        self.terms = terms
        self.idf = np.asarray(idf, dtype=np.float32)
        self.term_weights = np.asarray(term_weights, dtype=np.float32)
        self._vectorizer = tfidf_vectorizer(terms, self.idf) if terms else None

    def predict(self, docs: list[Doc]) -> np.ndarray:
        """Return the (docs x labels) probabilities, without setting doc.cats."""
        if not docs:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        matrix = np.stack([d.vector for d in docs]).astype(np.float32)
        logits = matrix @ self.weights.T + self.bias
        if self._vectorizer is not None:
            words = self._vectorizer.transform([d.text for d in docs])
            logits += np.asarray(words @ self.term_weights.T, dtype=np.float32)
        return _sigmoid(logits)

    def _predict(self, docs: list[Doc]) -> list[Doc]:
        if not docs:
            return docs
        probabilities = self.predict(docs)
        for doc, row in zip(docs, probabilities, strict=True):
            doc.cats = {
                label: float(p) for label, p in zip(self.labels, row, strict=True)
            }
        return docs

    def __call__(self, doc: Doc) -> Doc:
        return self._predict([doc])[0]

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            yield from self._predict(list(batch))

    def to_bytes(self, *, exclude=()) -> bytes:
        return srsly.msgpack_dumps(
            {
                "labels": self.labels,
                "dims": int(self.weights.shape[1]),
                "weights": self.weights.astype("<f4").tobytes(),
                "bias": self.bias.astype("<f4").tobytes(),
                "terms": self.terms,
                "idf": self.idf.astype("<f4").tobytes(),
                "term_weights": self.term_weights.astype("<f4").tobytes(),
            }
        )

    def from_bytes(self, data: bytes, *, exclude=()) -> "CodeClassifier":
        blob = srsly.msgpack_loads(data)
        labels = list(blob["labels"])
        weights = np.frombuffer(blob["weights"], dtype="<f4").reshape(
            len(labels), blob["dims"]
        )
        bias = np.frombuffer(blob["bias"], dtype="<f4")
        # Versions stored before the TF-IDF features have no terms.
        terms = list(blob.get("terms", []))
        idf = np.frombuffer(blob.get("idf", b""), dtype="<f4")
        term_weights = np.frombuffer(blob.get("term_weights", b""), dtype="<f4")
        self.set_weights(
            labels,
            weights.copy(),
            bias.copy(),
            terms=terms,
            idf=idf.copy(),
            term_weights=term_weights.reshape(len(labels), len(terms)).copy(),
        )
        return self

    def to_disk(self, path, *, exclude=()) -> None:
        path.mkdir(parents=True, exist_ok=True)
        (path / "weights.msgpack").write_bytes(self.to_bytes())

    def from_disk(self, path, *, exclude=()) -> "CodeClassifier":
        return self.from_bytes((path / "weights.msgpack").read_bytes())


@Language.factory("code_suggest_classifier", default_config={"threshold": 0.5})
def make_classifier(nlp: Language, name: str, threshold: float):
    return CodeClassifier(name, threshold)


def blank_pipeline(settings: dict) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("code_suggest_encoder", config={"model": settings["encoder"]})
    nlp.add_pipe("code_suggest_classifier", config={"threshold": settings["threshold"]})
    return nlp


def train_embedding(
    texts: list[str],
    labels: list[frozenset[int]],
    code_ids: list[int],
    *,
    settings: dict,
    code_texts: dict[int, str] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Language:
    """Return the encoder + classifier pipeline fitted on `texts`.

    A code that no unit (or every unit) carries gets a constant score of
    about 0 (or 1): there is nothing to separate.

    With the `definitions` setting s > 0, each code's regression also sees
    one more feature: s times the cosine of the unit's embedding with that
    of the code's text in `code_texts` (its path and definition). The
    cosine is linear in the embedding, so the feature's weight folds back
    into the embedding weights and the stored model is as before; what it
    changes is the regularisation, which now pulls a code's weights towards
    its definition instead of towards nothing. That matters for a code with
    few codings, which the team has nonetheless defined.
    """
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    nlp = blank_pipeline(settings)
    matrix = encoder.encode(texts)
    dims = encoder.DIMENSIONS
    terms, idf, features = [], None, matrix
    if settings.get("tfidf"):
        vectorizer = tfidf_vectorizer()
        try:
            words = vectorizer.fit_transform(texts)
        except ValueError:  # no term in two units: the embedding alone
            pass
        else:
            terms = vectorizer.get_feature_names_out().tolist()
            idf = vectorizer.idf_.astype(np.float32)
            features = sparse.hstack([sparse.csr_matrix(matrix), words]).tocsr()
    if on_progress:
        on_progress(50)
    strength = float(settings.get("definitions", 0.0))
    trained = set(code_ids)
    described = {
        c: t for c, t in (code_texts or {}).items() if c in trained and t.strip()
    }
    directions = {}
    if strength > 0 and described:
        vectors = encoder.encode(list(described.values()))
        directions = dict(zip(described, vectors, strict=True))
    weights = np.zeros((len(code_ids), dims + len(terms)), dtype=np.float32)
    bias = np.zeros(len(code_ids), dtype=np.float32)
    for row, code_id in enumerate(code_ids):
        y = np.array([1 if code_id in codes else 0 for codes in labels])
        if len(set(y.tolist())) < 2:
            bias[row] = 10.0 if y.size and y[0] else -10.0
            continue
        direction = directions.get(code_id)
        design = features
        if direction is not None:
            cosine = strength * (matrix @ direction)
            if isinstance(features, np.ndarray):
                design = np.hstack([features, cosine[:, None]])
            else:
                design = sparse.hstack([features, cosine[:, None]]).tocsr()
        model = LogisticRegression(
            C=settings["C"],
            class_weight="balanced",
            max_iter=2000,
            random_state=settings["seed"],
        ).fit(design, y)
        coef = model.coef_[0]
        if direction is not None:
            coef, extra = coef[:-1].copy(), coef[-1]
            coef[:dims] += strength * extra * direction
        weights[row] = coef
        bias[row] = model.intercept_[0]
    nlp.get_pipe("code_suggest_classifier").set_weights(
        [str(c) for c in code_ids],
        weights[:, :dims],
        bias,
        terms=terms,
        idf=idf,
        term_weights=weights[:, dims:],
    )
    if on_progress:
        on_progress(100)
    return nlp
