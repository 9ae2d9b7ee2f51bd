"""A transcript with its codings as a Word document, codes as margin comments.

Each coding is a Word comment anchored on exactly the coded text, written
"3. Barriers/Financial difficulties" (the coding's number and code path,
then its memo), with the coder as the comment's author, so Word and
LibreOffice show the codes in the margin and can filter them by coder.
Overlapping codings are separate comments on overlapping ranges. Each line
of the transcript is a paragraph. A table at the end lists every coding
with its number, for readers of a printed copy without comments.
"""

from typing import BinaryIO

import docx
from docx.shared import Pt

from interviews.exports._docx import xml_safe
from interviews.exports.documents import CodedTranscript, Mark, split_at_marks

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXCERPT_CHARS = 300


def write(transcript: CodedTranscript, file: BinaryIO) -> None:
    """Write the transcript with its codings as a .docx to a binary file."""
    document = docx.Document()
    document.core_properties.title = xml_safe(transcript.title)
    document.add_heading(xml_safe(transcript.title), level=1)
    document.add_paragraph(
        xml_safe(
            f"Project: {transcript.project}. Exported "
            f"{transcript.generated:%Y-%m-%d %H:%M} UTC with "
            f"{_count(len(transcript.marks), 'coding')}."
        )
    )
    if transcript.note:
        document.add_paragraph(xml_safe(transcript.note))
    for name, value in transcript.attributes:
        paragraph = document.add_paragraph()
        paragraph.add_run(xml_safe(f"{name}: ")).bold = True
        paragraph.add_run(xml_safe(value))
    runs = _text(document, transcript)
    for mark in transcript.marks:
        first_last = runs.get(mark.number)
        if first_last is None:
            continue  # a coding of line breaks only: listed in the table
        comment = f"{mark.number}. {mark.code_path}"
        if mark.memo:
            comment += f"\nMemo: {mark.memo}"
        document.add_comment(
            list(first_last),
            text=xml_safe(comment),
            author=xml_safe(mark.coder),
            initials=xml_safe(mark.coder[:2].upper()),
        )
    _codings_table(document, transcript)
    document.save(file)


def _text(document, transcript: CodedTranscript) -> dict[int, tuple]:
    """Write the text, one run per piece; return each mark's first and last run."""
    document.add_heading("Transcript", level=2)
    paragraph = document.add_paragraph()
    runs: dict[int, tuple] = {}
    text = transcript.text
    for start, end, marks in split_at_marks(text, transcript.marks):
        for index, line in enumerate(text[start:end].split("\n")):
            if index:
                paragraph = document.add_paragraph()
            if not line:
                continue
            run = paragraph.add_run(xml_safe(line))
            for mark in marks:
                first, _ = runs.get(mark.number, (run, run))
                runs[mark.number] = (first, run)
    return runs


def _codings_table(document, transcript: CodedTranscript) -> None:
    document.add_heading("Codings", level=2)
    if not transcript.marks:
        document.add_paragraph("No codings.")
        return
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, title in zip(
        table.rows[0].cells, ["#", "Code", "Coder", "Coded text and memo"], strict=True
    ):
        cell.text = ""
        cell.paragraphs[0].add_run(title).bold = True
    for mark in transcript.marks:
        cells = table.add_row().cells
        cells[0].text = str(mark.number)
        cells[1].text = xml_safe(mark.code_path)
        cells[2].text = xml_safe(mark.coder)
        cells[3].text = xml_safe(_excerpt(transcript.text, mark))
        if mark.memo:
            memo = cells[3].add_paragraph()
            memo.add_run("Memo: ").bold = True
            memo.add_run(xml_safe(mark.memo))
        for cell in cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)


def _excerpt(text: str, mark: Mark) -> str:
    quoted = text[mark.start : mark.end]
    if len(quoted) > EXCERPT_CHARS:
        quoted = quoted[: EXCERPT_CHARS - 1].rstrip() + "…"
    return f"“{quoted}”"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
