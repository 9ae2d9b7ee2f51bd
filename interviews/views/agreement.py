"""Agreement reports, the disagreement list and reconciliation.

Reports reveal everyone's coding: access.get_project_for_agreement keeps
them to owners in blind mode. Owners and coders start runs; owners
reconcile. The report page renders results the job stored once.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from .. import access
from ..agreement_forms import AgreementRunForm
from ..analysis.report import methods_paragraph
from ..models import Decision
from ..services import ServiceError
from ..services.agreement import (
    adopt_agreements,
    clean_run_settings,
    decide,
    list_disagreements,
    start_agreement_run,
)
from ..services.agreement_tables import (
    coded_nothing,
    coder_matrix,
    heatmap,
    report_tables,
)
from ..services.segments import SegmentExport
from .jobs import polled_status
from .segments import _export_response, xlsx_response

ALL_TABLES = "all"


@login_required
def agreement_list(request, project_id):
    """List earlier reports and start a new one (POST: owners and coders)."""
    posting = request.method == "POST"
    acc = access.get_project_for_agreement(request.user, project_id, write=posting)
    form = AgreementRunForm(request.POST or None, project=acc.project)
    if posting and form.is_valid():
        data = form.cleaned_data
        try:
            settings = clean_run_settings(
                project=acc.project,
                transcript_ids=data["transcripts"],
                code_ids=data["codes"],
                coder_ids=data["coders"],
                mode=data["mode"],
                threshold=data["threshold"],
                suggester=data["suggester"],
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            run = start_agreement_run(
                project=acc.project, user=request.user, settings=settings
            )
            return redirect(run)
    runs = acc.project.agreement_runs.select_related("job", "created_by").defer(
        "results"
    )
    context = {"access": acc, "project": acc.project, "form": form, "runs": runs}
    status = 400 if posting else 200
    return render(request, "interviews/agreement_list.html", context, status=status)


@login_required
def agreement_report(request, project_id, run_id):
    acc, run = access.get_agreement_run_for_user(request.user, project_id, run_id)
    context = {"access": acc, "project": acc.project, "run": run}
    if run.results:
        results = run.results
        coders = [name for _, name in results["labels"]["coders"]]
        context.update(
            results=results,
            tables=report_tables(results),
            heatmap=heatmap(results),
            matrix=coder_matrix(results),
            methods=methods_paragraph(
                results,
                coder_names=coders,
                n_transcripts=len(results["labels"]["transcripts"]),
            ),
            coders=coders,
            coded_nothing=coded_nothing(results),
        )
    return render(request, "interviews/agreement_report.html", context)


@login_required
def agreement_status(request, project_id, run_id):
    """Render the job's status; once the results are stored, reload the page."""
    acc, run = access.get_agreement_run_for_user(request.user, project_id, run_id)
    return polled_status(
        request,
        "interviews/_agreement_status.html",
        {"project": acc.project, "run": run},
        finished=run.results is not None,
    )


@login_required
def agreement_export(request, project_id, run_id, table, fmt):
    acc, run = access.get_agreement_run_for_user(request.user, project_id, run_id)
    if fmt not in ("csv", "xlsx") or not run.results:
        raise Http404("No such export")
    tables = report_tables(run.results)
    if table == ALL_TABLES and fmt == "xlsx":
        # One workbook, a sheet per table, in the report's order.
        response = xlsx_response(
            (t.name, t.header, t.export_rows()) for t in tables.values()
        )
    elif table in tables:
        chosen = tables[table]
        # The segment exports' writers and response, so both export alike.
        response = _export_response(
            SegmentExport(header=chosen.header, rows=chosen.export_rows()),
            fmt,
            sheet_name=chosen.name,
        )
    else:
        raise Http404("No such table")
    slug = slugify(acc.project.name, allow_unicode=True) or "project"
    response["Content-Disposition"] = content_disposition_header(
        True, f"{slug}-agreement-{run.pk}-{table}.{fmt}"
    )
    return response


@login_required
def agreement_methods(request, project_id, run_id):
    """Return the methods paragraph as plain text."""
    acc, run = access.get_agreement_run_for_user(request.user, project_id, run_id)
    if not run.results:
        raise Http404("The report is not ready yet")
    labels = run.results["labels"]
    text = methods_paragraph(
        run.results,
        coder_names=[name for _, name in labels["coders"]],
        n_transcripts=len(labels["transcripts"]),
    )
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@login_required
def disagreement_list(request, project_id, run_id):
    acc, run = access.get_agreement_run_for_user(request.user, project_id, run_id)
    listing = list_disagreements(run=run)
    context = {
        "access": acc,
        "project": acc.project,
        "run": run,
        "listing": listing,
        "actions": Decision.Action,
    }
    return render(request, "interviews/disagreement_list.html", context)


@login_required
@require_POST
def disagreement_decide(request, project_id, run_id):
    acc, run = access.get_agreement_run_for_user(
        request.user, project_id, run_id, owner=True
    )
    post = request.POST
    # One form per disagreement: the button pressed says what to do, e.g.
    # "accept:<coder id>", "merge", "new" or "reject".
    action, _, coder = post.get("choice", "").partition(":")
    try:
        decide(
            run=run,
            user=request.user,
            transcript_id=post.get("transcript"),
            code_id=post.get("code"),
            region_start=post.get("region_start"),
            region_end=post.get("region_end"),
            action=action,
            coder_id=coder or None,
            coding_ids=post.getlist("codings"),
            start=post.get("start"),
            end=post.get("end"),
            note=post.get("note", ""),
        )
    except ServiceError as exc:
        messages.error(request, f"Nothing was changed: {exc}")
    else:
        messages.success(request, "Decision recorded in the consensus layer.")
    return redirect("disagreement_list", acc.project.pk, run.pk)


@login_required
@require_POST
def agreement_adopt(request, project_id, run_id):
    acc, run = access.get_agreement_run_for_user(
        request.user, project_id, run_id, owner=True
    )
    adopted = adopt_agreements(run=run, user=request.user)
    messages.success(
        request, f"{adopted} agreed stretch{'es' if adopted != 1 else ''} adopted."
    )
    return redirect("disagreement_list", acc.project.pk, run.pk)
