"""Add codes to a project's codebook from a CSV table (formats.codebook_csv).

Decisions:

- All or nothing: any row the codebook refuses (a name too long, a
  definition too long, ...) refuses the whole file, naming the row, and
  nothing is written.
- A path that is missing is created, with any missing parents on the way;
  a parent that has its own row gets that row's definition and colour,
  wherever the row is in the file. New codes go last among their siblings,
  in file order. A code without a colour gets one from the palette.
- A path that exists already (names compared ignoring case, as the
  codebook does) is left as it is, with one exception: an empty definition
  is filled in from the file. Colours and non-empty definitions are the
  owners' edits and win over the file; the report lists what was skipped.
"""

from dataclasses import dataclass, field

from django.db import transaction

from ..formats import ImportRefused, codebook_csv
from ..models import Code, Project
from . import ServiceError
from .codebook import create_code, update_code


@dataclass
class CodebookImportReport:
    created: list[str] = field(default_factory=list)
    definitions_filled: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


@transaction.atomic
def import_codebook(*, project: Project, data: bytes) -> CodebookImportReport:
    """Add the codes in the CSV `data` to the project; raise ServiceError if refused."""
    try:
        table = codebook_csv.parse(data)
    except ImportRefused as exc:
        raise ServiceError(str(exc)) from exc
    report = CodebookImportReport(ignored_columns=table.ignored_columns)
    rows = {_key(row.path): row for row in table.rows}
    codes = _existing(project)
    created_now: set[tuple[str, ...]] = set()
    for row in table.rows:
        parent = None
        for depth in range(1, len(row.path) + 1):
            key = _key(row.path[:depth])
            own = rows.get(key)
            code = codes.get(key)
            if code is None:
                code = _create(project, row, own, row.path[depth - 1], parent)
                codes[key] = code
                created_now.add(key)
                report.created.append(_path(row.path[:depth]))
            elif own is row and key not in created_now:
                _update(code, row, report)
            parent = code
    return report


def _key(path: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name.casefold() for name in path)


def _path(path: tuple[str, ...]) -> str:
    return codebook_csv.SEPARATOR.join(path)


def _existing(project: Project) -> dict[tuple[str, ...], Code]:
    """Return the project's codes by the casefolded names of their path."""
    codes = {code.pk: code for code in Code.objects.filter(project=project)}
    paths: dict[int, tuple[str, ...]] = {}

    def path_of(code: Code) -> tuple[str, ...]:
        if code.pk not in paths:
            parent = codes.get(code.parent_id)
            above = path_of(parent) if parent is not None else ()
            paths[code.pk] = (*above, code.name.casefold())
        return paths[code.pk]

    return {path_of(code): code for code in codes.values()}


def _create(project, row, own, name, parent) -> Code:
    source = own or row  # the row that names this code, or the one below it
    try:
        return create_code(
            project=project,
            name=name,
            parent=parent,
            definition=own.definition if own else "",
            colour=own.colour if own and own.colour else None,
        )
    except ServiceError as exc:
        raise ServiceError(f"Row {source.row}: {exc} Nothing was imported.") from exc


def _update(code: Code, row, report: CodebookImportReport) -> None:
    path = _path(row.path)
    if row.definition and not code.definition:
        try:
            update_code(code=code, definition=row.definition)
        except ServiceError as exc:
            raise ServiceError(f"Row {row.row}: {exc} Nothing was imported.") from exc
        report.definitions_filled.append(path)
    else:
        report.unchanged.append(path)
