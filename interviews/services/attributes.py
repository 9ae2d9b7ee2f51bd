"""Set attributes of many transcripts at once from a CSV table.

One row per transcript or per participant; the other columns are attribute
names ("attr:country" is read as "country", so the segment export's columns
come back as they went out). Which transcripts a row is for:

- a column named transcript_id anywhere: the transcript with that id (then
  a "transcript_title" or "title" column is ignored);
- otherwise the first column. When its heading is the name of an attribute
  the project already uses ("participant"), a row is for every transcript
  with that value, which is how one row per participant works. Otherwise
  the first column holds a transcript's title, or else its original file
  name (with or without the extension).

Values are compared ignoring case and spaces at the ends. A row that
matches no transcript is reported as unmatched; one whose title or file
name fits several transcripts as ambiguous; both are skipped.

Decisions: a cell sets that attribute of the row's transcripts; an empty
cell removes it (as on the attributes page); attributes in no column are
left alone. Errors (a bad table, a column without a name, a value too long,
two rows for one transcript) refuse the whole file: nothing is written.
"""

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from ..formats import ImportRefused, csv_table
from ..models import Attribute, Project, Transcript
from . import ServiceError
from .transcripts import clean_attributes

ID_COLUMN = "transcript_id"
IGNORED_WITH_ID = {"transcript_title", "title", "transcript"}
ATTRIBUTE_PREFIX = "attr:"


@dataclass
class RowMatch:
    row: int
    key: str
    titles: list[str] = field(default_factory=list)


@dataclass
class AttributeImportReport:
    key_column: str
    matched_by: str  # "id", "attribute", or "title or file name"
    attribute_columns: list[str]
    ignored_columns: list[str]
    matched: list[RowMatch] = field(default_factory=list)
    unmatched: list[RowMatch] = field(default_factory=list)
    ambiguous: list[RowMatch] = field(default_factory=list)
    transcripts_changed: int = 0
    values_set: int = 0
    values_removed: int = 0


@transaction.atomic
def import_attribute_table(
    *, project: Project, data: bytes, filename: str
) -> AttributeImportReport:
    """Apply the attribute table in CSV `data`; raise ServiceError if refused.

    Five queries however long the table: transcripts and attributes to
    match rows, then reading, deleting and inserting the changed attributes.
    """
    try:
        table = csv_table.read_table(data)
    except ImportRefused as exc:
        raise ServiceError(f"{filename}: {exc}") from exc
    key_index, columns, ignored = _columns(table.header, filename)
    finder = _Finder(project, key_column=table.header[key_index])
    # Write a column in the spelling the project already uses for it.
    columns = [
        (index, finder.spelling.get(_fold(name), name)) for index, name in columns
    ]
    report = AttributeImportReport(
        key_column=table.header[key_index],
        matched_by=finder.kind,
        attribute_columns=[name for _, name in columns],
        ignored_columns=ignored,
    )
    planned: dict[int, dict[str, str]] = {}
    first_row: dict[int, int] = {}
    for number, cells in table.rows:
        found = finder.find(cells[key_index])
        match = RowMatch(number, cells[key_index], [t.title for t in found])
        if not found:
            report.unmatched.append(match)
            continue
        if len(found) > 1 and finder.kind != "attribute":
            report.ambiguous.append(match)
            continue
        values = _values(cells, columns, number)
        for transcript in found:
            if transcript.pk in first_row:
                raise ServiceError(
                    f"Rows {first_row[transcript.pk]} and {number} are both for "
                    f"“{transcript.title}”. Nothing was imported."
                )
            first_row[transcript.pk] = number
            planned[transcript.pk] = values
        report.matched.append(match)
    _apply(planned, [name for _, name in columns], report)
    return report


def _columns(header: list[str], filename: str):
    """Return the key column's index, the attribute columns and ignored names."""
    folded = [_fold(name) for name in header]
    by_id = ID_COLUMN in folded
    key_index = folded.index(ID_COLUMN) if by_id else 0
    columns, ignored, seen = [], [], set()
    for index, raw in enumerate(header):
        if index == key_index:
            continue
        name = (
            raw[len(ATTRIBUTE_PREFIX) :] if folded[index].startswith("attr:") else raw
        )
        name = name.strip()
        if by_id and _fold(name) in IGNORED_WITH_ID:
            ignored.append(raw)
            continue
        if not name:
            raise ServiceError(
                f"{filename}: column {index + 1} has no name in the first row. "
                "Nothing was imported."
            )
        if _fold(name) in seen:
            raise ServiceError(
                f"{filename}: two columns are called “{name}”. Nothing was imported."
            )
        seen.add(_fold(name))
        columns.append((index, name))
    if not columns:
        raise ServiceError(
            f"{filename}: the table needs a column naming the transcript and at "
            "least one attribute column. Nothing was imported."
        )
    return key_index, columns, ignored


def _values(cells: list[str], columns, number: int) -> dict[str, str]:
    try:
        return clean_attributes({name: cells[index] for index, name in columns})
    except ServiceError as exc:
        raise ServiceError(f"Row {number}: {exc} Nothing was imported.") from exc


def _fold(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip().casefold()


class _Finder:
    """Find the transcripts a row's key names. Two queries, when created."""

    def __init__(self, project: Project, *, key_column: str):
        transcripts = list(
            Transcript.objects.filter(project=project).only(
                "id", "title", "original_filename"
            )
        )
        by_pk = {t.pk: t for t in transcripts}
        column = _fold(key_column).removeprefix(ATTRIBUTE_PREFIX)
        self.spelling: dict[str, str] = {}
        self.index: dict[str, list[Transcript]] = defaultdict(list)
        self.fallback: dict[str, list[Transcript]] = defaultdict(list)
        by_value: dict[str, list[Transcript]] = defaultdict(list)
        for transcript_id, name, value in (
            Attribute.objects.filter(transcript__project=project)
            .order_by("name", "transcript_id")
            .values_list("transcript_id", "name", "value")
        ):
            self.spelling.setdefault(_fold(name), name)
            if _fold(name) == column:
                by_value[_fold(value)].append(by_pk[transcript_id])
        if column == ID_COLUMN:
            self.kind = "id"
            for t in transcripts:
                self.index[str(t.pk)].append(t)
        elif by_value:
            self.kind = "attribute"
            self.index = by_value
        else:
            self.kind = "title or file name"
            for t in transcripts:
                self.index[_fold(t.title)].append(t)
                name = t.original_filename.replace("\\", "/").rsplit("/", 1)[-1]
                for stem in {_fold(name), _fold(name.rsplit(".", 1)[0])} - {""}:
                    self.fallback[stem].append(t)

    def find(self, key: str) -> list[Transcript]:
        """Return the transcripts `key` names, by title then id."""
        key = _fold(key)
        if self.kind == "id":
            key = key.lstrip("0") or key
        found = self.index.get(key) or self.fallback.get(key, [])
        return sorted(found, key=lambda t: (t.title, t.pk))


def _apply(
    planned: dict[int, dict[str, str]], names: list[str], report: AttributeImportReport
) -> None:
    """Replace the `names` attributes of the planned transcripts."""
    if not planned:
        return
    existing = Attribute.objects.filter(transcript_id__in=planned, name__in=names)
    before = set(existing.values_list("transcript_id", "name"))
    existing.delete()
    new = [
        Attribute(transcript_id=transcript_id, name=name, value=value)
        for transcript_id, values in planned.items()
        for name, value in values.items()
        if value
    ]
    Attribute.objects.bulk_create(new)
    report.values_set = len(new)
    report.values_removed = len(before - {(a.transcript_id, a.name) for a in new})
    report.transcripts_changed = len(planned)


def attribute_table(*, project: Project) -> tuple[list[str], list[list[str]]]:
    """Return the project's attributes as a table to edit and import again.

    Columns: transcript_id, transcript_title, then one per attribute name
    (sorted); one row per transcript, in title order. Two queries.
    """
    values: dict[int, dict[str, str]] = defaultdict(dict)
    for transcript_id, name, value in Attribute.objects.filter(
        transcript__project=project
    ).values_list("transcript_id", "name", "value"):
        values[transcript_id][name] = value
    names = sorted({name for found in values.values() for name in found})
    rows = [
        [str(pk), title, *(values[pk].get(name, "") for name in names)]
        for pk, title in Transcript.objects.filter(project=project)
        .order_by("title", "id")
        .values_list("id", "title")
    ]
    return [ID_COLUMN, "transcript_title", *names], rows
