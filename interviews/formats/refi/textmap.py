"""Normalise a source's text and map offsets in the raw text onto the result.

Other tools count offsets in the text file as they wrote it: with CRLF line
breaks, decomposed accents, control characters. We store the text normalised
(interviews.text.normalize: NFC, "\\n", no controls, trimmed end), which
shifts every offset after such a spot. `normalize_with_map` returns the
normalised text and a function from raw code-point offsets to offsets in it.
"""

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable

from interviews.text.normalize import normalize_text

_REMOVED = "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]"
# Only CRLF changes length among the line breaks; the others become "\n" one
# for one.
_STEP1 = re.compile("\r\n|" + _REMOVED)
_LEADING = re.compile("(?:\ufeff|" + _REMOVED + ")+")


class _Edits:
    """Offsets through a list of replacements [(start, end, new_length)]."""

    def __init__(self, edits: list[tuple[int, int, int]]):
        self.starts = [start for start, _, _ in edits]
        self.edits = edits
        # shift[j]: how much shorter the text is before edit j.
        self.shift = [0]
        for start, end, new in edits:
            self.shift.append(self.shift[-1] + (end - start - new))

    def __call__(self, pos: int) -> int:
        j = bisect_right(self.starts, pos) - 1
        if j < 0:
            return pos
        start, end, _ = self.edits[j]
        if pos >= end:
            return pos - self.shift[j + 1]
        # At or inside a replaced stretch: its start in the new text.
        return start - self.shift[j]


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    parts, last = [], 0
    for start, end, new in edits:
        parts.append(text[last:start])
        parts.append(new)
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _step1(raw: str):
    leading = _LEADING.match(raw)
    lead_end = leading.end() if leading else 0
    edits = [(i, i + 1, "") for i in range(lead_end)]
    for match in _STEP1.finditer(raw, lead_end):
        new = "\n" if match.group() == "\r\n" else ""
        edits.append((match.start(), match.end(), new))
    text = _apply(raw, edits)
    # Remaining lone CR, VT, FF, NEL, LS, PS become "\n" without moving.
    text = re.sub("[\r\x0b\x0c\x85\u2028\u2029]", "\n", text)
    return text, edits


def _nfc_edits(text: str) -> list[tuple[int, int, str]]:
    edits = []
    offset = 0
    for line in text.split("\n"):
        if not unicodedata.is_normalized("NFC", line):
            edits.extend(_nfc_line_edits(line, offset))
        offset += len(line) + 1
    return edits


def _nfc_line_edits(line: str, offset: int) -> list[tuple[int, int, str]]:
    # Split before every starter; a starter with its combining marks is
    # normalised on its own, which is exact for everything but rare
    # compositions across starters (Hangul jamo), where the whole line goes.
    bounds = [i for i, ch in enumerate(line) if not unicodedata.combining(ch)]
    if not bounds or bounds[0] != 0:
        bounds.insert(0, 0)
    bounds.append(len(line))
    edits, pieces = [], []
    for start, end in zip(bounds, bounds[1:], strict=False):
        segment = line[start:end]
        normal = unicodedata.normalize("NFC", segment)
        pieces.append(normal)
        if normal != segment:
            edits.append((offset + start, offset + end, normal))
    if "".join(pieces) != unicodedata.normalize("NFC", line):
        return [(offset, offset + len(line), unicodedata.normalize("NFC", line))]
    return edits


def normalize_with_map(raw: str) -> tuple[str, Callable[[int], int]]:
    """Return normalize_text(raw) and a map from offsets in `raw` to it.

    An offset inside something that was replaced (between the CR and LF of a
    CRLF, inside a decomposed character) maps to where the replacement
    starts; offsets in trimmed trailing whitespace map to the end.
    """
    text1, edits1 = _step1(raw)
    nfc = _nfc_edits(text1)
    text2 = _apply(text1, nfc) if nfc else text1
    final = text2.rstrip()
    expected = normalize_text(raw)
    if final != expected:  # pragma: no cover - a bug in this module
        raise AssertionError("normalize_with_map disagrees with normalize_text")
    first = _Edits([(s, e, len(n)) for s, e, n in edits1])
    second = _Edits([(s, e, len(n)) for s, e, n in nfc])
    length = len(final)

    if not edits1 and not nfc:
        return final, lambda pos: min(pos, length)
    return final, lambda pos: min(second(first(pos)), length)
