"""The PDF importer: the text layer of LibreOffice-made samples, and refusals."""

import io
from pathlib import Path

import pypdf
import pytest

from interviews.formats import ImportRefused, pdf

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "formats"

# interview.pdf, printed by LibreOffice from the .docx the .odt sample comes
# from: two pages; a paragraph wrapped at the page width stays wrapped, the
# table's cells are separated by a space, the tab is lost in layout.
INTERVIEW = (
    "Interview 12: border trade\n"
    "Date 3 June 2022\n"
    "Place Almaty, Republic of Kazakhstan\n"
    "Interviewer: How has border trade changed since 2015?\n"
    "Expert 5 (Republic of Kazakhstan): Trade has grown, but customs queues\n"
    "are still long  (two spaces).\n"
    "Эксперт 5: Торговля выросла,\n"
    "а очереди на таможне всё ещё длинные — «увы».\n"
    "Interviewer: Thank you."
)


def _read(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_it_imports_the_text_layer_of_every_page():
    assert len(pypdf.PdfReader(io.BytesIO(_read("interview.pdf"))).pages) == 2

    parsed = pdf.parse(_read("interview.pdf"))

    assert parsed.text == INTERVIEW
    assert parsed.source_format == "pdf"
    assert parsed.warnings == []


def test_it_finds_the_turns_across_wrapped_lines():
    parsed = pdf.parse(_read("interview.pdf"))

    assert [(t.speaker, parsed.text[t.start : t.end]) for t in parsed.turns] == [
        (
            "",
            "Interview 12: border trade\nDate 3 June 2022\n"
            "Place Almaty, Republic of Kazakhstan",
        ),
        ("Interviewer", "Interviewer: How has border trade changed since 2015?"),
        (
            "Expert 5 (Republic of Kazakhstan)",
            "Expert 5 (Republic of Kazakhstan): Trade has grown, but customs "
            "queues\nare still long  (two spaces).",
        ),
        (
            "Эксперт 5",
            "Эксперт 5: Торговля выросла,\n"
            "а очереди на таможне всё ещё длинные — «увы».",
        ),
        ("Interviewer", "Interviewer: Thank you."),
    ]


def test_a_pdf_with_only_an_owner_password_is_read():
    data = _read("restricted.pdf")
    assert pypdf.PdfReader(io.BytesIO(data)).is_encrypted

    assert pdf.parse(data).text == INTERVIEW


def test_pages_without_text_are_named_in_a_warning():
    writer = pypdf.PdfWriter()
    for name in ("interview.pdf", "scanned.pdf"):
        writer.append(io.BytesIO(_read(name)))
    buffer = io.BytesIO()
    writer.write(buffer)

    parsed = pdf.parse(buffer.getvalue())

    assert parsed.text == INTERVIEW
    assert parsed.warnings == [
        "Page 3 has no text layer (a scanned page?) and was left out."
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("encrypted.pdf", r"^The PDF is password-protected \(encrypted\)\."),
        (
            "scanned.pdf",
            r"^The PDF has no text layer: this looks like a scanned PDF; run OCR "
            r"first",
        ),
        ("truncated.pdf", r"^The PDF is damaged and cannot be read\."),
        ("not-a-pdf.pdf", r"^The file is not a PDF \(it has no %PDF header\)\.$"),
    ],
)
def test_it_refuses_bad_samples_with_their_reason(name, message):
    with pytest.raises(ImportRefused, match=message):
        pdf.parse(_read(name))


def test_the_scanned_sample_holds_an_image_and_no_text():
    page = pypdf.PdfReader(io.BytesIO(_read("scanned.pdf"))).pages[0]
    assert len(page.images) == 1
    assert page.extract_text().strip() == ""


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + b"\x00" * 100,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer "
        b"<< /Root 1 0 R >>\n%%EOF",
    ],
    ids=["no-objects", "dangling-reference"],
)
def test_it_refuses_damaged_pdfs(data):
    with pytest.raises(ImportRefused, match=r"damaged|no text layer"):
        pdf.parse(data)
