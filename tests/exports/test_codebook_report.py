"""The codebook report writers (Markdown and Word), read back."""

import io
from datetime import UTC, datetime

import docx
from markdown_it import MarkdownIt

from interviews.exports import codebook_report_docx, codebook_report_md
from interviews.exports.documents import CodebookReport, Quote, ReportCode

EVIL = "<script>alert(1)</script>"
REPORT = CodebookReport(
    project=f"Eurasian {EVIL}",
    generated=datetime(2024, 5, 1, 14, 3, tzinfo=UTC),
    n_transcripts=12,
    codes=[
        ReportCode(
            path="Barriers",
            name="Barriers",
            depth=0,
            definition="Anything *in the way*\nof cooperation.",
            colour="#e15759",
            n_codings=7,
            n_transcripts=4,
            n_coders=2,
            quotes=[
                Quote(
                    text="Денег нет 🙂,\nсовсем.",
                    transcript="Интервью 4",
                    speaker="Эксперт 4",
                    coder="carl",
                ),
                Quote(
                    text="Customs take weeks.",
                    transcript="KZ 1",
                    speaker="",
                    coder="olga",
                ),
            ],  # fmt: skip
        ),
        ReportCode(
            path=f"Barriers/{EVIL}",
            name=EVIL,
            depth=1,
            definition="",
            colour="#4e79a7",
            n_codings=0,
            n_transcripts=0,
            n_coders=0,
        ),
    ],
)


def test_markdown_has_the_table_sections_and_quotes():
    text = codebook_report_md.render(REPORT)

    assert text.startswith("# Codebook: Eurasian \\<script\\>alert(1)\\</script\\>\n")
    assert "Generated 2024-05-01 14:03 UTC from 12 transcripts and 2 codes." in text
    assert "| Barriers | 7 | 4 | 2 |" in text
    assert "## Barriers\n" in text
    assert "### \\<script\\>" in text
    assert "Anything \\*in the way\\*\\\nof cooperation." in text
    assert (
        "> Денег нет 🙂,\\\n> совсем.\n>\n> — *Интервью 4, Эксперт 4* (coded by carl)"
        in (text)
    )
    assert "*No definition.*" in text


def test_markdown_renders_without_raw_html_or_emphasis_from_data():
    html = (
        MarkdownIt("commonmark")
        .enable("table")
        .render(codebook_report_md.render(REPORT))
    )

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<em>in the way</em>" not in html
    assert "<table>" in html


def test_markdown_of_an_empty_codebook_says_so():
    empty = CodebookReport(project="P", generated=REPORT.generated, codes=[],
                           n_transcripts=0, note="Blind coding is on.")  # fmt: skip

    text = codebook_report_md.render(empty)

    assert "The codebook is empty." in text
    assert "Blind coding is on." in text
    assert "| Code |" not in text


def _docx(report: CodebookReport) -> docx.document.Document:
    buffer = io.BytesIO()
    codebook_report_docx.write(report, buffer)
    return docx.Document(io.BytesIO(buffer.getvalue()))


def test_word_report_has_headings_table_definitions_and_quotes():
    document = _docx(REPORT)

    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Heading 1", f"Codebook: Eurasian {EVIL}")
    assert ("Heading 2", "Barriers") in paragraphs
    assert ("Heading 3", EVIL) in paragraphs
    assert (
        "Normal",
        "Definition: Anything *in the way*\nof cooperation.",
    ) in paragraphs
    assert ("Quote", "Денег нет 🙂,\nсовсем.") in paragraphs
    assert ("Normal", "— Интервью 4, Эксперт 4 (coded by carl)") in paragraphs
    assert ("Normal", "— KZ 1 (coded by olga)") in paragraphs
    assert ("Normal", "No definition.") in paragraphs
    table = document.tables[0]
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        ["Code", "Codings", "Transcripts", "Coders"],
        ["Barriers", "7", "4", "2"],
        [EVIL, "0", "0", "0"],
    ]


def test_word_report_drops_characters_xml_cannot_hold():
    report = CodebookReport(
        project="P\x01roject\x0b",
        generated=REPORT.generated,
        n_transcripts=0,
        codes=[REPORT.codes[1]],
    )

    assert _docx(report).paragraphs[0].text == "Codebook: Project"
