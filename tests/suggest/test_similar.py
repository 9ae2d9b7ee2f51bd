"""Pure tests of the "More like this" ranking (interviews/suggest/similar.py)."""

import sys
import types

import numpy as np
import pytest

from interviews.suggest import similar

SENTENCES = [
    "Transport corridors between the regions are missing.",
    "We had a good lunch.",
    "The regions lack money for joint projects.",
    "Money is the main barrier for joint projects between regions.",
    "",
]


def test_tfidf_ranks_sentences_sharing_rare_words_first():
    ranked, method = similar.rank_similar(
        "Regions lack money for joint projects",
        SENTENCES,
        method=similar.Method("tfidf", similar.TFIDF),
    )
    assert [i for i, _ in ranked] == [2, 3, 0]  # 1 and 4 share no word
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert 0 < scores[-1] < scores[0] <= 1
    assert method.name == "tfidf"


def test_identical_text_scores_one():
    scores = similar.tfidf_scores("the regions lack money", ["the regions lack money"])
    assert scores[0] == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(
    ("query", "texts"),
    [("", ["some words here"]), ("!!!", ["?", "..."]), ("words", [])],
)
def test_tfidf_scores_zero_when_nothing_is_shared(query, texts):
    scores = similar.tfidf_scores(query, texts)
    assert scores.shape == (len(texts),)
    assert not scores.any()


def test_excluded_and_unrelated_sentences_are_left_out_and_limit_applies():
    ranked, _ = similar.rank_similar(
        "money for joint projects",
        SENTENCES,
        exclude={2},
        limit=1,
        method=similar.Method("tfidf", similar.TFIDF),
    )
    assert [i for i, _ in ranked] == [3]


def test_top_k_breaks_ties_by_position():
    scores = np.array([0.5, 0.9, 0.5, 0.0, -0.2], dtype=np.float32)
    assert similar.top_k(scores) == [(1, 0.9), (0, 0.5), (2, 0.5)]
    assert similar.top_k(scores, exclude={1}, limit=1) == [(0, 0.5)]


def _fake_encode(texts):
    # Two dimensions: "money" and "transport"; L2-normalised like the encoder.
    rows = np.array(
        [
            [t.lower().count("money") + 0.01, t.lower().count("transport")]
            for t in texts
        ],
        dtype=np.float32,
    )
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_encoder_scores_are_cosines_and_progress_is_reported(monkeypatch):
    monkeypatch.setattr(similar, "BATCH", 2)
    seen = []
    scores = similar.encoder_scores(
        "transport", SENTENCES, _fake_encode, on_progress=seen.append
    )
    assert scores.shape == (5,)
    assert scores[0] == pytest.approx(1.0, abs=1e-3)
    assert scores[2] == pytest.approx(0.01, abs=1e-3)
    assert seen == [40, 80, 100]


def _install_encoder(monkeypatch, *, available=True, broken=False):
    module = types.ModuleType("interviews.suggest.encoder")

    def is_available():
        if broken:
            raise RuntimeError("torch is half installed")
        return available

    module.available = is_available
    module.describe = lambda: "all-MiniLM-L6-v2 sentence embeddings"
    module.encode = _fake_encode
    monkeypatch.setitem(sys.modules, "interviews.suggest.encoder", module)
    import interviews.suggest as package

    monkeypatch.setattr(package, "encoder", module, raising=False)


def test_the_encoder_is_used_when_available(monkeypatch):
    _install_encoder(monkeypatch)
    ranked, method = similar.rank_similar("transport", SENTENCES)
    assert method.name == "encoder"
    assert method.label == "all-MiniLM-L6-v2 sentence embeddings"
    assert ranked[0][0] == 0


@pytest.mark.parametrize("kwargs", [{"available": False}, {"broken": True}])
def test_tfidf_is_the_fallback_when_the_encoder_cannot_run(monkeypatch, kwargs):
    _install_encoder(monkeypatch, **kwargs)
    assert similar.choose_method().name == "tfidf"


def test_tfidf_is_the_fallback_without_the_encoder_module(monkeypatch):
    import interviews.suggest as package

    monkeypatch.setitem(sys.modules, "interviews.suggest.encoder", None)
    monkeypatch.delattr(package, "encoder", raising=False)
    assert similar.choose_method() == similar.Method("tfidf", similar.TFIDF)
