"""Find speaker turns in a transcript's text from the labels that start lines."""

import re

from interviews.formats import Turn

# 1:02, 01:02, 1:02:03, 01:02:03.5, 01:02:03,500 (SRT style).
_TS = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"

# "[00:01:02] ", "(00:01:02) " or "00:01:02 " before the label.
_LEADING_TS = re.compile(rf"(?:\[(?P<a>{_TS})\]|\((?P<b>{_TS})\)|(?P<c>{_TS}))[ \t]+")

# The label itself, an optional "(00:01:02)" or "[00:01:02]" after it, then a
# colon followed by a space, a tab or the end of the line ("INTERVIEWER:" on a
# line of its own, as some transcribers write it). A full-width colon needs
# no space after it, as in Chinese and Japanese text. A colon directly
# followed by anything else ("http://", "10:30") does not end a label.
_LABEL = re.compile(
    rf"(?P<label>[^:：\n]{{1,60}}?)[ \t]{{0,20}}"
    rf"(?:[\[(](?P<ts>{_TS})[\])][ \t]{{0,20}})?"
    r"(?::(?=[ \t]|$)|：)"
)

# A heading line of its own: the name, two or more spaces (or a tab) and a
# time, as Otter.ai writes its text exports ("Speaker 1  0:03", "Jane Doe
# 1:02:03"); the words follow on the next lines.
_HEADER = re.compile(
    rf"(?P<label>[^:：\n\t]{{1,60}}?)(?: {{2,20}}|\t{{1,20}})(?P<ts>{_TS})$"
)

MAX_LABEL_CHARS = 60
# Label, spaces, a bracketed time and the colon fit in this many characters.
_HEAD_CHARS = 200
MAX_LABEL_WORDS = 6

# Lower-case words allowed in a label: name particles and "of"/"the" as in
# "Head of the Department". Any other lower-case word makes it prose.
_PARTICLES = frozenset(
    "of the and de da di du del della der den des van von la le al bin ibn y"
    " и из де".split()
)

# Capitalised words that end in a colon at the start of a line in documents
# but are not speakers: headings, captions, e-mail headers, metadata.
_NOT_SPEAKERS = frozenset(
    {
        "abstract",
        "agenda",
        "attachment",
        "attachments",
        "background",
        "bcc",
        "cc",
        "chart",
        "conclusion",
        "conclusions",
        "date",
        "discussion",
        "duration",
        "example",
        "fig.",
        "figure",
        "from",
        "however",
        "image",
        "interview",
        "introduction",
        "key words",
        "keywords",
        "location",
        "methods",
        "n.b.",
        "nb",
        "no",
        "note",
        "notes",
        "ok",
        "p.s.",
        "participants",
        "photo",
        "place",
        "ps",
        "re",
        "references",
        "results",
        "so",
        "source",
        "sources",
        "subject",
        "summary",
        "table",
        "tags",
        "time",
        "title",
        "to",
        "topic",
        "transcript",
        "well",
        "yes",
    }
)

_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_ABBREVIATION = re.compile(r"(?:\w{1,4}\.)+")  # "Dr.", "Prof.", "J.", "U.S."


def detect_turns(text: str) -> list[Turn]:
    """Return the speaker turns of `text`, split at lines that start with a label.

    A label starts a line (after optional spaces, and an optional timestamp
    such as "[00:01:02]"), is at most six words and 60 characters, begins
    with a letter, has no lower-case words outside parentheses except name
    particles ("of", "van", "de", ...), does not read as a sentence or a
    heading ("Note", "Figure 2", "Keywords"), and ends with ": ", or ":" at
    the end of the line. Examples: "Expert 1 (Russian Federation):",
    "INTERVIEWER:", "[00:01:02] Anna:", "Anna (00:01:02):", "P1:", "Dr. Smith:".
    A line holding only such a name, two or more spaces and a time is a label
    too ("Speaker 1  0:03", Otter.ai's text export), where the text has at
    least two such lines.

    A turn covers its label line from the line start to just before the
    newline that precedes the next label line; the last turn runs to the end.
    Non-blank text before the first label is a turn with speaker "". Text
    without any label is one turn with speaker ""; blank text has no turns.
    A timestamp becomes start_ms, and the next timestamped turn's start_ms
    becomes end_ms.

    Lower-case labels ("interviewer:") are not recognised: in prose they are
    far more often the start of a sentence than a speaker.
    """
    found: list[tuple[int, str, int | None, bool]] = []
    offset = 0
    for line in text.split("\n"):
        label = _parse_label(line)
        if label is not None:
            found.append((offset, *label))
        offset += len(line) + 1
    # One "Name  0:03" line alone is more likely a heading or an agenda item
    # than the first turn of an Otter.ai export, which has one per turn.
    headers = sum(1 for *_, header in found if header)
    starts = [(o, s, ms) for o, s, ms, header in found if headers > 1 or not header]

    if not starts:
        return [Turn("", 0, len(text))] if text.strip() else []

    turns = []
    first_start = starts[0][0]
    if text[:first_start].strip():
        turns.append(Turn("", 0, first_start - 1))
    ends = [start - 1 for start, _, _ in starts[1:]] + [len(text)]
    for (start, speaker, start_ms), end in zip(starts, ends, strict=True):
        turns.append(Turn(speaker, start, end, start_ms))
    return _with_end_times(turns)


def parse_label(line: str) -> tuple[str, int | None] | None:
    """Return (speaker, start_ms) if `line` starts with a speaker label, else None."""
    label = _parse_label(line)
    return None if label is None else label[:2]


def _parse_label(line: str) -> tuple[str, int | None, bool] | None:
    """Return (speaker, start_ms, whether it is a "Name  0:03" header line)."""
    rest = line.lstrip(" \t")
    start_ms = None
    match = _LEADING_TS.match(rest)
    if match:
        start_ms = _milliseconds(match["a"] or match["b"] or match["c"])
        rest = rest[match.end() :]
    # A label ends within its first few dozen characters: matching only the
    # head of the line keeps a line of a million spaces from taking seconds
    # of backtracking.
    match = _LABEL.match(rest[:_HEAD_CHARS])
    header = match is None and start_ms is None
    if header:
        line_end = rest.rstrip()
        match = _HEADER.match(line_end) if len(line_end) <= _HEAD_CHARS else None
    if match is None:
        return None
    speaker = match["label"].strip()
    if match["ts"]:
        if start_ms is not None:
            return None
        start_ms = _milliseconds(match["ts"])
    if not _looks_like_a_name(speaker):
        return None
    return speaker, start_ms, header


def _looks_like_a_name(label: str) -> bool:
    if not label or len(label) > MAX_LABEL_CHARS or not label[0].isalpha():
        return False
    outside = _BRACKETED.sub(" ", label)
    if any(char in outside for char in '()[]!?;"“”«»'):
        return False
    words = outside.split()
    if not 1 <= len(words) <= MAX_LABEL_WORDS:
        return False
    for word in words:
        if word[0].islower() and word.lower() not in _PARTICLES:
            return False
        # A full stop inside a label only ends an abbreviation or an initial.
        if "." in word and not _ABBREVIATION.fullmatch(word.rstrip(",")):
            return False
    if label.endswith("."):
        return False
    key_words = words[:-1] if len(words) > 1 and words[-1].isdigit() else words
    return " ".join(key_words).lower() not in _NOT_SPEAKERS


def _milliseconds(timestamp: str) -> int:
    clock, _, fraction = timestamp.replace(",", ".").partition(".")
    seconds = 0
    for part in clock.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds * 1000 + int(fraction.ljust(3, "0")[:3] or 0)


def _with_end_times(turns: list[Turn]) -> list[Turn]:
    result = []
    next_ms = None
    for turn in reversed(turns):
        if turn.start_ms is not None:
            result.append(
                Turn(turn.speaker, turn.start, turn.end, turn.start_ms, next_ms)
            )
            next_ms = turn.start_ms
        else:
            result.append(turn)
    result.reverse()
    return result
