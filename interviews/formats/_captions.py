"""Subtitle files (.srt, .vtt) to a transcript with timed speaker turns.

Shared by the .srt and .vtt importers; webvtt-py reads both formats.

Decisions:

- Speakers come from a WebVTT voice tag (`<v Anna>`) or from a label that
  starts a cue line ("Anna: ..."), recognised by the same rules as in plain
  text (interviews.text.speakers). A line without one continues the current
  speaker: subtitles usually name a speaker only when the speaker changes.
  Before the first named speaker, each cue is a turn of its own without a
  speaker, so that its timestamps are kept.
- Consecutive cues of the same speaker are merged into one turn, from the
  start of its first cue to the end of its last: a turn is what a person
  said before someone else spoke, not a subtitle's display unit. The times
  of the cues inside a turn are not kept.
- The text has one line per turn, "Speaker: what was said", so that it
  reads like any other transcript and keeps the speaker when exported as
  plain text. The lines of a cue, and the cues of a turn, are joined with a
  space: subtitle line breaks are display layout.
- Cue tags (<i>, <c.loud>, inline timestamps) are dropped; in WebVTT,
  character references (&amp;) are decoded. NOTE, STYLE and REGION blocks
  and cue settings are not text.
"""

import html
import io
import re
from dataclasses import dataclass

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from interviews.formats import ImportRefused, ParsedTranscript, Turn

# Modules, not names: see the note in interviews/formats/__init__.py.
from interviews.text import encoding, normalize, speakers

# "<v.loud Anna>": classes without dots in them and one space before the
# name, so that no two parts can match the same characters (the nested
# form took seconds on a cue of a few thousand spaces); _clean strips the
# name.
_VOICE = re.compile(r"^\s*<v(?:\.[^\s>.]+)*\s([^>]*)>")
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")
_LABEL_END = re.compile(r"\s*[:：]\s*")

_NAMES = {"srt": "SubRip (.srt)", "vtt": "WebVTT (.vtt)"}


@dataclass
class _Part:
    speaker: str | None
    texts: list[str]
    start_ms: int
    end_ms: int


def parse_captions(data: bytes, *, fmt: str) -> ParsedTranscript:
    """Return the transcript in subtitle `data` of format "srt" or "vtt"."""
    raw, encoding_name = encoding.decode_bytes(data)
    try:
        captions = webvtt.WebVTT.from_buffer(io.StringIO(raw), format=fmt).captions
    except (MalformedFileError, MalformedCaptionError, ValueError) as exc:
        raise ImportRefused(
            f"The file is not a valid {_NAMES[fmt]} subtitle file"
            + (" (it must start with a WEBVTT line)." if fmt == "vtt" else ".")
        ) from exc
    parts = []
    for caption in captions:
        parts.extend(_cue_parts(caption, unescape=fmt == "vtt"))
    turns = _merge([part for part in parts if part.texts])
    if not turns:
        raise ImportRefused("The file has no subtitles with text and valid timestamps.")
    warnings = encoding.decoding_warnings(encoding_name)
    return _transcript(turns, fmt, warnings)


def _cue_parts(caption, *, unescape: bool) -> list[_Part]:
    """Split a cue at the lines that name a speaker."""
    start_ms = caption.start_time.in_milliseconds()
    end_ms = caption.end_time.in_milliseconds()
    parts: list[_Part] = []
    for line in caption.raw_text.split("\n"):
        speaker, text = _speaker_and_text(line, unescape=unescape)
        if speaker is not None or not parts:
            parts.append(_Part(speaker, [], start_ms, end_ms))
        if text:
            parts[-1].texts.append(text)
    return parts


def _speaker_and_text(line: str, *, unescape: bool) -> tuple[str | None, str]:
    speaker = None
    voice = _VOICE.match(line)
    if voice:
        speaker = _clean(voice[1], unescape=unescape) or None
        line = line[voice.end() :]
    text = _clean(_TAG.sub("", line), unescape=unescape)
    if speaker is None:
        label = speakers.parse_label(text)
        if label is not None and label[1] is None:
            # Keep the label only when it is exactly what precedes the colon.
            name, rest = _split_label(text)
            if name == label[0]:
                return name, rest
    return speaker, text


def _split_label(text: str) -> tuple[str, str]:
    match = _LABEL_END.search(text)
    if match is None:
        return "", text
    return text[: match.start()].strip(), text[match.end() :]


def _clean(text: str, *, unescape: bool) -> str:
    if unescape:
        text = html.unescape(text)
    return _SPACES.sub(" ", normalize.normalize_text(text)).strip()


def _merge(parts: list[_Part]) -> list[_Part]:
    """Merge consecutive parts of one speaker; unnamed parts continue a turn."""
    turns: list[_Part] = []
    for part in parts:
        previous = turns[-1] if turns else None
        continues = previous is not None and previous.speaker is not None
        if continues and part.speaker in (None, previous.speaker):
            previous.texts.extend(part.texts)
            previous.end_ms = max(previous.end_ms, part.end_ms)
        else:
            turns.append(
                _Part(part.speaker, list(part.texts), part.start_ms, part.end_ms)
            )
    return turns


def _transcript(parts: list[_Part], fmt: str, warnings: list[str]) -> ParsedTranscript:
    lines, turns, offset = [], [], 0
    for part in parts:
        said = " ".join(part.texts)
        line = f"{part.speaker}: {said}" if part.speaker else said
        lines.append(line)
        turns.append(
            Turn(
                part.speaker or "",
                offset,
                offset + len(line),
                part.start_ms,
                part.end_ms,
            )
        )
        offset += len(line) + 1
    text = "\n".join(lines)
    if normalize.normalize_text(text) != text:
        # Joining normalised pieces can, in rare cases (a piece that starts
        # with a combining mark), compose across the join and shift offsets.
        text = normalize.normalize_text(text)
        warnings.append("The speakers' times could not be kept.")
        return ParsedTranscript(text, speakers.detect_turns(text), fmt, warnings)
    return ParsedTranscript(
        text=text, turns=turns, source_format=fmt, warnings=warnings
    )
