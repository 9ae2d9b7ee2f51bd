from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import access
from ..forms import MemberAddForm, ProjectForm, ProjectSettingsForm
from ..models import Job, Membership
from ..services import ServiceError
from ..services.codebook import code_tree
from ..services.projects import add_member, create_project, remove_member


@login_required
def project_list(request):
    projects = access.projects_for_user(request.user).annotate(
        n_transcripts=Count("transcripts", distinct=True)
    )
    return render(request, "interviews/project_list.html", {"projects": projects})


@login_required
def project_create(request):
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = create_project(owner=request.user, **form.cleaned_data)
        return redirect(project)
    return render(request, "interviews/project_form.html", {"form": form})


@login_required
def project_detail(request, project_id):
    acc = access.get_project_for_user(request.user, project_id)
    project = acc.project
    visible = access.visible_codings(acc)
    # Counts come from the codings this member may see, so that blind mode
    # does not leak how much the others have coded.
    codings_seen = (
        Q(codings__coder_id=acc.user_id) if acc.sees_only_own_codings else Q()
    )
    transcripts = (
        project.transcripts.defer("text")
        .annotate(n_codings=Count("codings", filter=codings_seen, distinct=True))
        .prefetch_related("attributes")
    )
    context = {
        "access": acc,
        "project": project,
        "transcripts": transcripts,
        "codes": code_tree(project, codings=visible),
        "members": project.memberships.select_related("user").order_by(
            "role", "user__username"
        ),
        # Excel exports are their creators' own business (views/segments.py).
        "jobs": project.jobs.exclude(kind=Job.Kind.EXPORT)
        .select_related("transcript")
        .defer("transcript__text")[:10],
    }
    return render(request, "interviews/project_detail.html", context)


@login_required
def project_settings(request, project_id):
    acc = access.get_project_for_user(request.user, project_id, owner=True)
    form = ProjectSettingsForm(request.POST or None, instance=acc.project)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Project settings saved.")
        return redirect("project_settings", project_id)
    context = {
        "access": acc,
        "project": acc.project,
        "form": form,
        "member_form": MemberAddForm(),
        "members": acc.project.memberships.select_related("user").order_by(
            "user__username"
        ),
    }
    return render(request, "interviews/project_settings.html", context)


@login_required
@require_POST
def member_add(request, project_id):
    acc = access.get_project_for_user(request.user, project_id, owner=True)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        user = (
            get_user_model()
            .objects.filter(username=form.cleaned_data["username"])
            .first()
        )
        try:
            if user is None:
                raise ServiceError("There is no user with that username.")
            add_member(project=acc.project, user=user, role=form.cleaned_data["role"])
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{user.username} can now open this project.")
    else:
        messages.error(request, "Give a username and a role.")
    return redirect("project_settings", project_id)


@login_required
@require_POST
def member_remove(request, project_id, membership_id):
    acc = access.get_project_for_user(request.user, project_id, owner=True)
    membership = get_object_or_404(Membership, pk=membership_id, project=acc.project)
    try:
        remove_member(membership=membership)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{membership.user.username} was removed.")
    return redirect("project_settings", project_id)
