"""The ranked code picker: which codes it lists first for a selection.

The coding page ranks codes by the unit scores the suggestion job stored
(UnitScores): each unit (sentence or turn) the selection overlaps counts by
the characters it shares with the selection, and codes whose weighted mean
score reaches MIN_SCORE come first, best first, at most MAX of them; the
rest of the codebook follows in its order. coding.js does this in the
browser with these constants (the page passes them); the evaluation uses
this module, so selection recall@5 measures what the picker shows.
"""

from bisect import bisect_right
from itertools import islice

MAX = 5
# Unit scores below this are not stored, so they count as 0.
MIN_KEPT_SCORE = 0.05
# Any stored score ranks: a floor of 0.2 cost selection recall@5 on real data
# (GENNOVATE focus groups, sentences: 0.78 with this floor, 0.68 with 0.2),
# since a code can be the likeliest of all at a low score; the picker shows
# each ranked code's score beside it.
MIN_SCORE = MIN_KEPT_SCORE


def kept_scores(scores: dict[int, float]) -> dict[int, float]:
    """Return the scores of one unit as the suggestion job stores them."""
    return {c: round(s, 3) for c, s in scores.items() if s >= MIN_KEPT_SCORE}


def ranked_codes(
    units: list[tuple[int, int, dict[int, float]]], start: int, end: int
) -> list[int]:
    """Return the codes ranked first for the selection [start, end).

    `units` are one transcript's (start, end, {code: score}) in text order,
    as kept_scores leaves them. Ties go to the lower code id, as in the page.
    """
    total: dict[int, float] = {}
    weight = 0
    first = bisect_right(units, start, key=lambda u: u[1])  # the first ending after
    for u_start, u_end, scores in islice(units, first, None):
        if u_start >= end:
            break
        w = min(u_end, end) - max(u_start, start)
        if w <= 0:
            continue
        weight += w
        for code_id, score in scores.items():
            total[code_id] = total.get(code_id, 0.0) + w * score
    if not weight:
        return []
    means = [(c, s / weight) for c, s in total.items() if s / weight >= MIN_SCORE]
    means.sort(key=lambda cs: (-cs[1], cs[0]))
    return [c for c, _ in means[:MAX]]


def picker_order(ranked: list[int], code_order: list[int]) -> list[int]:
    """Return every code in the order the picker lists them."""
    first = set(ranked)
    return [*ranked, *(c for c in code_order if c not in first)]
