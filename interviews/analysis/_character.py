"""Character-level agreement per code, computed from counts of a boundary sweep.

Every character of the text is a unit; each coder either coded it with the
code (1) or not (0). All coefficients follow from a few integer counts: the
length of text covered by exactly k coders (the histogram), each coder's coded
length, and the overlap of each pair of coders. Those counts add up across
documents, which is how results are pooled.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations

from ._fixed import Value, finish
from ._segments import Segment, count, prepare

Ratio = tuple[int, int] | None


def _binary_ratios(
    m: int, length: int, histogram: Sequence[int], squares: int
) -> tuple[Ratio, Ratio, Ratio, Ratio, Ratio]:
    """Return percent agreement, Fleiss, alpha, AC1 and |uα as (num, den).

    ``histogram[k]`` is the length coded by exactly k of m coders, every
    coder judging every character; ``squares`` is the sum of squared segment
    lengths (only |uα needs it).
    """
    if m < 2 or length == 0:
        return None, None, None, None, None
    # Ordered pairs of coders that disagree, summed over characters; the
    # other m(m − 1) pairs of each character agree.
    disagreeing = coded = 0
    for k, stretch in enumerate(histogram):
        if stretch:
            disagreeing += stretch * k * (m - k)
            coded += stretch * k
    scale = length * m * (m - 1)
    agreeing = scale - 2 * disagreeing
    percent = agreeing, scale
    total = m * length
    uncoded = total - coded
    product = coded * uncoded
    if product == 0:  # a single category: no variation
        return percent, None, None, None, None
    square = total * total
    chance = square - 2 * product  # n_0² + n_1²
    # Fleiss: (P̄ − P_e)/(1 − P_e), P̄ = agreeing/scale, P_e = chance/total².
    fleiss = agreeing * square - chance * scale, 2 * product * scale
    # alpha = 1 − (n − 1) o_01/(n_0 n_1), o_01 = disagreeing/(m − 1).
    alpha = (m - 1) * product - (total - 1) * disagreeing, (m - 1) * product
    # AC1 with two categories: P_e = 2 π_0 π_1 = 2·product/total².
    ac1 = agreeing * square - 2 * product * scale, chance * scale
    # |uα: as alpha, but a coded segment (not a character) cannot pair with
    # itself: the correction is Σ|segment|² + Σ|gap| instead of m·L.
    u_scale = (m - 1) * total * product
    binary_u = u_scale - disagreeing * (square - squares - uncoded), u_scale
    return percent, fleiss, alpha, ac1, binary_u


def _cohen(both: int, first: int, second: int, neither: int) -> Ratio:
    n = both + first + second + neither
    expected = (both + first) * (both + second) + (neither + second) * (neither + first)
    if n * n == expected:
        return None
    return n * (both + neither) - expected, n * n - expected


def _scott(both: int, first: int, second: int, neither: int) -> Ratio:
    n = both + first + second + neither
    yes = 2 * both + first + second
    no = 2 * neither + first + second
    expected = yes * yes + no * no
    if 4 * n * n == expected:
        return None
    return 4 * n * (both + neither) - expected, 4 * n * n - expected


def _value(ratio: Ratio, exact: bool = False) -> Value | None:
    return None if ratio is None else finish(*ratio, exact)


def _exact(names: tuple[str, ...], ratios: tuple[Ratio, ...], name: str):
    if name not in names:
        raise ValueError(f"unknown measure {name!r}; one of {', '.join(names)}")
    return _value(ratios[names.index(name)], exact=True)


@dataclass(frozen=True, slots=True)
class PairAgreement:
    """Character agreement of two coders on one code: the 2 x 2 table."""

    coders: tuple[Hashable, Hashable]
    both: int
    first_only: int
    second_only: int
    neither: int
    percent_agreement: float | None = field(init=False)
    cohen_kappa: float | None = field(init=False)
    scott_pi: float | None = field(init=False)
    krippendorff_alpha: float | None = field(init=False)
    gwet_ac1: float | None = field(init=False)

    def __post_init__(self) -> None:
        for name, ratio in zip(_PAIR_MEASURES, self._ratios(), strict=True):
            object.__setattr__(
                self, name, None if ratio is None else ratio[0] / ratio[1]
            )

    def _ratios(self) -> tuple[Ratio, ...]:
        table = (self.both, self.first_only, self.second_only, self.neither)
        histogram = (self.neither, self.first_only + self.second_only, self.both)
        percent, _, alpha, ac1, _ = _binary_ratios(2, sum(table), histogram, 0)
        return percent, _cohen(*table), _scott(*table), alpha, ac1

    def exact(self, measure: str) -> Fraction | None:
        """Return ``measure`` (a field name) as an exact Fraction, or None."""
        return _exact(_PAIR_MEASURES, self._ratios(), measure)


_PAIR_MEASURES = (
    "percent_agreement",
    "cohen_kappa",
    "scott_pi",
    "krippendorff_alpha",
    "gwet_ac1",
)
_MEASURES = (
    "percent_agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "gwet_ac1",
    "binary_u_alpha",
)


@dataclass(frozen=True, slots=True)
class CharacterAgreement:
    """Agreement on one code, one character per unit, with the counts behind it.

    The counts are integers that add up across documents (see ``pool``):

    * ``length``: characters judged (the text length, summed when pooled);
    * ``histogram[k]``: characters coded by exactly k of the coders;
    * ``coded_lengths[i]`` / ``segment_counts[i]``: characters coded and
      segments (after merging overlaps) of ``coders[i]``;
    * ``pair_overlaps``: characters coded by both coders of each pair, pairs
      in the order of ``itertools.combinations(coders, 2)``;
    * ``squared_lengths``: sum of squared segment lengths (for |uα).

    The measures are floats, ``None`` when undefined; ``exact(name)`` gives
    the same value as a Fraction. ``cohen_kappa`` needs exactly two coders;
    ``pairs`` has every pair's 2 x 2 table for more. ``percent_agreement`` is
    the mean over pairs of coders (for two coders the share of characters
    both coded or both left uncoded). ``krippendorff_alpha`` is nominal alpha
    on binary data, ``binary_u_alpha`` Krippendorff et al.'s (2016) |uα on
    this code's segments.
    """

    code: Hashable | None
    coders: tuple[Hashable, ...]
    length: int
    histogram: tuple[int, ...]
    coded_lengths: tuple[int, ...]
    segment_counts: tuple[int, ...]
    pair_overlaps: tuple[int, ...]
    squared_lengths: int
    documents: int = 1
    percent_agreement: float | None = field(init=False)
    cohen_kappa: float | None = field(init=False)
    fleiss_kappa: float | None = field(init=False)
    krippendorff_alpha: float | None = field(init=False)
    gwet_ac1: float | None = field(init=False)
    binary_u_alpha: float | None = field(init=False)

    def __post_init__(self) -> None:
        m = len(self.coders)
        if (
            len(self.histogram) != m + 1
            or len(self.coded_lengths) != m
            or len(self.segment_counts) != m
            or len(self.pair_overlaps) != m * (m - 1) // 2
            or sum(self.histogram) != self.length
        ):
            raise ValueError("the counts do not fit the number of coders or length")
        for name, ratio in zip(_MEASURES, self._ratios(), strict=True):
            object.__setattr__(
                self, name, None if ratio is None else ratio[0] / ratio[1]
            )

    def _ratios(self) -> tuple[Ratio, ...]:
        m = len(self.coders)
        percent, fleiss, alpha, ac1, binary_u = _binary_ratios(
            m, self.length, self.histogram, self.squared_lengths
        )
        cohen = _cohen(*self._table(0, 1, self.pair_overlaps[0])) if m == 2 else None
        return percent, cohen, fleiss, alpha, ac1, binary_u

    def _table(self, i: int, j: int, both: int) -> tuple[int, int, int, int]:
        first = self.coded_lengths[i] - both
        second = self.coded_lengths[j] - both
        return both, first, second, self.length - both - first - second

    def exact(self, measure: str) -> Fraction | None:
        """Return ``measure`` (a field name) as an exact Fraction, or None."""
        return _exact(_MEASURES, self._ratios(), measure)

    @property
    def coded_by_none(self) -> int:
        """Return the number of characters no coder coded."""
        return self.histogram[0]

    @property
    def coded_by_all(self) -> int:
        """Return the number of characters every coder coded (0 without coders)."""
        return self.histogram[-1] if self.coders else 0

    @property
    def coded_by_some(self) -> int:
        """Return the number of characters coded by some but not all coders."""
        return self.length - self.coded_by_none - self.coded_by_all

    @property
    def segments(self) -> int:
        """Return the number of segments behind the figures, after merging."""
        return sum(self.segment_counts)

    @property
    def pairs(self) -> dict[tuple[Hashable, Hashable], PairAgreement]:
        """Return the 2 x 2 table and coefficients of every pair of coders."""
        indices = combinations(range(len(self.coders)), 2)
        return {
            (self.coders[i], self.coders[j]): PairAgreement(
                (self.coders[i], self.coders[j]), *self._table(i, j, both)
            )
            for (i, j), both in zip(indices, self.pair_overlaps, strict=True)
        }


def character_agreement(
    segments: Iterable[Segment],
    length: int,
    *,
    coders: Iterable[Hashable] | None = None,
    codes: Iterable[Hashable] | None = None,
) -> dict[Hashable, CharacterAgreement]:
    """Return character-level agreement per code for segments on one text.

    ``segments`` are ``(coder, code, start, end)`` tuples, half-open, in
    characters of a text of ``length`` characters. One coder's overlapping
    segments of one code are merged first (touching ones count as separate
    segments but cover the same characters). The coders are everyone named in
    ``coders`` (a coder with no segments judged every character "not coded")
    or, by default, everyone appearing in ``segments``; the codes are
    ``codes`` (to report codes nobody used) or those appearing. A segment by
    a coder or with a code outside given ``coders``/``codes`` is an error.

    Raise ValueError for invalid segments: positions that are not whole
    numbers, ``start < 0``, ``end > length`` or ``end <= start``.
    """
    units = prepare(segments, length, coders, codes)
    counts = count(units)
    return {
        code: CharacterAgreement(
            code=code,
            coders=units.coders,
            length=units.length,
            histogram=tuple(counts.histogram[index]),
            coded_lengths=tuple(counts.coded_lengths[index]),
            segment_counts=tuple(counts.segment_counts[index]),
            pair_overlaps=tuple(counts.pair_overlaps[index]),
            squared_lengths=counts.squared_lengths[index],
        )
        for index, code in enumerate(units.codes)
    }


def pool(results: Iterable[CharacterAgreement]) -> CharacterAgreement:
    """Return one result from the summed counts of several.

    Use it to pool documents (or codes): the counts are added and every
    measure is recomputed from the sums, which is not the mean of the
    measures. All results must have the same coders (in any order; the first
    result's order is kept). The code is kept when all results share it,
    else it is None. Raise ValueError for no results or differing coders.
    """
    results = list(results)
    if not results:
        raise ValueError("pool() needs at least one result")
    coders = results[0].coders
    columns = [_aligned(result, coders) for result in results]
    coded, segments, overlaps = (
        tuple(map(sum, zip(*part, strict=True))) for part in zip(*columns, strict=True)
    )
    code = results[0].code
    if any(result.code != code for result in results):
        code = None
    return CharacterAgreement(
        code=code,
        coders=coders,
        length=sum(result.length for result in results),
        histogram=tuple(
            map(sum, zip(*(result.histogram for result in results), strict=True))
        ),
        coded_lengths=coded,
        segment_counts=segments,
        pair_overlaps=overlaps,
        squared_lengths=sum(result.squared_lengths for result in results),
        documents=sum(result.documents for result in results),
    )


def _aligned(
    result: CharacterAgreement, coders: tuple[Hashable, ...]
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Return a result's per-coder and per-pair counts in the order of ``coders``."""
    if result.coders == coders:
        return result.coded_lengths, result.segment_counts, result.pair_overlaps
    if len(result.coders) != len(coders) or set(result.coders) != set(coders):
        raise ValueError(
            f"cannot pool results of coders {result.coders!r} with "
            f"{coders!r}; pass the same coders= for every document"
        )
    position = [result.coders.index(coder) for coder in coders]
    pairs = {
        frozenset(pair): both
        for pair, both in zip(
            combinations(result.coders, 2), result.pair_overlaps, strict=True
        )
    }
    return (
        tuple(result.coded_lengths[i] for i in position),
        tuple(result.segment_counts[i] for i in position),
        tuple(pairs[frozenset(pair)] for pair in combinations(coders, 2)),
    )
