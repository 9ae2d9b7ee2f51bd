"""Unitizing coefficients: they compare the boundaries coders chose.

Two generations, both computed from sorted boundaries in integers:

* Krippendorff's αU (1995; 2004, §11.6), as DKPro Statistics and INCEpTION
  implement it (``KrippendorffAlphaUnitizingAgreement``), per code.
* The uα family of Krippendorff, Mathet, Bouvry and Widlöcher (2016):
  uα, |uα ("alpha-binary" in ATLAS.ti) and cuα with its coverage.

In the uα family a coder's unitization is a partition of the text into valued
segments and gaps. The observed coincidences are lengths of intersections of
different coders' sections; every formula below is written with those
lengths multiplied by ``m - 1`` so that they stay integers.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ._character import _binary_ratios, _value
from ._fixed import Value
from ._segments import (
    CodeCounts,
    Segment,
    Units,
    count,
    merge,
    prepare,
    sweep,
)

_INT64_SAFE = 2**62


def _exact(array: np.ndarray, bound: int) -> np.ndarray:
    """Return ``array`` as int64 if results up to ``bound`` fit, else as Python ints.

    Object arrays keep numpy's elementwise arithmetic but with unbounded
    integers, so the same expressions serve short and very long texts.
    """
    if bound < _INT64_SAFE:
        return array.astype(np.int64, copy=False)
    return array.astype(object)


def _totals(values: np.ndarray, code: np.ndarray, groups: int) -> list[int]:
    """Return exact per-code sums of ``values``; ``code`` must be sorted."""
    if values.dtype == object:
        totals = [0] * groups
        for index, value in zip(code.tolist(), values.tolist(), strict=True):
            totals[index] += value
        return totals
    cumulative = np.concatenate(([0], np.cumsum(values)))
    bounds = np.searchsorted(code, np.arange(groups + 1))
    return (cumulative[bounds[1:]] - cumulative[bounds[:-1]]).tolist()


def _observed_2004(units: Units) -> list[int]:
    """Return, per code, the sum of δ² over intersecting sections of coder pairs.

    Two overlapping units of different coders add the squared difference of
    their starts plus that of their ends; a unit that meets no unit of
    another coder lies inside that coder's gap and adds its length squared
    (once per such coder). Every other pair of sections adds nothing.
    """
    m, length, width = len(units.coders), units.length, units.width
    groups = len(units.codes)
    totals = [0] * groups
    keyed_start = units.code * width + units.start
    keyed_end = units.code * width + units.end
    # Each code's sum is at most 2L² per unit and partner, m partners each.
    bound = 4 * (len(units.code) + 1) * (m + 1) * length * length
    size = _exact(units.end - units.start, bound)
    for j in range(m):
        mine = units.coder == j
        if not mine.any():
            alone = units.coder != j
            for index, value in enumerate(
                _totals(size[alone] ** 2, units.code[alone], groups)
            ):
                totals[index] += value
            continue
        their_start, their_end = keyed_start[mine], keyed_end[mine]
        start_j, end_j = units.start[mine], units.end[mine]
        others = np.flatnonzero(~mine)
        # Units of coder j that overlap unit u: end > u.start and start < u.end.
        low = np.searchsorted(their_end, keyed_start[others], side="right")
        high = np.searchsorted(their_start, keyed_end[others], side="left")
        overlaps = high - low
        alone = others[overlaps == 0]
        sums = _totals(size[alone] ** 2, units.code[alone], groups)
        # Count each unordered pair of overlapping units once.
        lower = units.coder[others] < j
        first, counts, low = others[lower], overlaps[lower], low[lower]
        pairs = int(counts.sum())
        if pairs:
            repeat = np.repeat(np.arange(len(first)), counts)
            offset = np.cumsum(counts) - counts
            partner = low[repeat] + np.arange(pairs) - offset[repeat]
            unit = first[repeat]
            begin = _exact(units.start[unit] - start_j[partner], bound)
            finish = _exact(units.end[unit] - end_j[partner], bound)
            pair_sums = _totals(begin**2 + finish**2, units.code[unit], groups)
            sums = [a + b for a, b in zip(sums, pair_sums, strict=True)]
        totals = [a + b for a, b in zip(totals, sums, strict=True)]
    return totals


def _gaps(units: Units) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(code, length)`` of every gap of every coder, per code."""
    m, length, groups = len(units.coders), units.length, len(units.codes)
    group = units.code * m + units.coder
    n = len(group)
    same = np.zeros(n, dtype=bool)
    same[1:] = group[1:] == group[:-1]
    previous_end = np.zeros(n, dtype=np.int64)
    previous_end[1:] = units.end[:-1]
    before = units.start - np.where(same, previous_end, 0)
    last = np.ones(n, dtype=bool)
    last[:-1] = group[1:] != group[:-1]
    after = length - units.end[last]
    # A coder without units of a code has one gap: the whole text.
    idle = np.setdiff1d(np.arange(groups * m), group)
    code = np.concatenate((units.code, units.code[last], idle // m))
    size = np.concatenate((before, after, np.full(len(idle), length)))
    keep = size > 0
    return code[keep], size[keep]


def _expected_2004(units: Units) -> tuple[list[int], list[int]]:
    """Return per code the numerator and denominator of D_e·L/2 (DKPro).

    Numerator: Σ_u [(N_c − 1) l(2l² − 3l + 1)/3 + l² Σ_{gaps g ≥ l} (g − l + 1)];
    denominator: mL(mL − 1) − Σ_u l(l − 1).
    """
    m, length, width = len(units.coders), units.length, units.width
    groups = len(units.codes)
    size = units.end - units.start
    per_code = np.bincount(units.code, minlength=groups)
    gap_code, gap_size = _gaps(units)
    keyed = np.sort(gap_code * width + gap_size)
    cumulative = np.concatenate(([0], np.cumsum(keyed % width)))
    low = np.searchsorted(keyed, units.code * width + size, side="left")
    high = np.searchsorted(keyed, (units.code + 1) * width, side="left")
    # Σ_{g ≥ l} (g − l + 1) = Σ g − (l − 1)·count; at most m·L per code.
    reach = (cumulative[high] - cumulative[low]) - (size - 1) * (high - low)
    n = max(int(per_code.max()), 1) if groups and len(size) else 1
    bound = (n + m + 1) * len(size) * max(length, 1) ** 3
    u = _exact(size, bound)  # unit lengths
    others = _exact(per_code[units.code] - 1, bound)
    # u(u − 1)(2u − 1) is six times a sum of squares, so the division is exact.
    terms = others * (u * (u - 1) * (2 * u - 1) // 3) + u * u * _exact(reach, bound)
    numerators = _totals(terms, units.code, groups)
    pairs_within = _totals(u * (u - 1), units.code, groups)
    total = m * length
    return numerators, [total * (total - 1) - p for p in pairs_within]


def unitizing_alpha(
    segments: Iterable[Segment],
    length: int,
    *,
    coders: Iterable[Hashable] | None = None,
    codes: Iterable[Hashable] | None = None,
    exact: bool = False,
) -> dict[str, object]:
    """Return Krippendorff's (2004) unitizing alpha αU per code and overall.

    This is the coefficient DKPro Statistics and INCEpTION call Krippendorff's
    alpha (unitizing): per code, each coder's text is split into units of the
    code and gaps; δ² between a coder's section and another's is the sum of
    the squared differences of starts and ends for overlapping units, the
    unit's length squared for a unit inside the other's gap, else 0. The
    continuum is the whole text. Overall αU = 1 − Σ D_o / Σ D_e over codes.

    Returns ``{"by_code": {code: αU}, "overall": αU}``; a value is ``None``
    when undefined (fewer than two coders, an empty text, a code nobody
    used). Segments and ``coders``/``codes`` as for ``character_agreement``.
    """
    units = prepare(segments, length, coders, codes)
    m, length = len(units.coders), units.length
    if m < 2 or length == 0:
        return {"by_code": dict.fromkeys(units.codes), "overall": None}
    observed = _observed_2004(units)
    numerators, denominators = _expected_2004(units)
    by_code: dict[Hashable, Value | None] = {}
    observed_sum = expected_sum = Fraction(0)
    for code, s, e, d in zip(
        units.codes, observed, numerators, denominators, strict=True
    ):
        # D_o = 2s / (m(m−1)L²), D_e = 2e / (L·d), αU = 1 − D_o / D_e.
        if e == 0:
            by_code[code] = None
            continue
        by_code[code] = _value(
            (m * (m - 1) * length * e - s * d, m * (m - 1) * length * e), exact
        )
        observed_sum += Fraction(2 * s, m * (m - 1) * length * length)
        expected_sum += Fraction(2 * e, length * d)
    overall = None
    if expected_sum:
        overall = _value((expected_sum - observed_sum, expected_sum), exact)
    return {"by_code": by_code, "overall": overall}


def _require_exclusive(units: Units) -> None:
    """Raise ValueError if one coder's segments of different codes overlap."""
    if len(units.code) < 2:
        return
    width = units.width
    keyed_start = units.coder * width + units.start
    order = np.argsort(keyed_start, kind="stable")
    keyed_start = keyed_start[order]
    reach = np.maximum.accumulate((units.coder * width + units.end)[order])
    clash = np.flatnonzero(keyed_start[1:] < reach[:-1])
    if len(clash):
        index = order[clash[0] + 1]
        raise ValueError(
            f"coder {units.coders[units.coder[index]]!r} coded "
            f"{units.codes[units.code[index]]!r} at {int(units.start[index])} "
            "inside a segment of another code; u_alpha and cu_alpha need "
            "mutually exclusive codes (use binary_u_alpha or "
            "character_agreement per code)"
        )


def _collapsed(units: Units) -> Units:
    """Return every coder's units of all codes as one code (overlaps merged)."""
    coder, start, end = merge(units.coder, units.start, units.end, units.width)
    return Units(
        length=units.length,
        coders=units.coders,
        codes=(None,),
        code=np.zeros(len(coder), dtype=np.int64),
        coder=coder,
        start=start,
        end=end,
    )


def _coded(histogram: list[int]) -> int:
    return sum(k * stretch for k, stretch in enumerate(histogram))


def _agreeing(histogram: list[int], m: int, valued: bool) -> int:
    """Return Σ stretch · n(n − 1), n = coders with (valued) or without a value."""
    total = 0
    for k, stretch in enumerate(histogram):
        n = k if valued else m - k
        total += stretch * n * (n - 1)
    return total


def u_alpha(
    segments: Iterable[Segment],
    length: int,
    *,
    coders: Iterable[Hashable] | None = None,
    exact: bool = False,
) -> Value | None:
    """Return uα (Krippendorff et al. 2016): unitizing and coding at once.

    Codes are the values of one nominal variable, so one coder's segments of
    different codes may touch but not overlap (ValueError otherwise). Gaps
    are one more value, ∅. ``None`` when undefined (fewer than two coders, an
    empty text, a single value throughout).
    """
    units = prepare(segments, length, coders)
    _require_exclusive(units)
    m, length = len(units.coders), units.length
    if m < 2 or length == 0:
        return None
    counts = count(units)
    union = count(_collapsed(units)).histogram[0]
    total = m * length
    coded = [_coded(h) for h in counts.histogram]
    gaps = total - sum(coded)
    diagonal = sum(_agreeing(h, m, True) for h in counts.histogram)
    diagonal += _agreeing(union, m, False)
    scale = (m - 1) * total  # l_·· times (m − 1)
    squared = (m - 1) ** 2
    correction = squared * (sum(counts.squared_lengths) + gaps)
    rest = scale * scale - correction
    self_pairs = squared * (
        sum(c * c - s for c, s in zip(coded, counts.squared_lengths, strict=True))
        + gaps * gaps
        - gaps
    )
    # uα = 1 − (l_·· − Σ l_cc) / (l_·· − Σ e_cc), e_cc = l_··(l_c² − w_c)/(l_··² − W)
    denominator = scale * (rest - self_pairs)
    if denominator == 0:
        return None
    return _value((denominator - (scale - diagonal) * rest, denominator), exact)


def binary_u_alpha(
    segments: Iterable[Segment],
    length: int,
    *,
    coders: Iterable[Hashable] | None = None,
    codes: Iterable[Hashable] | None = None,
    exact: bool = False,
) -> dict[str, object]:
    """Return |uα (Krippendorff et al. 2016; ATLAS.ti's "alpha-binary").

    |uα asks whether coders identified the same stretches as relevant,
    ignoring which value they gave. Per code, the relevant matter is that
    code's segments; ``overall`` treats a stretch as relevant when the coder
    gave it any code (a coder's overlapping segments of different codes are
    merged into one unit, touching ones stay separate units), which is the
    paper's |uα of the whole unitization when codes are mutually exclusive.

    Returns ``{"by_code": {code: |uα}, "overall": |uα}``; ``None`` where
    undefined (fewer than two coders, an empty text, nothing coded, or
    everything coded by everyone).
    """
    units = prepare(segments, length, coders, codes)
    m, length = len(units.coders), units.length
    counts = count(units)
    return {
        "by_code": {
            code: _binary(counts, index, m, length, exact)
            for index, code in enumerate(units.codes)
        },
        "overall": _binary(count(_collapsed(units)), 0, m, length, exact),
    }


def _binary(
    counts: CodeCounts, index: int, m: int, length: int, exact: bool
) -> Value | None:
    ratios = _binary_ratios(
        m, length, counts.histogram[index], counts.squared_lengths[index]
    )
    return _value(ratios[4], exact)


@dataclass(frozen=True)
class ValueAlpha:
    """(k)uα for one code within cuα, with the share of its matter that entered."""

    alpha: Value | None
    coverage: Value | None


@dataclass(frozen=True)
class CuAlpha:
    """cuα with its coverage and (k)uα per code.

    ``coverage`` is the share of all pairable matter (m coders × the text)
    made of intersections of valued segments of different coders, which is
    what cuα assesses; each code's ``coverage`` is the share of that code's
    matter that intersects other coders' valued segments.
    """

    alpha: Value | None
    coverage: Value | None
    by_code: dict[Hashable, ValueAlpha]


def cu_alpha(
    segments: Iterable[Segment],
    length: int,
    *,
    coders: Iterable[Hashable] | None = None,
    exact: bool = False,
) -> CuAlpha:
    """Return cuα (Krippendorff et al. 2016) with its coverage.

    cuα assesses the codes given where coders' valued segments intersect,
    ignoring disagreement about where units are (gaps do not enter). Codes
    are nominal values and must be mutually exclusive per coder, as for
    ``u_alpha``. In the expected coincidences a segment cannot pair with
    itself; its weight is its pairable length (its overlap with other
    coders' valued segments, divided by m − 1), squared. With two coders the
    published readings of this correction agree; for more coders this one
    is the one that keeps cuα consistent with uα and reproduces the 0.724 of
    Krippendorff's (2019) Fig. 12.11 example.

    ``alpha`` is ``None`` when fewer than two codes have pairable matter;
    ``coverage`` is ``None`` for fewer than two coders or an empty text.
    """
    units = prepare(segments, length, coders)
    _require_exclusive(units)
    m, length = len(units.coders), units.length
    codes = units.codes
    if m < 2 or length == 0:
        empty = ValueAlpha(None, None)
        return CuAlpha(None, None, dict.fromkeys(codes, empty))
    counts = count(units)
    pairable = _pairable(units)
    groups = len(codes)
    shared = _totals(pairable, units.code, groups)
    shared_squares = _totals(pairable * pairable, units.code, groups)
    diagonal = [_agreeing(h, m, True) for h in counts.histogram]
    total = sum(shared)
    squares = sum(shared_squares)
    by_code = {}
    for index, code in enumerate(codes):
        matter = (m - 1) * _coded(counts.histogram[index])
        mine = shared[index]
        coverage = _value((mine, matter), exact) if matter else None
        alpha = None
        if mine and total != mine:
            # (k)uα = 1 − (e_k/l_k)(l_k − l_kk)/(e_k − e_kk) in integers.
            numerator = (mine * total - shared_squares[index]) * (
                mine - diagonal[index]
            )
            alpha = _value(
                (
                    mine * mine * (total - mine) - numerator,
                    mine * mine * (total - mine),
                ),
                exact,
            )
        by_code[code] = ValueAlpha(alpha, coverage)
    coverage = _value((total, (m - 1) * m * length), exact)
    spread = total * total - sum(s * s for s in shared)
    if total == 0 or spread == 0:
        return CuAlpha(None, coverage, by_code)
    # cuα = 1 − (l*·· − Σ l*_cc)(l*··² − Q) / (l*·· (l*··² − Σ l*_c²))
    denominator = total * spread
    numerator = denominator - (total - sum(diagonal)) * (total * total - squares)
    return CuAlpha(_value((numerator, denominator), exact), coverage, by_code)


def _pairable(units: Units) -> np.ndarray:
    """Return, per unit, its overlap with other coders' valued segments, summed.

    With mutually exclusive codes, the number of coders with any value at a
    position, integrated over the unit, minus the unit's own length, is that
    sum; the integral comes from one sweep over all coders' units.
    """
    union = _collapsed(units)
    keyed, depth, stretch = sweep(
        union.code,
        np.ones(len(union.code), dtype=np.int64),
        union.start,
        union.end,
        union.width,
    )
    # keyed == position here: the collapsed units all have code 0.
    before = np.concatenate(([0], np.cumsum(depth * stretch)))

    def integral(x: np.ndarray) -> np.ndarray:
        # The stretch at or before x; none before the first one (integral 0).
        at = np.searchsorted(keyed, x, side="right") - 1
        stretch_at = np.maximum(at, 0)
        inside = np.minimum(x - keyed[stretch_at], stretch[stretch_at])
        value = before[stretch_at] + depth[stretch_at] * inside
        return np.where(at >= 0, value, 0)

    size = units.end - units.start
    result = integral(units.end) - integral(units.start) - size
    bound = len(size) * (len(units.coders) * units.length) ** 2
    return _exact(result, bound)
