"""Convert offsets between code points (how we store them) and UTF-16 units.

Browsers (JavaScript strings) and Windows tools such as NVivo count text in
UTF-16 code units, where a character outside the Basic Multilingual Plane
(most emoji, some CJK) takes two units, a surrogate pair. Our offsets count
code points. The two differ only after such characters, so the conversions
look at those alone: one scan of the text, then a binary search per position.
"""

import operator
import re
from bisect import bisect_left
from collections.abc import Sequence

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def utf16_to_codepoints(text: str, positions: Sequence[int]) -> list[int]:
    """Return the code-point offsets in `text` of UTF-16 offsets `positions`.

    Raise ValueError for a position below 0, past the end of the text, or
    between the two halves of a surrogate pair.
    """
    # UTF-16 offset of each astral character; it occupies that unit and the next.
    astral_starts = [
        match.start() + index for index, match in enumerate(_ASTRAL.finditer(text))
    ]
    length = len(text) + len(astral_starts)
    result = []
    for position in map(operator.index, positions):
        if not 0 <= position <= length:
            raise ValueError(f"UTF-16 offset {position} is outside 0..{length}.")
        before = bisect_left(astral_starts, position)
        if before and astral_starts[before - 1] + 1 == position:
            raise ValueError(f"UTF-16 offset {position} falls inside a surrogate pair.")
        result.append(position - before)
    return result


def codepoints_to_utf16(text: str, positions: Sequence[int]) -> list[int]:
    """Return the UTF-16 offsets in `text` of code-point offsets `positions`.

    Raise ValueError for a position below 0 or past the end of the text.
    """
    astral = [match.start() for match in _ASTRAL.finditer(text)]
    length = len(text)
    result = []
    for position in map(operator.index, positions):
        if not 0 <= position <= length:
            raise ValueError(f"Offset {position} is outside 0..{length}.")
        result.append(position + bisect_left(astral, position))
    return result
