"""REFI-QDA exchange pages: import a project or codebook, export either.

A project export holds every coder's codings, so only owners may take it
(blind coding would mean nothing otherwise); the codebook is visible to all
members, so any member may export it.
"""

from dataclasses import asdict

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify

from .. import access
from ..formats.refi.model import ReportLine
from ..services import ServiceError
from ..services import refi as service

LIMIT_MB = settings.UPLOAD_MAX_BYTES // (1024 * 1024)


class ProjectUploadForm(forms.Form):
    file = forms.FileField(
        label="REFI-QDA project (.qdpx)",
        help_text=f"From NVivo, ATLAS.ti, MAXQDA, QualCoder… At most {LIMIT_MB} MB.",
    )
    name = forms.CharField(
        max_length=200, required=False, help_text="Leave empty to keep the file's."
    )


class CodebookUploadForm(forms.Form):
    file = forms.FileField(label="REFI-QDA codebook (.qdc)")


def _filename(project, extension: str) -> str:
    return f"{slugify(project.name) or 'project'}.{extension}"


@login_required
def project_import(request):
    form = ProjectUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = service.import_qdpx(
                owner=request.user,
                data=upload.read(settings.UPLOAD_MAX_BYTES + 1),
                filename=upload.name,
                project_name=form.cleaned_data["name"],
            )
        except ServiceError as exc:
            form.add_error("file", str(exc))
        else:
            # Redirect, so that reloading the report does not import again.
            request.session[_report_key(report.project.pk)] = _to_session(report)
            return redirect("refi_import_report", report.project.pk)
    return render(request, "interviews/refi_import.html", {"form": form})


@login_required
def import_report(request, project_id):
    acc = access.get_project_for_user(request.user, project_id, owner=True)
    data = request.session.get(_report_key(acc.project.pk))
    if data is None:
        raise Http404("The import report is no longer available.")
    report = _from_session(data, acc.project)
    context = {"access": acc, "project": acc.project, "report": report}
    return render(request, "interviews/refi_import.html", context)


def _report_key(project_id: int) -> str:
    return f"refi_import_report_{project_id}"


def _to_session(report: service.ImportReport) -> dict:
    return {
        "filename": report.filename,
        "origin": report.origin,
        "in_file": report.in_file,
        "imported": report.imported,
        "lines": [asdict(line) for line in report.lines],
        "conventions": report.conventions,
    }


def _from_session(data: dict, project) -> service.ImportReport:
    return service.ImportReport(
        filename=data["filename"],
        origin=data["origin"],
        in_file=data["in_file"],
        imported=data["imported"],
        lines=[ReportLine(**line) for line in data["lines"]],
        conventions=[tuple(pair) for pair in data["conventions"]],
        project=project,
    )


@login_required
def project_export(request, project_id):
    acc = access.get_project_for_user(request.user, project_id, owner=True)
    handle = service.export_qdpx_to_tempfile(project=acc.project)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=_filename(acc.project, "qdpx"),
        content_type="application/zip",
    )


@login_required
def codebook_import(request, project_id):
    acc = access.get_project_for_user(request.user, project_id, owner=True)
    form = CodebookUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = service.import_qdc(
                project=acc.project,
                data=upload.read(settings.UPLOAD_MAX_BYTES + 1),
                filename=upload.name,
            )
        except ServiceError as exc:
            form.add_error("file", str(exc))
    context = {"access": acc, "project": acc.project, "form": form, "report": report}
    return render(request, "interviews/refi_codebook_import.html", context)


@login_required
def codebook_export(request, project_id):
    acc = access.get_project_for_user(request.user, project_id)
    try:
        data = service.export_qdc(project=acc.project)
    except ServiceError as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain")
    response = HttpResponse(data, content_type="application/xml")
    name = _filename(acc.project, "qdc")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
