"""Code suggestions: the project's suggestions page, review, and the JSON
API the coding page uses to accept and reject; the rules form of a code.

Suggestions are learned from everyone's coding, so in blind mode only
owners see them (access.get_project_for_suggestions). Owners write rules,
train and run; owners and coders accept and reject.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.db.models.functions import Substr
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import access
from ..models import Code, Suggestion
from ..services import ServiceError
from ..services import suggestions as svc
from .codebook import _detail_page
from .coding import _compact, _error, _json_body, _whole, json_api

REVIEW_LIMIT = 100


def _page_url(project_id, code_id=None) -> str:
    url = reverse("suggestion_page", args=[project_id])
    return f"{url}?code={code_id}#review" if code_id else url


def _review(acc, code_id):
    code = Code.objects.filter(project=acc.project, pk=code_id).first()
    if code is None:
        return None, []
    rows = (
        Suggestion.objects.filter(code=code, status=Suggestion.Status.OPEN)
        .select_related("transcript", "model")
        .defer("transcript__text", "model__data", "model__evaluation")
        .annotate(
            passage=Substr("transcript__text", F("start") + 1, F("end") - F("start"))
        )
        .order_by("-score", "transcript_id", "start")[:REVIEW_LIMIT]
    )
    return code, list(rows)


@login_required
def suggestion_page(request, project_id):
    acc = access.get_project_for_suggestions(request.user, project_id)
    project = acc.project
    models = list(
        project.suggestion_models.select_related("job", "trained_by").defer("data")
    )
    latest = next((m for m in models if m.evaluation is not None), None)
    names = dict(project.codes.values_list("pk", "name"))
    wanted = request.GET.get("code", "")
    ok = wanted.isdigit() and len(wanted) < 12
    code, review = _review(acc, int(wanted)) if ok else (None, [])
    context = {
        "access": acc,
        "project": project,
        "models": models,
        "latest": latest,
        "evaluation": svc.evaluation_rows(latest.evaluation if latest else None, names),
        "changes": svc.codebook_changes(latest) if latest else [],
        "warnings": svc.quality_warnings(latest.evaluation if latest else None),
        "model_choice": svc.model_choice(project),
        "latest_model": svc.describe_settings(latest.settings) if latest else "",
        "layers": svc.layer_choices(project),
        "transcripts": project.transcripts.defer("text"),
        "runs": project.suggestion_runs.select_related("job", "model")[:5],
        "rates": svc.decision_rates(project),
        "weeks": svc.weekly_decisions(project),
        "trends": svc.decision_trends(project),
        "codes": project.codes.all(),
        "review_code": code,
        "review": review,
        "metric_labels": ["Seg. P", "Seg. R", "Seg. F1", "Char P", "Char R", "Char F1"],
    }
    return render(request, "interviews/suggestions.html", context)


@login_required
@require_POST
def suggestion_train(request, project_id):
    acc = access.get_project_for_suggestions(request.user, project_id, owner=True)
    try:
        model = svc.start_training(
            project=acc.project, user=request.user, layer=request.POST.get("layer", "")
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Training model v{model.version}; this page shows its progress."
        )
    return redirect(_page_url(project_id))


@login_required
@require_POST
def suggestion_run(request, project_id):
    acc = access.get_project_for_suggestions(request.user, project_id, owner=True)
    ids = [i for i in request.POST.getlist("transcripts") if i.isdigit()]
    transcripts = list(acc.project.transcripts.defer("text").filter(pk__in=ids))
    try:
        svc.start_suggestions(
            project=acc.project, user=request.user, transcripts=transcripts
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Finding suggestions in {len(transcripts)} transcript(s)."
        )
    return redirect(_page_url(project_id))


@login_required
@require_POST
def suggestion_decide(request, project_id, suggestion_id):
    acc, suggestion = access.get_suggestion_for_user(
        request.user, project_id, suggestion_id, write=True
    )
    try:
        if request.POST.get("action") == "accept":
            svc.accept_suggestion(suggestion=suggestion, user=request.user)
            messages.success(request, "Accepted: it is now your coding.")
        elif request.POST.get("action") == "reject":
            svc.reject_suggestion(suggestion=suggestion, user=request.user)
            messages.success(request, "Rejected: it will not be suggested again.")
        else:
            messages.error(request, "Choose accept or reject.")
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect(_page_url(project_id, suggestion.code_id))


@login_required
@require_POST
def suggestion_accept_all(request, project_id, code_id):
    access.get_project_for_suggestions(request.user, project_id, write=True)
    _, code = access.get_code_for_user(request.user, project_id, code_id, write=True)
    try:
        n = svc.accept_all_above(
            code=code, user=request.user, threshold=request.POST.get("threshold")
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Accepted {n} suggestion{'s' if n != 1 else ''} of “{code.name}”."
        )
    return redirect(_page_url(project_id, code.pk))


# --- JSON API for the coding page --------------------------------------------------


@json_api
def api_suggestion_decide(request, project_id, suggestion_id, action):
    """POST accept ({start, end} optional, to adjust) or reject; answer JSON."""
    if request.method != "POST":
        return _error(405, "Use POST.")
    if action not in ("accept", "reject"):
        return _error(404, "Not found, or not shared with you.")
    body = _json_body(request) if request.body else {}
    acc, suggestion = access.get_suggestion_for_user(
        request.user, project_id, suggestion_id, write=True
    )
    if action == "reject":
        svc.reject_suggestion(suggestion=suggestion, user=request.user)
        return JsonResponse({"suggestion": suggestion.pk, "status": suggestion.status})
    start = _whole(body, "start") if "start" in body else None
    end = _whole(body, "end") if "end" in body else None
    coding = svc.accept_suggestion(
        suggestion=suggestion, user=request.user, start=start, end=end
    )
    return JsonResponse(
        {
            "suggestion": suggestion.pk,
            "status": suggestion.status,
            "coding": _compact(coding),
        },
        status=201,
    )


# --- Rules of a code (shown on the code's page) ---------------------------------------


@login_required
def code_rules(request, project_id, code_id):
    """POST with action=preview shows the matches; action=save saves the rules."""
    if request.method != "POST":
        return redirect(reverse("code_detail", args=[project_id, code_id]) + "#rules")
    acc, code = access.get_code_for_user(request.user, project_id, code_id, owner=True)
    texts = {kind: request.POST.get(kind, "") for kind in svc.RULE_KINDS}
    try:
        if request.POST.get("action") == "save":
            n = svc.save_rules(code=code, texts=texts)
            messages.success(
                request, f"Saved {n} rule{'s' if n != 1 else ''} of “{code.name}”."
            )
            return redirect(
                reverse("code_detail", args=[project_id, code_id]) + "#rules"
            )
        preview = svc.preview_rules(code=code, texts=texts)
    except ServiceError as exc:
        return _detail_page(
            request, acc, code, rules_texts=texts, rules_error=str(exc), status=400
        )
    return _detail_page(request, acc, code, rules_texts=texts, rules_preview=preview)
