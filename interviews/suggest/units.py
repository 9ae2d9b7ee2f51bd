"""Project codings onto units (sentences) and unit labels back onto spans.

A unit is a [start, end) stretch of one transcript, in code points. It
counts as coded with a code when that code's codings (of the chosen layer,
merged) cover more than half of its characters; units coded with nothing
are the negatives the model learns from.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Unit:
    transcript_id: int
    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Span:
    transcript_id: int
    code_id: int
    start: int
    end: int


def merge_intervals(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the union of [start, end) intervals, sorted and non-overlapping."""
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def covered(intervals: list[tuple[int, int]], start: int, end: int) -> int:
    """Return how many characters of [start, end) the merged `intervals` cover."""
    return sum(max(0, min(b, end) - max(a, start)) for a, b in intervals)


def label_units(units: list[Unit], codings: Iterable[Span]) -> list[frozenset[int]]:
    """Return, for each unit, the codes whose codings cover > 50% of it.

    Codings of several coders (the "all coders" layer) are merged per code
    first, so two coders coding the same sentence count once. Empty units
    carry no code.
    """
    by_key: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for c in codings:
        by_key[(c.transcript_id, c.code_id)].append((c.start, c.end))
    per_transcript: dict[int, dict[int, list[tuple[int, int]]]] = defaultdict(dict)
    for (transcript_id, code_id), intervals in by_key.items():
        per_transcript[transcript_id][code_id] = merge_intervals(intervals)
    labels = []
    for unit in units:
        codes = set()
        if unit.length > 0:
            for code_id, intervals in per_transcript[unit.transcript_id].items():
                # Integers: "more than half" is 2 * covered > length.
                if 2 * covered(intervals, unit.start, unit.end) > unit.length:
                    codes.add(code_id)
        labels.append(frozenset(codes))
    return labels


def units_to_spans(
    units: list[Unit], labels: list[Iterable[int]], *, join: bool = True
) -> list[Span]:
    """Return the spans the unit labels describe, sorted.

    With `join`, consecutive units (neighbours in `units`, same transcript)
    labelled with the same code become one span from the first unit's start
    to the last unit's end, as a coder would code a passage.
    """
    spans: list[Span] = []
    open_spans: dict[int, list[int]] = {}  # code -> [transcript, start, end]
    previous = None
    for unit, codes in zip(units, labels, strict=True):
        codes = set(codes)
        if previous is None or previous.transcript_id != unit.transcript_id:
            codes_to_close = list(open_spans)
        else:
            codes_to_close = [c for c in open_spans if c not in codes]
        if not join:
            codes_to_close = list(open_spans)
        for code_id in codes_to_close:
            t, s, e = open_spans.pop(code_id)
            spans.append(Span(t, code_id, s, e))
        for code_id in codes:
            if code_id in open_spans:
                open_spans[code_id][2] = unit.end
            else:
                open_spans[code_id] = [unit.transcript_id, unit.start, unit.end]
        previous = unit
    for code_id, (t, s, e) in open_spans.items():
        spans.append(Span(t, code_id, s, e))
    return sorted(
        spans, key=lambda sp: (sp.transcript_id, sp.start, sp.end, sp.code_id)
    )


def unit_texts(texts: dict[int, str], units: list[Unit], context: int = 0) -> list[str]:
    """Return each unit's text, with `context` neighbours on each side.

    Neighbours are the units next to it in `units` (sorted by transcript and
    start) within the same transcript; the text runs from the first one's
    start to the last one's end, so what lies between them is kept.
    """
    out = []
    for i, unit in enumerate(units):
        lo = hi = i
        same = unit.transcript_id
        for _ in range(context):
            if lo > 0 and units[lo - 1].transcript_id == same:
                lo -= 1
            if hi + 1 < len(units) and units[hi + 1].transcript_id == same:
                hi += 1
        out.append(texts[unit.transcript_id][units[lo].start : units[hi].end])
    return out
