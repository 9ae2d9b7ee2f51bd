"""Table imports: attributes of many transcripts, and codes for the codebook.

Each page is a form with a CSV upload; after the import it shows what was
done. A refused file shows the reason and changes nothing.
"""

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from .. import access
from ..exports import csv_rows
from ..import_forms import TableUploadForm
from ..services import ServiceError
from ..services.attributes import attribute_table, import_attribute_table
from ..services.codebook_import import import_codebook


@login_required
def attribute_import(request, project_id):
    acc = access.get_project_for_user(request.user, project_id, write=True)
    form = TableUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = import_attribute_table(
                project=acc.project, data=upload.read(), filename=upload.name
            )
        except ServiceError as exc:
            form.add_error("file", str(exc))
    context = {"access": acc, "project": acc.project, "form": form, "report": report}
    return render(request, "interviews/attribute_import.html", context)


@login_required
def attribute_export(request, project_id):
    acc = access.get_project_for_user(request.user, project_id)
    header, rows = attribute_table(project=acc.project)
    response = StreamingHttpResponse(
        csv_rows.iter_csv(header, rows), content_type=csv_rows.CONTENT_TYPE
    )
    slug = slugify(acc.project.name, allow_unicode=True) or "project"
    response["Content-Disposition"] = content_disposition_header(
        True, f"{slug}-attributes.csv"
    )
    return response


@login_required
def codebook_import(request, project_id):
    acc = access.get_project_for_user(request.user, project_id, owner=True)
    form = TableUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = import_codebook(
                project=acc.project, data=form.cleaned_data["file"].read()
            )
        except ServiceError as exc:
            form.add_error("file", str(exc))
    context = {"access": acc, "project": acc.project, "form": form, "report": report}
    return render(request, "interviews/codebook_import.html", context)
