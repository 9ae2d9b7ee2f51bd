"""SubRip subtitles (.srt): timed turns; see interviews.formats._captions."""

from interviews.formats import ParsedTranscript, _captions


def parse(data: bytes) -> ParsedTranscript:
    """Return the transcript in the .srt `data`, or raise ImportRefused.

    SubRip files come in any encoding; it is detected as for .txt files.
    """
    return _captions.parse_captions(data, fmt="srt")
