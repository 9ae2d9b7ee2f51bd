"""Cross-validation by transcript on a tiny synthetic project."""

from collections import Counter

import pytest
import spacy

from interviews.suggest import encoder
from interviews.suggest import evaluate as evaluation
from interviews.suggest.evaluate import (
    assign_folds,
    best_threshold,
    evaluate,
    picker_rankings,
    tuned_threshold,
)
from interviews.suggest.model import (
    NotEnoughCodings,
    TfidfBaseline,
    default_settings,
    model_code_ids,
    model_from_bytes,
    model_to_bytes,
    score_texts,
    train_textcat,
    trainable_codes,
)
from interviews.suggest.rules import CodeRule
from interviews.suggest.units import Span, Unit

MONEY, INFO = 1, 2
SENTENCES = [
    ("Regions lack money for joint projects.", MONEY),
    ("The budget for cooperation is too small.", MONEY),
    ("Nobody knows what the other side is doing.", INFO),
    ("Information about partners is hard to find.", INFO),
    ("The weather was pleasant during the visit.", None),
    ("We met in the spring of that year.", None),
]


def synthetic_project(n_transcripts=5):
    """Return texts, sentence units and sentence-aligned codings."""
    texts, units, codings = {}, [], []
    for t in range(1, n_transcripts + 1):
        text, pos = "", 0
        for k, (sentence, code) in enumerate(SENTENCES):
            # Vary the wording a little between transcripts.
            sentence = sentence.replace(".", f" (case {t}{k}).")
            units.append(Unit(t, pos, pos + len(sentence)))
            if code:
                codings.append(Span(t, code, pos, pos + len(sentence)))
            text += sentence + " "
            pos = len(text)
        texts[t] = text
    return texts, units, codings


def evaluate_synthetic(n_transcripts=5, **options) -> dict:
    """Return evaluate() on synthetic_project, without rules, in 2 folds
    unless `options` say otherwise."""
    texts, units, codings = synthetic_project(n_transcripts)
    return evaluate(
        **{
            "texts": texts,
            "units": units,
            "codings": codings,
            "rules": [],
            "code_order": [MONEY, INFO],
            "rules_nlp": spacy.blank("en"),
            "folds": 2,
            **options,
        }
    )


def test_folds_hold_out_whole_transcripts_deterministically():
    folds = assign_folds([5, 1, 2, 3, 4, 4], 4)
    assert sorted(t for f in folds for t in f) == [1, 2, 3, 4, 5]
    assert len(folds) == 4
    assert folds == assign_folds([1, 2, 3, 4, 5], 4)


def test_fewer_transcripts_than_folds_gives_one_fold_each():
    assert len(assign_folds([1, 2], 4)) == 2


def test_one_transcript_cannot_be_cross_validated():
    with pytest.raises(
        ValueError, match="at least 2 transcripts; this layer has them in 1"
    ):
        assign_folds([1, 1], 4)


def test_too_few_codings_are_refused_saying_how_many_are_needed():
    with pytest.raises(NotEnoughCodings) as info:
        trainable_codes([1] * 12 + [2] * 3, [1, 2])
    assert str(info.value) == (
        "Training needs at least 20 codings, with at least 5 for each of at "
        "least 2 codes; this layer has 15 codings and 1 code with 5 or more."
    )


def test_codes_with_too_few_codings_are_left_out_of_training():
    assert trainable_codes([1] * 10 + [2] * 10 + [3] * 4, [3, 2, 1]) == [2, 1]


def test_the_model_learns_round_trips_through_bytes_and_scores_by_code():
    texts, units, codings = synthetic_project()
    unit_texts = [texts[u.transcript_id][u.start : u.end] for u in units]
    labels = [
        frozenset(
            c.code_id
            for c in codings
            if (c.transcript_id, c.start) == (u.transcript_id, u.start)
        )
        for u in units
    ]
    nlp = train_textcat(unit_texts, labels, [MONEY, INFO])
    again = model_from_bytes(model_to_bytes(nlp))
    assert model_code_ids(again) == [MONEY, INFO]
    [money, info] = score_texts(
        again, ["Regions lack money.", "Information is hard to find."]
    )
    assert money[MONEY] > money[INFO]
    assert info[INFO] > info[MONEY]
    assert score_texts(again, ["x"]) == score_texts(nlp, ["x"])
    baseline = TfidfBaseline().fit(unit_texts, labels, [MONEY, INFO])
    [money] = baseline.scores(["Regions lack money."])
    assert money[MONEY] > 0.5 > money[INFO]


def test_evaluation_reports_three_systems_side_by_side():
    texts, units, codings = synthetic_project()
    rules = [
        CodeRule(MONEY, keywords=("money", "budget")),
        CodeRule(INFO, phrases=("information",)),
    ]
    # A transcript nobody coded is left out: its sentences are unread.
    texts[99] = "Regions lack money for joint projects."
    result = evaluate(
        texts=texts,
        units=[*units, Unit(99, 0, len(texts[99]))],
        codings=codings,
        rules=rules,
        code_order=[MONEY, INFO],
        rules_nlp=spacy.blank("en"),
        folds=4,
    )
    assert result["folds"] == 4
    assert result["units"] == 30
    assert sorted(t for f in result["fold_transcripts"] for t in f) == [1, 2, 3, 4, 5]
    assert result["codings"] == 20
    assert result["codes"] == [
        {"id": MONEY, "codings": 10},
        {"id": INFO, "codings": 10},
    ]
    assert result["selection_recall_trivial"] is True
    assert set(result["systems"]) == {"rules", "tfidf", "model"}
    rules_result = result["systems"]["rules"]
    # The rules find exactly one of the two sentences of each code in each
    # transcript ("money"/"budget" both hit MONEY; "information" one INFO).
    assert rules_result["per_code"][MONEY]["segment_recall"]["num"] == 10
    assert rules_result["per_code"][INFO]["segment_recall"] == {
        "value": 0.5,
        "num": 5,
        "den": 10,
    }
    assert rules_result["micro"]["segment_precision"]["value"] == 1.0
    for name in ("tfidf", "model"):
        micro = result["systems"][name]["micro"]
        assert micro["segment_recall"]["den"] == 20
        assert micro["char_f1"] is not None
        assert result["systems"][name]["selection_recall_at_5"]["den"] == 20


def test_every_system_ranks_the_whole_codebook_as_the_picker_does():
    """Codes nobody used still take places in the picker's list: the rules,
    like the model, rank only the codes they point at before them."""
    unused = [10, 11, 12, 13, 14]
    texts, units, codings = synthetic_project()
    result = evaluate(
        texts=texts,
        units=units,
        codings=codings,
        rules=[
            CodeRule(MONEY, keywords=("money", "budget")),
            CodeRule(INFO, phrases=("information",)),
        ],
        code_order=[*unused, MONEY, INFO],
        rules_nlp=spacy.blank("en"),
        folds=2,
    )
    assert result["selection_recall_trivial"] is False
    # Both MONEY sentences and one INFO sentence of each transcript match a
    # rule; "Nobody knows what ..." matches none, so five unused codes come
    # before INFO.
    assert result["systems"]["rules"]["selection_recall_at_5"] == {
        "value": 0.75,
        "num": 15,
        "den": 20,
        "k": 5,
    }


def test_rule_matches_order_the_picker_then_the_codebook_follows():
    order = [7, 1, 2, 3, 4, 5, 6]
    matches = Counter({3: 1, 5: 2, 99: 4, 2: 1})  # 99: not in the codebook
    assert evaluation.rule_picker_order(matches, order) == [5, 2, 3, 7, 1, 4, 6]
    assert evaluation.rule_picker_order(Counter(), order) == order


def test_evaluation_names_the_model_and_the_units():
    result = evaluate_synthetic(
        unit="turn",
        context=1,
        compare_textcat=True,  # only beside an embedding model
    )
    assert (result["unit"], result["context"]) == ("turn", 1)
    assert result["model"] == {
        "kind": "textcat",
        "description": "spaCy textcat_multilabel (bag of words, trained from scratch)",
    }
    assert set(result["systems"]) == {"rules", "tfidf", "model"}


@pytest.mark.skipif(
    not encoder.available(),
    reason="the optional sentence-embedding extra (requirements-embeddings.txt) "
    "is not installed",
)
def test_an_embedding_model_is_compared_with_textcat_from_scratch():
    result = evaluate_synthetic(settings=default_settings(), compare_textcat=True)
    assert result["model"]["kind"] == "embedding"
    assert set(result["systems"]) == {"rules", "tfidf", "model", "textcat"}
    model = result["systems"]["model"]
    # Sentences this alike are found by their meaning in a held-out transcript.
    assert model["micro"]["segment_recall"]["value"] == 1.0
    assert model["selection_recall_at_5"]["den"] == 20


def test_the_model_is_trained_with_the_code_texts_the_baselines_are_not(
    monkeypatch,
):
    seen = []
    real = evaluation.train

    def spy(*args, **kwargs):
        seen.append(kwargs.get("code_texts"))
        return real(*args, **kwargs)

    monkeypatch.setattr(evaluation, "train", spy)
    described = {MONEY: "Money. Lack of funding.", INFO: "Information."}
    evaluate_synthetic(threshold=0.5, code_texts=described)
    # One model per fold, each with the codebook's texts.
    assert seen == [described, described]


def test_the_best_threshold_is_the_one_with_the_best_character_f1():
    units = [Unit(1, 0, 10), Unit(1, 10, 20), Unit(1, 20, 30), Unit(1, 30, 40)]
    gold = [Span(1, MONEY, 0, 10), Span(1, MONEY, 20, 30)]
    # Above 0.2 and up to 0.8, exactly the two coded units are suggested
    # (character F1 1); the tie goes to the threshold nearest 0.5.
    scores = [{MONEY: 0.9}, {MONEY: 0.2}, {MONEY: 0.8}, {MONEY: 0.1}]
    assert best_threshold(units, scores, gold, [MONEY]) == 0.5
    # Suggesting everything would join the units into one span overlapping
    # both codings (segment F1 1) but covers twice the coded characters.
    scores = [{MONEY: 0.9}, {MONEY: 0.35}, {MONEY: 0.4}, {MONEY: 0.3}]
    # 0.4: the first and third units (F1 1); 0.35: the first three (F1 0.8);
    # 0.45: the first alone (F1 0.67).
    assert best_threshold(units, scores, gold, [MONEY]) == 0.4
    # Nothing to find and nothing scored: ties everywhere, so 0.5.
    assert best_threshold(units, [{}] * 4, [], [MONEY]) == 0.5


def test_a_fold_threshold_is_chosen_without_its_test_transcripts(monkeypatch):
    seen = []
    real = evaluation.tuned_threshold

    def spy(fit, fold_units, *args, **kwargs):
        seen.append({u.transcript_id for u in fold_units})
        return real(fit, fold_units, *args, **kwargs)

    monkeypatch.setattr(evaluation, "tuned_threshold", spy)
    result = evaluate_synthetic(n_transcripts=6, folds=3)
    folds = result["fold_transcripts"]
    # Two systems (TF-IDF and the model), three folds each.
    assert len(seen) == 6
    for n, transcripts in enumerate(seen):
        test = set(folds[n // 2])
        assert transcripts == {1, 2, 3, 4, 5, 6} - test
    for name in ("tfidf", "model"):
        assert len(result["systems"][name]["fold_thresholds"]) == 3
        assert result["systems"][name]["threshold"] in evaluation.THRESHOLD_GRID


def test_inner_folds_score_every_training_unit_once_by_a_model_not_fitted_on_it():
    texts, units, codings = synthetic_project(n_transcripts=4)
    texts_of = [texts[u.transcript_id][u.start : u.end] for u in units]
    labels = [frozenset()] * len(units)
    scored = []

    def fit(train_texts, train_labels, code_ids):
        def scorer(test_texts):
            assert not set(test_texts) & set(train_texts)
            scored.extend(test_texts)
            return [{MONEY: 0.5}] * len(test_texts)

        return scorer

    tuned_threshold(fit, units, texts_of, labels, codings, [MONEY], seed=1)
    assert sorted(scored) == sorted(texts_of)
    # One transcript: nothing to hold out, so the default.
    one = [u for u in units if u.transcript_id == 1]
    assert (
        tuned_threshold(
            fit, one, texts_of[: len(one)], labels[: len(one)], [], [MONEY], seed=1
        )
        == 0.5
    )


def test_selections_are_ranked_from_the_scores_of_the_units_they_overlap():
    units = [Unit(1, 0, 10), Unit(1, 10, 20), Unit(2, 0, 10)]
    scores = [{MONEY: 0.9, INFO: 0.1}, {MONEY: 0.04, INFO: 0.9}, {MONEY: 0.6}]
    codings = [Span(1, INFO, 12, 18), Span(1, MONEY, 0, 20), Span(2, INFO, 0, 5)]
    assert picker_rankings(units, scores, codings, [3, MONEY, INFO]) == [
        # Inside the second unit: INFO first; MONEY's 0.04 is too low to be
        # stored, so it follows in codebook order.
        (INFO, [INFO, 3, MONEY]),
        # Across both: INFO (0.1 + 0.9) / 2 = 0.5, MONEY 0.9 / 2 = 0.45.
        (MONEY, [INFO, MONEY, 3]),
        (INFO, [MONEY, 3, INFO]),
    ]
