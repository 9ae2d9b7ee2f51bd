"""Rich Text Format (.rtf): the body text, read by striprtf.

RTF stores non-ASCII text either as Unicode escapes (\\u1058?, as Word and
LibreOffice write today) or as bytes (\\'c8) in a code page, as WordPad and
older Word versions write Russian text. The code page comes from, in order:
the font's \\fcharset (striprtf maps 204 to Windows-1251 and so on), the
document's \\ansicpg, and when neither says, detection on the escaped bytes
(interviews.text.encoding), so that a Cyrillic file without a declaration
still imports.

Two corrections before striprtf reads the file:

- \\fcharset0 ("ANSI") means the document's \\ansicpg, not always
  Windows-1252; striprtf reads it as 1252, which turns Russian text in
  a \\ansicpg1251 file into accented Latin letters. It is rewritten to
  \\fcharset1 (Windows' "default charset"), which striprtf reads in the
  code page it is given.
- Table cells become tab-separated, as in the .docx importer (striprtf
  writes "|", which can also be text).

Headers, footers, footnotes, comments and pictures are left out (striprtf
skips those destinations). Unicode escapes of characters outside the Basic
Multilingual Plane (emoji) come as surrogate pairs and are joined.
"""

import codecs
import re

from striprtf import striprtf

from interviews.formats import ImportRefused, ParsedTranscript

# Modules, not names: see the note in interviews/formats/__init__.py.
from interviews.text import encoding, normalize, speakers

_ANSICPG = re.compile(rb"\\ansicpg(\d+)")
_ANSICPG_TEXT = re.compile(r"\\ansicpg-?\d+ ?")
_HEX = re.compile(rb"\\'([0-9a-fA-F]{2})")
_FCHARSET0 = re.compile(r"\\fcharset0(?![0-9])")
# \cell or \nestcell that is a control word (not "\\cell", escaped text).
_CELL = re.compile(r"(?<!\\)((?:\\\\)*)\\(?:nest)?cell(?![a-zA-Z])(?: )?")
# A private-use character marks cell ends while striprtf runs; the group
# keeps \uc1 local so that the "?" after \u is skipped.
_CELL_MARK = "\ue000"
_CELL_RTF = r"\1{\\uc1\\u-8192?}"


def parse(data: bytes) -> ParsedTranscript:
    """Return the transcript in the .rtf `data`, or raise ImportRefused."""
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        raise ImportRefused(
            "The file is not an RTF document (it does not start with {\\rtf)."
        )
    codepage, warnings = _codepage(data)
    source = data.decode(codepage, errors="replace")
    # The code page is decided: striprtf gets it as `encoding`, and would read
    # an unknown \ansicpg as UTF-8.
    source = _ANSICPG_TEXT.sub("{}", source)
    if codepage != "cp1252":
        source = _FCHARSET0.sub(r"\\fcharset1", source)
    source = _CELL.sub(_CELL_RTF, source)
    try:
        raw = striprtf.rtf_to_text(source, encoding=codepage, errors="replace")
    except (ValueError, LookupError, IndexError, RecursionError) as exc:
        raise ImportRefused(
            "The RTF file is damaged and cannot be read. Open it in Word or "
            "LibreOffice, save it again and upload it again."
        ) from exc
    raw = _join_surrogates(raw)
    raw = raw.replace(_CELL_MARK + "\n", "\n").rstrip(_CELL_MARK)
    text = normalize.normalize_text(raw.replace(_CELL_MARK, "\t"))
    if not text.strip():
        raise ImportRefused("The document contains no text.")
    if "\ufffd" in text:
        warnings.append("Some characters could not be decoded and show as �.")
    return ParsedTranscript(
        text=text,
        turns=speakers.detect_turns(text),
        source_format="rtf",
        warnings=warnings,
    )


def _codepage(data: bytes) -> tuple[str, list[str]]:
    """Return the Python codec of the document's code page, and any warning."""
    declared = _ANSICPG.search(data)
    if declared:
        name = f"cp{int(declared[1])}"
        try:
            return codecs.lookup(name).name, []
        except LookupError:
            return "cp1252", [
                f"The code page {int(declared[1])} is unknown; read as Windows-1252."
            ]
    escaped = bytes(int(byte, 16) for byte in _HEX.findall(_body(data)))
    if not escaped:
        return "cp1252", []
    try:
        _, name = encoding.decode_bytes(escaped)
    except ImportRefused:
        return "cp1252", []
    if name not in {"cp1252", "cp1251", "koi8_r"}:
        # Escaped bytes that happen to be valid UTF-8 are still a code page.
        return "cp1252", []
    if name == "cp1252":
        return name, []
    return name, [f"No code page was declared; read as {encoding.NAMES[name]}."]


def _body(data: bytes) -> bytes:
    """Return `data` after its font table, whose names may use other scripts."""
    table = striprtf.font_table_group(data.decode("latin-1"))
    if not table:
        return data
    return data[data.index(table.encode("latin-1")) + len(table) :]


def _join_surrogates(text: str) -> str:
    # \u-10179?\u-8694? is one emoji written as two UTF-16 halves.
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
