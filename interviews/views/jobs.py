from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from .. import access


@login_required
def job_status(request, project_id, job_id):
    """Render one job's status row; the page polls it with htmx while active."""
    acc = access.get_project_for_user(request.user, project_id)
    job = (
        acc.project.jobs.select_related("transcript")
        .defer("transcript__text")
        .filter(pk=job_id)
        .first()
    )
    if job is None:
        raise Http404("No such job")
    return render(request, "interviews/_job.html", {"job": job, "project": acc.project})


def polled_status(request, template: str, context: dict, *, finished: bool):
    """Render a job's status block, which the page polls with htmx.

    Once the work is finished, HX-Refresh reloads the whole page, which then
    shows the results instead of the status.
    """
    response = render(request, template, context)
    if finished:
        response["HX-Refresh"] = "true"
    return response
