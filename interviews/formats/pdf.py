"""PDF documents (.pdf): the text layer, read by pypdf. No OCR.

Pages are read in order and joined by line breaks; within a page the lines
are those pypdf lays out, so a paragraph wrapped at the page width stays
wrapped (speaker labels still start lines, which is all turn detection
needs). Spaces at the ends of lines are layout and are dropped.

Refused with their reason: files that are not PDFs, damaged files, files
that need a password to open, and files without any text layer (scanned
pages are images; they need OCR first). A PDF encrypted only with an owner
password (restrictions on printing or copying) opens without one and is
read. Pages without text in an otherwise readable PDF are named in a
warning.
"""

import io
import struct
import zlib

import pypdf
from pypdf.errors import FileNotDecryptedError, PyPdfError

from interviews.formats import ImportRefused, ParsedTranscript

# Modules, not names: see the note in interviews/formats/__init__.py.
from interviews.text import normalize, speakers

# What pypdf raises on damaged or hostile files, besides its own errors.
_DAMAGED = (
    PyPdfError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    AssertionError,
    RecursionError,
    OverflowError,
    struct.error,
    zlib.error,
)
_RESAVE = "Open it in a PDF reader, save or print it as a new PDF and upload that."


def parse(data: bytes) -> ParsedTranscript:
    """Return the text layer of the PDF `data`, or raise ImportRefused."""
    if b"%PDF-" not in data[:1024]:
        raise ImportRefused("The file is not a PDF (it has no %PDF header).")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        _open(reader)
        pages = [_page_text(page) for page in reader.pages]
    except ImportRefused:
        raise
    except FileNotDecryptedError as exc:
        raise ImportRefused(_PASSWORD) from exc
    except _DAMAGED as exc:
        raise ImportRefused(
            f"The PDF is damaged and cannot be read. {_RESAVE}"
        ) from exc
    text = normalize.normalize_text("\n".join(page for page in pages if page))
    if not text.strip():
        raise ImportRefused(
            "The PDF has no text layer: this looks like a scanned PDF; run OCR "
            "first (for example with OCRmyPDF or Adobe Acrobat), then upload "
            "the result."
        )
    return ParsedTranscript(
        text=text,
        turns=speakers.detect_turns(text),
        source_format="pdf",
        warnings=_warnings(pages),
    )


_PASSWORD = (
    "The PDF is password-protected (encrypted). Open it with its password, "
    "save or print it as a PDF without one, and upload that."
)


def _open(reader: pypdf.PdfReader) -> None:
    """Decrypt a PDF that has only an owner password; refuse the others."""
    if reader.is_encrypted and not reader.decrypt(""):
        raise ImportRefused(_PASSWORD)


def _page_text(page) -> str:
    text = page.extract_text() or ""
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(lines).strip("\n") if any(lines) else ""


def _warnings(pages: list[str]) -> list[str]:
    empty = [number for number, page in enumerate(pages, start=1) if not page.strip()]
    if not empty:
        return []
    listed = ", ".join(map(str, empty[:20])) + (", ..." if len(empty) > 20 else "")
    if len(empty) == 1:
        return [f"Page {listed} has no text layer (a scanned page?) and was left out."]
    return [f"Pages {listed} have no text layer (scanned pages?) and were left out."]
