"""The tables of a stored agreement report, for the page and the exports.

Both read the same rows, so what is exported is what is shown. A figure is
a `Figure`: its value (None when undefined) and the reason it is undefined.
"""

from dataclasses import dataclass

from ..analysis.report import heat_colour

ALL_CODES = "All codes (pooled)"


@dataclass(frozen=True)
class Figure:
    value: float | None
    reason: str = ""
    is_figure = True  # lets a template tell figures from plain cells

    def __str__(self) -> str:
        return "undefined" if self.value is None else f"{self.value:.3f}"

    @property
    def colour(self) -> str:
        return heat_colour(self.value)


@dataclass(frozen=True)
class Table:
    """A table; the last column says why a row's undefined figures are."""

    name: str
    title: str
    header: list[str]
    rows: list[list]

    def __post_init__(self):
        self.header.append("Why undefined")
        for row in self.rows:
            reasons = dict.fromkeys(
                cell.reason
                for cell in row
                if isinstance(cell, Figure) and cell.value is None and cell.reason
            )
            row.append("; ".join(reasons))

    def export_rows(self):
        """Yield the rows with figures as numbers (empty when undefined)."""
        for row in self.rows:
            yield [cell.value if isinstance(cell, Figure) else cell for cell in row]


def _fig(summary: dict, name: str) -> Figure:
    return Figure(summary.get(name), summary.get("reasons", {}).get(name, ""))


UNITIZING_REASON = (
    "undefined: nobody used this code here, so no disagreement is expected"
)


def _unitizing(value) -> Figure:
    return Figure(value, "" if value is not None else UNITIZING_REASON)


def _ci(ci: dict) -> tuple[Figure, Figure]:
    reason = ci.get("reason") or ""
    return Figure(ci["low"], reason), Figure(ci["high"], reason)


class Labels:
    """Names of the ids stored in a report."""

    def __init__(self, results: dict):
        labels = results["labels"]
        self.coders = {pk: name for pk, name in labels["coders"]}
        self.codes = {pk: name for pk, name in labels["codes"]}
        self.transcripts = {pk: title for pk, title, _ in labels["transcripts"]}
        self.transcript_ids = [pk for pk, *_ in labels["transcripts"]]


def _code_blocks(results: dict, labels: Labels):
    for block in results["by_code"]:
        yield labels.codes[block["code"]], block
    yield ALL_CODES, results["overall"]


def codes_table(results: dict, labels: Labels) -> Table:
    rows = []
    for name, block in _code_blocks(results, labels):
        p = block["pooled"]
        low, high = _ci(block["alpha_ci"])
        rows.append(
            [
                name,
                p["transcripts"],
                p["length"],
                p["segments"],
                p["coded_by_all"],
                p["coded_by_some"],
                _fig(p, "percent_agreement"),
                _fig(p, "cohen_kappa"),
                _fig(p, "fleiss_kappa"),
                _fig(p, "krippendorff_alpha"),
                low,
                high,
                _unitizing(block["unitizing"]["pooled"]),
                _fig(p, "gwet_ac1"),
            ]
        )
    header = [
        "Code",
        "Transcripts",
        "Characters judged",
        "Segments",
        "Coded by all",
        "Coded by some",
        "Percent agreement",
        "Cohen's kappa",
        "Fleiss' kappa",
        "Krippendorff's alpha",
        "Alpha 95% CI low",
        "Alpha 95% CI high",
        "Unitizing alpha",
        "Gwet's AC1",
    ]
    return Table("codes", "Per code, pooled over transcripts", header, rows)


def transcripts_table(results: dict, labels: Labels) -> Table:
    rows = []
    for name, block in _code_blocks(results, labels):
        for pk in labels.transcript_ids:
            s = block["transcripts"][str(pk)]
            rows.append(
                [
                    name,
                    labels.transcripts[pk],
                    s["length"],
                    s["segments"],
                    _fig(s, "percent_agreement"),
                    _fig(s, "cohen_kappa"),
                    _fig(s, "fleiss_kappa"),
                    _fig(s, "krippendorff_alpha"),
                    _unitizing(block["unitizing"]["transcripts"][str(pk)]),
                    _fig(s, "gwet_ac1"),
                ]
            )
    header = [
        "Code",
        "Transcript",
        "Characters judged",
        "Segments",
        "Percent agreement",
        "Cohen's kappa",
        "Fleiss' kappa",
        "Krippendorff's alpha",
        "Unitizing alpha",
        "Gwet's AC1",
    ]
    return Table("transcripts", "Per code and transcript", header, rows)


def pairs_table(results: dict, labels: Labels) -> Table:
    rows = []
    for name, block in _code_blocks(results, labels):
        for pair in block["pooled"]["pairs"]:
            reason = pair["reason"] or ""
            rows.append(
                [
                    name,
                    labels.coders[pair["a"]],
                    labels.coders[pair["b"]],
                    pair["both"],
                    pair["first_only"],
                    pair["second_only"],
                    pair["neither"],
                    Figure(pair["percent_agreement"]),
                    Figure(pair["cohen_kappa"], reason),
                    Figure(pair["krippendorff_alpha"], reason),
                ]
            )
    header = [
        "Code",
        "Coder A",
        "Coder B",
        "Both coded",
        "A only",
        "B only",
        "Neither",
        "Percent agreement",
        "Cohen's kappa",
        "Krippendorff's alpha",
    ]
    return Table("pairs", "Per pair of coders, pooled over transcripts", header, rows)


def matching_summary_table(results: dict, labels: Labels) -> Table:
    rows = []
    for pair in results["matching"]:
        a, b = labels.coders[pair["first"]], labels.coders[pair["second"]]
        blocks = [(labels.codes[t["code"]], t) for t in pair["codes"]]
        for name, t in [*blocks, (ALL_CODES, pair["overall"])]:
            reason = "" if t["total"] else "no segments"
            rows.append(
                [
                    name,
                    a,
                    b,
                    t["agreements"],
                    t["disagreements"],
                    t["total"],
                    Figure(t["percent"], reason),
                    Figure(t["kappa"], reason),
                ]
            )
    header = [
        "Code",
        "Coder A",
        "Coder B",
        "Matched segments",
        "Unmatched segments",
        "Segments",
        "Share matched",
        "Brennan-Prediger kappa",
    ]
    title = f"Segments matched at {results['threshold']}% overlap"
    return Table("matching", title, header, rows)


def matching_rows_table(results: dict, labels: Labels) -> Table:
    rows = []
    for pair in results["matching"]:
        a, b = labels.coders[pair["first"]], labels.coders[pair["second"]]
        for t in pair["codes"]:
            for row in t["rows"]:
                rows.append(
                    [
                        labels.codes[t["code"]],
                        labels.transcripts.get(row["transcript"], ""),
                        f"{a} / {b}",
                        labels.coders[row["coder"]],
                        row["start"],
                        row["end"],
                        "matched" if row["matched"] else "unmatched",
                    ]
                )
    header = ["Code", "Transcript", "Pair", "Coder", "Start", "End", "Match"]
    return Table("segments", "Every segment and whether it is matched", header, rows)


def presence_table(results: dict, labels: Labels) -> Table:
    coders = list(labels.coders)
    rows = []
    blocks = [(labels.codes[b["code"]], b) for b in results["presence"]["codes"]]
    for name, block in blocks:
        for pk in labels.transcript_ids:
            cells = block["cells"][str(pk)]
            rows.append(
                [name, labels.transcripts[pk]]
                + ["present" if v else "absent" for v in cells]
            )
    header = ["Code", "Transcript"] + [f"{labels.coders[c]}" for c in coders]
    return Table("presence", "Code present per transcript", header, rows)


def presence_summary_table(results: dict, labels: Labels) -> Table:
    rows = []
    presence = results["presence"]
    blocks = [(labels.codes[b["code"]], b) for b in presence["codes"]]
    for name, b in [*blocks, (ALL_CODES, presence["overall"])]:
        reasons = b["reasons"]
        rows.append(
            [
                name,
                b["units"],
                Figure(b["percent_agreement"], "no transcripts"),
                Figure(b["cohen_kappa"], reasons.get("cohen_kappa", "")),
                Figure(b["krippendorff_alpha"], reasons.get("krippendorff_alpha", "")),
            ]
        )
    header = [
        "Code",
        "Units (transcripts)",
        "Percent agreement",
        "Cohen's kappa",
        "Krippendorff's alpha",
    ]
    return Table("presence_summary", "Document level: kappa and alpha", header, rows)


TABLES = {
    "codes": codes_table,
    "transcripts": transcripts_table,
    "pairs": pairs_table,
    "matching": matching_summary_table,
    "segments": matching_rows_table,
    "presence": presence_table,
    "presence_summary": presence_summary_table,
}


def coded_nothing(results: dict) -> list[tuple[str, str]]:
    """Return (transcript title, coder name) for coders with no segment there.

    Reports stored before this check existed have no such list: none shown.
    """
    labels = Labels(results)
    return [
        (labels.transcripts.get(doc, f"#{doc}"), labels.coders.get(coder, f"#{coder}"))
        for doc, coder in results.get("coded_nothing", [])
    ]


def report_tables(results: dict) -> dict[str, Table]:
    """Return every table of a stored report, by name."""
    labels = Labels(results)
    return {name: build(results, labels) for name, build in TABLES.items()}


# -- charts ------------------------------------------------------------------

CELL_W, CELL_H, LEFT, TOP = 96, 30, 300, 140


def heatmap(results: dict) -> dict:
    """Return the geometry of the code x transcript heatmap of alpha."""
    labels = Labels(results)
    blocks = list(_code_blocks(results, labels))
    columns = [(pk, labels.transcripts[pk]) for pk in labels.transcript_ids]
    cells, rows = [], []
    for i, (name, block) in enumerate(blocks):
        y = TOP + i * CELL_H
        rows.append({"label": name, "y": y + CELL_H / 2})
        for j, (pk, title) in enumerate([*columns, ("pooled", "Pooled")]):
            summary = (
                block["pooled"] if pk == "pooled" else block["transcripts"][str(pk)]
            )
            figure = _fig(summary, "krippendorff_alpha")
            cells.append(
                {
                    "x": LEFT + j * CELL_W,
                    "y": y,
                    "text_x": LEFT + j * CELL_W + CELL_W // 2,
                    "text_y": y + CELL_H // 2 + 5,
                    "figure": figure,
                    "title": f"{name} · {title}: alpha "
                    + (str(figure) if figure.value is not None else figure.reason),
                    "dark": figure.value is not None and abs(figure.value) > 0.6,
                }
            )
    heads = [
        {"label": title, "x": LEFT + j * CELL_W + CELL_W / 2}
        for j, (_, title) in enumerate([*columns, ("pooled", "Pooled")])
    ]
    return {
        "cells": cells,
        "rows": rows,
        "columns": heads,
        "width": LEFT + (len(columns) + 1) * CELL_W + 170,  # room for tilted labels
        "height": TOP + len(blocks) * CELL_H + 10,
        "cell_w": CELL_W,
        "cell_h": CELL_H,
        "label_x": LEFT - 8,
        "col_y": TOP - 10,
    }


def coder_matrix(results: dict) -> dict:
    """Return the coder x coder matrix of Cohen's kappa over all codes, pooled."""
    labels = Labels(results)
    coders = list(labels.coders)
    by_pair = {}
    for pair in results["overall"]["pooled"]["pairs"]:
        figure = Figure(pair["cohen_kappa"], pair["reason"] or "")
        by_pair[(pair["a"], pair["b"])] = by_pair[(pair["b"], pair["a"])] = figure
    return {
        "coders": [labels.coders[c] for c in coders],
        "rows": [
            (
                labels.coders[a],
                [by_pair.get((a, b)) if a != b else None for b in coders],
            )
            for a in coders
        ],
    }
