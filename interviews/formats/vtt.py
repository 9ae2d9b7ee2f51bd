"""WebVTT subtitles (.vtt): timed turns; see interviews.formats._captions."""

from interviews.formats import ParsedTranscript, _captions


def parse(data: bytes) -> ParsedTranscript:
    """Return the transcript in the .vtt `data`, or raise ImportRefused.

    A speaker comes from a voice tag (`<v Anna>`) or an "Anna:" label.
    """
    return _captions.parse_captions(data, fmt="vtt")
