"""Excel exports too large to write during a request, written by a worker.

A CSV export streams, so it starts at once however large it is. An Excel
file is a zip that can only be sent once complete, and XlsxWriter needs tens
of seconds for 100,000 rows: past settings.XLSX_IN_REQUEST_ROWS rows the
file is written by a job, with its progress shown, into default_storage
(MEDIA_ROOT), and downloaded from there by its creator.
"""

import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from .. import access as access_module
from ..access import ProjectAccess
from ..exports import xlsx_rows
from ..models import ExportFile, Job
from . import ServiceError
from .jobs import queue_job
from .segments import build_segment_export, filter_codings, load_codebook

PROGRESS_EVERY = 1000


def too_large_for_a_request(rows: int) -> bool:
    return rows > settings.XLSX_IN_REQUEST_ROWS


def start_xlsx_export(
    *, access: ProjectAccess, user, filters: dict, query: str = ""
) -> ExportFile:
    """Queue the job that writes the filtered segments to an Excel file."""
    delete_expired_exports()
    with transaction.atomic():
        job = queue_job(project=access.project, kind=Job.Kind.EXPORT)
        return ExportFile.objects.create(
            project=access.project,
            job=job,
            created_by=user,
            filters=filters,
            query=query,
        )


def export_filename(export: ExportFile) -> str:
    slug = slugify(export.project.name, allow_unicode=True) or "project"
    return f"{slug}-segments.xlsx"


def _counting(
    rows: Iterable, total: int, report_progress: Callable[[int], None]
) -> Iterator:
    for number, row in enumerate(rows, start=1):
        if number % PROGRESS_EVERY == 0:
            # The last few percent are for saving the file.
            report_progress(95 * number // max(total, 1))
        yield row


def write_xlsx_export(job: Job, report_progress) -> str:
    """Write the export whose job this is, as its creator may see it now."""
    export = (
        ExportFile.objects.select_related("project", "created_by")
        .filter(job=job)
        .first()
    )
    if export is None:
        raise ServiceError("The export was deleted before it was written.")
    try:
        # Checked again now: the creator may have left the project.
        acc = access_module.get_project_for_user(export.created_by, export.project_id)
    except Http404:
        raise ServiceError("You are no longer a member of this project.") from None
    codebook = load_codebook(project=acc.project)
    codings = filter_codings(access=acc, codebook=codebook, **export.filters)
    total = codings.count()
    if total >= xlsx_rows.MAX_ROWS:
        raise ServiceError(
            f"An Excel sheet holds at most {xlsx_rows.MAX_ROWS - 1:,} rows and "
            f"this export has {total:,}; use the CSV export."
        )
    table = build_segment_export(access=acc, codings=codings)
    with tempfile.TemporaryFile(suffix=".xlsx") as file:
        xlsx_rows.write(
            table.header, _counting(table.rows, total, report_progress), file
        )
        file.seek(0)
        # The id keeps each export's file its own (download name aside).
        name = f"{export.pk}-{export_filename(export)}"
        export.file.save(name, File(file), save=False)
    export.rows = total
    export.save(update_fields=["file", "rows"])
    return f"{total:,} coded segment{'s' if total != 1 else ''} written."


def delete_expired_exports() -> int:
    """Delete exports (and their files) older than EXPORT_KEEP_DAYS."""
    since = timezone.now() - timedelta(days=settings.EXPORT_KEEP_DAYS)
    expired = list(ExportFile.objects.filter(created__lt=since))
    for export in expired:
        delete_export(export=export)
    return len(expired)


def delete_export(*, export: ExportFile) -> None:
    if export.file:
        export.file.delete(save=False)
    export.delete()
