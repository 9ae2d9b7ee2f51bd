"""Character-level agreement from segments, against the libraries on the text
expanded to one unit per character (sklearn, krippendorff, statsmodels)."""

import math
import time
import warnings
from fractions import Fraction
from itertools import combinations

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss

from interviews.analysis.agreement import (
    CharacterAgreement,
    character_agreement,
    gwet_ac1,
    pool,
)

FAST = settings(max_examples=200, deadline=None)
CODES = ("a", "b", "c")
MEASURES = (
    "percent_agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "gwet_ac1",
    "binary_u_alpha",
)


@st.composite
def documents(draw, max_length=40):
    """Return (length, coders, segments): overlaps, idle coders, empty texts."""
    length = draw(st.integers(0, max_length))
    coders = draw(st.lists(st.sampled_from("ABCDE"), max_size=4, unique=True))
    segments = []
    if length and coders:
        for _ in range(draw(st.integers(0, 10))):
            start = draw(st.integers(0, length - 1))
            segments.append(
                (
                    draw(st.sampled_from(coders)),
                    draw(st.sampled_from(CODES)),
                    start,
                    draw(st.integers(start + 1, length)),
                )
            )
    return length, coders, segments


def expand(segments, length, coders, code):
    """Return the coders x characters 0/1 matrix for one code."""
    matrix = np.zeros((len(coders), length))
    for coder, segment_code, start, end in segments:
        if segment_code == code:
            matrix[coders.index(coder), start:end] = 1
    return matrix


def defined(value):
    value = float(value)
    return None if math.isnan(value) else value


def quiet(call, *args, **kwargs):
    """Return the library's value, None for NaN or a refusal to compute."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return defined(call(*args, **kwargs))
        except (ValueError, ZeroDivisionError):
            return None


def library_values(matrix):
    """Return every measure computed by the libraries on expanded text."""
    m, length = matrix.shape
    if m < 2 or length == 0:
        return dict.fromkeys(MEASURES[:-1])
    covered = matrix.sum(axis=0)
    table = np.stack([m - covered, covered], axis=1)
    agreement = [np.mean(matrix[i] == matrix[j]) for i, j in combinations(range(m), 2)]
    return {
        "percent_agreement": float(np.mean(agreement)),
        "cohen_kappa": quiet(cohen_kappa_score, matrix[0], matrix[1])
        if m == 2
        else None,
        "fleiss_kappa": quiet(statsmodels_fleiss, table),
        "krippendorff_alpha": quiet(
            krippendorff.alpha,
            reliability_data=matrix,
            level_of_measurement="nominal",
        ),
        "gwet_ac1": gwet_ac1(matrix.tolist()),
    }


def close(ours, theirs):
    if theirs is None:
        return ours is None
    return ours is not None and abs(ours - theirs) <= 1e-12


def assert_matches(result, matrix):
    for name, theirs in library_values(matrix).items():
        assert close(getattr(result, name), theirs), name
    for name in MEASURES:
        exact = result.exact(name)
        value = getattr(result, name)
        assert (exact is None and value is None) or float(exact) == value, name


@FAST
@given(documents())
def test_every_measure_equals_the_libraries_on_expanded_text(document):
    length, coders, segments = document
    results = character_agreement(segments, length, coders=coders, codes=CODES)
    assert list(results) == list(CODES)
    for code, result in results.items():
        matrix = expand(segments, length, coders, code)
        assert_matches(result, matrix)
        covered = matrix.sum(axis=0)
        assert result.coded_by_all == (
            int(np.sum(covered == len(coders))) if coders else 0
        )
        assert result.coded_by_none == int(np.sum(covered == 0))
        assert result.length == length
        assert result.histogram == tuple(
            int(np.sum(covered == k)) for k in range(len(coders) + 1)
        )


@settings(max_examples=60, deadline=None)
@given(documents())
def test_every_pair_matches_sklearn(document):
    length, coders, segments = document
    for code, result in character_agreement(
        segments, length, coders=coders, codes=CODES
    ).items():
        matrix = expand(segments, length, coders, code)
        assert len(result.pairs) == len(coders) * (len(coders) - 1) // 2
        for (first, second), pair in result.pairs.items():
            x, y = matrix[coders.index(first)], matrix[coders.index(second)]
            assert pair.both == int(np.sum(x * y))
            theirs = quiet(cohen_kappa_score, x, y) if length else None
            assert close(pair.cohen_kappa, theirs)
            theirs = quiet(
                krippendorff.alpha,
                reliability_data=np.stack([x, y]),
                level_of_measurement="nominal",
            )
            assert close(pair.krippendorff_alpha, theirs)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(documents(max_length=25), min_size=1, max_size=4), st.sampled_from(CODES)
)
def test_pooling_adds_counts_like_concatenating_the_texts(documents_, code):
    coders = ["A", "B", "C"]
    results, matrices = [], []
    for length, _, segments in documents_:
        kept = [s for s in segments if s[0] in coders]
        results.append(
            character_agreement(kept, length, coders=coders, codes=CODES)[code]
        )
        matrices.append(expand(kept, length, coders, code))
    pooled = pool(results)
    assert pooled.documents == len(documents_)
    assert pooled.code == code
    assert_matches(pooled, np.concatenate(matrices, axis=1))


def test_pool_reorders_coders_and_rejects_different_ones():
    segments = [("A", "x", 0, 5), ("B", "x", 3, 8), ("C", "x", 0, 2)]
    forward = character_agreement(segments, 10, coders="ABC")["x"]
    backward = character_agreement(segments, 10, coders="CBA")["x"]
    pooled = pool([forward, backward])
    assert pooled.coders == ("A", "B", "C")
    assert pooled.coded_lengths == (10, 10, 4)
    assert pooled.pairs[("A", "B")].both == 4
    # Doubling a text keeps the proportions behind Cohen's and Fleiss' kappa.
    assert pooled.fleiss_kappa == forward.fleiss_kappa
    assert pooled.pairs[("A", "C")].cohen_kappa == forward.pairs[("A", "C")].cohen_kappa
    with pytest.raises(ValueError, match="same coders"):
        pool([forward, character_agreement(segments, 10, coders="ABCD")["x"]])
    with pytest.raises(ValueError, match="at least one"):
        pool([])


def test_pooling_is_not_averaging():
    first = character_agreement([("A", "x", 0, 5), ("B", "x", 0, 4)], 10)["x"]
    second = character_agreement([("A", "x", 0, 1), ("B", "x", 5, 6)], 100)["x"]
    pooled = pool([first, second])
    mean = (first.cohen_kappa + second.cohen_kappa) / 2
    assert pooled.cohen_kappa != pytest.approx(mean)
    assert pooled.code == "x" and pooled.length == 110


def test_overlapping_segments_of_one_coder_are_merged_first():
    overlapping = [
        ("A", "x", 0, 6),
        ("A", "x", 4, 10),
        ("A", "x", 2, 3),
        ("B", "x", 0, 10),
    ]
    merged = [("A", "x", 0, 10), ("B", "x", 0, 10)]
    result = character_agreement(overlapping, 20)["x"]
    assert result.coded_lengths == (10, 10)
    assert result.segment_counts == (1, 1)
    assert (
        result.krippendorff_alpha
        == character_agreement(merged, 20)["x"].krippendorff_alpha
    )
    assert result.krippendorff_alpha == 1.0


def test_touching_segments_stay_separate_segments():
    result = character_agreement([("A", "x", 0, 5), ("A", "x", 5, 9)], 10)["x"]
    assert result.segment_counts == (2,)
    assert result.coded_lengths == (9,)


def test_a_coder_who_coded_nothing_still_judged_every_character():
    result = character_agreement([("A", "x", 0, 2)], 10, coders=["A", "B"])["x"]
    # DEFINITIONS.md: kappa 0 and alpha slightly negative, not undefined.
    assert result.cohen_kappa == 0.0
    assert result.exact("krippendorff_alpha") == Fraction(-1, 18)
    assert result.percent_agreement == 0.8


def test_codes_nobody_used_are_reported_as_undefined():
    results = character_agreement(
        [("A", "x", 0, 2), ("B", "x", 0, 3)], 10, codes=["x", "unused"]
    )
    unused = results["unused"]
    assert unused.coded_by_none == 10 and unused.segments == 0
    assert unused.percent_agreement == 1.0
    for name in MEASURES[1:]:
        assert getattr(unused, name) is None


def test_everybody_coding_everything_is_undefined_too():
    result = character_agreement([("A", "x", 0, 10), ("B", "x", 0, 10)], 10)["x"]
    assert result.coded_by_all == 10
    assert result.cohen_kappa is None and result.krippendorff_alpha is None
    assert result.gwet_ac1 is None and result.fleiss_kappa is None


def test_an_empty_document_gives_undefined_results():
    results = character_agreement([], 0, coders=["A", "B"], codes=["x"])
    assert all(getattr(results["x"], name) is None for name in MEASURES)
    assert character_agreement([], 0) == {}


def test_cohen_kappa_needs_exactly_two_coders():
    segments = [("A", "x", 0, 5), ("B", "x", 2, 6), ("C", "x", 1, 4)]
    result = character_agreement(segments, 10)["x"]
    assert result.cohen_kappa is None
    assert result.pairs[("A", "C")].cohen_kappa is not None


def test_results_are_frozen_and_carry_their_counts():
    result = character_agreement([("A", "x", 0, 5), ("B", "x", 2, 6)], 10)["x"]
    assert isinstance(result, CharacterAgreement)
    with pytest.raises(AttributeError):
        result.length = 3
    assert (result.length, result.segments, result.histogram) == (10, 2, (4, 3, 3))
    with pytest.raises(ValueError, match="unknown measure"):
        result.exact("kappa")


@pytest.mark.parametrize(
    ("segments", "length", "keywords", "message"),
    [
        ([("A", "x", -1, 3)], 10, {}, "0 <= start < end <= length"),
        ([("A", "x", 3, 11)], 10, {}, "0 <= start < end <= length"),
        ([("A", "x", 3, 3)], 10, {}, "0 <= start < end <= length"),
        ([("A", "x", 5, 3)], 10, {}, "0 <= start < end <= length"),
        ([("A", "x", 1.0, 3)], 10, {}, "whole number"),
        ([("A", "x", 1, "3")], 10, {}, "whole number"),
        ([("A", "x", None, 3)], 10, {}, "whole number"),
        ([("A", "x", 1)], 10, {}, r"\(coder, code, start, end\)"),
        ([("A", "x", 1, 2, 3)], 10, {}, r"\(coder, code, start, end\)"),
        ([("A", "x", 1, 2)], -1, {}, "length"),
        ([("A", "x", 1, 2)], 10.0, {}, "length"),
        ([("A", "x", 1, 2)], True, {}, "length"),
        ([("Z", "x", 1, 2)], 10, {"coders": ["A"]}, "not in coders"),
        ([("A", "y", 1, 2)], 10, {"codes": ["x"]}, "not in codes"),
        ([("A", "x", 1, 2)], 10, {"coders": ["A", "A"]}, "repeat"),
        ([("A", "x", 1, 2)], 0, {}, "0 <= start < end <= length"),
    ],
)
def test_invalid_segments_raise_value_error(segments, length, keywords, message):
    with pytest.raises(ValueError, match=message):
        character_agreement(segments, length, **keywords)


def test_numpy_integers_are_accepted_as_positions():
    segments = [("A", "x", np.int64(0), np.int32(4)), ("B", "x", 1, 4)]
    assert character_agreement(segments, np.int64(10))["x"].histogram == (6, 1, 3)


def test_cost_does_not_grow_with_text_length():
    segments = [("A", "x", 10, 500), ("B", "x", 20, 400), ("A", "y", 7, 9)]
    began = time.perf_counter()
    huge = character_agreement(segments, 10**15)
    assert time.perf_counter() - began < 0.5
    assert huge["x"].coded_by_none == 10**15 - 490
    assert huge["x"].squared_lengths == 490**2 + 380**2
    # alpha = 1 - (n - 1) o_01 / (n_0 n_1) on two coders' 0/1 characters
    n, coded, disagree = 2 * 10**15, 490 + 380, 110
    assert huge["x"].exact("krippendorff_alpha") == 1 - Fraction(
        (n - 1) * disagree, coded * (n - coded)
    )


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 16), st.integers(0, 29), st.integers(1, 10)),
        max_size=40,
    )
)
def test_many_coders_use_the_sparse_count(rows):
    # 17 coders: 2**17 sets of coders per code, too many for the dense table.
    coders = [f"c{i}" for i in range(17)]
    segments = [(coders[c], "x", s, min(s + w, 30)) for c, s, w in rows]
    result = character_agreement(segments, 30, coders=coders, codes=["x"])["x"]
    matrix = expand(segments, 30, coders, "x")
    covered = matrix.sum(axis=0)
    assert result.histogram == tuple(int(np.sum(covered == k)) for k in range(18))
    for (first, second), pair in result.pairs.items():
        x, y = matrix[coders.index(first)], matrix[coders.index(second)]
        assert pair.both == int(np.sum(x * y))
    theirs = quiet(
        krippendorff.alpha, reliability_data=matrix, level_of_measurement="nominal"
    )
    assert close(result.krippendorff_alpha, theirs)


@pytest.mark.parametrize(
    "coders",
    [
        ["A", "A", "B", "B", "C"],  # grouped
        ["A", "B", "A", "C", "B"],  # interleaved
        ["A", "B", "B", "A", "C"],  # a coder in two blocks
        [("team", 1), ("team", 2), ("team", 1), ("x",), ("x",)],  # tuples
        [1, 2.0, 1, 3, 2],  # numbers; 2.0 == 2
    ],
)
def test_coders_are_recognised_in_any_order_and_of_any_hashable_kind(coders):
    segments = [(c, "x", i, i + 3) for i, c in enumerate(coders)]
    result = character_agreement(segments, 10)["x"]
    assert list(result.coders) == list(dict.fromkeys(coders))
    by_coder = {}
    for coder, _, start, end in segments:
        by_coder.setdefault(coder, set()).update(range(start, end))
    assert result.coded_lengths == tuple(len(by_coder[c]) for c in result.coders)


def test_many_codes_and_coders_take_the_dictionary_path():
    names = [f"code{i}" for i in range(40)]
    segments = [(f"coder{i % 20}", names[i % 40], i, i + 5) for i in range(200)]
    results = character_agreement(segments, 300)
    assert list(results) == names
    assert len(results["code0"].coders) == 20
    assert sum(r.segments for r in results.values()) == 200
    given = character_agreement(segments, 300, codes=list(reversed(names)))
    assert list(given) == list(reversed(names))
    with pytest.raises(ValueError, match="not in codes"):
        character_agreement(segments, 300, codes=names[:39])
