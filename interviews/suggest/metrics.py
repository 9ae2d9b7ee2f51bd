"""How well suggested spans match the coders' spans, with the counts behind it.

Segment level: a gold coding is found when a suggestion of the same code
overlaps it by at least one character; a suggestion is correct when it
overlaps a gold coding of its code. Character level: the characters covered
by a code's suggestions against those covered by its codings (each merged,
so overlapping codings count once). Selection recall@k: how often the code a
coder chose for a selection is among the k codes ranked highest for it.

Counts are integers and divided once at the end. A ratio with nothing to
divide by is undefined (value None, with the reason), never 0 or 1.
"""

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .units import Span, merge_intervals


@dataclass(frozen=True)
class Ratio:
    num: int
    den: int
    reason: str = ""  # why it is undefined

    @property
    def value(self) -> float | None:
        return self.num / self.den if self.den else None

    def as_dict(self) -> dict:
        out = {"value": self.value, "num": self.num, "den": self.den}
        if self.value is None:
            out["reason"] = self.reason
        return out


def ratio(num: int, den: int, reason: str) -> Ratio:
    return Ratio(num, den, "" if den else reason)


def f1(precision: float | None, recall: float | None) -> float | None:
    """Return the harmonic mean of precision and recall.

    When one side is 0 and the other undefined (codings to find but nothing
    suggested, or suggestions where there was nothing to find), F1 is 0: the
    system failed outright. Both undefined: None.
    """
    if precision is None or recall is None:
        return 0.0 if 0 in (precision, recall) else None
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def _by_code(spans: Iterable[Span]) -> dict[int, list[Span]]:
    out: dict[int, list[Span]] = defaultdict(list)
    for s in spans:
        out[s.code_id].append(s)
    return out


def _count_overlapping(
    spans: list[Span], merged: dict[int, list[tuple[int, int]]]
) -> int:
    """Return how many of `spans` overlap the `merged` intervals (_chars) of
    their transcript.

    The intervals are searched by bisection, so this takes O(n log m), not
    n times m (empty spans in what was merged overlap nothing).
    """
    found = 0
    for s in spans:
        intervals = merged.get(s.transcript_id)
        if not intervals:
            continue
        # The first merged interval ending after s starts is the only one
        # that can overlap s without one before it doing so too.
        i = bisect_right(intervals, s.start, key=lambda iv: iv[1])
        found += i < len(intervals) and intervals[i][0] < s.end
    return found


def _chars(spans: list[Span]) -> dict[int, list[tuple[int, int]]]:
    """Return each transcript's spans merged (merge_intervals)."""
    per: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for s in spans:
        per[s.transcript_id].append((s.start, s.end))
    return {t: merge_intervals(iv) for t, iv in per.items()}


def _intersection(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    i = j = total = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        total += max(0, hi - lo)
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


@dataclass(frozen=True)
class CodeCounts:
    gold_segments: int
    found_segments: int
    predicted_segments: int
    correct_segments: int
    gold_chars: int
    predicted_chars: int
    overlap_chars: int


def code_counts(gold: list[Span], predicted: list[Span]) -> CodeCounts:
    """Return the integer counts of one code's gold and predicted spans."""
    g, p = _chars(gold), _chars(predicted)
    return CodeCounts(
        gold_segments=len(gold),
        found_segments=_count_overlapping(gold, p),
        predicted_segments=len(predicted),
        correct_segments=_count_overlapping(predicted, g),
        gold_chars=sum(b - a for iv in g.values() for a, b in iv),
        predicted_chars=sum(b - a for iv in p.values() for a, b in iv),
        overlap_chars=sum(_intersection(iv, p.get(t, [])) for t, iv in g.items()),
    )


def scores(c: CodeCounts) -> dict:
    """Return segment and character precision, recall and F1 of some counts."""
    sp = ratio(c.correct_segments, c.predicted_segments, "nothing was suggested")
    sr = ratio(c.found_segments, c.gold_segments, "no codings to find")
    cp = ratio(c.overlap_chars, c.predicted_chars, "nothing was suggested")
    cr = ratio(c.overlap_chars, c.gold_chars, "no codings to find")
    return {
        "segment_precision": sp.as_dict(),
        "segment_recall": sr.as_dict(),
        "segment_f1": f1(sp.value, sr.value),
        "char_precision": cp.as_dict(),
        "char_recall": cr.as_dict(),
        "char_f1": f1(cp.value, cr.value),
    }


def _add(a: CodeCounts, b: CodeCounts) -> CodeCounts:
    return CodeCounts(
        *(x + y for x, y in zip(vars(a).values(), vars(b).values(), strict=True))
    )


METRICS = (
    "segment_precision",
    "segment_recall",
    "segment_f1",
    "char_precision",
    "char_recall",
    "char_f1",
)


def _value(entry) -> float | None:
    return entry["value"] if isinstance(entry, dict) else entry


def evaluate_spans(
    gold: list[Span], predicted: list[Span], code_ids: list[int]
) -> dict:
    """Return per-code, micro and macro scores for the codes in `code_ids`.

    Micro sums the counts of all those codes, then divides; macro is the
    mean of the per-code values that are defined (with how many there were).
    """
    gold_by, pred_by = _by_code(gold), _by_code(predicted)
    per_code, total = {}, CodeCounts(0, 0, 0, 0, 0, 0, 0)
    for code_id in code_ids:
        counts = code_counts(gold_by.get(code_id, []), pred_by.get(code_id, []))
        total = _add(total, counts)
        per_code[code_id] = {**scores(counts), "counts": vars(counts)}
    macro = {}
    for name in METRICS:
        values = [_value(s[name]) for s in per_code.values()]
        defined = [v for v in values if v is not None]
        macro[name] = {
            "value": sum(defined) / len(defined) if defined else None,
            "codes": len(defined),
        }
        if not defined:
            macro[name]["reason"] = "undefined for every code"
    return {
        "per_code": per_code,
        "micro": {**scores(total), "counts": vars(total)},
        "macro": macro,
    }


def recall_at_k(ranked: list[tuple[int, list[int]]], k: int = 5) -> dict:
    """Return how often the gold code is among the first `k` ranked codes.

    `ranked` holds (gold code, codes best first) for each coded selection.
    """
    hits = sum(gold in codes[:k] for gold, codes in ranked)
    return {**ratio(hits, len(ranked), "no selections to rank").as_dict(), "k": k}
