"""Turn the bytes of an uploaded text file into a str."""

import codecs
import re

from charset_normalizer import from_bytes

from interviews.formats import ImportRefused

# Longest BOM first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# The legacy encodings our researchers' files come in, most likely first.
# Every byte sequence decodes in several of them, so detection compares how
# plausible each reading is, and a tie goes to the earlier one. Windows-1250
# is left out on purpose: its readings of French or German text tie with
# Windows-1252's, so allowing it would garble the common case.
_CANDIDATES = ("cp1252", "cp1251", "koi8_r")

NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with byte-order mark)",
    "utf-16-le": "UTF-16 little-endian",
    "utf-16-be": "UTF-16 big-endian",
    "utf-32-le": "UTF-32 little-endian",
    "utf-32-be": "UTF-32 big-endian",
    "cp1252": "Windows-1252 (Western European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "koi8_r": "KOI8-R (Cyrillic)",
}


def decoding_warnings(encoding_name: str) -> list[str]:
    """Return the warning to show when a text was not decoded as UTF-8, so a
    researcher who sees garbled letters knows what to fix."""
    if encoding_name in {"utf-8", "utf-8-sig"}:
        return []
    return [f"Decoded as {NAMES.get(encoding_name, encoding_name)}."]


_SAMPLE_BYTES = 64 * 1024
_LATIN_RUNS = re.compile("[\u00c0-\u024f]{3,}")

# Characters no text file is made of: controls other than tab and line
# breaks, the replacement character, private use and lone surrogates. Text
# with more than _MAX_JUNK of them is a binary file that happened to decode.
_JUNK = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffd\ue000-\uf8ff"
    "\ud800-\udfff\U000f0000-\U0010ffff]"
)
_MAX_JUNK = 0.05

_BINARY = (
    "The file looks like a binary file, not text. "
    "Upload a plain-text (.txt) or Word (.docx) file."
)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return the text in `data` and the name of the encoding it was read in.

    In order: a byte-order mark decides (UTF-8, UTF-16 or UTF-32); NUL bytes
    mean binary unless they fall where BOM-less UTF-16 puts them; valid UTF-8
    is UTF-8; otherwise charset-normalizer picks among Windows-1252,
    Windows-1251 and KOI8-R. The encoding name is a key of NAMES. A BOM is
    not part of the text; line breaks and control characters are left to
    normalize_text.

    Raise ImportRefused when `data` is empty, looks binary, or cannot be
    decoded.
    """
    if not data:
        raise ImportRefused("The file is empty.")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _decode_or_refuse(data, len(bom), encoding)
            return _check_not_binary(text), encoding
    if b"\x00" in data:
        encoding = _bomless_utf16(data)
        if encoding is None:
            raise ImportRefused(_BINARY)
        try:
            return _check_not_binary(data.decode(encoding)), encoding
        except UnicodeDecodeError as exc:
            raise ImportRefused(_BINARY) from exc
    try:
        return _check_not_binary(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = _detect_legacy(data)
    if encoding is None:
        raise ImportRefused(
            "The file's text encoding could not be recognised, or it is not "
            "a text file. Save it as UTF-8 text and upload it again."
        )
    return _check_not_binary(data.decode(encoding)), encoding


def _decode_or_refuse(data: bytes, skip: int, encoding: str) -> str:
    try:
        return data[skip:].decode(encoding)
    except UnicodeDecodeError as exc:
        family = encoding.removesuffix("-sig").removesuffix("-le").removesuffix("-be")
        raise ImportRefused(
            f"The file starts with a {family.upper()} byte-order mark but is not "
            f"valid {family.upper()} text (at byte {skip + exc.start}). "
            "Save it as UTF-8 text and upload it again."
        ) from exc


def _bomless_utf16(data: bytes) -> str | None:
    """Return "utf-16-le"/"-be" if the NUL bytes sit where UTF-16 puts them.

    UTF-16 without a BOM has a NUL as the high byte of every ASCII character
    (spaces and punctuation even in Cyrillic text), always on the same side
    of each byte pair; binary files scatter NULs over both sides.
    """
    if len(data) % 2:
        return None
    pairs = len(data) // 2
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    enough, stray = max(4, pairs // 10), pairs // 100
    if odd_nuls >= enough and even_nuls <= stray:
        return "utf-16-le"
    if even_nuls >= enough and odd_nuls <= stray:
        return "utf-16-be"
    return None


def _detect_legacy(data: bytes) -> str | None:
    """Return the most plausible of _CANDIDATES for `data`, or None."""
    matches = list(from_bytes(data, cp_isolation=list(_CANDIDATES)))
    if not matches:
        return None
    best_chaos = min(match.chaos for match in matches)
    calm = [match for match in matches if match.chaos <= best_chaos + 0.01]
    best_coherence = max(match.coherence for match in calm)
    plausible = {
        # A match stands for every candidate that decodes to the same text.
        encoding
        for match in calm
        if match.coherence >= best_coherence - 0.02
        for encoding in match.could_be_from_charset
    }
    # Short texts give charset-normalizer too little to go on, and it calls a
    # tie; break it on the letter patterns of a wrong reading.
    sample = data[:_SAMPLE_BYTES]
    return min(
        (name for name in _CANDIDATES if name in plausible),
        key=lambda name: _oddities(sample.decode(name, errors="replace")),
    )


def _oddities(text: str) -> int:
    """Count letters that look like a wrong reading of the bytes.

    Russian read as Windows-1252 turns every word into accented Latin
    letters ("Я не знаю" -> "ß íå çíàþ"), whereas French or German rarely
    has three in a row; Windows-1251 read as KOI8-R swaps the letter case
    ("Да" -> "дБ"), putting capitals in the middle of words.
    """
    count = sum(len(run) for run in _LATIN_RUNS.findall(text))
    previous = ""
    for char in text:
        if char.isupper() and previous.islower():
            count += 1
        previous = char
    return count


def _check_not_binary(text: str) -> str:
    """Return `text`, or refuse it if much of it is invisible junk."""
    if len(_JUNK.findall(text)) > len(text) * _MAX_JUNK:
        raise ImportRefused(_BINARY)
    return text
