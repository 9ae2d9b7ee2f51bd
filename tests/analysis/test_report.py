"""The agreement report's pure parts, on small hand-made cases."""

from fractions import Fraction

import pytest

from interviews.analysis.agreement import character_agreement, pool
from interviews.analysis.report import (
    Document,
    bootstrap_alpha,
    build_report,
    find_stretches,
    heat_colour,
    match_segments,
    methods_paragraph,
    overlap_percent_ok,
    presence_table,
    undefined_reason,
)

DOCS = [Document("d1", "one", 100), Document("d2", "two", 50)]
SEGMENTS = [
    ("d1", "ann", "cost", 0, 40, 1),
    ("d1", "ann", "cost", 30, 60, 2),
    ("d1", "ben", "cost", 5, 55, 3),
    ("d1", "ben", "trust", 70, 90, 4),
    ("d2", "ann", "cost", 10, 20, 5),
    ("d2", "ben", "cost", 12, 20, 6),
]


def report(**kwargs):
    options = {
        "documents": DOCS,
        "coders": ["ann", "ben"],
        "codes": ["cost", "trust"],
        "segments": SEGMENTS,
        "resamples": 200,
    }
    return build_report(**(options | kwargs))


@pytest.mark.parametrize(
    ("a", "b", "threshold", "expected"),
    [
        ((0, 100), (0, 90), 90, True),  # 90 of 100
        ((0, 100), (0, 89), 90, False),
        ((0, 100), (5, 95), 90, True),  # 90 of the combined 0-100
        ((0, 50), (10, 60), 80, False),  # 40 of the combined 60
        ((0, 50), (10, 60), 66, True),  # 40/60 = 66.7 %
        ((0, 10), (10, 20), 1, False),  # touching is no overlap
        ((0, 10), (20, 30), 0, False),
    ],
)
def test_overlap_is_a_share_of_the_combined_extent(a, b, threshold, expected):
    assert overlap_percent_ok(a, b, threshold) is expected
    assert overlap_percent_ok(b, a, threshold) is expected


def test_pooled_figures_add_counts_instead_of_averaging():
    result = report()
    d1 = character_agreement(
        [s[1:5] for s in SEGMENTS if s[0] == "d1"],
        100,
        coders=["ann", "ben"],
        codes=["cost", "trust"],
    )
    d2 = character_agreement(
        [s[1:5] for s in SEGMENTS if s[0] == "d2"],
        50,
        coders=["ann", "ben"],
        codes=["cost", "trust"],
    )
    pooled = pool([d1["cost"], d2["cost"]])
    cost = result["by_code"][0]
    assert cost["pooled"]["krippendorff_alpha"] == pooled.krippendorff_alpha
    assert cost["pooled"]["length"] == 150
    assert cost["pooled"]["histogram"] == list(pooled.histogram)
    assert cost["transcripts"]["d1"]["krippendorff_alpha"] == (
        d1["cost"].krippendorff_alpha
    )
    mean = (d1["cost"].krippendorff_alpha + d2["cost"].krippendorff_alpha) / 2
    assert cost["pooled"]["krippendorff_alpha"] != pytest.approx(mean)
    everything = pool([*d1.values(), *d2.values()])
    assert result["overall"]["pooled"]["cohen_kappa"] == everything.cohen_kappa
    assert result["overall"]["pooled"]["length"] == 300  # 150 characters x 2 codes
    assert result["overall"]["pooled"]["transcripts"] == 2


def test_cohen_kappa_per_pair_is_the_two_by_two_table():
    ann = [1] * 40 + [0] * 60
    ben = [1] * 30 + [0] * 70
    result = character_agreement(
        [("ann", "c", 0, 40), ("ben", "c", 0, 30)], 100, coders=["ann", "ben"]
    )["c"]
    pairs = report(
        documents=[Document("d", "d", 100)],
        codes=["c"],
        segments=[("d", "ann", "c", 0, 40, 1), ("d", "ben", "c", 0, 30, 2)],
    )["by_code"][0]["pooled"]["pairs"]
    assert pairs[0]["both"] == 30 and pairs[0]["first_only"] == 10
    agree = sum(a == b for a, b in zip(ann, ben, strict=True))
    expected = Fraction(40 * 30 + 60 * 70, 100 * 100)
    kappa = (Fraction(agree, 100) - expected) / (1 - expected)
    assert pairs[0]["cohen_kappa"] == pytest.approx(float(kappa))
    assert result.cohen_kappa == pytest.approx(float(kappa))


def test_a_code_nobody_used_is_undefined_with_the_reason():
    trust_in_d2 = report()["by_code"][1]["transcripts"]["d2"]
    assert trust_in_d2["krippendorff_alpha"] is None
    assert trust_in_d2["reasons"]["krippendorff_alpha"] == (
        "no variation: nobody coded this code in these transcripts"
    )
    assert trust_in_d2["percent_agreement"] == 1.0
    assert "percent_agreement" not in trust_in_d2["reasons"]


def test_cohen_kappa_with_three_coders_points_to_the_pairs():
    result = character_agreement(
        [("a", "c", 0, 5), ("b", "c", 0, 6), ("x", "c", 1, 5)], 10
    )["c"]
    assert undefined_reason(result, "cohen_kappa") == (
        "Cohen's kappa compares two coders: see the coder pairs"
    )
    assert undefined_reason(result, "fleiss_kappa") is None


def test_bootstrap_is_reproducible_with_a_seed_and_brackets_alpha():
    results = [
        character_agreement(
            [("a", "c", 0, n), ("b", "c", n % 4, n + n % 5)], 40, coders="ab"
        )["c"]
        for n in (5, 9, 12, 17, 20, 23, 26, 30)
    ]
    first = bootstrap_alpha(results, resamples=300, seed=7)
    again = bootstrap_alpha(results, resamples=300, seed=7)
    other = bootstrap_alpha(results, resamples=300, seed=8)
    assert first == again
    assert (first["low"], first["high"]) != (other["low"], other["high"])
    assert first["low"] <= pool(results).krippendorff_alpha <= first["high"]
    assert first["used"] == 300


def test_bootstrap_needs_two_transcripts():
    one = character_agreement([("a", "c", 0, 5), ("b", "c", 0, 4)], 10)["c"]
    out = bootstrap_alpha([one], resamples=50, seed=1)
    assert out["low"] is None
    assert out["reason"] == "needs at least two transcripts to resample"


def test_segment_matching_counts_every_segment_of_both_coders():
    segments = [
        ("d", "ann", "c", 0, 100, 1),
        ("d", "ben", "c", 5, 95, 2),  # 90 % of the combined extent: matched
        ("d", "ann", "c", 200, 300, 3),
        ("d", "ben", "c", 200, 250, 4),  # 50 %: not matched
        ("d", "ben", "k", 400, 410, 5),
    ]
    tables = match_segments(
        segments, first="ann", second="ben", codes=["c", "k"], threshold=90
    )
    c, k = tables["codes"]
    assert (c["agreements"], c["disagreements"], c["total"]) == (2, 2, 4)
    assert c["percent"] == 0.5
    assert c["kappa"] == 0.0  # Brennan-Prediger, chance 1/2: (0.5 - 0.5) / 0.5
    assert [row["matched"] for row in c["rows"]] == [True, False, True, False]
    assert (k["agreements"], k["total"], k["kappa"]) == (0, 1, -1.0)
    overall = tables["overall"]
    assert (overall["agreements"], overall["total"], overall["categories"]) == (
        2,
        5,
        3,
    )
    # p_o = 2/5, chance 1/3: (2/5 - 1/3) / (2/3) = 0.1
    assert overall["kappa"] == pytest.approx(0.1)
    lower = match_segments(
        segments, first="ann", second="ben", codes=["c"], threshold=50
    )
    assert lower["codes"][0]["agreements"] == 4


def test_presence_table_gives_kappa_and_alpha_per_code():
    segments = [
        ("d1", "ann", "c", 0, 1, 1),
        ("d1", "ben", "c", 0, 1, 2),
        ("d2", "ann", "c", 0, 1, 3),
        ("d3", "ben", "k", 0, 1, 4),
    ]
    table = presence_table(
        segments, documents=["d1", "d2", "d3"], coders=["ann", "ben"], codes=["c", "k"]
    )
    c, k = table["codes"]
    assert c["cells"] == {"d1": [1, 1], "d2": [1, 0], "d3": [0, 0]}
    assert c["percent_agreement"] == pytest.approx(2 / 3)
    assert c["cohen_kappa"] == pytest.approx(0.4)
    assert c["krippendorff_alpha"] is not None
    assert k["cells"]["d3"] == [0, 1]
    assert table["overall"]["units"] == 6


def test_presence_with_a_code_absent_everywhere_is_undefined():
    table = presence_table([], documents=["d1"], coders=["a", "b"], codes=["c"])
    assert table["codes"][0]["cohen_kappa"] is None
    assert "no variation" in table["codes"][0]["reasons"]["cohen_kappa"]


def test_stretches_group_overlapping_segments_and_measure_the_difference():
    stretches = find_stretches(
        [
            ("ann", 0, 40, 1),
            ("ann", 30, 60, 2),
            ("ben", 5, 55, 3),
            ("ben", 70, 90, 4),
            ("ann", 100, 110, 5),
            ("ben", 100, 110, 6),
        ],
        coders=["ann", "ben"],
    )
    assert [(s.start, s.end, s.differing) for s in stretches] == [
        (0, 60, 10),
        (70, 90, 20),
        (100, 110, 0),
    ]
    assert stretches[0].versions == {
        "ann": [(0, 40, 1), (30, 60, 2)],
        "ben": [(5, 55, 3)],
    }
    assert stretches[1].versions["ann"] == []
    assert stretches[2].agreed


def test_stretches_with_three_coders_count_characters_not_all_coded():
    stretches = find_stretches(
        [("a", 0, 10, 1), ("b", 0, 10, 2), ("c", 2, 10, 3)], coders=["a", "b", "c"]
    )
    assert [(s.start, s.end, s.differing) for s in stretches] == [(0, 10, 2)]


def test_build_report_refuses_fewer_than_two_coders():
    with pytest.raises(ValueError, match="two coders"):
        report(coders=["ann"])


def test_methods_paragraph_states_numbers_unit_and_pooling():
    result = report()
    text = methods_paragraph(result, coder_names=["ann", "ben"], n_transcripts=2)
    alpha = result["overall"]["pooled"]["krippendorff_alpha"]
    assert f"Krippendorff's alpha (nominal) = {alpha:.3f}" in text
    assert "150 characters (Unicode code points) of 2 transcripts" in text
    assert "by 2 coders" in text
    assert "not averaged" in text
    assert "95% CI [" in text and "seed 2007" in text
    assert "no coded segment" not in text


def test_a_coder_with_no_segment_in_a_transcript_is_named():
    segments = [s for s in SEGMENTS if not (s[0] == "d2" and s[1] == "ben")]
    result = report(segments=segments, coders=["ann", "ben", "cy"])
    assert result["coded_nothing"] == [["d1", "cy"], ["d2", "ben"], ["d2", "cy"]]
    text = methods_paragraph(result, coder_names=["ann", "ben", "cy"], n_transcripts=2)
    assert "In 2 transcripts, 3 coder-transcript pairs had no coded segment" in text


def test_every_coder_coded_every_transcript():
    assert report()["coded_nothing"] == []


@pytest.mark.parametrize(
    ("value", "colour"),
    [(None, "#d9d9d9"), (0.0, "#ffffff"), (1.0, "#2166ac"), (-1.0, "#b2182b")],
)
def test_heat_colour_is_a_diverging_scale(value, colour):
    assert heat_colour(value) == colour
