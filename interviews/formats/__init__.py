"""Import transcripts from uploaded files, one module per file format.

Each format module has `parse(data: bytes) -> ParsedTranscript` and raises
ImportRefused for a file it cannot import; FORMATS maps file extensions to
those modules. Nothing here imports Django.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Turn:
    """One speaker's turn: `[start, end)` in code points of the transcript text.

    `speaker` is the label as written ("" for text before the first label).
    A turn starts at the beginning of its label line and ends before the
    newline that precedes the next label line.
    """

    speaker: str
    start: int
    end: int
    start_ms: int | None = None
    end_ms: int | None = None


@dataclass(frozen=True)
class ParsedTranscript:
    """The normalised text of an uploaded file with its speaker turns."""

    text: str
    turns: list[Turn]
    source_format: str
    warnings: list[str]


class ImportRefused(ValueError):
    """A file that cannot be imported; str(exc) is a message for the researcher."""


# Imported after the types above, which the format modules and interviews.text
# use; the format modules in turn import interviews.text as modules (not names)
# so that importing interviews.text.* first works too.
from interviews.formats import (  # noqa: E402
    docx,
    html,
    md,
    odt,
    pdf,
    rtf,
    srt,
    txt,
    vtt,
)

FORMATS = {
    ".txt": txt,
    ".docx": docx,
    ".md": md,
    ".odt": odt,
    ".rtf": rtf,
    ".html": html,
    ".htm": html,
    ".pdf": pdf,
    ".srt": srt,
    ".vtt": vtt,
}

SUPPORTED_EXTENSIONS = tuple(FORMATS)


def parse_upload(filename: str, data: bytes, *, max_bytes: int) -> ParsedTranscript:
    """Return the transcript in an uploaded file, or raise ImportRefused.

    The format is chosen by the extension of `filename` (case-insensitive; a
    browser's "C:\\fakepath\\" prefix is ignored). Empty files and files over
    `max_bytes` are refused before any parsing.
    """
    extension = _extension(filename)
    module = FORMATS.get(extension)
    if module is None:
        supported = ", ".join(SUPPORTED_EXTENSIONS)
        if extension:
            raise ImportRefused(
                f"Files of type {extension} cannot be imported; "
                f"supported types are {supported}."
            )
        raise ImportRefused(
            f"The file name has no extension; supported types are {supported}."
        )
    if not data:
        raise ImportRefused("The file is empty.")
    if len(data) > max_bytes:
        raise ImportRefused(
            f"The file is too large ({_megabytes(len(data))}); "
            f"the limit is {_megabytes(max_bytes)}."
        )
    return module.parse(data)


def _extension(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or not extension:
        return ""
    return "." + extension.lower()


def _megabytes(size: int) -> str:
    # One decimal, but never round a size just over the limit down to it.
    tenths = -(-size * 10 // (1024 * 1024))
    if tenths % 10 == 0:
        return f"{tenths // 10} MB"
    return f"{tenths // 10}.{tenths % 10} MB"
