"""The codebook report as Markdown: a table of counts, then one section per code.

Readable as it is and ready for pandoc. Every name, definition and quote is
escaped (interviews.exports._markdown), so it shows as written.
"""

from typing import BinaryIO

from interviews.exports import _markdown as md
from interviews.exports.documents import CodebookReport, ReportCode

CONTENT_TYPE = "text/markdown; charset=utf-8"


def render(report: CodebookReport) -> str:
    """Return the report as Markdown text."""
    out = [f"# Codebook: {md.escape(report.project)}", ""]
    out.append(
        f"Generated {report.generated:%Y-%m-%d %H:%M} UTC from "
        f"{_count(report.n_transcripts, 'transcript')} and "
        f"{_count(len(report.codes), 'code')}. Counts are of codings with exactly "
        "that code, not its sub-codes."
    )
    if report.note:
        out += ["", md.escape(report.note)]
    if report.codes:
        out += ["", "| Code | Codings | Transcripts | Coders |", "|---|--:|--:|--:|"]
        for code in report.codes:
            name = md.escape(code.path).replace("/", " / ")
            out.append(
                f"| {name} | {code.n_codings} | {code.n_transcripts} | "
                f"{code.n_coders} |"
            )
    else:
        out += ["", "The codebook is empty."]
    for code in report.codes:
        out += ["", *_section(code)]
    return "\n".join(out) + "\n"


def write(report: CodebookReport, file: BinaryIO) -> None:
    """Write the report to a binary file as UTF-8 Markdown."""
    file.write(render(report).encode("utf-8"))


def _section(code: ReportCode) -> list[str]:
    level = "#" * min(2 + code.depth, 6)
    lines = [f"{level} {md.escape(code.name)}", ""]
    if code.depth:
        lines += [f"Path: {md.escape(code.path)}", ""]
    if code.definition:
        lines += ["**Definition:**", "", md.paragraphs(code.definition), ""]
    else:
        lines += ["*No definition.*", ""]
    lines.append(
        f"Codings: {code.n_codings} · Transcripts: {code.n_transcripts} · "
        f"Coders: {code.n_coders}"
    )
    for quote in code.quotes:
        source = md.escape(quote.transcript)
        if quote.speaker:
            source += f", {md.escape(quote.speaker)}"
        lines += [
            "",
            md.blockquote(quote.text),
            ">",
            f"> — *{source}* (coded by {md.escape(quote.coder)})",
        ]
    return lines


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
