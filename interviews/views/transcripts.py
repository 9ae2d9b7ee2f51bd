from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .. import access
from ..forms import AttributesForm, TranscriptImportForm
from ..services import ServiceError
from ..services.transcripts import import_transcript, set_attributes


@login_required
def transcript_import(request, project_id):
    acc = access.get_project_for_user(request.user, project_id, write=True)
    form = TranscriptImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        imported = 0
        for upload in form.cleaned_data["files"]:
            try:
                transcript = import_transcript(
                    project=acc.project,
                    user=request.user,
                    filename=upload.name,
                    data=upload.read(),
                    attributes=form.cleaned_data["attributes"],
                    kind=form.cleaned_data["kind"],
                )
            except ServiceError as exc:
                messages.error(request, f"Refused {exc}")
            else:
                imported += 1
                messages.success(
                    request, f"Imported {upload.name} as “{transcript.title}”."
                )
        if imported:
            return redirect(acc.project)
    return render(
        request,
        "interviews/transcript_import.html",
        {"access": acc, "project": acc.project, "form": form},
    )


@login_required
def transcript_attributes(request, project_id, transcript_id):
    acc, transcript = access.get_transcript_for_user(
        request.user, project_id, transcript_id, write=True
    )
    initial = "\n".join(f"{a.name}: {a.value}" for a in transcript.attributes.all())
    form = AttributesForm(request.POST or None, initial={"attributes": initial})
    if request.method == "POST" and form.is_valid():
        try:
            set_attributes(
                transcript=transcript, attributes=form.cleaned_data["attributes"]
            )
        except ServiceError as exc:
            form.add_error("attributes", str(exc))
        else:
            messages.success(request, "Attributes saved.")
            return redirect(acc.project)
    context = {
        "access": acc,
        "project": acc.project,
        "transcript": transcript,
        "form": form,
    }
    return render(request, "interviews/transcript_attributes.html", context)
