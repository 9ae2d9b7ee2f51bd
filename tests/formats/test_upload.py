"""parse_upload: choosing the importer, size limits, and every bad sample."""

from pathlib import Path

import pytest

from interviews import formats
from interviews.formats import (
    SUPPORTED_EXTENSIONS,
    ImportRefused,
    ParsedTranscript,
    parse_upload,
)

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "formats"
MB = 1024 * 1024


def test_every_format_module_has_parse_and_samples():
    assert SUPPORTED_EXTENSIONS == (
        ".txt", ".docx", ".md", ".odt", ".rtf", ".html", ".htm", ".pdf", ".srt",
        ".vtt",
    )  # fmt: skip
    for extension, module in formats.FORMATS.items():
        assert callable(module.parse)
        if extension != ".htm":  # the .html importer under its short name
            assert list(SAMPLES.glob(f"*{extension}")), f"no samples for {extension}"


@pytest.mark.parametrize(
    ("filename", "sample", "source_format"),
    [
        ("interview.txt", "interview-utf8.txt", "txt"),
        ("INTERVIEW.TXT", "interview-utf8.txt", "txt"),
        ("C:\\fakepath\\Interview 3.Txt", "interview-utf8.txt", "txt"),
        ("interview.docx", "interview.docx", "docx"),
        ("Interview.DOCX", "interview.docx", "docx"),
        ("notes.2021.docx", "interview.docx", "docx"),
        ("interview.md", "interview.md", "md"),
        ("Interview.ODT", "interview.odt", "odt"),
        ("interview.rtf", "interview-cp1251.rtf", "rtf"),
        ("page.html", "interview.html", "html"),
        ("PAGE.HTM", "interview.html", "html"),
        ("interview.pdf", "interview.pdf", "pdf"),
        ("interview.srt", "interview.srt", "srt"),
        ("interview.vtt", "interview.vtt", "vtt"),
    ],
)
def test_it_picks_the_importer_by_extension(filename, sample, source_format):
    parsed = parse_upload(filename, (SAMPLES / sample).read_bytes(), max_bytes=MB)

    assert isinstance(parsed, ParsedTranscript)
    assert parsed.source_format == source_format
    assert parsed.text


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("interview.xlsx", r"^Files of type \.xlsx cannot be imported; supported "),
        ("interview.doc", r"^Files of type \.doc cannot be imported; "),
        ("interview", r"^The file name has no extension; supported types are "),
        (".txt", r"^The file name has no extension"),
        ("interview.", r"^The file name has no extension"),
    ],
)
def test_it_refuses_unsupported_file_types(filename, message):
    with pytest.raises(ImportRefused, match=message) as refused:
        parse_upload(filename, b"Interviewer: hi", max_bytes=MB)
    if "supported" in message:
        assert ".txt, .docx, .md, .odt, .rtf, .html, .htm, .pdf, .srt, .vtt" in str(
            refused.value
        )


def test_it_refuses_files_over_the_size_limit_before_parsing():
    data = (SAMPLES / "interview.docx").read_bytes()
    with pytest.raises(ImportRefused, match=r"^The file is too large \(.* MB\); "):
        parse_upload("interview.docx", data, max_bytes=len(data) - 1)
    assert parse_upload("interview.docx", data, max_bytes=len(data)).text


def test_it_states_the_size_limit_in_megabytes():
    with pytest.raises(ImportRefused) as refused:
        parse_upload("a.txt", b"x" * (MB + 1), max_bytes=MB)
    assert str(refused.value) == ("The file is too large (1.1 MB); the limit is 1 MB.")


# Every bad sample, through the same door the upload view uses.
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.txt", r"^The file is empty\.$"),
        ("blank.txt", r"^The file contains no text\.$"),
        ("image-named.txt", r"looks like a binary file, not text"),
        ("random-bytes.txt", r"looks like a binary file, not text"),
        ("not-a-zip.docx", r"is not a valid \.docx \(not a zip archive\)"),
        ("truncated.docx", r"damaged or incomplete"),
        ("encrypted.docx", r"password-protected \(encrypted\)"),
        ("no-document-xml.docx", r"not a Word document"),
        ("zip-bomb.docx", r"too much to import safely"),
        ("script-only.html", r"^The page contains no text\.$"),
        ("not-rtf.rtf", r"not an RTF document"),
        ("truncated.odt", r"damaged or incomplete"),
        ("encrypted.odt", r"password-protected \(encrypted\)"),
        ("spreadsheet.odt", r"not a text document"),
        ("xxe.odt", r"declares XML entities"),
        ("zip-bomb.odt", r"too much to import safely"),
        ("encrypted.pdf", r"password-protected \(encrypted\)"),
        ("scanned.pdf", r"no text layer: this looks like a scanned PDF; run OCR"),
        ("truncated.pdf", r"damaged and cannot be read"),
        ("not-a-pdf.pdf", r"not a PDF"),
        ("no-timestamps.srt", r"not a valid SubRip"),
        ("bad-timestamp.srt", r"no subtitles with text and valid timestamps"),
        ("no-header.vtt", r"not a valid WebVTT"),
        ("no-cues.vtt", r"no subtitles with text and valid timestamps"),
    ],
)
def test_it_refuses_every_bad_sample_with_a_clear_message(name, message):
    with pytest.raises(ImportRefused, match=message) as refused:
        parse_upload(name, (SAMPLES / name).read_bytes(), max_bytes=MB)
    text = str(refused.value)
    assert text[0].isupper() and text.endswith(".")
    assert "Traceback" not in text and "Error" not in text


def test_an_empty_docx_is_refused_as_empty():
    with pytest.raises(ImportRefused, match=r"^The file is empty\.$"):
        parse_upload("empty.docx", b"", max_bytes=MB)


def test_every_sample_is_small():
    for path in SAMPLES.iterdir():
        assert path.stat().st_size < 50 * 1024, path.name
