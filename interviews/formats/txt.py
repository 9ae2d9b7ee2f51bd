"""Plain-text transcripts (.txt) in UTF-8, UTF-16 or a legacy Windows encoding."""

from interviews.formats import ImportRefused, ParsedTranscript

# Modules, not names: see the note in interviews/formats/__init__.py.
from interviews.text import encoding, normalize, speakers


def parse(data: bytes) -> ParsedTranscript:
    """Return the transcript in `data`, or raise ImportRefused.

    A warning names the encoding when it was not UTF-8, so a researcher who
    sees garbled letters knows what to fix.
    """
    raw, encoding_name = encoding.decode_bytes(data)
    text = normalize.normalize_text(raw)
    if not text.strip():
        raise ImportRefused("The file contains no text.")
    warnings = encoding.decoding_warnings(encoding_name)
    return ParsedTranscript(
        text=text,
        turns=speakers.detect_turns(text),
        source_format="txt",
        warnings=warnings,
    )
