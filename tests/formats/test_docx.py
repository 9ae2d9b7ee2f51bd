"""The .docx importer, driven by the samples in fixtures/formats/."""

import io
import struct
import zipfile
from pathlib import Path

import pytest

from interviews.formats import ImportRefused, docx

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "formats"

# interview.docx as a reader sees it: heading, a two-row table, then turns.
# Left out: the header and footer, a text box, and a deleted tracked change;
# the inserted one is kept. "café" is stored decomposed and comes out NFC.
INTERVIEW = (
    "Interview 7: cross-border cooperation\n"
    "Date\t12 May 2021\n"
    "Place\tMinsk, Republic of Belarus\n"
    "Interviewer: What, in your opinion, does cooperation between regions make "
    "easier?\n"
    "Expert 2 (Republic of Belarus): Interregional interaction is, first of all, "
    "cultural exchange and a caf\u00e9.\n"
    "Второй абзац: обмен в образовательной сфере.\n"
    "Interviewer:\tAnd the barriers?\n"
    "Expert 2 (Republic of Belarus): The main barrier is the regulatory "
    "framework (in my view) 🙂."
)


def _read(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_it_imports_the_body_text_in_document_order():
    parsed = docx.parse(_read("interview.docx"))

    assert parsed.text == INTERVIEW
    assert parsed.source_format == "docx"


def test_it_finds_the_turns():
    parsed = docx.parse(_read("interview.docx"))

    assert [
        (turn.speaker, parsed.text[turn.start : turn.end]) for turn in parsed.turns
    ] == [
        (
            "",
            "Interview 7: cross-border cooperation\nDate\t12 May 2021\n"
            "Place\tMinsk, Republic of Belarus",
        ),
        (
            "Interviewer",
            "Interviewer: What, in your opinion, does cooperation between regions "
            "make easier?",
        ),
        (
            "Expert 2 (Republic of Belarus)",
            "Expert 2 (Republic of Belarus): Interregional interaction is, first "
            "of all, cultural exchange and a caf\u00e9.\n"
            "Второй абзац: обмен в образовательной сфере.",
        ),
        ("Interviewer", "Interviewer:\tAnd the barriers?"),
        (
            "Expert 2 (Republic of Belarus)",
            "Expert 2 (Republic of Belarus): The main barrier is the regulatory "
            "framework (in my view) 🙂.",
        ),
    ]


def test_it_warns_about_what_it_left_out():
    assert docx.parse(_read("interview.docx")).warnings == [
        "Text in text boxes was not imported.",
        "The document has tracked changes: insertions were imported, "
        "deletions were left out.",
    ]


def test_it_does_not_resolve_external_entities():
    # The sample really asks for /etc/passwd, which really has "root:" in it.
    xml = zipfile.ZipFile(io.BytesIO(_read("xxe.docx"))).read("word/document.xml")
    assert b'<!ENTITY xxe SYSTEM "file:///etc/passwd">' in xml
    assert "root:" in Path("/etc/passwd").read_text()

    parsed = docx.parse(_read("xxe.docx"))

    assert parsed.text.startswith("Secret: \nInterview 7:")
    assert "root:" not in parsed.text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not-a-zip.docx", r"^The file is not a valid \.docx \(not a zip archive\)\.$"),
        ("truncated.docx", r"damaged or incomplete \(its zip archive cannot be read\)"),
        ("encrypted.docx", r"password-protected \(encrypted\), or it is an old Word"),
        (
            "no-document-xml.docx",
            r"not a Word document \(it has no word/document\.xml\)",
        ),
        ("zip-bomb.docx", r"unpacks to more than 200 MB"),
    ],
)
def test_it_refuses_broken_samples(name, message):
    with pytest.raises(ImportRefused, match=message):
        docx.parse(_read(name))


def test_the_encrypted_sample_is_an_ole_file():
    assert _read("encrypted.docx")[:8] == bytes.fromhex("d0cf11e0a1b11ae1")


def _rezipped(replace: dict[str, bytes], drop: tuple[str, ...] = ()) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_read("interview.docx")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            if name not in drop:
                archive.writestr(name, replace.get(name, source.read(name)))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        _rezipped({"word/document.xml": b"<w:document><w:body><w:p>"}),
        _rezipped({}, drop=("[Content_Types].xml",)),
        _rezipped({}, drop=("_rels/.rels",)),
    ],
    ids=["malformed-xml", "no-content-types", "no-relationships"],
)
def test_it_refuses_damaged_packages(data):
    with pytest.raises(ImportRefused, match="damaged and cannot be read"):
        docx.parse(data)


def test_it_refuses_a_package_with_corrupt_compressed_data():
    data = bytearray(_read("interview.docx"))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("word/document.xml")
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    data[start + 10 : start + 30] = bytes(
        byte ^ 0xFF for byte in data[start + 10 : start + 30]
    )

    with pytest.raises(ImportRefused, match="damaged and cannot be read"):
        docx.parse(bytes(data))


def test_it_refuses_a_document_without_text():
    empty = (
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
        b'2006/main"><w:body><w:p/><w:p><w:r><w:t>  </w:t></w:r></w:p></w:body>'
        b"</w:document>"
    )
    with pytest.raises(ImportRefused, match="contains no text"):
        docx.parse(_rezipped({"word/document.xml": empty}))


def test_it_refuses_archives_over_the_unpacked_limit(monkeypatch):
    size = sum(
        info.file_size
        for info in zipfile.ZipFile(io.BytesIO(_read("interview.docx"))).infolist()
    )
    monkeypatch.setattr(docx, "MAX_UNCOMPRESSED_BYTES", size - 1)
    with pytest.raises(ImportRefused, match="unpacks to more than"):
        docx.parse(_read("interview.docx"))

    monkeypatch.setattr(docx, "MAX_UNCOMPRESSED_BYTES", size)
    assert docx.parse(_read("interview.docx")).text == INTERVIEW
