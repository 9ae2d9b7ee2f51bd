"""The sentence encoder wrapper and the embedding pipeline (optional extra).

Tests that compute embeddings skip, saying why, when the extra
(requirements-embeddings.txt) is not installed; the fallback tests run
everywhere.
"""

import numpy as np
import pytest

from interviews.suggest import encoder
from interviews.suggest.embedding import CodeClassifier
from interviews.suggest.model import (
    TEXTCAT_SETTINGS,
    default_settings,
    describe_settings,
    model_code_ids,
    model_from_bytes,
    model_kind,
    model_to_bytes,
    score_matrix,
    score_texts,
    train,
)

needs_extra = pytest.mark.skipif(
    not encoder.available(),
    reason="the optional sentence-embedding extra (requirements-embeddings.txt) "
    "is not installed",
)

MONEY, INFO = 1, 2
TEXTS = [
    "Regions lack money for joint projects.",
    "The budget for cooperation is too small.",
    "There is never enough funding for our plans.",
    "Nobody knows what the other side is doing.",
    "Information about partners is hard to find.",
    "We hear nothing about their programmes.",
    "The weather was pleasant during the visit.",
    "We met in the spring of that year.",
    "The hotel was near the station.",
]
LABELS = [frozenset({MONEY})] * 3 + [frozenset({INFO})] * 3 + [frozenset()] * 3


@needs_extra
def test_encode_returns_normalised_float32_rows_in_order():
    vectors = encoder.encode(["Money is short.", "", "Money is short."])
    assert vectors.shape == (3, encoder.DIMENSIONS)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[[0, 2]], axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vectors[0], vectors[2])
    assert encoder.encode([]).shape == (0, encoder.DIMENSIONS)
    similar, other = encoder.encode(["We lack funds.", "The hotel was nice."])
    assert float(vectors[0] @ similar) > float(vectors[0] @ other)


@needs_extra
def test_the_model_is_loaded_once_and_texts_are_encoded_once(monkeypatch):
    encoder.encode(["warm up"])
    model = encoder._model()
    encoder.clear_cache()
    calls = []
    real = type(model).encode

    def counting(self, texts, **kwargs):
        calls.append(list(texts))
        return real(self, texts, **kwargs)

    monkeypatch.setattr(type(model), "encode", counting)
    first = encoder.encode(["one text", "two texts"])
    again = encoder.encode(["two texts", "one text", "three"])
    assert encoder._model() is model
    assert calls == [["one text", "two texts"], ["three"]]
    assert np.array_equal(first[1], again[0])


@needs_extra
def test_describe_names_the_encoder():
    assert encoder.describe() == "all-MiniLM-L6-v2 sentence embeddings (384 dims)"
    assert default_settings()["kind"] == "embedding"


def test_without_the_extra_the_textcat_model_is_the_default(monkeypatch):
    monkeypatch.setattr(encoder, "available", lambda: False)
    assert encoder.describe().startswith("Sentence embeddings unavailable: ")
    assert default_settings() == TEXTCAT_SETTINGS
    assert describe_settings(default_settings()) == (
        "spaCy textcat_multilabel (bag of words, trained from scratch)"
    )
    nlp = train(TEXTS, LABELS, [MONEY, INFO], settings=default_settings())
    assert model_kind(nlp) == "textcat"


def test_a_model_without_a_kind_is_a_textcat_model():
    nlp = train(TEXTS, LABELS, [MONEY, INFO], settings={"epochs": 2})
    assert nlp.pipe_names == ["textcat_multilabel"]


def test_the_classifier_round_trips_its_weights_through_bytes():
    classifier = CodeClassifier("c", 0.5)
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(2, encoder.DIMENSIONS)).astype(np.float32)
    classifier.set_weights(["1", "2"], weights, np.array([0.5, -1.0]))
    again = CodeClassifier("c", 0.5).from_bytes(classifier.to_bytes())
    assert again.labels == ["1", "2"]
    assert np.array_equal(again.weights, weights)
    assert again.bias.tolist() == [0.5, -1.0]
    with pytest.raises(ValueError, match="one row of weights"):
        classifier.set_weights(["1"], weights, np.zeros(1))


def test_the_classifier_round_trips_its_vocabulary_and_term_weights():
    classifier = CodeClassifier("c", 0.5)
    rng = np.random.default_rng(1)
    weights = rng.normal(size=(2, encoder.DIMENSIONS)).astype(np.float32)
    terms = ["budget", "money", "no money"]
    idf = np.array([1.5, 1.2, 2.0], dtype=np.float32)
    term_weights = rng.normal(size=(2, 3)).astype(np.float32)
    classifier.set_weights(
        ["1", "2"],
        weights,
        np.zeros(2),
        terms=terms,
        idf=idf,
        term_weights=term_weights,
    )
    again = CodeClassifier("c", 0.5).from_bytes(classifier.to_bytes())
    assert again.terms == terms
    assert np.array_equal(again.idf, idf)
    assert np.array_equal(again.term_weights, term_weights)
    with pytest.raises(ValueError, match="one column of term weights per term"):
        classifier.set_weights(
            ["1", "2"], weights, np.zeros(2), terms=terms, idf=idf[:2]
        )


def test_a_classifier_stored_before_term_features_still_loads():
    import srsly

    weights = np.ones((1, encoder.DIMENSIONS), dtype="<f4")
    old = srsly.msgpack_dumps(
        {
            "labels": ["7"],
            "dims": encoder.DIMENSIONS,
            "weights": weights.tobytes(),
            "bias": np.zeros(1, dtype="<f4").tobytes(),
        }
    )
    classifier = CodeClassifier("c", 0.5).from_bytes(old)
    assert classifier.labels == ["7"]
    assert classifier.terms == []
    assert classifier.term_weights.shape == (1, 0)


@needs_extra
def test_term_features_are_learned_stored_and_scored_the_same_after_loading():
    settings = {**default_settings(), "tfidf": True, "definitions": 0}
    assert describe_settings(settings).endswith(
        "sentence embeddings and TF-IDF words and word pairs"
    )
    nlp = train(TEXTS, LABELS, [MONEY, INFO], settings=settings)
    classifier = nlp.get_pipe("code_suggest_classifier")
    # Only terms of two units or more: "for" and "the" are, "regions" is not.
    assert "for" in classifier.terms and "regions" not in classifier.terms
    assert classifier.term_weights.shape == (2, len(classifier.terms))
    again = model_from_bytes(model_to_bytes(nlp))
    probes = ["We have no money for the plans.", "Where is the information?"]
    assert score_texts(again, probes) == score_texts(nlp, probes)
    # The words add to what the embedding alone scores.
    alone = train(TEXTS, LABELS, [MONEY, INFO], settings={**settings, "tfidf": False})
    assert alone.get_pipe("code_suggest_classifier").terms == []
    assert score_texts(alone, probes) != score_texts(nlp, probes)


@needs_extra
def test_the_embedding_model_learns_and_round_trips_through_bytes():
    nlp = train(TEXTS, LABELS, [MONEY, INFO], settings=default_settings())
    assert nlp.pipe_names == ["code_suggest_encoder", "code_suggest_classifier"]
    again = model_from_bytes(model_to_bytes(nlp))
    assert model_kind(again) == "embedding"
    assert model_code_ids(again) == [MONEY, INFO]
    probes = ["We have no money for this.", "Where is the information?"]
    [money, info] = score_texts(again, probes)
    assert money[MONEY] > money[INFO]
    assert info[INFO] > info[MONEY]
    assert score_texts(again, probes) == score_texts(nlp, probes)
    doc = again("Funding is short. The rest is fine.")
    assert doc.vector.shape == (encoder.DIMENSIONS,)
    span = doc[0:4]
    assert span.text == "Funding is short."
    assert np.allclose(span.vector, encoder.encode(["Funding is short."])[0])


def _cats_scores(nlp, texts):
    """What score_texts used to return: the pipeline's own doc.cats."""
    return [
        {int(label): score for label, score in doc.cats.items()}
        for doc in nlp.pipe(texts)
    ]


@pytest.mark.parametrize(
    "kind", ["textcat", pytest.param("embedding", marks=needs_extra)]
)
def test_scores_are_exactly_the_pipelines_own_cats(kind):
    settings = TEXTCAT_SETTINGS if kind == "textcat" else default_settings()
    nlp = train(TEXTS, LABELS, [MONEY, INFO], settings={**settings, "epochs": 3})
    probes = [*TEXTS, "We have no money for this.", " "]
    matrix = score_matrix(nlp, probes)
    assert matrix.shape == (len(probes), 2)
    assert score_texts(nlp, probes) == _cats_scores(nlp, probes)
    assert score_matrix(nlp, []).shape == (0, 2)


def test_packed_vectors_round_trip_by_digest():
    texts = ["Регионы", "Regions lack money.", "🙂 emoji"]
    digests = [encoder.digest(t) for t in texts]
    matrix = np.arange(3 * encoder.DIMENSIONS, dtype=np.float32).reshape(3, -1)
    blobs = encoder.pack(digests, matrix)
    vectors = encoder.unpack(*blobs)
    assert list(vectors) == digests
    assert len(set(digests)) == 3 and all(
        len(d) == encoder.DIGEST_SIZE for d in digests
    )
    for digest, row in zip(digests, matrix, strict=True):
        assert np.array_equal(vectors[digest], row)


@pytest.mark.parametrize("cut", [1, 4, encoder.DIGEST_SIZE])
def test_unpacking_blobs_that_do_not_fit_is_refused(cut):
    digests, vectors = encoder.pack(
        [encoder.digest("a"), encoder.digest("b")],
        np.zeros((2, encoder.DIMENSIONS), dtype=np.float32),
    )
    with pytest.raises(ValueError, match="do not match"):
        encoder.unpack(digests[:-cut], vectors)
    with pytest.raises(ValueError, match="do not match"):
        encoder.unpack(digests, vectors[:-cut])


MONEY_TEXT = "Barriers / Financial difficulties. Lack of money, funding or budget."


@needs_extra
def test_a_definition_steers_its_code_and_folds_into_the_stored_weights():
    from sklearn.linear_model import LogisticRegression

    settings = {**default_settings(), "tfidf": False, "definitions": 3.0}
    nlp = train(
        TEXTS, LABELS, [MONEY, INFO], settings=settings, code_texts={MONEY: MONEY_TEXT}
    )
    # The stored model scores as a regression that saw the cosine with the
    # definition as one more feature (computed here independently).
    vectors = encoder.encode(TEXTS)
    cosine = 3.0 * (vectors @ encoder.encode([MONEY_TEXT])[0])
    y = [1 if MONEY in labels else 0 for labels in LABELS]
    augmented = LogisticRegression(
        C=settings["C"], class_weight="balanced", max_iter=2000, random_state=0
    ).fit(np.hstack([vectors, cosine[:, None]]), y)
    probes = ["The funding was cut again.", "The train was late."]
    probe_vectors = encoder.encode(probes)
    probe_cosine = 3.0 * (probe_vectors @ encoder.encode([MONEY_TEXT])[0])
    expected = augmented.predict_proba(
        np.hstack([probe_vectors, probe_cosine[:, None]])
    )[:, 1]
    scores = score_texts(nlp, probes)
    assert [s[MONEY] for s in scores] == pytest.approx(expected.tolist(), abs=1e-5)
    # A code without a text is trained as without definitions.
    plain = train(TEXTS, LABELS, [MONEY, INFO], settings={**settings, "definitions": 0})
    assert [s[INFO] for s in scores] == pytest.approx(
        [s[INFO] for s in score_texts(plain, probes)], abs=1e-6
    )
    assert [s[MONEY] for s in scores] != pytest.approx(
        [s[MONEY] for s in score_texts(plain, probes)], abs=1e-3
    )
    # Nothing new is stored: the model round-trips as before.
    again = model_from_bytes(model_to_bytes(nlp))
    assert score_texts(again, probes) == scores


@needs_extra
def test_definitions_work_beside_the_term_features():
    settings = {**default_settings(), "tfidf": True, "definitions": 3.0}
    nlp = train(
        TEXTS, LABELS, [MONEY, INFO], settings=settings, code_texts={MONEY: MONEY_TEXT}
    )
    classifier = nlp.get_pipe("code_suggest_classifier")
    assert classifier.term_weights.shape == (2, len(classifier.terms))
    [money, other] = score_texts(nlp, ["No budget for it.", "The hotel was nice."])
    assert money[MONEY] > other[MONEY]
