"""OpenDocument text (.odt, LibreOffice Writer): the body text, tables included.

odfpy reads the package and parses its XML with defusedxml. Each XML part
is first checked here with defusedxml too, because odfpy does not raise on
malformed XML (see _check_xml): a malformed part, or one that declares
entities (to fetch local files or expand to gigabytes), is refused. The
zip archive is checked for its unpacked size first, with the same limits as
.docx (interviews.formats._zip).

Paragraphs and headings become lines in document order, also inside lists
and sections; a table becomes one line per row with cells separated by tabs
(paragraphs inside a cell by newlines), as in the .docx importer. Spaces
(<text:s>), tabs and line breaks are expanded. Comments (annotations),
footnotes and endnotes, text boxes and frames, and the deleted text of
tracked changes are left out; list bullets and numbers are not text.
"""

import io
import zipfile
import zlib
from collections.abc import Iterator
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

import defusedxml.sax
from defusedxml import DefusedXmlException
from odf import opendocument
from odf.element import Node

from interviews.formats import ImportRefused, ParsedTranscript, _zip

# Modules, not names: see the note in interviews/formats/__init__.py.
from interviews.text import normalize, speakers

MAX_UNCOMPRESSED_BYTES = _zip.MAX_UNCOMPRESSED_BYTES
MAX_ZIP_MEMBERS = _zip.MAX_ZIP_MEMBERS

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_MIMETYPE = "application/vnd.oasis.opendocument.text"

# The parts odfpy parses.
_XML_PARTS = (
    "META-INF/manifest.xml",
    "settings.xml",
    "meta.xml",
    "content.xml",
    "styles.xml",
)
_PARAGRAPHS = {(_TEXT, "p"), (_TEXT, "h")}
# Never part of the text a reader sees in the body.
_SKIPPED = {
    (_OFFICE, "annotation"),
    (_TEXT, "note"),
    (_TEXT, "tracked-changes"),
    (_DRAW, "frame"),
    (_TEXT, "sequence-decls"),
    (_TEXT, "variable-decls"),
    (_TEXT, "user-field-decls"),
    (_OFFICE, "forms"),
}
_ROWS = {(_TABLE, "table-row")}
_CELL = (_TABLE, "table-cell")
_RESAVE = "Open it in LibreOffice, save it as .odt and upload it again."
_NOT_TEXT = (
    "The file is an OpenDocument file but not a text document (perhaps a "
    "spreadsheet or a presentation). Upload a Writer document (.odt)."
)
# A hostile file could ask for a billion spaces in one <text:s c="...">.
_MAX_SPACES = 1000
# Exceptions odfpy and zipfile raise on damaged packages.
_DAMAGED = (
    zipfile.BadZipFile,
    EOFError,
    KeyError,
    ValueError,
    IndexError,
    AttributeError,
    UnicodeDecodeError,
    DefusedXmlException,
    SAXException,
    RecursionError,
    zlib.error,
)


def parse(data: bytes) -> ParsedTranscript:
    """Return the transcript in the .odt `data`, or raise ImportRefused."""
    _check_package(data)
    try:
        document = opendocument.load(io.BytesIO(data))
        body = getattr(document, "text", None)
        if body is None:
            raise ImportRefused(_NOT_TEXT)
        lines = list(_blocks(body))
        warnings = _warnings(body)
    except _DAMAGED as exc:
        raise ImportRefused(
            f"The .odt file is damaged and cannot be read. {_RESAVE}"
        ) from exc
    text = normalize.normalize_text("\n".join(lines))
    if not text.strip():
        raise ImportRefused("The document contains no text.")
    return ParsedTranscript(
        text=text,
        turns=speakers.detect_turns(text),
        source_format="odt",
        warnings=warnings,
    )


def _check_package(data: bytes) -> None:
    """Refuse what is not an unencrypted text document before odfpy reads it."""
    members = _zip.check_archive(
        data,
        extension=".odt",
        required="content.xml",
        kind="an OpenDocument file",
        resave=_RESAVE,
        # Read at call time, so that tests can lower the limits.
        max_unpacked=MAX_UNCOMPRESSED_BYTES,
        max_members=MAX_ZIP_MEMBERS,
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            mimetype = (
                archive.read("mimetype").decode("ascii", "replace").strip()
                if "mimetype" in members
                else _MIMETYPE
            )
            manifest = archive.read("META-INF/manifest.xml")
    except (KeyError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ImportRefused(
            f"The .odt file is damaged and cannot be read. {_RESAVE}"
        ) from exc
    if b"encryption-data" in manifest:
        raise ImportRefused(
            "The file is password-protected (encrypted). Open it in "
            "LibreOffice, remove the password (File > Properties > Security) "
            "and upload it again."
        )
    if not mimetype.startswith(_MIMETYPE):
        raise ImportRefused(_NOT_TEXT)
    _check_xml(data, [name for name in _XML_PARTS if name in members])


def _check_xml(data: bytes, names: list[str]) -> None:
    """Refuse malformed XML parts and entity declarations before odfpy runs.

    odfpy does not raise on malformed XML: it prints the whole part to
    standard output (into the server's log) and returns what it read so far.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in names:
            parser = defusedxml.sax.make_parser()
            parser.setContentHandler(ContentHandler())
            try:
                parser.parse(io.BytesIO(archive.read(name)))
            except DefusedXmlException as exc:
                raise ImportRefused(
                    "The .odt file declares XML entities, which are refused for "
                    f"safety. {_RESAVE}"
                ) from exc
            except (SAXException, zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise ImportRefused(
                    f"The .odt file is damaged and cannot be read. {_RESAVE}"
                ) from exc


def _blocks(parent) -> Iterator[str]:
    """Yield the lines of the paragraphs and table rows in `parent`, in order."""
    for child in parent.childNodes:
        if child.nodeType != Node.ELEMENT_NODE or child.qname in _SKIPPED:
            continue
        if child.qname in _PARAGRAPHS:
            yield _inline(child)
        elif child.qname == (_TABLE, "table"):
            for row in _descendants(child, _ROWS):
                cells = [cell for cell in row.childNodes if cell.qname == _CELL]
                yield "\t".join("\n".join(_blocks(cell)) for cell in cells)
        else:
            # Lists, list items, sections, indexes: containers of paragraphs.
            yield from _blocks(child)


def _descendants(parent, names) -> Iterator:
    """Yield the elements named `names` below `parent`, not inside each other."""
    for child in parent.childNodes:
        if child.nodeType != Node.ELEMENT_NODE:
            continue
        if child.qname in names:
            yield child
        elif child.qname != (_TABLE, "table"):  # rows of nested tables stay there
            yield from _descendants(child, names)


def _inline(element) -> str:
    parts = []
    for child in element.childNodes:
        if child.nodeType == Node.TEXT_NODE:
            parts.append(child.data)
        elif child.nodeType != Node.ELEMENT_NODE or child.qname in _SKIPPED:
            continue
        elif child.qname == (_TEXT, "s"):
            parts.append(" " * _space_count(child.getAttribute("c")))
        elif child.qname == (_TEXT, "tab"):
            parts.append("\t")
        elif child.qname == (_TEXT, "line-break"):
            parts.append("\n")
        else:
            parts.append(_inline(child))
    return "".join(parts)


def _space_count(value) -> int:
    try:
        return max(1, min(int(value or 1), _MAX_SPACES))
    except ValueError:
        return 1


def _warnings(body) -> list[str]:
    warnings = []
    names = set(_element_names(body))
    if (_DRAW, "text-box") in names:
        warnings.append("Text in text boxes was not imported.")
    if (_TEXT, "tracked-changes") in names:
        warnings.append(
            "The document has tracked changes: insertions were imported, "
            "deletions were left out."
        )
    return warnings


def _element_names(parent) -> Iterator[tuple[str, str]]:
    for child in parent.childNodes:
        if child.nodeType == Node.ELEMENT_NODE:
            yield child.qname
            yield from _element_names(child)
