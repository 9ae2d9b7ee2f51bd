import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from .. import access
from ..exports import EXPORTS, csv_rows, xlsx_rows
from ..segment_forms import SegmentFilterForm
from ..services import ServiceError
from ..services.export_jobs import (
    delete_export,
    export_filename,
    start_xlsx_export,
    too_large_for_a_request,
)
from ..services.segments import (
    build_segment_export,
    filter_codings,
    load_codebook,
    segment_table_rows,
)
from ..tables import CodingTable, configure_table
from .jobs import polled_status


@login_required
def segment_list(request, project_id):
    acc = access.get_project_for_user(request.user, project_id)
    codebook = load_codebook(project=acc.project)
    form = SegmentFilterForm(request.GET, access=acc, codebook=codebook)
    if not form.is_valid():
        messages.warning(request, "Some filters were not understood and are ignored.")
    try:
        codings = filter_codings(access=acc, codebook=codebook, **form.filters())
    except ServiceError as exc:
        messages.error(request, str(exc))
        codings = access.visible_codings(acc).none()
    table = CodingTable(segment_table_rows(codings), codebook=codebook)
    configure_table(table, request)
    context = {
        "access": acc,
        "project": acc.project,
        "form": form,
        "table": table,
        "export_query": request.GET.urlencode(),
    }
    return render(request, "interviews/segment_list.html", context)


@login_required
def segment_export(request, project_id, fmt):
    acc = access.get_project_for_user(request.user, project_id)
    if fmt not in EXPORTS:
        raise Http404("No such export format")
    try:
        codebook, filters = _export_filters(request, acc)
        codings = filter_codings(access=acc, codebook=codebook, **filters)
        if fmt == "xlsx" and too_large_for_a_request(rows := codings.count()):
            # Too slow to write now: offer to have a worker write it.
            context = {
                "access": acc,
                "project": acc.project,
                "rows": rows,
                "query": request.GET.urlencode(),
                "limit": settings.XLSX_IN_REQUEST_ROWS,
            }
            return render(request, "interviews/export_confirm.html", context)
        response = _export_response(
            build_segment_export(access=acc, codings=codings), fmt
        )
    except (ServiceError, xlsx_rows.TooManyRows) as exc:
        return _nothing_exported(request, exc)
    slug = slugify(acc.project.name, allow_unicode=True) or "project"
    # Quotes, non-ASCII (filename*=utf-8''...) and line breaks handled here.
    response["Content-Disposition"] = content_disposition_header(
        True, f"{slug}-segments.{fmt}"
    )
    return response


def _export_filters(request, acc):
    """Return the codebook and the filters of the export's query string."""
    codebook = load_codebook(project=acc.project)
    form = SegmentFilterForm(request.GET, access=acc, codebook=codebook)
    if not form.is_valid():
        raise ServiceError(_form_problem(form))
    return codebook, form.filters()


def _nothing_exported(request, exc):
    return render(
        request,
        "interviews/error.html",
        {"status": 400, "message": f"Nothing was exported: {exc}"},
        status=400,
    )


@login_required
@require_POST
def export_start(request, project_id):
    """Have a worker write the filtered segments to an Excel file."""
    acc = access.get_project_for_user(request.user, project_id)
    try:
        codebook, filters = _export_filters(request, acc)
        # Refuse a bad filter now rather than in the worker.
        filter_codings(access=acc, codebook=codebook, **filters)
    except ServiceError as exc:
        return _nothing_exported(request, exc)
    export = start_xlsx_export(
        access=acc, user=request.user, filters=filters, query=request.GET.urlencode()
    )
    return redirect(export)


@login_required
def export_detail(request, project_id, export_id):
    acc, export = access.get_export_for_user(request.user, project_id, export_id)
    context = {"access": acc, "project": acc.project, "export": export}
    return render(request, "interviews/export_detail.html", context)


@login_required
def export_status(request, project_id, export_id):
    """Render the job's status; once the file is written, reload the page."""
    acc, export = access.get_export_for_user(request.user, project_id, export_id)
    return polled_status(
        request,
        "interviews/_export_status.html",
        {"project": acc.project, "export": export},
        finished=bool(export.file),
    )


@login_required
def export_download(request, project_id, export_id):
    acc, export = access.get_export_for_user(request.user, project_id, export_id)
    if not export.file:
        raise Http404("The file is not written yet")
    try:
        file = export.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file was deleted") from None
    return FileResponse(
        file,
        as_attachment=True,
        filename=export_filename(export),
        content_type=xlsx_rows.CONTENT_TYPE,
    )


@login_required
@require_POST
def export_delete(request, project_id, export_id):
    acc, export = access.get_export_for_user(request.user, project_id, export_id)
    query = export.query
    delete_export(export=export)
    messages.success(request, "The Excel file was deleted.")
    url = reverse("segment_list", args=[acc.project.pk])
    return redirect(f"{url}?{query}" if query else url)


def _export_response(export, fmt: str, *, sheet_name: str = xlsx_rows.SHEET_NAME):
    if fmt == "csv":
        return StreamingHttpResponse(
            csv_rows.iter_csv(export.header, export.rows),
            content_type=csv_rows.CONTENT_TYPE,
        )
    # XLSX is a zip and cannot be streamed as it is written: build it in a
    # temporary file (XlsxWriter's constant-memory mode keeps the rows out of
    # memory too) and stream it back; the file is deleted when the response
    # closes it.
    return xlsx_response([(sheet_name, export.header, export.rows)])


def xlsx_response(sheets) -> FileResponse:
    """Return a workbook of (name, header, rows) sheets, built in a temp file."""
    file = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        xlsx_rows.write_sheets(sheets, file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return FileResponse(file, content_type=xlsx_rows.CONTENT_TYPE)


def _form_problem(form: SegmentFilterForm) -> str:
    problems = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = (field.label or name.capitalize()) if field else ""
        problems.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return "; ".join(problems)
