"""Gather what the document exports need (interviews/exports/documents.py).

Every function starts from access.visible_codings, so blind mode holds for
the reports as for the pages, and reads the database in a fixed number of
queries however many codes, codings and memos there are.

Exemplar quotes for the codebook report (pick_exemplars) are chosen so that
the same data always gives the same quotes, and so that they show the code
at its most typical rather than its longest:

1. Only codings of exactly that code (a sub-code has its own quotes).
2. Codings of 40 to 400 characters when there are any (a few words rarely
   make a quote, a page is not one); otherwise all of them.
3. Ordered by closeness to the median length of those, then oldest first.
4. Picked in that order, up to three, each time preferring a transcript not
   quoted yet, then a coder not quoted yet; the same passage coded by two
   coders is quoted once.
"""

from dataclasses import dataclass

from django.utils import timezone

from ..access import ProjectAccess, visible_codings, visible_memos
from ..exports.documents import (
    CodebookReport,
    CodedTranscript,
    Mark,
    MemoEntry,
    MemoList,
    Quote,
    ReportCode,
)
from ..models import Transcript
from .codebook import code_tree
from .segments import speaker_subquery

QUOTE_MIN_CHARS = 40
QUOTE_MAX_CHARS = 400
QUOTES_PER_CODE = 3
BLIND_NOTE = (
    "Blind coding is on: this export holds only your own codings, "
    "not those of the other coders."
)
MEMO_BLIND_NOTE = (
    "Blind coding is on: other members' memos on transcripts and codings are left out."
)


@dataclass(frozen=True)
class Candidate:
    """A coding that may be quoted: its id, where it is, who coded it."""

    id: int
    transcript_id: int
    coder_id: int
    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start


def pick_exemplars(
    candidates: list[Candidate], k: int = QUOTES_PER_CODE
) -> list[Candidate]:
    """Return up to `k` representative candidates (see the module docstring)."""
    pool = [
        c for c in candidates if QUOTE_MIN_CHARS <= c.length <= QUOTE_MAX_CHARS
    ] or list(candidates)
    if not pool:
        return []
    lengths = sorted(c.length for c in pool)
    median = lengths[(len(lengths) - 1) // 2]
    ordered = sorted(pool, key=lambda c: (abs(c.length - median), c.id))
    rank = {c.id: index for index, c in enumerate(ordered)}
    picked: list[Candidate] = []
    spans, transcripts, coders = set(), set(), set()
    while len(picked) < k:
        left = [c for c in ordered if (c.transcript_id, c.start, c.end) not in spans]
        if not left:
            break
        best = min(
            left,
            key=lambda c: (
                c.transcript_id in transcripts,
                c.coder_id in coders,
                rank[c.id],
            ),
        )
        picked.append(best)
        spans.add((best.transcript_id, best.start, best.end))
        transcripts.add(best.transcript_id)
        coders.add(best.coder_id)
    return picked


def codebook_report(*, access: ProjectAccess) -> CodebookReport:
    """Return the codebook with counts and exemplar quotes. Five queries."""
    project = access.project
    codings = visible_codings(access)
    tree = code_tree(project, codings=codings)  # two queries
    candidates: dict[int, list[Candidate]] = {}
    for id_, code_id, transcript_id, coder_id, start, end in codings.values_list(
        "id", "code_id", "transcript_id", "coder_id", "start", "end"
    ).order_by("id"):
        candidates.setdefault(code_id, []).append(
            Candidate(id_, transcript_id, coder_id, start, end)
        )
    chosen = {
        code_id: [c.id for c in pick_exemplars(found)]
        for code_id, found in candidates.items()
    }
    quotes = {
        row["id"]: Quote(
            text=row["text"],
            transcript=row["transcript__title"],
            speaker=row["speaker"] or "",
            coder=row["coder__username"],
        )
        for row in codings.filter(id__in=[i for ids in chosen.values() for i in ids])
        .annotate(speaker=speaker_subquery())
        .values("id", "text", "transcript__title", "speaker", "coder__username")
    }
    codes = [
        ReportCode(
            path=code.path,
            name=code.name,
            depth=code.depth,
            definition=code.definition,
            colour=code.colour,
            n_codings=code.n_codings,
            n_transcripts=code.n_transcripts,
            n_coders=code.n_coders,
            quotes=[quotes[i] for i in chosen.get(code.pk, []) if i in quotes],
        )
        for code in tree
    ]
    return CodebookReport(
        project=project.name,
        generated=timezone.now(),
        codes=codes,
        n_transcripts=Transcript.objects.filter(project=project).count(),
        note=BLIND_NOTE if access.sees_only_own_codings else "",
    )


def coded_transcript(
    *, access: ProjectAccess, transcript: Transcript
) -> CodedTranscript:
    """Return a transcript's text with the codings this member sees. Four queries."""
    text = Transcript.objects.values_list("text", flat=True).get(pk=transcript.pk)
    paths = {code.pk: (code.path, code.colour) for code in code_tree(access.project)}
    rows = (
        visible_codings(access)
        .filter(transcript=transcript)
        .order_by("start", "-end", "id")
        .values_list("start", "end", "code_id", "coder__username", "memo")
    )
    marks = [
        Mark(
            number=number,
            start=start,
            end=end,
            code_path=paths.get(code_id, ("?", "#888888"))[0],
            colour=paths.get(code_id, ("?", "#888888"))[1],
            coder=coder,
            memo=memo,
        )
        for number, (start, end, code_id, coder, memo) in enumerate(rows, start=1)
    ]
    return CodedTranscript(
        project=access.project.name,
        title=transcript.title,
        text=text,
        attributes=list(transcript.attributes.values_list("name", "value")),
        marks=marks,
        generated=timezone.now(),
        note=BLIND_NOTE if access.sees_only_own_codings else "",
    )


def project_memos(*, access: ProjectAccess) -> MemoList:
    """Return every memo of the project this member may see. Three queries.

    Code memos are shared with all members; transcript and coding memos
    follow the codings (blind mode hides other coders'). Order: transcript
    memos by transcript title, code memos in codebook order, coding memos by
    transcript title and position; oldest first within each.
    """
    tree = code_tree(access.project)
    paths = {code.pk: code.path for code in tree}
    order = {code.pk: index for index, code in enumerate(tree)}
    entries = []
    memos = (
        visible_memos(access)
        .select_related("author", "transcript")
        .defer("transcript__text")
    )
    for memo in memos:
        kind = "transcript" if memo.transcript_id else "code"
        entries.append(
            MemoEntry(
                kind=kind,
                transcript_id=memo.transcript_id,
                transcript=memo.transcript.title if memo.transcript else "",
                code_id=memo.code_id,
                code_path=paths.get(memo.code_id, "") if memo.code_id else "",
                coding_id=None,
                coded_text="",
                author=memo.author.get_username(),
                created=memo.created,
                updated=memo.updated,
                text=memo.text,
            )
        )
    coding_rows = list(
        visible_codings(access)
        .exclude(memo="")
        .values_list(
            "id",
            "transcript_id",
            "transcript__title",
            "code_id",
            "text",
            "coder__username",
            "created",
            "updated",
            "memo",
            "start",
        )
    )
    for row in coding_rows:
        id_, transcript_id, title, code_id, text, coder, created, updated, memo, _ = row
        entries.append(
            MemoEntry(
                kind="coding",
                transcript_id=transcript_id,
                transcript=title,
                code_id=code_id,
                code_path=paths.get(code_id, ""),
                coding_id=id_,
                coded_text=text,
                author=coder,
                created=created,
                updated=updated,
                text=memo,
            )
        )
    starts = {row[0]: row[9] for row in coding_rows}

    def sort_key(entry: MemoEntry):
        kind = ("transcript", "code", "coding").index(entry.kind)
        if entry.kind == "code":
            where = (order.get(entry.code_id, len(order)), "", 0, 0)
        else:
            where = (
                0,
                entry.transcript,
                entry.transcript_id or 0,
                starts.get(entry.coding_id, 0),
            )
        return (kind, where, entry.created, entry.coding_id or 0)

    return MemoList(
        project=access.project.name,
        generated=timezone.now(),
        memos=sorted(entries, key=sort_key),
        note=MEMO_BLIND_NOTE if access.sees_only_own_codings else "",
    )
