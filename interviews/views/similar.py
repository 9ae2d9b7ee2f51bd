"""“More like this”: start a similarity search from a coding, follow its job,
show the sentences found and code them in one click.

Any member who sees a coding may search from it (it only reads text they
can read); a search is private to whoever ran it, since it reflects their
layer. Coding a result needs a coder or owner.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .. import access
from ..models import SimilarSearch
from ..services import ServiceError
from ..services import similar as svc
from .jobs import polled_status


@login_required
def similar_for_coding(request, project_id, coding_id):
    """GET: the start page (or the latest search); POST: search again."""
    acc, coding = access.get_coding_for_user(request.user, project_id, coding_id)
    latest = (
        SimilarSearch.objects.filter(coding=coding, created_by=request.user)
        .select_related("job")
        .first()
    )
    if request.method == "POST":
        if latest and latest.job and latest.job.is_active:
            return redirect(latest)  # already on its way
        try:
            latest = svc.start_similar(
                coding=coding,
                user=request.user,
                own_layer_only=acc.sees_only_own_codings,
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        return redirect(latest or request.path)
    if latest:
        return redirect(latest)
    context = {"access": acc, "project": acc.project, "coding": coding}
    return render(request, "interviews/similar_start.html", context)


@login_required
def similar_search(request, project_id, search_id):
    acc, search = access.get_similar_search_for_user(
        request.user, project_id, search_id
    )
    rows = svc.search_rows(search, access.visible_codings(acc))
    context = {"access": acc, "project": acc.project, "search": search, "rows": rows}
    return render(request, "interviews/similar.html", context)


@login_required
def similar_status(request, project_id, search_id):
    """Render the job's status; once the results are stored, reload the page."""
    acc, search = access.get_similar_search_for_user(
        request.user, project_id, search_id
    )
    return polled_status(
        request,
        "interviews/_similar_status.html",
        {"project": acc.project, "search": search},
        finished=search.results is not None,
    )


@login_required
@require_POST
def similar_code(request, project_id, search_id):
    """Code one listed sentence with the search's code, in the user's layer."""
    acc, search = access.get_similar_search_for_user(
        request.user, project_id, search_id, write=True
    )
    index = request.POST.get("index", "")
    try:
        svc.code_result(search=search, index=index, user=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect(search)
    messages.success(request, f"Coded with “{search.code.name}”.")
    return redirect(f"{search.get_absolute_url()}#r{int(index)}")
