"""Word documents (.docx): the text of the main body, tables included.

python-docx opens the package and parses its XML with lxml; its parser
(docx.oxml.parser and docx.opc.oxml) is built with resolve_entities=False
and lxml's defaults of no network access and no huge trees, so external
entities in a hostile file are neither fetched nor expanded.
tests/formats/test_docx.py checks this with a sample that tries to.

The zip archive is checked before python-docx reads it, because python-docx
reads every part into memory: a small file that unpacks to gigabytes (a zip
bomb) is refused from the sizes in the zip directory (interviews.formats._zip,
shared with the .odt importer).
"""

import io
import zipfile
import zlib
from collections.abc import Iterator

import docx
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree

from interviews.formats import ImportRefused, ParsedTranscript, _zip

# Modules, not names: see the note in interviews/formats/__init__.py.
from interviews.text import normalize, speakers

MAX_UNCOMPRESSED_BYTES = _zip.MAX_UNCOMPRESSED_BYTES
MAX_ZIP_MEMBERS = _zip.MAX_ZIP_MEMBERS

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_NS = {
    "w": _W[1:-1],
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
}
# Runs whose text a reader sees in the body: not deleted tracked changes,
# not text boxes (whose text Word stores twice, once for old readers).
_VISIBLE_RUNS = etree.XPath(
    ".//w:r[not(ancestor::w:del or ancestor::w:moveFrom"
    " or ancestor::w:txbxContent or ancestor::mc:Fallback)]",
    namespaces=_NS,
)
# Exceptions python-docx and zipfile raise on damaged packages; anything
# else is a bug to hear about, not a file to refuse.
_DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    KeyError,
    ValueError,
    NotImplementedError,
    etree.LxmlError,
    zlib.error,
    PackageNotFoundError,
)
_RESAVE = "Open it in Word, save it as .docx and upload it again."


def parse(data: bytes) -> ParsedTranscript:
    """Return the transcript in the .docx `data`, or raise ImportRefused.

    Paragraphs of the body become lines; a table becomes one line per row
    with cells separated by tabs (paragraphs inside a cell by newlines), in
    document order. Headers, footers, footnotes, comments, text boxes and
    deleted tracked changes are left out; inserted tracked changes are kept.
    """
    _check_package(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except _DAMAGED as exc:
        raise ImportRefused(
            f"The .docx file is damaged and cannot be read. {_RESAVE}"
        ) from exc
    body = document.element.body
    text = normalize.normalize_text("\n".join(_blocks(body)))
    if not text.strip():
        raise ImportRefused("The document contains no text.")
    return ParsedTranscript(
        text=text,
        turns=speakers.detect_turns(text),
        source_format="docx",
        warnings=_warnings(body),
    )


def _check_package(data: bytes) -> None:
    """Refuse what is not a .docx before python-docx reads all of it."""
    if data.startswith(_OLE_MAGIC):
        raise ImportRefused(
            "The file is password-protected (encrypted), or it is an old Word "
            ".doc file with a .docx name. Remove the password, or open it in "
            "Word and save it as .docx, then upload it again."
        )
    _zip.check_archive(
        data,
        extension=".docx",
        required="word/document.xml",
        kind="a Word document",
        resave=_RESAVE,
        # Read at call time, so that tests can lower the limits.
        max_unpacked=MAX_UNCOMPRESSED_BYTES,
        max_members=MAX_ZIP_MEMBERS,
    )


def _blocks(parent: etree._Element) -> Iterator[str]:
    """Yield the lines of the paragraphs and table rows in `parent`, in order."""
    for child in parent:
        if child.tag == _W + "p":
            yield "".join(run.text for run in _VISIBLE_RUNS(child))
        elif child.tag == _W + "tbl":
            for row in _unwrapped(child, _W + "tr"):
                cells = _unwrapped(row, _W + "tc")
                yield "\t".join("\n".join(_blocks(cell)) for cell in cells)
        elif child.tag in {_W + "sdt", _W + "sdtContent", _W + "customXml"}:
            # Content controls and custom XML wrap ordinary paragraphs.
            yield from _blocks(child)


def _unwrapped(parent: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Yield the `tag` children of `parent`, looking inside content controls."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag in {_W + "sdt", _W + "sdtContent", _W + "customXml"}:
            yield from _unwrapped(child, tag)


def _warnings(body: etree._Element) -> list[str]:
    warnings = []
    if body.find(".//w:txbxContent", _NS) is not None:
        warnings.append("Text in text boxes was not imported.")
    if body.find(".//w:del", _NS) is not None or body.find(".//w:ins", _NS) is not None:
        warnings.append(
            "The document has tracked changes: insertions were imported, "
            "deletions were left out."
        )
    return warnings
