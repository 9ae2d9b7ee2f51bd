"""Segments on one text: validation, merging and boundary sweeps.

Nothing here expands a text to characters. Positions of different codes (or
coders) are kept apart by offsetting them by ``group * (length + 1)``, so one
sort and one cumulative sum sweep every code at once; the cost grows with the
number of segments, never with the length of the text.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from numbers import Integral
from operator import itemgetter
from typing import NoReturn

import numpy as np

# (coder, code, start, end), half-open, in characters.
Segment = tuple[Hashable, Hashable, int, int]

# Coder sets travel as bit masks in int64 sums.
MAX_CODERS = 62
# Float sums of integers stay exact below 2**53; lengths are kept below that.
MAX_LENGTH = 2**53
_KEY_LIMIT = 2**61
# Up to this many distinct coders or codes, find them by comparing arrays.
_FEW = 12
# Count per code and set of coders in a dense table up to this many cells.
_DENSE = 2**16


@dataclass(frozen=True)
class Units:
    """Merged segments of one text, sorted by code, coder and start.

    Overlapping segments of one coder and code are merged into one unit;
    touching ones stay separate units (they matter to the unitizing
    coefficients, where every unit is pairable only as a whole).
    """

    length: int
    coders: tuple[Hashable, ...]
    codes: tuple[Hashable, ...]
    code: np.ndarray
    coder: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @property
    def width(self) -> int:
        """Return the offset that separates codes in keyed positions."""
        return self.length + 1


def check_length(length: object) -> int:
    """Return ``length`` as an int, or raise ValueError."""
    if isinstance(length, bool) or not isinstance(length, Integral):
        raise ValueError(f"length must be a whole number, got {length!r}")
    length = int(length)
    if not 0 <= length < MAX_LENGTH:
        raise ValueError(f"length must be between 0 and 2**53, got {length}")
    return length


def _given(names: Iterable[Hashable] | None, what: str) -> list | None:
    if names is None:
        return None
    names = list(names)
    if len(set(names)) != len(names):
        raise ValueError(f"{what} must not repeat a name: {names!r}")
    return names


def _box(value: object) -> np.ndarray:
    # A 0-d object array compares elementwise even when the value is a tuple.
    box = np.empty((), dtype=object)
    box[()] = value
    return box


def _factorize(column: list, names: list | None, what: str) -> tuple[list, np.ndarray]:
    """Return the names and, per row, the index of its name.

    Without ``names`` they are taken in order of first appearance. Rows
    usually come grouped by coder, often with one code throughout, so whole
    blocks are recognised first with ``list.count`` (C-fast, no array of
    objects). Otherwise a few distinct names are found with one vectorised
    comparison each, and many with a dictionary lookup per row.
    """
    size = len(column)
    index = np.zeros(size, dtype=np.int64)
    lookup = None if names is None else {name: i for i, name in enumerate(names)}
    found: list = []
    position = 0
    while position < size and len(found) < _FEW:
        name = column[position]
        end = _block_end(column, position)
        if name in found or column[position:end].count(name) != end - position:
            break  # not one contiguous block per name
        number = len(found) if lookup is None else lookup.get(name)
        if number is None:
            _stray(name, names, what)
        index[position:end] = number
        found.append(name)
        position = end
    if position == size:
        return (found if names is None else names), index
    values = np.fromiter(column, dtype=object, count=size)
    if names is not None and len(names) <= _FEW:
        assigned = np.zeros(size, dtype=bool)
        for number, name in enumerate(names):
            same = values == _box(name)
            index[same] = number
            assigned |= same
        if not assigned.all():
            _stray(values[int(np.argmin(assigned))], names, what)
        return names, index
    if names is None:
        found = []
        assigned = np.zeros(size, dtype=bool)
        while len(found) < _FEW:
            if assigned.all():
                return found, index
            # The first row not yet assigned names the next coder (or code).
            first = int(np.argmin(assigned))
            same = values == _box(values[first])
            if not same[first]:  # a name unequal to itself, such as NaN
                break
            index[same] = len(found)
            assigned |= same
            found.append(values[first])
        names = list(dict.fromkeys(column))
        lookup = {name: i for i, name in enumerate(names)}
    try:
        return names, np.fromiter(
            map(lookup.__getitem__, column), dtype=np.int64, count=size
        )
    except KeyError as error:
        _stray(error.args[0], names, what)


def _block_end(column: list, position: int) -> int:
    """Return where the run of ``column[position]`` ends, if it is one run.

    Gallop then bisect: O(log n) comparisons; the caller checks the run.
    """
    name, size = column[position], len(column)
    low, step = position, 1
    while low + step < size and column[low + step] == name:
        low += step
        step *= 2
    high = min(low + step, size)
    while high - low > 1:
        middle = (low + high) // 2
        if column[middle] == name:
            low = middle
        else:
            high = middle
    return high


def _stray(name: object, names: list | None, what: str) -> NoReturn:
    raise ValueError(
        f"a segment names {what[:-1]} {name!r}, which is not in {what}={names!r}"
    )


def _positions(column: list, what: str) -> np.ndarray:
    if not column:
        return np.zeros(0, dtype=np.int64)
    try:
        # array('q') takes ints (and numpy integers) only: floats, strings
        # and None raise, where numpy would quietly convert them.
        return np.frombuffer(array("q", column), dtype=np.int64)
    except (TypeError, OverflowError):
        for index, value in enumerate(column):
            if isinstance(value, bool) or not isinstance(value, Integral):
                raise ValueError(
                    f"segment {index}: {what} must be a whole number, got {value!r}"
                ) from None
            if not -(2**63) <= value < 2**63:
                raise ValueError(
                    f"segment {index}: {what} {value} is out of range"
                ) from None
        raise


def _malformed(row: object) -> bool:
    """Return True unless ``row`` can be a (coder, code, start, end) segment."""
    if isinstance(row, str | bytes | Mapping):
        return True
    try:
        return len(row) != 4
    except TypeError:
        return True


def prepare(
    segments: Iterable[Segment],
    length: object,
    coders: Iterable[Hashable] | None = None,
    codes: Iterable[Hashable] | None = None,
) -> Units:
    """Validate ``(coder, code, start, end)`` segments and merge overlaps.

    Raise ValueError for a malformed segment, a position that is not a whole
    number, ``start < 0``, ``end > length``, ``end <= start``, or a coder or
    code missing from ``coders`` / ``codes`` when those are given.
    """
    length = check_length(length)
    coder_names = _given(coders, "coders")
    code_names = _given(codes, "codes")
    rows = segments if isinstance(segments, list | tuple) else list(segments)
    try:
        # Unpacking checks that every row has exactly four fields.
        end_column = [end for _, _, _, end in rows]
        # One column at a time, each list dropped once converted: its memory
        # is reused by the next instead of touching fresh pages, which costs
        # more than the rest of the work on long texts.
        end = _positions(end_column, "end")
        del end_column
        start = _positions(list(map(itemgetter(2), rows)), "start")
        coder_names, coder = _factorize(
            list(map(itemgetter(0), rows)), coder_names, "coders"
        )
        code_names, code = _factorize(
            list(map(itemgetter(1), rows)), code_names, "codes"
        )
    except (TypeError, KeyError, IndexError, ValueError):
        # Name the first malformed row, if that is what went wrong.
        for index, row in enumerate(rows):
            if _malformed(row):
                raise ValueError(
                    f"segment {index} must be (coder, code, start, end), got {row!r}"
                ) from None
        raise
    if len(coder_names) > MAX_CODERS:
        raise ValueError(f"at most {MAX_CODERS} coders are supported")
    bad = (start < 0) | (end > length) | (end <= start)
    if bad.any():
        index = int(np.argmax(bad))
        raise ValueError(
            f"segment {index} {tuple(rows[index])!r}: positions must satisfy "
            f"0 <= start < end <= length ({length})"
        )
    groups = max(len(code_names), 1) * max(len(coder_names), 1)
    if groups * (length + 1) >= _KEY_LIMIT:
        raise ValueError("the text is too long for this many codes and coders")
    group, start, end = merge(code * len(coder_names) + coder, start, end, length + 1)
    code, coder = np.divmod(group, max(len(coder_names), 1))
    return Units(
        length=length,
        coders=tuple(coder_names),
        codes=tuple(code_names),
        code=code,
        coder=coder,
        start=start,
        end=end,
    )


def merge(
    group: np.ndarray, start: np.ndarray, end: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort intervals by group and start and merge overlaps within a group.

    Touching intervals (one ends where the next starts) are kept apart.
    """
    if len(group) == 0:
        return group, start, end
    keyed_start = group * width + start
    order = np.argsort(keyed_start, kind="stable")
    keyed_start = keyed_start[order]
    group = group[order]
    # A running maximum of keyed ends is the reach of the current unit; the
    # offsets make it restart at every group.
    reach = np.maximum.accumulate(group * width + end[order])
    new = np.empty(len(group), dtype=bool)
    new[0] = True
    np.greater_equal(keyed_start[1:], reach[:-1], out=new[1:])
    first = np.flatnonzero(new)
    last = np.empty_like(first)
    last[:-1] = first[1:] - 1
    last[-1] = len(group) - 1
    group = group[first]
    offset = group * width
    return group, keyed_start[first] - offset, reach[last] - offset


def sweep(
    code: np.ndarray,
    weight: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    width: int,
    compact: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the elementary stretches between consecutive boundaries.

    Each unit adds ``weight`` while it is open: with weights ``1 << coder`` the
    state is the set of coders covering the stretch, with weights 1 their
    number. Returns ``(keyed start, state, length)`` per stretch, where the
    keyed start is ``code * width + start``. With ``compact`` only stretches
    of positive length and state are kept; otherwise the empty ones and those
    between codes (state 0) are left in, which is harmless when summing.
    """
    size = len(code)
    keys = np.concatenate((end, start))
    keys += np.concatenate((code, code)) * width
    # Ends sort before starts at the same position, so a coder whose unit ends
    # where their next one starts never appears twice in a state.
    keys <<= 1
    keys[size:] += 1
    # Merge sort: the keys come as a few sorted runs, one per coder and kind.
    order = np.argsort(keys, kind="stable")
    state = np.cumsum(np.concatenate((-weight, weight))[order])[:-1]
    position = keys[order]
    position >>= 1
    stretch = np.diff(position)
    position = position[:-1]
    if compact:
        keep = (state != 0) & (stretch > 0)
        return position[keep], state[keep], stretch[keep]
    return position, state, stretch


def group_sums(
    values: np.ndarray, group: np.ndarray, groups: int, bound: int
) -> list[int]:
    """Return exact per-group sums of integer ``values`` as Python ints.

    ``group`` must be sorted; ``bound`` caps the sum of all values. Below
    2**53 a float bincount is exact, below 2**62 an int64 running sum is,
    beyond that Python integers are.
    """
    if values.dtype != object and bound < MAX_LENGTH:
        sums = np.bincount(group, weights=values, minlength=groups)
        return sums.astype(np.int64).tolist()
    if values.dtype != object and bound < 2**62:
        running = np.concatenate(([0], np.cumsum(values)))
        edges = np.searchsorted(group, np.arange(groups + 1))
        return (running[edges[1:]] - running[edges[:-1]]).tolist()
    totals = [0] * groups
    for index, value in zip(group.tolist(), values.tolist(), strict=True):
        totals[index] += int(value)
    return totals


@dataclass(frozen=True)
class CodeCounts:
    """Integer counts per code (lists indexed like ``Units.codes``)."""

    histogram: list[list[int]]
    coded_lengths: list[list[int]]
    segment_counts: list[list[int]]
    pair_overlaps: list[list[int]]
    squared_lengths: list[int]


def count(units: Units) -> CodeCounts:
    """Sweep every code at once and return the counts behind each measure."""
    m = len(units.coders)
    n_codes = len(units.codes)
    length = units.length
    lengths = units.end - units.start
    keyed, mask, stretch = sweep(
        units.code,
        np.left_shift(np.int64(1), units.coder),
        units.start,
        units.end,
        units.width,
        compact=False,
    )
    stretch_code = keyed // units.width
    pairs = list(combinations(range(m), 2))
    if m == 0:
        covered = np.zeros((n_codes, 0), dtype=np.int64)
        pair_table = covered
    elif n_codes << m <= _DENSE:
        # Length per code and set of coders, then every count is a sum over
        # sets: one bincount and a small matrix product.
        by_set = np.bincount(
            (stretch_code << m) + mask, weights=stretch, minlength=n_codes << m
        ).reshape(n_codes, 1 << m)
        sets = np.arange(1 << m)
        members = np.bitwise_count(sets)
        columns = [members == k for k in range(1, m + 1)]
        columns += [((sets >> i) & (sets >> j) & 1) == 1 for i, j in pairs]
        table = by_set[:, 1:] @ np.stack(columns, axis=1)[1:].astype(np.float64)
        table = table.astype(np.int64)
        covered, pair_table = table[:, :m], table[:, m:]
    else:
        covered_by = np.bitwise_count(mask).astype(np.int64)
        cells = np.bincount(
            stretch_code * (m + 1) + covered_by,
            weights=stretch,
            minlength=n_codes * (m + 1),
        )
        covered = cells.astype(np.int64).reshape(n_codes, m + 1)[:, 1:]
        pair_table = np.zeros((n_codes, len(pairs)), dtype=np.int64)
        for column, (i, j) in enumerate(pairs):
            pair_table[:, column] = np.bincount(
                stretch_code,
                weights=stretch * ((mask >> i) & (mask >> j) & 1),
                minlength=n_codes,
            )
    histogram = np.empty((n_codes, m + 1), dtype=np.int64)
    histogram[:, 1:] = covered
    histogram[:, 0] = length - covered.sum(axis=1)
    per_coder = units.code * m + units.coder
    coded = np.bincount(per_coder, weights=lengths, minlength=n_codes * m)
    segments = np.bincount(per_coder, minlength=n_codes * m)
    # Within one code a coder's units are disjoint, so the squares sum to at
    # most m * length**2 per code.
    squares = lengths * lengths if length < 2**31 else lengths.astype(object) ** 2
    squared = group_sums(squares, units.code, n_codes, n_codes * m * length**2)
    return CodeCounts(
        histogram=histogram.tolist(),
        coded_lengths=coded.astype(np.int64).reshape(n_codes, m).tolist(),
        segment_counts=segments.reshape(n_codes, m).tolist(),
        pair_overlaps=pair_table.tolist(),
        squared_lengths=squared,
    )
