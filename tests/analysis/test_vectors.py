"""Published worked examples (shared/agreement/vectors.json), checked two ways:
against the printed value at the printed precision, and against the exact
fraction recomputed from the published formulas.

The vectors are copied here so the suite runs without the shared folder; a
test checks the copy against the file when it is present.
"""

import json
from fractions import Fraction
from pathlib import Path

import pytest

from interviews.analysis import _unitizing
from interviews.analysis._segments import prepare
from interviews.analysis.agreement import (
    character_agreement,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
    unitizing_alpha,
)

SHARED = Path(__file__).resolve().parents[3] / "shared/agreement/vectors.json"

KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
WIKIPEDIA_ALPHA = [
    [None, None, None, None, None, 3, 4, 1, 2, 1, 1, 3, 3, None, 3],
    [1, None, 2, 1, 3, 3, 4, 3, None, None, None, None, None, None, None],
    [None, None, 2, 1, 3, 4, 4, None, 2, 1, 1, 3, 3, None, 4],
]
COHEN_TABLE = [[20, 5], [10, 15]]
FLEISS_COUNTS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]
# (begin, length, observer, category) on the continuum [150, 450)
KRIPPENDORFF_2004_UNITS = [
    [225, 70, 0, "c"],
    [370, 30, 0, "c"],
    [220, 80, 1, "c"],
    [355, 20, 1, "c"],
    [400, 20, 1, "c"],
    [180, 60, 0, "k"],
    [300, 50, 0, "k"],
    [180, 60, 1, "k"],
    [300, 50, 1, "k"],
]


def printed(value, decimals):
    return round(value, decimals)


def table_to_labels(table):
    first, second = [], []
    for row, cells in enumerate(table):
        for column, count in enumerate(cells):
            first += [row] * count
            second += [column] * count
    return first, second


def test_the_copied_vectors_match_the_shared_file():
    if not SHARED.exists():
        pytest.skip("shared/agreement/vectors.json is not beside the repository")
    vectors = {v["id"]: v for v in json.loads(SHARED.read_text())["vectors"]}
    assert (
        vectors["krippendorff2011_4coders_12units_missing"]["data"]["values"]
        == KRIPPENDORFF_2011
    )
    assert (
        vectors["wikipedia_krippendorff_alpha_3coders_15units"]["data"]["values"]
        == WIKIPEDIA_ALPHA
    )
    assert vectors["wikipedia_cohen_kappa_simple"]["data"]["table"] == COHEN_TABLE
    assert (
        vectors["wikipedia_fleiss_kappa_10subjects_14raters"]["data"]["counts"]
        == FLEISS_COUNTS
    )
    unitizing = vectors["krippendorff2004_unitizing_2observers_2categories"]["data"]
    assert unitizing["units"] == KRIPPENDORFF_2004_UNITS
    assert unitizing["continuum"] == {"begin": 150, "length": 300}
    nvivo = vectors["nvivo_help_percentage_agreement_1000chars"]["data"]
    assert (nvivo["source_chars"], nvivo["coded_by_both"]) == (1000, 50)
    assert (nvivo["coded_by_exactly_one"], nvivo["coded_by_neither"]) == (150, 800)
    assert len(vectors) == 6, "a new vector needs a test here"


@pytest.mark.parametrize(
    ("level", "shown", "exact"),
    [
        ("nominal", 0.743, "113/152"),
        ("ordinal", 0.815, "108577/133160"),
        ("interval", 0.849, "951/1120"),
        ("ratio", 0.797, "18222619/22852465"),
    ],
)
def test_krippendorff_2011_alpha_at_every_level(level, shown, exact):
    value = krippendorff_alpha(KRIPPENDORFF_2011, level)
    assert printed(value, 3) == shown
    assert krippendorff_alpha(KRIPPENDORFF_2011, level, exact=True) == Fraction(exact)
    assert value == float(Fraction(exact))


def test_krippendorff_2011_gwet_ac1():
    assert printed(gwet_ac1(KRIPPENDORFF_2011), 3) == 0.775
    assert gwet_ac1(KRIPPENDORFF_2011, exact=True) == Fraction(31825, 41041)


@pytest.mark.parametrize(
    ("level", "shown", "exact"),
    [("nominal", 0.691, "56/81"), ("interval", 0.811, "643/793")],
)
def test_wikipedia_alpha_drops_unpairable_units(level, shown, exact):
    assert printed(krippendorff_alpha(WIKIPEDIA_ALPHA, level), 3) == shown
    assert krippendorff_alpha(WIKIPEDIA_ALPHA, level, exact=True) == Fraction(exact)


def test_wikipedia_cohen_kappa():
    first, second = table_to_labels(COHEN_TABLE)
    assert percent_agreement(first, second) == 0.7
    assert cohen_kappa(first, second) == 0.4
    assert percent_agreement(first, second, exact=True) == Fraction(7, 10)
    assert cohen_kappa(first, second, exact=True) == Fraction(2, 5)
    assert scott_pi(first, second, exact=True) == Fraction(13, 33)


def test_wikipedia_cohen_kappa_implies_the_printed_chance_agreement():
    first, second = table_to_labels(COHEN_TABLE)
    p_o = percent_agreement(first, second, exact=True)
    kappa = cohen_kappa(first, second, exact=True)
    # kappa = (p_o - p_e) / (1 - p_e)  =>  p_e = (p_o - kappa) / (1 - kappa)
    assert (p_o - kappa) / (1 - kappa) == Fraction(1, 2)


def test_wikipedia_fleiss_kappa():
    assert printed(fleiss_kappa(FLEISS_COUNTS), 3) == 0.210
    kappa = fleiss_kappa(FLEISS_COUNTS, exact=True)
    assert kappa == Fraction(4211, 20059)
    # The same value follows from the printed P_bar and P_e.
    p_bar, p_e = Fraction(172, 455), Fraction(417, 1960)
    assert printed(float(p_bar), 3) == 0.378 and printed(float(p_e), 3) == 0.213
    assert kappa == (p_bar - p_e) / (1 - p_e)


def test_nvivo_percentage_agreement_on_characters():
    # 50 characters coded by both, 75 by each alone, 800 by neither.
    segments = [("A", "node", 0, 125), ("B", "node", 75, 200)]
    result = character_agreement(segments, 1000)["node"]
    assert (result.coded_by_all, result.coded_by_some) == (50, 150)
    assert result.coded_by_none == 800
    assert result.percent_agreement * 100 == 85
    assert result.exact("percent_agreement") == Fraction(17, 20)
    # NVivo's kappa on this split equals Cohen's kappa (vector note).
    assert result.exact("cohen_kappa") == Fraction(11, 35)


def units_2004():
    return [
        (observer, category, begin - 150, begin - 150 + length)
        for begin, length, observer, category in KRIPPENDORFF_2004_UNITS
    ]


def test_krippendorff_2004_unitizing_alpha():
    result = unitizing_alpha(units_2004(), 300)
    assert printed(result["by_code"]["c"], 4) == 0.7286
    assert result["by_code"]["k"] == 1.0
    # The book's 0.8591 comes from rounded intermediates (tolerance 0.0005).
    assert abs(result["overall"] - 0.8591) <= 0.0005
    exact = unitizing_alpha(units_2004(), 300, exact=True)
    assert exact["by_code"] == {"c": Fraction(201615, 276716), "k": 1}
    assert exact["overall"] == Fraction(7925853267, 9230432738)


def test_krippendorff_2004_observed_and_expected_disagreement():
    units = prepare(units_2004(), 300)
    m, length = 2, 300
    observed = _unitizing._observed_2004(units)
    numerators, denominators = _unitizing._expected_2004(units)
    d_o = {
        code: Fraction(2 * s, m * (m - 1) * length**2)
        for code, s in zip(units.codes, observed, strict=True)
    }
    d_e = {
        code: Fraction(2 * e, length * d)
        for code, e, d in zip(units.codes, numerators, denominators, strict=True)
    }
    assert d_o == {"c": Fraction(13, 900), "k": 0}
    assert d_e == {"c": Fraction(69179, 1299825), "k": Fraction(127621, 2605650)}
    assert printed(float(d_o["c"]), 4) == 0.0144
    assert printed(float(d_e["c"]), 4) == 0.0532
    assert printed(float(d_e["k"]), 4) == 0.0490


@pytest.mark.parametrize(
    ("segments", "distance"),
    [
        # delta(225,70,c ; 220,80,c) = 50
        ([(0, "c", 225, 295), (1, "c", 220, 300)], 50),
        # delta(370,30,c ; 355,20,c) = 850
        ([(0, "c", 370, 400), (1, "c", 355, 375)], 850),
        # delta(400,50,gap ; 400,20,c) = 400: observer 0 has a gap there
        (
            [(0, "c", 350, 400), (0, "c", 450, 460), (1, "c", 400, 420)],
            400 + 50**2 + 10**2,
        ),
    ],
)
def test_krippendorff_2004_distance_examples(segments, distance):
    units = prepare(segments, 500, coders=[0, 1])
    assert _unitizing._observed_2004(units) == [distance]
