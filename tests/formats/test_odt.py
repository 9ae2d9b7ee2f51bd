"""The .odt importer, driven by the LibreOffice-made samples."""

import io
import zipfile
from pathlib import Path

import pytest

from interviews.formats import ImportRefused, odt

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "formats"

# interview.odt as LibreOffice converted it from a .docx: heading, a table,
# then turns. The reviewer's comment is left out; "two  spaces" is stored as
# <text:s/>, the line break and the tab as elements; the page break before
# the last line is an empty paragraph.
INTERVIEW = (
    "Interview 12: border trade\n"
    "Date\t3 June 2022\n"
    "Place\tAlmaty, Republic of Kazakhstan\n"
    "Interviewer: How has border trade changed since 2015?\n"
    "Expert 5 (Republic of Kazakhstan): Trade has grown, but customs queues are "
    "still long  (two spaces).\n"
    "Эксперт 5: Торговля выросла,\n"
    "а очереди на таможне\tвсё ещё длинные — «увы».\n"
    "\n"
    "Interviewer: Thank you."
)


def _read(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_it_imports_the_body_text_in_document_order():
    parsed = odt.parse(_read("interview.odt"))

    assert parsed.text == INTERVIEW
    assert parsed.source_format == "odt"
    assert parsed.warnings == []


def test_the_sample_really_has_a_comment_spaces_and_a_table():
    content = zipfile.ZipFile(io.BytesIO(_read("interview.odt"))).read("content.xml")
    assert b"<office:annotation" in content
    assert b"<text:s/>" in content
    assert b"<table:table " in content


def test_it_finds_the_turns():
    parsed = odt.parse(_read("interview.odt"))

    assert [(t.speaker, parsed.text[t.start : t.end][:20]) for t in parsed.turns] == [
        ("", "Interview 12: border"),
        ("Interviewer", "Interviewer: How has"),
        ("Expert 5 (Republic of Kazakhstan)", "Expert 5 (Republic o"),
        ("Эксперт 5", "Эксперт 5: Торговля "),
        ("Interviewer", "Interviewer: Thank y"),
    ]


def _with_body(body: str) -> bytes:
    """Return interview.odt with its <office:text> content replaced."""
    source = zipfile.ZipFile(io.BytesIO(_read("interview.odt")))
    content = source.read("content.xml").decode("utf-8")
    start = content.index(">", content.index("<office:text ")) + 1
    end = content.index("</office:text>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            data = source.read(name)
            if name == "content.xml":
                data = (content[:start] + body + content[end:]).encode()
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (
            "<text:list><text:list-item><text:p>first</text:p>"
            "<text:list><text:list-item><text:p>nested</text:p></text:list-item>"
            "</text:list></text:list-item></text:list>",
            "first\nnested",
        ),
        (
            "<text:section text:name='S'><text:h>In a section</text:h></text:section>",
            "In a section",
        ),
        (
            "<text:p>Said<text:note><text:note-citation>1</text:note-citation>"
            "<text:note-body><text:p>A footnote</text:p></text:note-body>"
            "</text:note>.</text:p>",
            "Said.",
        ),
        (
            "<text:tracked-changes><text:changed-region text:id='c1'><text:deletion>"
            "<text:p>deleted words</text:p></text:deletion></text:changed-region>"
            "</text:tracked-changes><text:p>kept</text:p>",
            "kept",
        ),
        ('<text:p>a<text:s text:c="3"/>b</text:p>', "a   b"),
        ('<text:p>a<text:s text:c="999999999"/>b</text:p>', "a" + " " * 1000 + "b"),
    ],
    ids=["lists", "sections", "footnotes", "tracked-deletion", "spaces", "space-cap"],
)
def test_it_reads_structure_and_leaves_out_what_is_not_body_text(body, text):
    assert odt.parse(_with_body(body)).text == text


def test_it_warns_about_tracked_changes():
    parsed = odt.parse(
        _with_body(
            "<text:tracked-changes><text:changed-region text:id='c1'>"
            "<text:deletion><text:p>x</text:p></text:deletion></text:changed-region>"
            "</text:tracked-changes><text:p>kept</text:p>"
        )
    )
    assert parsed.warnings == [
        "The document has tracked changes: insertions were imported, "
        "deletions were left out."
    ]


def test_it_does_not_resolve_external_entities():
    content = zipfile.ZipFile(io.BytesIO(_read("xxe.odt"))).read("content.xml")
    assert b'<!ENTITY xxe SYSTEM "file:///etc/passwd">' in content

    with pytest.raises(ImportRefused, match=r"declares XML entities") as refused:
        odt.parse(_read("xxe.odt"))
    assert "root:" not in str(refused.value)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.odt", r"damaged or incomplete \(its zip archive cannot be read\)"),
        ("encrypted.odt", r"^The file is password-protected \(encrypted\)\."),
        ("spreadsheet.odt", r"OpenDocument file but not a text document"),
        ("zip-bomb.odt", r"unpacks to more than 200 MB"),
        ("interview.docx", r"not an OpenDocument file \(it has no content\.xml\)"),
        ("not-rtf.rtf", r"not a valid \.odt \(not a zip"),
    ],
)
def test_it_refuses_broken_samples(name, message):
    with pytest.raises(ImportRefused, match=message):
        odt.parse(_read(name))


def test_it_refuses_malformed_xml_without_printing_it(capsys):
    with pytest.raises(ImportRefused, match=r"^The \.odt file is damaged"):
        odt.parse(_with_body("<text:p>unclosed"))
    # odfpy alone would print the whole part (the interview) to stdout.
    assert capsys.readouterr().out == ""


def test_it_refuses_a_document_without_text():
    with pytest.raises(ImportRefused, match=r"^The document contains no text\.$"):
        odt.parse(_with_body("<text:p> </text:p><text:p/>"))


def test_it_refuses_archives_over_the_unpacked_limit(monkeypatch):
    size = sum(
        info.file_size
        for info in zipfile.ZipFile(io.BytesIO(_read("interview.odt"))).infolist()
    )
    monkeypatch.setattr(odt, "MAX_UNCOMPRESSED_BYTES", size - 1)
    with pytest.raises(ImportRefused, match="unpacks to more than"):
        odt.parse(_read("interview.odt"))

    monkeypatch.setattr(odt, "MAX_UNCOMPRESSED_BYTES", size)
    assert odt.parse(_read("interview.odt")).text == INTERVIEW
