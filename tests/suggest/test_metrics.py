"""The evaluation metrics on hand-made cases, counts checked by hand."""

import random

import pytest

from interviews.suggest.metrics import evaluate_spans, f1, recall_at_k
from interviews.suggest.units import Span

GOLD = [Span(1, 7, 0, 10), Span(1, 7, 20, 30), Span(1, 8, 0, 10)]
PRED = [Span(1, 7, 5, 15), Span(1, 7, 40, 50), Span(1, 8, 0, 10), Span(2, 8, 0, 4)]


@pytest.fixture(scope="module")
def result():
    return evaluate_spans(GOLD, PRED, [7, 8, 9])


def test_segment_scores_count_overlaps_of_the_same_code(result):
    code7 = result["per_code"][7]
    # Gold [0,10) is overlapped by [5,15); gold [20,30) by nothing.
    assert code7["segment_recall"] == {"value": 0.5, "num": 1, "den": 2}
    # [5,15) hits, [40,50) does not.
    assert code7["segment_precision"] == {"value": 0.5, "num": 1, "den": 2}
    assert code7["segment_f1"] == 0.5


def test_character_scores_count_covered_characters(result):
    code7 = result["per_code"][7]
    # 5 shared characters (5..10) of 20 gold and 20 suggested.
    assert code7["char_precision"]["value"] == 0.25
    assert code7["char_recall"]["value"] == 0.25
    code8 = result["per_code"][8]
    # [0,10) exactly, plus 4 characters in another transcript.
    assert code8["char_recall"] == {"value": 1.0, "num": 10, "den": 10}
    assert code8["char_precision"] == {"value": 10 / 14, "num": 10, "den": 14}


def test_a_code_with_nothing_to_find_and_nothing_suggested_is_undefined(result):
    code9 = result["per_code"][9]
    assert code9["segment_recall"]["value"] is None
    assert code9["segment_recall"]["reason"] == "no codings to find"
    assert code9["segment_precision"]["reason"] == "nothing was suggested"
    assert code9["segment_f1"] is None


def test_micro_sums_counts_and_macro_averages_defined_values(result):
    micro = result["micro"]
    assert micro["segment_recall"] == {"value": 2 / 3, "num": 2, "den": 3}
    assert micro["segment_precision"] == {"value": 2 / 4, "num": 2, "den": 4}
    assert micro["char_precision"] == {"value": 15 / 34, "num": 15, "den": 34}
    macro = result["macro"]
    # Code 9 is undefined and left out: the mean of codes 7 and 8.
    assert macro["segment_recall"] == {"value": (0.5 + 1.0) / 2, "codes": 2}
    assert macro["segment_precision"] == {"value": (0.5 + 0.5) / 2, "codes": 2}


def test_macro_of_nothing_is_undefined_with_a_reason():
    macro = evaluate_spans([], [], [1])["macro"]
    assert macro["char_f1"] == {
        "value": None,
        "codes": 0,
        "reason": "undefined for every code",
    }


@pytest.mark.parametrize(
    ("precision", "recall", "expected"),
    [
        (0.5, 0.5, 0.5),
        (1.0, 0.5, 2 / 3),
        (0.0, 0.0, 0.0),
        (None, 0.0, 0.0),  # codings to find, nothing suggested: a failure
        (0.0, None, 0.0),
        (None, None, None),
        (0.5, None, None),
    ],
)
def test_f1(precision, recall, expected):
    assert (
        f1(precision, recall) == pytest.approx(expected)
        if expected is not None
        else f1(precision, recall) is None
    )


def test_recall_at_k_counts_the_gold_code_in_the_first_k():
    ranked = [(1, [1, 2, 3]), (2, [1, 3, 2]), (3, [3])]
    assert recall_at_k(ranked, k=2) == {"value": 2 / 3, "num": 2, "den": 3, "k": 2}
    assert recall_at_k([], k=5)["reason"] == "no selections to rank"


def test_touching_spans_do_not_overlap():
    # [0,10) and [10,20) share no character; [5,15) overlaps both.
    result = evaluate_spans(
        [Span(1, 7, 0, 10), Span(1, 7, 10, 20)], [Span(1, 7, 20, 30)], [7]
    )
    assert result["micro"]["segment_recall"]["num"] == 0
    result = evaluate_spans(
        [Span(1, 7, 0, 10), Span(1, 7, 10, 20)], [Span(1, 7, 9, 11)], [7]
    )
    assert result["micro"]["segment_recall"]["num"] == 2


def test_overlap_counts_agree_with_checking_every_pair():
    rng = random.Random(4)

    def spans(n):
        out = []
        for _ in range(n):
            start = rng.randrange(0, 200)
            out.append(Span(rng.choice((1, 2)), 7, start, start + rng.randrange(1, 30)))
        return out

    def brute(a, b):
        return sum(
            any(
                o.transcript_id == s.transcript_id
                and o.start < s.end
                and s.start < o.end
                for o in b
            )
            for s in a
        )

    for _ in range(200):
        gold, pred = spans(rng.randrange(0, 12)), spans(rng.randrange(0, 12))
        counts = evaluate_spans(gold, pred, [7])["micro"]["counts"]
        assert counts["found_segments"] == brute(gold, pred)
        assert counts["correct_segments"] == brute(pred, gold)
