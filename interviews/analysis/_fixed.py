"""Agreement coefficients for fixed units (every coder judged the same units).

Everything is counted in integers and divided once at the end, so each
coefficient is available exactly (``exact=True`` returns a ``Fraction``) and
as the correctly rounded float of that fraction. Undefined results return
``None``: no variation, a single category, nothing pairable.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from fractions import Fraction
from numbers import Real

Value = float | Fraction
LEVELS = ("nominal", "ordinal", "interval", "ratio")


def finish(num: int | Fraction, den: int | Fraction, exact: bool) -> Value:
    """Return ``num / den`` as a Fraction when ``exact``, else as a float.

    Python divides integers (and fractions) with correct rounding, so the float
    is the nearest double to the exact value.
    """
    if exact:
        return Fraction(num, den)
    if isinstance(num, int) and isinstance(den, int):
        return num / den
    return float(Fraction(num, den))


def is_missing(value: object) -> bool:
    """Return True for ``None`` and float NaN (numpy's missing value)."""
    # NaN is the only value that differs from itself.
    return value is None or (isinstance(value, float) and value != value)


def _two_coders(a: Iterable[Hashable], b: Iterable[Hashable]) -> tuple[list, list]:
    first, second = list(a), list(b)
    if len(first) != len(second):
        raise ValueError(
            f"the two coders judged different numbers of units "
            f"({len(first)} and {len(second)})"
        )
    for position, (x, y) in enumerate(zip(first, second, strict=True)):
        if is_missing(x) or is_missing(y):
            raise ValueError(
                f"unit {position} has a missing value; two-coder coefficients "
                "need complete data (use krippendorff_alpha or gwet_ac1)"
            )
    return first, second


def percent_agreement(
    a: Sequence[Hashable], b: Sequence[Hashable], *, exact: bool = False
) -> Value | None:
    """Return the share of units on which the two coders gave the same label.

    ``None`` when there are no units.
    """
    first, second = _two_coders(a, b)
    n = len(first)
    if n == 0:
        return None
    agree = sum(1 for x, y in zip(first, second, strict=True) if x == y)
    return finish(agree, n, exact)


def cohen_kappa(
    a: Sequence[Hashable], b: Sequence[Hashable], *, exact: bool = False
) -> Value | None:
    """Return Cohen's kappa (1960) for two equal-length sequences of labels.

    Chance agreement uses each coder's own label distribution. ``None`` when
    there are no units or both coders used one and the same label throughout
    (expected agreement 1).
    """
    first, second = _two_coders(a, b)
    n = len(first)
    agree = sum(1 for x, y in zip(first, second, strict=True) if x == y)
    margin_a, margin_b = Counter(first), Counter(second)
    expected = sum(count * margin_b[label] for label, count in margin_a.items())
    if n * n == expected:
        return None
    return finish(n * agree - expected, n * n - expected, exact)


def scott_pi(
    a: Sequence[Hashable], b: Sequence[Hashable], *, exact: bool = False
) -> Value | None:
    """Return Scott's pi (1955): chance agreement from the pooled labels.

    ``None`` when there are no units or only one label occurs.
    """
    first, second = _two_coders(a, b)
    n = len(first)
    agree = sum(1 for x, y in zip(first, second, strict=True) if x == y)
    pooled = Counter(first) + Counter(second)
    # With p_k = pooled_k / 2n: P_e = sum(pooled_k^2) / 4n^2.
    expected = sum(count * count for count in pooled.values())
    if 4 * n * n == expected:
        return None
    return finish(4 * n * agree - expected, 4 * n * n - expected, exact)


def brennan_prediger(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    q: int | None = None,
    *,
    exact: bool = False,
) -> Value | None:
    """Return Brennan and Prediger's kappa_n (= Bennett's S): chance is ``1/q``.

    ``q`` is the number of categories coders could choose from; it defaults to
    the number of distinct labels seen and may not be smaller than that.
    ``None`` when there are no units or fewer than two categories.
    """
    first, second = _two_coders(a, b)
    seen = len(set(first) | set(second))
    if q is None:
        q = seen
    elif isinstance(q, bool) or not isinstance(q, int) or q < seen:
        raise ValueError(
            f"q must be an integer of at least {seen} (the labels seen), got {q!r}"
        )
    n = len(first)
    if n == 0 or q < 2:
        return None
    agree = sum(1 for x, y in zip(first, second, strict=True) if x == y)
    # (p_o - 1/q) / (1 - 1/q) with p_o = agree / n.
    return finish(q * agree - n, (q - 1) * n, exact)


def _count(value: object, row: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"row {row}: counts must be whole numbers, got {value!r}")
    number = int(value)
    if number != value or number < 0:
        raise ValueError(f"row {row}: counts must be whole numbers >= 0, got {value!r}")
    return number


def fleiss_kappa(
    counts: Iterable[Sequence[int]], *, exact: bool = False
) -> Value | None:
    """Return Fleiss' kappa (1971) from a units x categories table of counts.

    Each cell says how many raters put that unit in that category; every unit
    must have been rated by the same number of raters. ``None`` when there are
    no units, fewer than two raters per unit, or a single category is used.
    """
    table = [[_count(cell, row) for cell in cells] for row, cells in enumerate(counts)]
    if not table:
        return None
    width = len(table[0])
    if any(len(cells) != width for cells in table):
        raise ValueError("every row must have one count per category")
    raters = sum(table[0])
    for row, cells in enumerate(table):
        if sum(cells) != raters:
            raise ValueError(
                f"row {row} has {sum(cells)} ratings, row 0 has {raters}; "
                "Fleiss' kappa needs the same number of raters for every unit"
            )
    if raters < 2:
        return None
    units = len(table)
    # P_bar = (sum n_ij^2 - N n) / (N n (n - 1)); P_e = sum C_j^2 / (N n)^2.
    agreeing = sum(cell * cell for cells in table for cell in cells) - units * raters
    per_category = [sum(column) for column in zip(*table, strict=True)]
    chance = sum(total * total for total in per_category)
    total = units * raters
    scale = units * raters * (raters - 1)
    if total * total == chance:
        return None
    return finish(
        agreeing * total * total - chance * scale,
        (total * total - chance) * scale,
        exact,
    )


def _units(data: Iterable[Sequence[object]]) -> list[list[object]]:
    """Return the present values of each unit (columns of ``data``)."""
    rows = [list(row) for row in data]
    if not rows:
        return []
    width = len(rows[0])
    for index, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(
                f"coder {index} has {len(row)} values, coder 0 has {width}; "
                "mark values a coder did not give with None"
            )
    return [
        [value for value in column if not is_missing(value)]
        for column in zip(*rows, strict=True)
    ]


def _numeric(value: object) -> Fraction:
    if isinstance(value, str | bytes) or isinstance(value, bool):
        raise ValueError(f"interval and ratio data must be numbers, got {value!r}")
    try:
        return Fraction(value)  # exact, also for floats and numpy scalars
    except (TypeError, ValueError):
        raise ValueError(
            f"interval and ratio data must be numbers, got {value!r}"
        ) from None


def krippendorff_alpha(
    data: Iterable[Sequence[object]],
    level: str = "nominal",
    *,
    exact: bool = False,
) -> Value | None:
    """Return Krippendorff's alpha for a coders x units matrix.

    ``None`` (or float NaN) marks a value a coder did not give. ``level`` is
    "nominal", "ordinal" (labels must be sortable), "interval" or "ratio"
    (labels must be numbers). Units with fewer than two values are unpairable
    and drop out. ``None`` when nothing is pairable or the pairable values do
    not vary (Krippendorff: reliability cannot be assessed).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    units = _units(data)
    # Coincidences o_ck = sum_u pairs_u(c, k) / (m_u - 1); keep the integer pair
    # counts per m_u and divide once per distinct m_u.
    pairs_by_size: dict[int, Counter] = defaultdict(Counter)
    margins: Counter = Counter()
    for values in units:
        size = len(values)
        if size < 2:
            continue
        counts = Counter(values)
        margins.update(counts)
        pairs = pairs_by_size[size]
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs[c, k] += n_c * n_k - (n_c if c == k else 0)
    if len(margins) < 2:
        return None
    n = sum(margins.values())
    coincidences: Counter = Counter()
    for size, pairs in pairs_by_size.items():
        for key, count in pairs.items():
            coincidences[key] += Fraction(count, size - 1)
    delta = _metric(level, margins)
    observed = sum(
        count * delta(c, k) for (c, k), count in coincidences.items() if c != k
    )
    expected = sum(
        margins[c] * margins[k] * delta(c, k)
        for c in margins
        for k in margins
        if c != k
    )
    if expected == 0:
        return None
    # alpha = 1 - D_o / D_e = 1 - (n - 1) sum(o delta) / sum(n_c n_k delta)
    return finish(expected - (n - 1) * observed, expected, exact)


def _metric(level: str, margins: Counter):
    """Return the squared difference function delta^2(c, k) for ``level``."""
    if level == "nominal":
        return lambda c, k: 0 if c == k else 1
    if level == "ordinal":
        try:
            ordered = sorted(margins)
        except TypeError:
            raise ValueError("ordinal data must have sortable labels") from None
        rank = {value: index for index, value in enumerate(ordered)}
        # cumulative[i] = sum of n_g for g before ordered[i]
        cumulative = [0]
        for value in ordered:
            cumulative.append(cumulative[-1] + margins[value])

        def ordinal(c, k):
            low, high = sorted((rank[c], rank[k]))
            between = cumulative[high + 1] - cumulative[low]
            return (between - Fraction(margins[c] + margins[k], 2)) ** 2

        return ordinal
    numbers = {value: _numeric(value) for value in margins}
    if level == "interval":
        return lambda c, k: (numbers[c] - numbers[k]) ** 2

    def ratio(c, k):
        total = numbers[c] + numbers[k]
        # The libraries treat 0/0 (both values zero) as no difference.
        return 0 if total == 0 else ((numbers[c] - numbers[k]) / total) ** 2

    return ratio


def gwet_ac1(data: Iterable[Sequence[object]], *, exact: bool = False) -> Value | None:
    """Return Gwet's AC1 (unweighted, any number of coders, missing allowed).

    ``data`` is coders x units like ``krippendorff_alpha``. Agreement is
    averaged over units with at least two values; the category shares behind
    chance agreement over units with at least one value (Gwet 2014). The
    number of categories is the number of distinct labels present. ``None``
    when fewer than two categories occur or no unit has two values.
    """
    units = _units(data)
    categories: set = set()
    agree_by_size: Counter = Counter()  # r -> sum_k r_k (r_k - 1)
    share_by_size: dict[int, Counter] = defaultdict(Counter)  # r -> k -> sum r_k
    rated = pairable = 0
    for values in units:
        size = len(values)
        if size == 0:
            continue
        rated += 1
        counts = Counter(values)
        categories.update(counts)
        share_by_size[size].update(counts)
        if size >= 2:
            pairable += 1
            agree_by_size[size] += sum(r * (r - 1) for r in counts.values())
    q = len(categories)
    if q < 2 or pairable == 0:
        return None
    p_a = (
        sum(Fraction(total, size * (size - 1)) for size, total in agree_by_size.items())
        / pairable
    )
    shares: Counter = Counter()
    for size, counts in share_by_size.items():
        for category, total in counts.items():
            shares[category] += Fraction(total, size)
    p_e = sum(s * (rated - s) for s in shares.values()) / (rated * rated * (q - 1))
    return finish(p_a - p_e, 1 - p_e, exact)
