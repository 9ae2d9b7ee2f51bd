"""Bring imported text to the one form a transcript is stored in."""

import re
import unicodedata

# Line and paragraph separators that other tools count as line breaks: CRLF, a
# lone CR (old Mac files), vertical tab, form feed (page breaks in text pulled
# from PDFs), NEL, and Unicode's LINE/PARAGRAPH SEPARATOR. Turning them into
# "\n" rather than dropping them keeps the words on either side apart.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")

# Invisible control characters (C0 except tab and newline, DEL, C1): they come
# from binary debris or bad conversions, and nobody can see or code them.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def normalize_text(text: str) -> str:
    """Return `text` in stored form: NFC, "\\n" line breaks, no control chars.

    A transcript's text is stored once and coded segments are offsets into it,
    so this is the only place where imported text changes. It changes only
    what a reader cannot see or what would make the same text compare unequal:

    - leading byte-order marks are dropped;
    - CRLF, lone CR, VT, FF, NEL, U+2028 and U+2029 become "\\n";
    - other control characters (NUL, C0 except "\\t", DEL, C1) are removed;
    - the text is composed to Unicode NFC, so "é" typed as "e" + U+0301
      and "é" as one code point are the same text with the same offsets;
    - trailing whitespace at the very end is trimmed.

    Spaces, tabs, blank lines and leading whitespace are kept as they are:
    collapsing them would make the stored text differ from the source file
    (and from offsets other tools such as NVivo export against it) for no
    gain. Applying the function twice gives the same result as once.
    """
    text = _LINE_BREAKS.sub("\n", text)
    text = _CONTROLS.sub("", text).lstrip("\ufeff")
    text = unicodedata.normalize("NFC", text)
    return text.rstrip()
