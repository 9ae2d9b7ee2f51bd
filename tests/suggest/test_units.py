"""Codings projected onto sentence units, and unit labels back onto spans."""

import pytest

from interviews.suggest.units import (
    Span,
    Unit,
    label_units,
    merge_intervals,
    unit_texts,
    units_to_spans,
)

UNITS = [Unit(1, 0, 10), Unit(1, 11, 21), Unit(1, 22, 32), Unit(2, 0, 10)]


@pytest.mark.parametrize(
    ("codings", "expected"),
    [
        # 6 of 10 characters: more than half.
        ([Span(1, 5, 4, 10)], [{5}, set(), set(), set()]),
        # Exactly half is not more than half.
        ([Span(1, 5, 5, 10)], [set(), set(), set(), set()]),
        # Two codings of one code add up; overlapping ones count once.
        ([Span(1, 5, 0, 3), Span(1, 5, 2, 6)], [{5}, set(), set(), set()]),
        ([Span(1, 5, 0, 5), Span(1, 5, 0, 5)], [set(), set(), set(), set()]),
        # A coding across two sentences codes both when it covers most of each.
        ([Span(1, 5, 4, 20)], [{5}, {5}, set(), set()]),
        # Codes are independent; another transcript's codings do not leak.
        (
            [Span(1, 5, 0, 10), Span(1, 6, 0, 6), Span(2, 5, 0, 2)],
            [{5, 6}, set(), set(), set()],
        ),
    ],
)
def test_a_unit_carries_the_codes_covering_more_than_half_of_it(codings, expected):
    assert [set(x) for x in label_units(UNITS, codings)] == expected


def test_an_empty_unit_carries_nothing():
    assert label_units([Unit(1, 3, 3)], [Span(1, 5, 0, 10)]) == [frozenset()]


def test_consecutive_units_of_a_code_become_one_span():
    labels = [{5}, {5, 6}, {6}, {5}]
    assert units_to_spans(UNITS, labels) == [
        Span(1, 5, 0, 21),
        Span(1, 6, 11, 32),
        Span(2, 5, 0, 10),
    ]


def test_without_join_each_unit_is_its_own_span():
    assert units_to_spans(UNITS[:2], [{5}, {5}], join=False) == [
        Span(1, 5, 0, 10),
        Span(1, 5, 11, 21),
    ]


def test_a_span_never_crosses_into_another_transcript():
    units = [Unit(1, 0, 10), Unit(2, 0, 10)]
    assert units_to_spans(units, [{5}, {5}]) == [Span(1, 5, 0, 10), Span(2, 5, 0, 10)]


def test_projection_there_and_back_keeps_sentence_aligned_codings():
    codings = [Span(1, 5, 0, 21), Span(2, 6, 0, 10)]
    assert units_to_spans(UNITS, label_units(UNITS, codings)) == codings


def test_merge_intervals_joins_touching_and_overlapping_ones():
    assert merge_intervals([(5, 8), (0, 2), (2, 4), (7, 9), (3, 3)]) == [(0, 4), (5, 9)]


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        (0, ["One.", "Two.", "Three.", "Four."]),
        (1, ["One. Two.", "One. Two. Three.", "Two. Three.", "Four."]),
        (2, ["One. Two. Three.", "One. Two. Three.", "One. Two. Three.", "Four."]),
    ],
)
def test_unit_texts_take_neighbours_from_the_same_transcript_only(context, expected):
    texts = {1: "One. Two. Three.", 2: "Four."}
    units = [Unit(1, 0, 4), Unit(1, 5, 9), Unit(1, 10, 16), Unit(2, 0, 5)]
    assert unit_texts(texts, units, context) == expected
