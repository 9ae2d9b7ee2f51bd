"""Plain data the document writers take (codebook report, transcript, memos).

The services in interviews/services/reports.py fill these from the
database; the writers next to this module turn them into files and know
nothing of Django.
"""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Quote:
    """An exemplar coded segment and where it comes from."""

    text: str
    transcript: str
    speaker: str
    coder: str


@dataclass(frozen=True)
class ReportCode:
    """One code of the codebook report, with its counts and exemplars."""

    path: str
    name: str
    depth: int
    definition: str
    colour: str
    n_codings: int
    n_transcripts: int
    n_coders: int
    quotes: list[Quote] = field(default_factory=list)


@dataclass(frozen=True)
class CodebookReport:
    project: str
    generated: datetime
    codes: list[ReportCode]
    n_transcripts: int
    # Said in the report when the counts leave out codings (blind mode).
    note: str = ""


@dataclass(frozen=True)
class Mark:
    """A coding shown in a transcript export: [start, end) in code points."""

    number: int
    start: int
    end: int
    code_path: str
    colour: str
    coder: str
    memo: str


@dataclass(frozen=True)
class CodedTranscript:
    project: str
    title: str
    text: str
    attributes: list[tuple[str, str]]
    # Sorted by start, longer first, as numbered.
    marks: list[Mark]
    generated: datetime
    note: str = ""


@dataclass(frozen=True)
class MemoEntry:
    """A memo on a transcript, a code or a coding, flattened for export."""

    kind: str  # "transcript", "code" or "coding"
    transcript_id: int | None
    transcript: str
    code_id: int | None
    code_path: str
    coding_id: int | None
    coded_text: str
    author: str
    created: datetime
    updated: datetime
    text: str


@dataclass(frozen=True)
class MemoList:
    """The memos of a project, in the order to show them."""

    project: str
    generated: datetime
    memos: list[MemoEntry]
    note: str = ""


def split_at_marks(text: str, marks: list[Mark]) -> list[tuple[int, int, list[Mark]]]:
    """Return the pieces of `text` between mark edges, each with its marks.

    The pieces tile the text in order: (start, end, marks covering it).
    Marks outside the text are clipped to it.
    """
    edges = {0, len(text)}
    for mark in marks:
        edges.update((min(max(mark.start, 0), len(text)), min(mark.end, len(text))))
    ordered = sorted(edges)
    pieces = []
    for start, end in zip(ordered, ordered[1:], strict=False):
        if end > start:
            covering = [m for m in marks if m.start <= start and m.end >= end]
            pieces.append((start, end, covering))
    return pieces
