"""Every permission check in the app goes through this module.

A view never filters by user by hand: it asks for the project (or the object
inside it) through one of these helpers, which raise 404 for people outside
the project (so outsiders cannot learn what exists) and 403 for members whose
role does not allow the action.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from .models import (
    AgreementRun,
    Code,
    Coding,
    ExportFile,
    Membership,
    Memo,
    Project,
    SimilarSearch,
    Suggestion,
    Transcript,
)

Role = Membership.Role


@dataclass(frozen=True)
class ProjectAccess:
    """A member's view of a project: the project and what their role allows."""

    project: Project
    user_id: int
    role: str

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def can_code(self) -> bool:
        return self.role in (Role.OWNER, Role.CODER)

    @property
    def sees_only_own_codings(self) -> bool:
        # Blind coding hides other coders' layers from everyone but the
        # owner, who decides when the team compares.
        return self.project.blind_coding and not self.is_owner


def projects_for_user(user) -> QuerySet[Project]:
    """Return the projects `user` is a member of."""
    if not user.is_authenticated:
        return Project.objects.none()
    return Project.objects.filter(memberships__user=user)


def get_project_for_user(
    user, project_id, *, write: bool = False, owner: bool = False
) -> ProjectAccess:
    """Return the access of `user` to a project, or raise.

    Raise Http404 when the user is not a member (or the project does not
    exist), PermissionDenied when `write` (coding and importing) or `owner`
    (managing the project and codebook) is asked of a role that lacks it.
    """
    if not user.is_authenticated:
        raise Http404("No such project")
    membership = (
        Membership.objects.select_related("project")
        .filter(project_id=project_id, user=user)
        .first()
    )
    if membership is None:
        raise Http404("No such project")
    return _checked(
        ProjectAccess(
            project=membership.project, user_id=user.pk, role=membership.role
        ),
        write=write,
        owner=owner,
    )


def _checked(access: ProjectAccess, *, write: bool, owner: bool) -> ProjectAccess:
    if owner and not access.is_owner:
        raise PermissionDenied("Only the project's owners can do this.")
    if write and not access.can_code:
        raise PermissionDenied("Viewers cannot change this project.")
    return access


def get_transcript_for_user(
    user, project_id, transcript_id, *, write: bool = False, owner: bool = False
) -> tuple[ProjectAccess, Transcript]:
    """Return the access and a transcript of that project, or raise 404/403.

    One query finds the transcript, its project and the user's role (coding
    a passage is the commonest request); when it finds nothing, the usual
    two lookups tell an outsider (no such project) from a missing transcript.
    """
    if not user.is_authenticated:
        raise Http404("No such project")
    role = Membership.objects.filter(project_id=OuterRef("project_id"), user=user)
    try:
        transcript = (
            # The text can be megabytes: load it only where a view needs it.
            Transcript.objects.defer("text")
            .select_related("project")
            .annotate(member_role=Subquery(role.values("role")[:1]))
            .filter(pk=transcript_id, project_id=project_id, member_role__isnull=False)
            .get()
        )
    except (Transcript.DoesNotExist, ValueError, TypeError):
        get_project_for_user(user, project_id, write=write, owner=owner)
        raise Http404("No such transcript") from None
    access = ProjectAccess(
        project=transcript.project, user_id=user.pk, role=transcript.member_role
    )
    return _checked(access, write=write, owner=owner), transcript


def get_code_for_user(
    user, project_id, code_id, *, write: bool = False, owner: bool = False
) -> tuple[ProjectAccess, Code]:
    """Return the access and a code of that project, or raise 404/403."""
    access = get_project_for_user(user, project_id, write=write, owner=owner)
    try:
        code = Code.objects.get(pk=code_id, project=access.project)
    except (Code.DoesNotExist, ValueError):
        raise Http404("No such code") from None
    return access, code


def get_export_for_user(
    user, project_id, export_id
) -> tuple[ProjectAccess, ExportFile]:
    """Return the access and one of the user's own Excel exports, or raise 404.

    An export holds what its creator could see (blind mode included), so it
    is theirs alone.
    """
    access = get_project_for_user(user, project_id)
    exports = ExportFile.objects.select_related("job")
    return access, _creators_own(access, exports, export_id, "export")


def _creators_own(access: ProjectAccess, queryset, object_id, what: str):
    """Return the object of the project that this member created, or 404.

    For what holds its creator's view of the project (blind mode included):
    nobody else may see it, not even the owner.
    """
    try:
        found = queryset.get(
            pk=object_id, project=access.project, created_by_id=access.user_id
        )
    except (queryset.model.DoesNotExist, ValueError):
        raise Http404(f"No such {what}") from None
    found.project = access.project
    return found


def visible_codings(access: ProjectAccess) -> QuerySet[Coding]:
    """Return the codings of the project this member may see."""
    codings = Coding.objects.filter(transcript__project=access.project)
    if access.sees_only_own_codings:
        codings = codings.filter(coder_id=access.user_id)
    return codings


def visible_memos(access: ProjectAccess) -> QuerySet[Memo]:
    """Return the memos of the project this member may see.

    Memos on codes are shared: the codebook is common ground. Memos on a
    transcript are notes on its coding, so blind mode hides other members'
    from everyone but the owner, as it hides their codings.
    """
    memos = Memo.objects.filter(project=access.project)
    if access.sees_only_own_codings:
        memos = memos.filter(Q(transcript__isnull=True) | Q(author_id=access.user_id))
    return memos


def get_coding_for_user(
    user, project_id, coding_id, *, write: bool = False
) -> tuple[ProjectAccess, Coding]:
    """Return a coding the user may see; with `write`, only their own.

    Another coder's coding is 404 when hidden by blind mode, 403 when visible
    but not theirs to change.
    """
    access = get_project_for_user(user, project_id, write=write)
    try:
        coding = (
            visible_codings(access).select_related("code", "coder").get(pk=coding_id)
        )
    except (Coding.DoesNotExist, ValueError):
        raise Http404("No such coding") from None
    if write and coding.coder_id != access.user_id:
        raise PermissionDenied("You can only change your own codings.")
    return access, coding


def get_codes_of_project(access: ProjectAccess, code_ids) -> list[Code]:
    """Return the project's codes with these ids, in that order.

    Raise Http404 when the list is empty or any id is not a code of this
    project. Takes the access already checked, so that a request checks the
    membership once.
    """
    try:
        ids = [int(code_id) for code_id in code_ids]
    except (TypeError, ValueError):
        raise Http404("No such code") from None
    found = Code.objects.filter(project=access.project).in_bulk(ids)
    if not ids or any(code_id not in found for code_id in ids):
        raise Http404("No such code")
    return [found[code_id] for code_id in ids]


def get_memo_for_user(
    user, project_id, memo_id, *, write: bool = False
) -> tuple[ProjectAccess, Memo]:
    """Return a memo of the project; with `write`, only the author's own.

    Another member's memo is 403 to change; outsiders get 404.
    """
    access = get_project_for_user(user, project_id, write=write)
    try:
        memo = visible_memos(access).select_related("author").get(pk=memo_id)
    except (Memo.DoesNotExist, ValueError):
        raise Http404("No such memo") from None
    if write and memo.author_id != access.user_id:
        raise PermissionDenied("You can only change your own memos.")
    return access, memo


def _only_owners_when_blind(access: ProjectAccess, what: str) -> None:
    """Refuse, in blind mode, what is computed from everyone's codings.

    `what` completes the message: "only owners see <what> everyone's coding."
    """
    if access.sees_only_own_codings:
        raise PermissionDenied(
            f"Blind coding is on: only owners see {what} everyone's coding."
        )


def get_project_for_agreement(
    user, project_id, *, write: bool = False, owner: bool = False
) -> ProjectAccess:
    """Return the access of a member who may see agreement reports, or raise.

    Reports reveal everyone's coding, so in blind mode only owners see them
    (PermissionDenied for the others). `write` (start a run) needs a coder
    or owner, `owner` (reconcile) an owner.
    """
    access = get_project_for_user(user, project_id, write=write, owner=owner)
    _only_owners_when_blind(access, "agreement reports, since they reveal")
    return access


def get_agreement_run_for_user(
    user, project_id, run_id, *, owner: bool = False
) -> tuple[ProjectAccess, AgreementRun]:
    """Return the access and an agreement run of that project, or raise 404/403."""
    access = get_project_for_agreement(user, project_id, owner=owner)
    try:
        run = AgreementRun.objects.select_related("job", "created_by").get(
            pk=run_id, project=access.project
        )
    except (AgreementRun.DoesNotExist, ValueError):
        raise Http404("No such agreement report") from None
    run.project = access.project
    return access, run


# --- Code suggestions (issue 5) ----------------------------------------------


def get_project_for_suggestions(
    user, project_id, *, write: bool = False, owner: bool = False
) -> ProjectAccess:
    """Return the access of a member who may see suggestions, or raise.

    Suggestions are learned from every coder's codings, so in blind mode
    only owners see them (PermissionDenied for the others), as for
    agreement reports. `write` (accept, reject) needs a coder or owner,
    `owner` (rules, training, runs) an owner.
    """
    access = get_project_for_user(user, project_id, write=write, owner=owner)
    _only_owners_when_blind(access, "suggestions, since they are learned from")
    return access


def get_suggestion_for_user(
    user, project_id, suggestion_id, *, write: bool = False
) -> tuple[ProjectAccess, Suggestion]:
    """Return the access and a suggestion of that project, or raise 404/403."""
    access = get_project_for_suggestions(user, project_id, write=write)
    try:
        suggestion = Suggestion.objects.select_related("code", "transcript").get(
            pk=suggestion_id, transcript__project=access.project
        )
    except (Suggestion.DoesNotExist, ValueError):
        raise Http404("No such suggestion") from None
    return access, suggestion


def get_similar_search_for_user(
    user, project_id, search_id, *, write: bool = False
) -> tuple[ProjectAccess, SimilarSearch]:
    """Return the access and one of the user's own "more like this" searches.

    A search shows its coding's text and what the searcher's layer lacks,
    so it is its creator's alone: anyone else gets 404, as in blind mode.
    """
    access = get_project_for_user(user, project_id, write=write)
    searches = SimilarSearch.objects.select_related("job", "code", "coding")
    return access, _creators_own(access, searches, search_id, "search")
