"""The learned suggestion models and the TF-IDF baseline they are measured against.

Two kinds of model, both spaCy pipelines that set `doc.cats` to {code id (as
a string): probability}, so that one function (`score_texts`) scores units
and selections for the evaluation and the suggestion job alike:

- "embedding" (when the optional extra is installed, see encoder.py): a
  logistic regression per code on pretrained sentence embeddings
  (embedding.py). Measured against TF-IDF on real coded data, it is the one
  that meets the issue's targets, so it is the default when available.
- "textcat": spaCy's `textcat_multilabel` with the bag-of-words architecture
  (`TextCatBOW`) on `spacy.blank("en")`: no pretrained vectors, no download,
  trains in seconds on a CPU. The fallback without the extra.

The baseline is what NVivo-style tools do: TF-IDF of words and word pairs
with one logistic regression per code (one-vs-rest), from scikit-learn.
"""

import random
from collections.abc import Callable

import numpy as np
import spacy
import srsly
from spacy.language import Language
from spacy.training import Example
from spacy.util import fix_random_seed, load_model_from_config, minibatch
from thinc.api import Config

from . import encoder
from .embedding import EMBEDDING_SETTINGS, train_embedding

THRESHOLD = 0.5
TEXTCAT_SETTINGS = {
    "kind": "textcat",
    "architecture": "spacy.TextCatBOW.v3",
    "ngram_size": 2,
    # Hashed feature table per label; 2**16 keeps a model of ten codes at a
    # few megabytes.
    "length": 2**16,
    "epochs": 12,
    "batch_size": 32,
    "dropout": 0.1,
    # Adam's default 0.001 leaves the bag-of-words scores near 0.5 after a
    # dozen epochs on a few hundred sentences; 0.01 separates them.
    "learn_rate": 0.01,
    "seed": 0,
    "threshold": THRESHOLD,
}


MIN_CODINGS = 20
MIN_PER_CODE = 5


class NotEnoughCodings(ValueError):
    """Too few codings to learn from; str(exc) says how many are needed."""


def trainable_codes(coding_code_ids: list[int], code_order: list[int]) -> list[int]:
    """Return the codes (in `code_order`) with enough codings to learn.

    Raise NotEnoughCodings unless there are at least MIN_CODINGS codings and
    at least two codes with MIN_PER_CODE codings each: with one code the
    model could only learn "this code or nothing", with fewer codings it
    learns noise and predicts nothing.
    """
    counts: dict[int, int] = {}
    for code_id in coding_code_ids:
        counts[code_id] = counts.get(code_id, 0) + 1
    codes = [c for c in code_order if counts.get(c, 0) >= MIN_PER_CODE]
    total = len(coding_code_ids)
    if total < MIN_CODINGS or len(codes) < 2:
        raise NotEnoughCodings(
            f"Training needs at least {MIN_CODINGS} codings, with at least "
            f"{MIN_PER_CODE} for each of at least 2 codes; this layer has "
            f"{total} coding{'s' if total != 1 else ''} and {len(codes)} "
            f"code{'s' if len(codes) != 1 else ''} with {MIN_PER_CODE} or more."
        )
    return codes


def _blank_textcat(code_ids: list[int], settings: dict) -> Language:
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe(
        "textcat_multilabel",
        config={
            "model": {
                "@architectures": settings["architecture"],
                "exclusive_classes": False,
                "ngram_size": settings["ngram_size"],
                "no_output_layer": False,
                "length": settings["length"],
            },
            "threshold": settings["threshold"],
        },
    )
    for code_id in code_ids:
        textcat.add_label(str(code_id))
    return nlp


def train_textcat(
    texts: list[str],
    labels: list[frozenset[int]],
    code_ids: list[int],
    *,
    settings: dict | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Language:
    """Return a textcat_multilabel pipeline trained on `texts` and their codes.

    Units without codes are negatives for every code. Training is seeded,
    so the same data and settings give the same model.
    """
    settings = {**TEXTCAT_SETTINGS, **(settings or {})}
    fix_random_seed(settings["seed"])
    nlp = _blank_textcat(code_ids, settings)
    examples = []
    for text, codes in zip(texts, labels, strict=True):
        cats = {str(c): 1.0 if c in codes else 0.0 for c in code_ids}
        examples.append(Example.from_dict(nlp.make_doc(text), {"cats": cats}))
    optimizer = nlp.initialize(lambda: examples)
    optimizer.learn_rate = settings["learn_rate"]
    rng = random.Random(settings["seed"])
    for epoch in range(settings["epochs"]):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=settings["batch_size"]):
            nlp.update(batch, drop=settings["dropout"], sgd=optimizer)
        if on_progress:
            on_progress(100 * (epoch + 1) // settings["epochs"])
    return nlp


def model_to_bytes(nlp: Language) -> bytes:
    """Return the pipeline's config and weights as one blob."""
    return srsly.msgpack_dumps(
        {"config": nlp.config.to_str(), "weights": nlp.to_bytes()}
    )


def model_from_bytes(data: bytes) -> Language:
    """Return the pipeline stored by `model_to_bytes`."""
    blob = srsly.msgpack_loads(data)
    nlp = load_model_from_config(Config().from_str(blob["config"]), auto_fill=True)
    return nlp.from_bytes(blob["weights"])


def default_settings() -> dict:
    """Return the settings of the model to train: embeddings when available."""
    if encoder.available():
        return {**EMBEDDING_SETTINGS, "threshold": THRESHOLD}
    return dict(TEXTCAT_SETTINGS)


def describe_settings(settings: dict) -> str:
    """Return, for people, which kind of model `settings` describe."""
    if settings.get("kind") == "embedding":
        words = " and TF-IDF words and word pairs" if settings.get("tfidf") else ""
        steered = (
            ", drawn towards the definitions of the codes"
            if settings.get("definitions")
            else ""
        )
        return (
            "Logistic regression per code on "
            f"{settings.get('encoder', encoder.MODEL_NAME)} sentence embeddings"
            f"{words}{steered}"
        )
    return "spaCy textcat_multilabel (bag of words, trained from scratch)"


def train(
    texts: list[str],
    labels: list[frozenset[int]],
    code_ids: list[int],
    *,
    settings: dict | None = None,
    code_texts: dict[int, str] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Language:
    """Return the model `settings["kind"]` names, trained on the units.

    Settings without a kind (versions stored before there were two) mean
    "textcat". `code_texts` (each defined code's path and definition) are used by
    the embedding model only. Raise RuntimeError for "embedding" without
    the extra.
    """
    settings = settings or {}
    if settings.get("kind", "textcat") == "embedding":
        return train_embedding(
            texts,
            labels,
            code_ids,
            settings={**EMBEDDING_SETTINGS, "threshold": THRESHOLD, **settings},
            code_texts=code_texts,
            on_progress=on_progress,
        )
    return train_textcat(
        texts, labels, code_ids, settings=settings, on_progress=on_progress
    )


def _classifier(nlp: Language):
    for name in ("code_suggest_classifier", "textcat_multilabel"):
        if nlp.has_pipe(name):
            return nlp.get_pipe(name)
    raise ValueError("This pipeline has no code classifier.")


def model_kind(nlp: Language) -> str:
    return "embedding" if nlp.has_pipe("code_suggest_classifier") else "textcat"


def model_code_ids(nlp: Language) -> list[int]:
    return [int(label) for label in _classifier(nlp).labels]


def score_matrix(nlp: Language, texts: list[str], *, batch_size: int = 256):
    """Return a (texts x codes) float array of scores, whichever kind `nlp` is.

    Columns follow model_code_ids(nlp). The pipeline runs as nlp.pipe would,
    but the classifier only predicts: building a doc.cats dict per text took
    a good part of a suggestion job's time, and callers want numbers.
    """
    classifier = _classifier(nlp)
    docs = nlp.pipe(texts, batch_size=batch_size, disable=[classifier.name])
    blocks = [
        np.asarray(classifier.predict(list(batch)), dtype=np.float32)
        for batch in minibatch(docs, size=batch_size)
    ]
    if not blocks:
        return np.zeros((0, len(classifier.labels)), dtype=np.float32)
    return np.concatenate(blocks)


def score_texts(nlp: Language, texts: list[str]) -> list[dict[int, float]]:
    """Return {code id: score} for each text, whichever kind `nlp` is."""
    code_ids = model_code_ids(nlp)
    return [
        dict(zip(code_ids, row, strict=True))
        for row in score_matrix(nlp, texts).tolist()
    ]


class TfidfBaseline:
    """TF-IDF (words and word pairs) + one-vs-rest logistic regression."""

    def __init__(self, *, seed: int = 0):
        self.seed = seed
        self.code_ids: list[int] = []
        self.vectorizer = None
        self.models: dict[int, object] = {}
        self.constant: dict[int, float] = {}

    def fit(
        self, texts: list[str], labels: list[frozenset[int]], code_ids: list[int]
    ) -> "TfidfBaseline":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.code_ids = list(code_ids)
        self.vectorizer = TfidfVectorizer(
            lowercase=True, ngram_range=(1, 2), sublinear_tf=True
        )
        matrix = self.vectorizer.fit_transform(texts)
        for code_id in self.code_ids:
            y = [1 if code_id in codes else 0 for codes in labels]
            if len(set(y)) < 2:
                # Every unit (or none) carries it: nothing to separate.
                self.constant[code_id] = float(y[0]) if y else 0.0
                continue
            model = LogisticRegression(
                class_weight="balanced", max_iter=1000, random_state=self.seed
            )
            self.models[code_id] = model.fit(matrix, y)
        return self

    def scores(self, texts: list[str]) -> list[dict[int, float]]:
        if not texts:
            return []
        matrix = self.vectorizer.transform(texts)
        out: list[dict[int, float]] = [{} for _ in texts]
        for code_id in self.code_ids:
            if code_id in self.models:
                column = self.models[code_id].predict_proba(matrix)[:, 1]
            else:
                column = [self.constant[code_id]] * len(texts)
            for row, value in zip(out, column, strict=True):
                row[code_id] = float(value)
        return out
