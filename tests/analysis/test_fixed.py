"""Fixed-unit coefficients against the established libraries, and edge cases."""

import math
import warnings
from fractions import Fraction

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss

from interviews.analysis.agreement import (
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)

FAST = settings(max_examples=150, deadline=None)


def defined(value):
    """Map a library's NaN (its 'undefined') to None."""
    value = float(value)
    return None if math.isnan(value) else value


def close(ours, theirs):
    if theirs is None:
        return ours is None
    return ours is not None and abs(ours - theirs) <= 1e-12


label_pairs = st.integers(0, 30).flatmap(
    lambda n: st.tuples(
        st.lists(st.sampled_from("xyz"), min_size=n, max_size=n),
        st.lists(st.sampled_from("xyz"), min_size=n, max_size=n),
    )
)


@FAST
@given(label_pairs)
def test_cohen_kappa_matches_sklearn(pair):
    a, b = pair
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = defined(cohen_kappa_score(a, b)) if a else None
    assert close(cohen_kappa(a, b), theirs)
    exact = cohen_kappa(a, b, exact=True)
    assert (exact is None) == (theirs is None)


@FAST
@given(label_pairs)
def test_two_coder_coefficients_follow_their_definitions(pair):
    a, b = pair
    n = len(a)
    if n == 0:
        assert percent_agreement(a, b) is None
        assert scott_pi(a, b) is None
        assert brennan_prediger(a, b) is None
        return
    p_o = Fraction(sum(x == y for x, y in zip(a, b, strict=True)), n)
    assert percent_agreement(a, b, exact=True) == p_o
    labels = set(a) | set(b)
    p_e = sum((Fraction(a.count(k) + b.count(k), 2 * n)) ** 2 for k in labels)
    expected_pi = None if p_e == 1 else (p_o - p_e) / (1 - p_e)
    assert scott_pi(a, b, exact=True) == expected_pi
    q = len(labels)
    expected_s = None if q < 2 else (p_o - Fraction(1, q)) / (1 - Fraction(1, q))
    assert brennan_prediger(a, b, exact=True) == expected_s


@FAST
@given(label_pairs)
def test_brennan_prediger_matches_randolph_kappa_for_two_raters(pair):
    a, b = pair
    codes = {"x": 0, "y": 1, "z": 2}
    if len(set(a) | set(b)) < 2:
        assert brennan_prediger(a, b) is None
        return
    rows = np.array([[codes[x], codes[y]] for x, y in zip(a, b, strict=True)])
    table, _ = aggregate_raters(rows)
    assert close(brennan_prediger(a, b), statsmodels_fleiss(table, method="randolph"))


def test_brennan_prediger_uses_the_given_number_of_categories():
    a, b = ["x", "x", "y", "y"], ["x", "y", "y", "y"]
    # p_o = 3/4, chance 1/5: (3/4 - 1/5) / (4/5) = 11/16
    assert brennan_prediger(a, b, q=5, exact=True) == Fraction(11, 16)
    with pytest.raises(ValueError, match="q must be"):
        brennan_prediger(a, b, q=1)


def count_table(shape):
    """Return units x categories counts: n raters per unit pick among q."""
    units, q, raters = shape
    row = st.lists(st.integers(0, q - 1), min_size=raters, max_size=raters).map(
        lambda picks: [picks.count(k) for k in range(q)]
    )
    return st.lists(row, min_size=units, max_size=units)


count_tables = st.tuples(
    st.integers(1, 12), st.integers(1, 4), st.integers(2, 6)
).flatmap(count_table)


@FAST
@given(count_tables)
def test_fleiss_kappa_matches_statsmodels(table):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = defined(statsmodels_fleiss(np.array(table)))
    assert close(fleiss_kappa(table), theirs)


def test_fleiss_kappa_rejects_unequal_numbers_of_raters():
    with pytest.raises(ValueError, match="same number of raters"):
        fleiss_kappa([[1, 2], [2, 2]])
    with pytest.raises(ValueError, match="whole numbers"):
        fleiss_kappa([[1.5, 1.5]])


def test_fleiss_kappa_is_undefined_without_variation_or_pairs():
    assert fleiss_kappa([]) is None
    assert fleiss_kappa([[3, 0], [3, 0]]) is None
    assert fleiss_kappa([[1, 0], [0, 1]]) is None  # one rater per unit


reliability = st.tuples(st.integers(1, 4), st.integers(0, 12)).flatmap(
    lambda shape: st.lists(
        st.lists(
            st.one_of(st.none(), st.integers(0, 4)),
            min_size=shape[1],
            max_size=shape[1],
        ),
        min_size=shape[0],
        max_size=shape[0],
    )
)


def library_alpha(data, level):
    matrix = np.array(
        [[np.nan if v is None else v for v in row] for row in data], dtype=float
    )
    if matrix.size == 0:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return defined(
                krippendorff.alpha(reliability_data=matrix, level_of_measurement=level)
            )
    except ValueError:
        return None


@FAST
@given(reliability, st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_krippendorff_alpha_matches_the_krippendorff_package(data, level):
    ours = krippendorff_alpha(data, level)
    theirs = library_alpha(data, level)
    if theirs is None or ours is None:
        # The package fails or returns NaN exactly when nothing varies.
        assert ours is None and theirs is None
    else:
        assert abs(ours - theirs) <= 1e-12


def gwet_reference(data):
    """Gwet's AC1 in floats, straight from Gwet (2014)."""
    units = [[v for v in column if v is not None] for column in zip(*data, strict=True)]
    categories = sorted({v for unit in units for v in unit})
    q = len(categories)
    rated = [unit for unit in units if unit]
    pairable = [unit for unit in units if len(unit) >= 2]
    if q < 2 or not pairable:
        return None
    p_a = sum(
        sum(unit.count(k) * (unit.count(k) - 1) for k in categories)
        / (len(unit) * (len(unit) - 1))
        for unit in pairable
    ) / len(pairable)
    pi = [
        sum(unit.count(k) / len(unit) for unit in rated) / len(rated)
        for k in categories
    ]
    p_e = sum(p * (1 - p) for p in pi) / (q - 1)
    return (p_a - p_e) / (1 - p_e)


@FAST
@given(reliability)
def test_gwet_ac1_follows_gwet(data):
    assert close(gwet_ac1(data), gwet_reference(data))


def test_undefined_results_are_none_not_nan_zero_or_one():
    same = ["x", "x", "x"]
    assert cohen_kappa(same, same) is None
    assert scott_pi(same, same) is None
    assert brennan_prediger(same, same) is None
    assert percent_agreement([], []) is None
    assert krippendorff_alpha([[1, 1], [1, 1]]) is None
    assert krippendorff_alpha([[1, None], [None, 2]]) is None  # nothing pairable
    assert krippendorff_alpha([]) is None
    assert gwet_ac1([[1, 1], [1, 1]]) is None
    assert gwet_ac1([[1, None], [None, 2]]) is None


def test_a_coder_who_never_uses_a_label_gives_kappa_zero():
    # sklearn also returns 0.0 here; it is a value, not "undefined".
    assert cohen_kappa(["x", "x", "y"], ["x", "x", "x"]) == 0.0


def test_krippendorff_alpha_accepts_nan_as_missing():
    with_nan = [[1, 2, float("nan")], [1, 2, 2]]
    with_none = [[1, 2, None], [1, 2, 2]]
    assert krippendorff_alpha(with_nan) == krippendorff_alpha(with_none)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cohen_kappa([1, 2], [1]), "different numbers of units"),
        (lambda: cohen_kappa([1, None], [1, 2]), "missing value"),
        (lambda: krippendorff_alpha([[1, 2], [1]]), "mark values"),
        (lambda: krippendorff_alpha([[1, 2]], level="metric"), "level must be"),
        (lambda: krippendorff_alpha([["a", "b"], ["a", "a"]], "interval"), "numbers"),
        (lambda: krippendorff_alpha([[1, "b"], [1, 2]], "ordinal"), "sortable"),
    ],
)
def test_invalid_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
