"""The codebook report as a Word document (python-docx), for a paper's appendix.

A table of counts first (Word's "Table Grid" style, ready to paste into a
manuscript), then one heading per code with its definition, counts and
exemplar quotes in Word's "Quote" style. Headings follow the tree (Heading 2
for top-level codes, one level deeper per sub-code), so Word's navigation
pane shows the codebook as a tree.
"""

from typing import BinaryIO

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from interviews.exports._docx import xml_safe
from interviews.exports.documents import CodebookReport, ReportCode

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The code names get the room; the counts are short numbers.
_WIDTHS = (Cm(8.4), Cm(2.4), Cm(3.0), Cm(2.2))


def write(report: CodebookReport, file: BinaryIO) -> None:
    """Write the report as a .docx to a binary file."""
    document = docx.Document()
    document.core_properties.title = xml_safe(f"Codebook: {report.project}")
    document.add_heading(xml_safe(f"Codebook: {report.project}"), level=1)
    document.add_paragraph(
        f"Generated {report.generated:%Y-%m-%d %H:%M} UTC from "
        f"{_count(report.n_transcripts, 'transcript')} and "
        f"{_count(len(report.codes), 'code')}. Counts are of codings with exactly "
        "that code, not its sub-codes."
    )
    if report.note:
        document.add_paragraph(xml_safe(report.note))
    if report.codes:
        _summary_table(document, report.codes)
    else:
        document.add_paragraph("The codebook is empty.")
    for code in report.codes:
        _section(document, code)
    document.save(file)


def _summary_table(document, codes: list[ReportCode]) -> None:
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, title in zip(
        table.rows[0].cells, ["Code", "Codings", "Transcripts", "Coders"], strict=True
    ):
        cell.text = ""
        cell.paragraphs[0].add_run(title).bold = True
    for code in codes:
        cells = table.add_row().cells
        cells[0].text = xml_safe(code.name)
        cells[0].paragraphs[0].paragraph_format.left_indent = Pt(12 * code.depth)
        for cell, value in zip(
            cells[1:], [code.n_codings, code.n_transcripts, code.n_coders], strict=True
        ):
            cell.text = str(value)
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    table.autofit = False
    # Word reads the cell widths, LibreOffice the grid's column widths.
    for column, width in zip(table.columns, _WIDTHS, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, _WIDTHS, strict=True):
            cell.width = width


def _section(document, code: ReportCode) -> None:
    document.add_heading(xml_safe(code.name), level=min(2 + code.depth, 9))
    if code.depth:
        document.add_paragraph().add_run(xml_safe(f"Path: {code.path}")).italic = True
    if code.definition:
        paragraph = document.add_paragraph()
        paragraph.add_run("Definition: ").bold = True
        _add_lines(paragraph, code.definition)
    else:
        document.add_paragraph().add_run("No definition.").italic = True
    document.add_paragraph(
        f"Codings: {code.n_codings} · Transcripts: {code.n_transcripts} · "
        f"Coders: {code.n_coders}"
    )
    for quote in code.quotes:
        _add_lines(document.add_paragraph(style="Quote"), quote.text)
        source = quote.transcript + (f", {quote.speaker}" if quote.speaker else "")
        attribution = document.add_paragraph()
        attribution.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        attribution.add_run("— ")
        attribution.add_run(xml_safe(source)).italic = True
        attribution.add_run(xml_safe(f" (coded by {quote.coder})"))


def _add_lines(paragraph, text: str) -> None:
    """Add `text` to a paragraph; python-docx makes "\n" a line break (w:br)."""
    paragraph.add_run(xml_safe(text))


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
