"""Coded segments: filtering them for review and turning them into tidy rows.

Every query starts from `access.visible_codings`, so blind mode holds for
the table and the exports alike. The number of queries does not grow with the
number of codings: the codebook is read once (code paths are computed in
Python), the speaker of each coding is a correlated subquery, and the
transcripts' attributes are read in one query.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery

from .. import access as access_module
from ..access import ProjectAccess
from ..models import Attribute, Coding, Project, SpeakerTurn
from . import ServiceError
from .codebook import code_tree

EXPORT_CHUNK_SIZE = 2000


@dataclass
class Codebook:
    """A project's code tree as plain dicts, read in one query."""

    paths: dict[int, str] = field(default_factory=dict)
    colours: dict[int, str] = field(default_factory=dict)
    parents: dict[int, int | None] = field(default_factory=dict)
    # Code ids depth first, siblings in codebook order (position, name).
    order: list[int] = field(default_factory=list)

    def descendants(self, code_id: int) -> set[int]:
        """Return `code_id` and the ids of all codes below it."""
        children: dict[int | None, list[int]] = {}
        for child, parent in self.parents.items():
            children.setdefault(parent, []).append(child)
        found, todo = set(), [code_id]
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo.extend(children.get(current, []))
        return found


def load_codebook(*, project: Project) -> Codebook:
    """Return the project's codes with their paths ("Barriers/Financial ...").

    One query (codebook.code_tree). Paths join the names with "/" exactly as
    written: the codebook refuses "/" in new names, but a name that has one
    anyway is kept, and exports carry the code id as the unambiguous key.
    """
    book = Codebook()
    for code in code_tree(project):
        book.paths[code.pk] = code.path
        book.colours[code.pk] = code.colour
        book.parents[code.pk] = code.parent_id
        book.order.append(code.pk)
    return book


def speaker_subquery() -> Subquery:
    """Return the speaker of the turn containing each coding's start.

    A coding that starts outside every turn (on the line break between two
    turns, or in a document without turns) has no speaker (None).
    """
    return Subquery(
        SpeakerTurn.objects.filter(
            transcript_id=OuterRef("transcript_id"),
            start__lte=OuterRef("start"),
            end__gt=OuterRef("start"),
        )
        .order_by("-start")
        .values("speaker")[:1]
    )


def filter_codings(
    *,
    access: ProjectAccess,
    code_id: int | None = None,
    include_descendants: bool = True,
    coder_id: int | None = None,
    transcript_id: int | None = None,
    attribute_name: str | None = None,
    attribute_value: str | None = None,
    codebook: Codebook | None = None,
) -> QuerySet[Coding]:
    """Return the codings this member may see that match every filter given.

    `code_id` keeps codings of that code and, with `include_descendants`, of
    every code below it. `attribute_name` alone keeps transcripts that have
    the attribute at all; with `attribute_value` the value must match exactly.
    Pass the `codebook` already loaded to save a query. Raise ServiceError for
    a code of another project or a value without an attribute name.
    """
    codings = access_module.visible_codings(access)
    if code_id is not None:
        if codebook is None:
            codebook = load_codebook(project=access.project)
        if code_id not in codebook.paths:
            raise ServiceError("That code is not in this project.")
        if include_descendants:
            codings = codings.filter(code_id__in=sorted(codebook.descendants(code_id)))
        else:
            codings = codings.filter(code_id=code_id)
    if coder_id is not None:
        codings = codings.filter(coder_id=coder_id)
    if transcript_id is not None:
        codings = codings.filter(transcript_id=transcript_id)
    if attribute_value not in (None, "") and not attribute_name:
        raise ServiceError("Choose the attribute that value belongs to.")
    if attribute_name:
        # (transcript, name) is unique, so this join adds no duplicate rows.
        codings = codings.filter(transcript__attributes__name=attribute_name)
        if attribute_value not in (None, ""):
            codings = codings.filter(transcript__attributes__value=attribute_value)
    return codings


def segment_table_rows(codings: QuerySet[Coding]) -> QuerySet[Coding]:
    """Return `codings` ready for the review table: one query per page.

    The transcript's text, which can be megabytes, is never loaded.
    """
    return (
        codings.select_related("transcript", "code", "coder")
        .only(
            "id",
            "start",
            "end",
            "text",
            "memo",
            "created",
            "transcript__id",
            "transcript__title",
            "transcript__project_id",
            "code__id",
            "code__name",
            "code__colour",
            "coder__id",
            "coder__username",
        )
        .annotate(speaker=speaker_subquery())
    )


# --- Tidy export ----------------------------------------------------------

FIXED_BEFORE_ATTRIBUTES = ["project", "transcript_id", "transcript_title", "speaker"]
FIXED_AFTER_ATTRIBUTES = [
    "code_path",
    "code_id",
    "coder",
    "start",
    "end",
    "text",
    "memo",
    "created",
]
# Attribute columns are named "attr:<name>" so that an attribute called
# "text" or "start" can never be confused with the fixed columns.
ATTRIBUTE_PREFIX = "attr:"


@dataclass
class SegmentExport:
    """A tidy table of coded segments: the header and a lazy iterator of rows."""

    header: list[str]
    rows: Iterator[list]


def tidy_header(attribute_names: list[str]) -> list[str]:
    """Return the export's column names.

    One row per coding: project, transcript_id, transcript_title, speaker,
    one `attr:<name>` column per attribute name used in the project (sorted),
    code_path ("Barriers/Financial difficulties"; names are kept as written,
    so a name containing "/" makes the path ambiguous and code_id is the key
    to join on), code_id, coder (username), start and end (code points of the
    transcript text, end exclusive), text, memo, created (UTC).
    """
    return (
        FIXED_BEFORE_ATTRIBUTES
        + [ATTRIBUTE_PREFIX + name for name in attribute_names]
        + FIXED_AFTER_ATTRIBUTES
    )


def build_segment_export(
    *, access: ProjectAccess, codings: QuerySet[Coding]
) -> SegmentExport:
    """Return the header and a streaming iterator of tidy rows for `codings`.

    `codings` comes from filter_codings. Two queries run now (codebook and
    attributes); the rows are read lazily in chunks of EXPORT_CHUNK_SIZE as the
    iterator is consumed, so memory does not grow with the number of rows.
    Row order: transcript title, transcript id, start, end, coding id.
    """
    project = access.project
    codebook = load_codebook(project=project)
    attributes: dict[int, dict[str, str]] = {}
    for transcript_id, name, value in Attribute.objects.filter(
        transcript__project=project
    ).values_list("transcript_id", "name", "value"):
        attributes.setdefault(transcript_id, {})[name] = value
    names = sorted({name for values in attributes.values() for name in values})
    return SegmentExport(
        header=tidy_header(names),
        rows=iter_segment_rows(
            project_name=project.name,
            codings=codings,
            codebook=codebook,
            attributes=attributes,
            attribute_names=names,
        ),
    )


def iter_segment_rows(
    *,
    project_name: str,
    codings: QuerySet[Coding],
    codebook: Codebook,
    attributes: dict[int, dict[str, str]],
    attribute_names: list[str],
) -> Iterator[list]:
    """Yield one tidy row per coding (see tidy_header), reading in chunks."""
    values = (
        codings.annotate(speaker=speaker_subquery())
        .order_by("transcript__title", "transcript_id", "start", "end", "id")
        .values_list(
            "transcript_id",
            "transcript__title",
            "speaker",
            "code_id",
            "coder__username",
            "start",
            "end",
            "text",
            "memo",
            "created",
        )
    )
    for (
        transcript_id,
        title,
        speaker,
        code_id,
        coder,
        start,
        end,
        text,
        memo,
        created,
    ) in values.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        own = attributes.get(transcript_id, {})
        row: list[str | int | datetime | None] = [
            project_name,
            transcript_id,
            title,
            speaker or "",
        ]
        row.extend(own.get(name, "") for name in attribute_names)
        row.extend(
            [
                codebook.paths.get(code_id, ""),
                code_id,
                coder,
                start,
                end,
                text,
                memo,
                created,
            ]
        )
        yield row
