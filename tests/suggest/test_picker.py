"""The ranked code picker's order, as coding.js computes it in the page."""

from interviews.suggest.picker import (
    kept_scores,
    picker_order,
    ranked_codes,
)

UNITS = [
    (0, 10, {1: 0.9, 2: 0.3}),
    (10, 30, {2: 0.8, 3: 0.25}),
    (40, 50, {4: 0.7}),
]


def test_units_count_by_the_characters_the_selection_shares_with_them():
    # 5 characters of the first unit and 10 of the second: code 1 has
    # 0.9 * 5 / 15 = 0.30, code 2 (0.3 * 5 + 0.8 * 10) / 15 = 0.63, code 3
    # 0.25 * 10 / 15 = 0.17.
    assert ranked_codes(UNITS, 5, 20) == [2, 1, 3]
    # A stored score too low to rank: 0.05 * 2 / 20 = 0.005.
    assert ranked_codes([(0, 2, {5: 0.05}), (2, 20, {6: 0.9})], 0, 20) == [6]


def test_a_selection_in_one_unit_ranks_by_that_unit_and_gaps_do_not_count():
    assert ranked_codes(UNITS, 12, 14) == [2, 3]
    # [30, 40) lies between units: only the third unit counts.
    assert ranked_codes(UNITS, 30, 45) == [4]
    assert ranked_codes(UNITS, 30, 40) == []
    assert ranked_codes([], 0, 5) == []


def test_at_most_five_codes_ties_to_the_lower_id():
    units = [(0, 10, {c: 0.5 for c in (9, 3, 7, 1, 5, 8)})]
    assert ranked_codes(units, 0, 10) == [1, 3, 5, 7, 8]


def test_the_rest_of_the_codebook_follows_in_its_order():
    assert picker_order([4, 2], [1, 2, 3, 4, 5]) == [4, 2, 1, 3, 5]


def test_scores_are_kept_as_the_suggestion_job_stores_them():
    assert kept_scores({1: 0.12345, 2: 0.049, 3: 0.05}) == {1: 0.123, 3: 0.05}
