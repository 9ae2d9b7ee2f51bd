"""The agreement report: everything the report page shows, from plain segments.

Pure Python on top of ``agreement``; nothing here knows about Django. The
service loads codings as tuples, calls ``build_report`` once and stores the
JSON-ready dict it returns, so the page only renders stored numbers.

Choices made here (the report and its methods paragraph state them):

* Unit: one character (Unicode code point) of the transcript text; a code is
  a binary judgement per character (coded / not coded). Chance models: Cohen
  per coder, Fleiss and Krippendorff from pooled proportions, Gwet's AC1
  ``2π(1−π)``.
* Pooling: "pooled" figures add the integer counts over transcripts (and,
  for "all codes", over codes) and compute each coefficient once from the
  sums. Nothing is averaged.
* Unitizing alpha (Krippendorff 2004 αU) is computed per transcript; pooled
  over transcripts it treats the transcripts as one continuum laid end to end.
* Confidence interval for alpha: percentile bootstrap over transcripts (the
  transcripts are resampled with replacement and the counts pooled again),
  seeded, in the spirit of Hayes and Krippendorff (2007), whose bootstrap
  resamples pairable values instead; resampling whole transcripts respects
  that characters of one transcript are not independent.
* Segment matching (MAXQDA style, two coders at a time): a segment is matched
  when the other coder has a segment of the same code in the same transcript
  whose overlap covers at least ``threshold`` percent of the combined extent
  of the two, i.e. ``|s ∩ t| / (max(end) − min(start)) ≥ threshold / 100``.
  Every segment of both coders is evaluated. Brennan and Prediger's kappa for
  a code's table uses two categories (coded / not coded by the other coder),
  chance 1/2; for all codes, the codes plus "not coded", chance 1/(q + 1).
* Disagreements: per code and transcript, the segments of all coders are
  grouped into stretches of overlapping (or touching) segments; a stretch is
  a disagreement when the coders' coverage differs on at least one
  character. Its size is the number of such characters.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from .agreement import (
    CharacterAgreement,
    brennan_prediger,
    character_agreement,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    pool,
    unitizing_alpha,
)

MEASURES = (
    "percent_agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "gwet_ac1",
)
DEFAULT_THRESHOLD = 90
DEFAULT_RESAMPLES = 1000
DEFAULT_SEED = 2007

# (transcript, coder, code, start, end, coding id)
Coded = tuple[Hashable, Hashable, Hashable, int, int, Hashable]


@dataclass(frozen=True)
class Document:
    id: Hashable
    title: str
    length: int


# -- character-level figures -------------------------------------------------


def undefined_reason(result: CharacterAgreement, measure: str) -> str | None:
    """Return why ``measure`` of ``result`` is undefined, or None if it is not."""
    if getattr(result, measure) is not None:
        return None
    m = len(result.coders)
    coded = sum(result.coded_lengths)
    if m < 2:
        return "needs at least two coders"
    if result.length == 0:
        return "no text to compare"
    if measure == "cohen_kappa" and m != 2:
        return "Cohen's kappa compares two coders: see the coder pairs"
    if coded == 0:
        return "no variation: nobody coded this code in these transcripts"
    if coded == m * result.length:
        return "no variation: every coder coded every character"
    return "no variation in the coders' judgements"


def _pair_reason(pair) -> str | None:
    if pair.cohen_kappa is not None:
        return None
    if pair.both + pair.first_only + pair.second_only == 0:
        return "no variation: neither coder coded this"
    return "no variation: both coders coded every character"


def summarize(result: CharacterAgreement, *, transcripts: int = 1) -> dict:
    """Return the measures, the reasons for undefined ones and the counts.

    ``length`` counts character judgements: characters, times codes when
    the result pools codes.
    """
    summary = {name: getattr(result, name) for name in MEASURES}
    summary["reasons"] = {
        name: reason
        for name in MEASURES
        if (reason := undefined_reason(result, name)) is not None
    }
    summary.update(
        length=result.length,
        transcripts=transcripts,
        histogram=list(result.histogram),
        coded_lengths=list(result.coded_lengths),
        segment_counts=list(result.segment_counts),
        pair_overlaps=list(result.pair_overlaps),
        segments=result.segments,
        coded_by_all=result.coded_by_all,
        coded_by_some=result.coded_by_some,
        coded_by_none=result.coded_by_none,
        pairs=[
            {
                "a": a,
                "b": b,
                "both": pair.both,
                "first_only": pair.first_only,
                "second_only": pair.second_only,
                "neither": pair.neither,
                "cohen_kappa": pair.cohen_kappa,
                "percent_agreement": pair.percent_agreement,
                "krippendorff_alpha": pair.krippendorff_alpha,
                "reason": _pair_reason(pair),
            }
            for (a, b), pair in result.pairs.items()
        ],
    )
    return summary


def _quantile(values: Sequence[float], p: float) -> float:
    # Linear interpolation between order statistics (R's type 7).
    position = p * (len(values) - 1)
    below = int(position)
    above = min(below + 1, len(values) - 1)
    return values[below] + (values[above] - values[below]) * (position - below)


def bootstrap_alpha(
    results: Sequence[CharacterAgreement],
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    level: float = 0.95,
) -> dict:
    """Return a percentile bootstrap interval for pooled alpha over documents.

    ``results`` holds one CharacterAgreement per document (same coders). Each
    resample draws as many documents with replacement and pools their counts;
    resamples where alpha is undefined are left out and counted. The same
    seed gives the same interval. ``low``/``high`` are None, with a reason,
    for fewer than two documents or when too few resamples are defined.
    """
    out = {"low": None, "high": None, "resamples": resamples, "seed": seed}
    out.update(level=level, used=0, reason=None)
    n = len(results)
    if n < 2:
        out["reason"] = "needs at least two transcripts to resample"
        return out
    rng = random.Random(seed)
    values = []
    for _ in range(resamples):
        sample = pool(results[rng.randrange(n)] for _ in range(n))
        if sample.krippendorff_alpha is not None:
            values.append(sample.krippendorff_alpha)
    out["used"] = len(values)
    if len(values) < max(2, resamples // 2):
        out["reason"] = "alpha is undefined in most resamples"
        return out
    values.sort()
    tail = (1 - level) / 2
    out["low"], out["high"] = _quantile(values, tail), _quantile(values, 1 - tail)
    return out


# -- segment matching (MAXQDA style) -----------------------------------------


def overlap_percent_ok(a: tuple[int, int], b: tuple[int, int], threshold: int) -> bool:
    """Return whether a and b overlap by ``threshold`` % of their combined extent."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return False
    combined = max(a[1], b[1]) - min(a[0], b[0])
    return 100 * inter >= threshold * combined


def match_segments(
    segments: Iterable[Coded],
    *,
    first: Hashable,
    second: Hashable,
    codes: Sequence[Hashable],
    threshold: int = DEFAULT_THRESHOLD,
) -> dict:
    """Return the segment-matching tables of two coders, per code and overall.

    Each row is one segment of either coder with ``matched`` True or False;
    ``agreements``/``disagreements`` count segments of both coders.
    """
    by_key: dict[tuple, list] = defaultdict(list)
    for doc, coder, code, start, end, ident in segments:
        if coder in (first, second):
            by_key[(code, doc, coder)].append((start, end, ident))
    tables = []
    labels_a, labels_b = [], []
    for code in codes:
        rows = []
        for doc in sorted({k[1] for k in by_key if k[0] == code}, key=str):
            for coder, other in ((first, second), (second, first)):
                theirs = by_key.get((code, doc, other), [])
                for start, end, ident in sorted(by_key.get((code, doc, coder), [])):
                    matched = any(
                        overlap_percent_ok((start, end), (s, e), threshold)
                        for s, e, _ in theirs
                    )
                    rows.append(
                        {
                            "transcript": doc,
                            "coder": coder,
                            "start": start,
                            "end": end,
                            "coding": ident,
                            "matched": matched,
                        }
                    )
                    labels_a.append(code)
                    labels_b.append(code if matched else "")
        agreements = sum(row["matched"] for row in rows)
        total = len(rows)
        marks = ["coded" if row["matched"] else "not coded" for row in rows]
        tables.append(
            {
                "code": code,
                "rows": rows,
                "agreements": agreements,
                "disagreements": total - agreements,
                "total": total,
                "percent": agreements / total if total else None,
                "kappa": brennan_prediger(["coded"] * total, marks, 2)
                if total
                else None,
            }
        )
    total = len(labels_a)
    agreements = sum(t["agreements"] for t in tables)
    q = max(len(codes) + 1, len(set(labels_a) | set(labels_b)))
    overall = {
        "agreements": agreements,
        "disagreements": total - agreements,
        "total": total,
        "percent": agreements / total if total else None,
        "kappa": brennan_prediger(labels_a, labels_b, q) if total else None,
        "categories": q,
    }
    return {
        "first": first,
        "second": second,
        "threshold": threshold,
        "codes": tables,
        "overall": overall,
    }


# -- document level ----------------------------------------------------------


def _fixed_figures(vectors: list[list[int]]) -> dict:
    units = len(vectors[0]) if vectors else 0
    m = len(vectors)
    agree = sum(1 for column in zip(*vectors, strict=True) if len(set(column)) == 1)
    figures = {
        "units": units,
        "percent_agreement": agree / units if units else None,
        "cohen_kappa": cohen_kappa(vectors[0], vectors[1]) if m == 2 else None,
        "krippendorff_alpha": krippendorff_alpha(vectors) if units and m > 1 else None,
        "fleiss_kappa": fleiss_kappa(
            [
                [column.count(0), column.count(1)]
                for column in zip(*vectors, strict=True)
            ]
        )
        if units and m > 1
        else None,
    }
    reasons = {}
    for name in ("cohen_kappa", "krippendorff_alpha", "fleiss_kappa"):
        if figures[name] is None:
            if m < 2:
                reasons[name] = "needs at least two coders"
            elif name == "cohen_kappa" and m != 2:
                reasons[name] = "Cohen's kappa compares two coders"
            elif not units:
                reasons[name] = "no transcripts"
            else:
                reasons[name] = "no variation: present (or absent) everywhere"
    figures["reasons"] = reasons
    return figures


def presence_table(
    segments: Iterable[Coded],
    *,
    documents: Sequence[Hashable],
    coders: Sequence[Hashable],
    codes: Sequence[Hashable],
) -> dict:
    """Return code presence (coded at least once) per transcript and coder.

    Units are transcripts (per code) or transcript x code pairs (overall);
    each coder's value is 1 (present) or 0 (absent).
    """
    present = {(doc, coder, code) for doc, coder, code, *_ in segments}
    by_code = []
    overall = [[] for _ in coders]
    for code in codes:
        vectors = [
            [int((doc, c, code) in present) for doc in documents] for c in coders
        ]
        for row, vector in zip(overall, vectors, strict=True):
            row.extend(vector)
        by_code.append(
            {
                "code": code,
                "cells": {
                    str(doc): [vector[i] for vector in vectors]
                    for i, doc in enumerate(documents)
                },
                **_fixed_figures(vectors),
            }
        )
    return {"codes": by_code, "overall": _fixed_figures(overall)}


# -- disagreements -----------------------------------------------------------


@dataclass(frozen=True)
class Stretch:
    """A stretch of overlapping segments of one code in one transcript."""

    start: int
    end: int
    differing: int  # characters the coders' coverage differs on
    versions: dict = field(default_factory=dict)  # coder -> [(start, end, id)]

    @property
    def agreed(self) -> bool:
        return self.differing == 0


def _union(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def find_stretches(
    segments: Iterable[tuple[Hashable, int, int, Hashable]],
    *,
    coders: Sequence[Hashable],
) -> list[Stretch]:
    """Return the stretches of one code in one transcript, in text order.

    ``segments`` are ``(coder, start, end, id)``. Segments of any coder that
    overlap or touch form one stretch; ``differing`` counts the characters of
    the stretch that some but not all ``coders`` coded (0: they agree).
    """
    segments = sorted(
        (s for s in segments if s[0] in coders), key=lambda s: (s[1], s[2])
    )
    groups: list[list] = []
    end = None
    for segment in segments:
        if groups and segment[1] <= end:
            groups[-1].append(segment)
            end = max(end, segment[2])
        else:
            groups.append([segment])
            end = segment[2]
    stretches = []
    for group in groups:
        versions = {
            coder: [(s, e, i) for c, s, e, i in group if c == coder] for coder in coders
        }
        covered = [_union((s, e) for s, e, _ in versions[c]) for c in coders]
        everyone = sum(e - s for s, e in _union(span for c in covered for span in c))
        shared = _intersection_length(covered)
        stretches.append(
            Stretch(
                start=min(s[1] for s in group),
                end=max(s[2] for s in group),
                differing=everyone - shared,
                versions=versions,
            )
        )
    return stretches


def _intersection_length(unions: list[list[tuple[int, int]]]) -> int:
    common = unions[0] if unions else []
    for other in unions[1:]:
        nxt, i, j = [], 0, 0
        while i < len(common) and j < len(other):
            start = max(common[i][0], other[j][0])
            end = min(common[i][1], other[j][1])
            if start < end:
                nxt.append((start, end))
            if common[i][1] < other[j][1]:
                i += 1
            else:
                j += 1
        common = nxt
    return sum(e - s for s, e in common)


# -- the whole report --------------------------------------------------------


def coded_nothing(
    segments: Iterable[Coded],
    *,
    documents: Sequence[Hashable],
    coders: Sequence[Hashable],
) -> list[list]:
    """Return [document, coder] for each coder with no segment in a document.

    Such a coder judged every character "not coded", which is right if they
    read the transcript and found nothing, and wrong if they never coded it;
    the report cannot tell the two apart, so it names them for the team.
    """
    coded = {(doc, coder) for doc, coder, *_ in segments}
    return [
        [doc, coder]
        for doc in documents
        for coder in coders
        if (doc, coder) not in coded
    ]


def _unitizing(segments, length, coders, codes) -> dict:
    result = unitizing_alpha(
        [(c, k, s, e) for c, k, s, e in segments], length, coders=coders, codes=codes
    )
    return {"by_code": result["by_code"], "overall": result["overall"]}


def build_report(
    *,
    documents: Sequence[Document],
    coders: Sequence[Hashable],
    codes: Sequence[Hashable],
    segments: Iterable[Coded],
    threshold: int = DEFAULT_THRESHOLD,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> dict:
    """Return every figure of the report, keyed by the given ids (as strings).

    ``segments`` are ``(document, coder, code, start, end, id)`` with
    documents, coders and codes among those given. Needs at least two coders
    and one document and code (ValueError otherwise).
    """
    if len(coders) < 2 or not documents or not codes:
        raise ValueError("a report needs two coders, a transcript and a code")
    segments = list(segments)
    by_doc = defaultdict(list)
    for doc, coder, code, start, end, _ in segments:
        by_doc[doc].append((coder, code, start, end))
    per_doc = {}  # doc -> {code: CharacterAgreement}
    unitizing_docs = {}
    for doc in documents:
        rows = by_doc.get(doc.id, [])
        per_doc[doc.id] = character_agreement(
            rows, doc.length, coders=coders, codes=codes
        )
        unitizing_docs[doc.id] = _unitizing(rows, doc.length, coders, codes)
    # Transcripts end to end as one continuum, for pooled unitizing alpha.
    offset, joined = 0, []
    for doc in documents:
        joined += [(c, k, s + offset, e + offset) for c, k, s, e in by_doc[doc.id]]
        offset += doc.length
    unitizing_pooled = _unitizing(joined, offset, coders, codes)

    by_code = []
    for code in codes:
        results = [per_doc[doc.id][code] for doc in documents]
        by_code.append(
            {
                "code": code,
                "pooled": summarize(pool(results), transcripts=len(documents)),
                "transcripts": {
                    str(doc.id): summarize(r)
                    for doc, r in zip(documents, results, strict=True)
                },
                "alpha_ci": bootstrap_alpha(results, resamples=resamples, seed=seed),
                "unitizing": {
                    "pooled": unitizing_pooled["by_code"][code],
                    "transcripts": {
                        str(doc.id): unitizing_docs[doc.id]["by_code"][code]
                        for doc in documents
                    },
                },
            }
        )
    doc_totals = [pool(per_doc[doc.id].values()) for doc in documents]
    overall = {
        "pooled": summarize(pool(doc_totals), transcripts=len(documents)),
        "transcripts": {
            str(doc.id): summarize(r)
            for doc, r in zip(documents, doc_totals, strict=True)
        },
        "alpha_ci": bootstrap_alpha(doc_totals, resamples=resamples, seed=seed),
        "unitizing": {
            "pooled": unitizing_pooled["overall"],
            "transcripts": {
                str(doc.id): unitizing_docs[doc.id]["overall"] for doc in documents
            },
        },
    }
    doc_ids = [doc.id for doc in documents]
    return {
        "coded_nothing": coded_nothing(segments, documents=doc_ids, coders=coders),
        "unit": "character (Unicode code point)",
        "threshold": threshold,
        "resamples": resamples,
        "seed": seed,
        "characters": sum(doc.length for doc in documents),
        "segments": len(segments),
        "by_code": by_code,
        "overall": overall,
        "matching": [
            match_segments(
                segments, first=a, second=b, codes=codes, threshold=threshold
            )
            for a, b in combinations(coders, 2)
        ],
        "presence": presence_table(
            segments, documents=doc_ids, coders=coders, codes=codes
        ),
    }


# -- presentation helpers (pure) ---------------------------------------------


def heat_colour(value: float | None) -> str:
    """Return a colour on a diverging scale: red (−1) … white (0) … blue (1)."""
    if value is None:
        return "#d9d9d9"
    value = max(-1.0, min(1.0, value))
    if value >= 0:
        low, high, t = (255, 255, 255), (33, 102, 172), value
    else:
        low, high, t = (255, 255, 255), (178, 24, 43), -value
    rgb = (round(a + (b - a) * t) for a, b in zip(low, high, strict=True))
    return "#" + "".join(f"{c:02x}" for c in rgb)


def fmt(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"


def methods_paragraph(
    results: dict, *, coder_names: Sequence[str], n_transcripts: int
) -> str:
    """Return a paragraph describing the stored results, to paste into a paper."""
    overall = results["overall"]
    pooled = overall["pooled"]
    ci = overall["alpha_ci"]
    k = len(coder_names)
    alpha = fmt(pooled["krippendorff_alpha"])
    if ci["low"] is not None:
        interval = (
            f"95% CI [{ci['low']:.3f}, {ci['high']:.3f}], percentile bootstrap "
            f"over transcripts, {ci['resamples']} resamples, seed {ci['seed']}"
        )
    else:
        interval = f"no confidence interval: {ci['reason']}"
    parts = [
        f"Agreement was assessed on {results['characters']:,} characters "
        f"(Unicode code points) of {n_transcripts} transcripts coded "
        f"independently by {k} coders ({', '.join(coder_names)}), "
        f"{len(results['by_code'])} codes, {results['segments']} coded segments.",
        "Each character was a unit judged coded or not coded with each code; "
        "counts were pooled over transcripts and codes before computing each "
        "coefficient (not averaged).",
        f"Krippendorff's alpha (nominal) = {alpha} ({interval}); "
        f"Fleiss' kappa = {fmt(pooled['fleiss_kappa'])}; "
        f"Gwet's AC1 = {fmt(pooled['gwet_ac1'])}; "
        f"percent agreement = {fmt(pooled['percent_agreement'])}; "
        f"Krippendorff's unitizing alpha (2004) = "
        f"{fmt(overall['unitizing']['pooled'])}.",
    ]
    if k == 2:
        parts.append(
            f"Cohen's kappa = {fmt(pooled['cohen_kappa'])} "
            "(chance from each coder's own proportions)."
        )
    silent = results.get("coded_nothing", [])
    if silent:
        documents = len({doc for doc, _ in silent})
        parts.append(
            f"In {documents} transcript{'s' if documents != 1 else ''}, "
            f"{len(silent)} coder-transcript pair{'s' if len(silent) != 1 else ''} "
            "had no coded segment; these were counted as judging every "
            "character not coded."
        )
    return " ".join(parts)
