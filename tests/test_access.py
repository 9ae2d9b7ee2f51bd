import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from interviews import access
from interviews.services.codings import add_coding


def test_members_get_their_role(project, owner, coder, viewer):
    assert access.get_project_for_user(owner, project.pk).is_owner
    assert access.get_project_for_user(coder, project.pk).can_code
    assert not access.get_project_for_user(viewer, project.pk).can_code


@pytest.mark.parametrize("user_fixture", ["outsider", None])
def test_outsiders_and_anonymous_get_404(request, project, user_fixture):
    user = request.getfixturevalue(user_fixture) if user_fixture else AnonymousUser()
    with pytest.raises(Http404):
        access.get_project_for_user(user, project.pk)


def test_a_missing_project_is_404(owner):
    with pytest.raises(Http404):
        access.get_project_for_user(owner, 999_999)


def test_write_is_refused_to_viewers(project, viewer, coder):
    with pytest.raises(PermissionDenied):
        access.get_project_for_user(viewer, project.pk, write=True)
    assert access.get_project_for_user(coder, project.pk, write=True).can_code


def test_owner_actions_are_refused_to_coders(project, coder):
    with pytest.raises(PermissionDenied):
        access.get_project_for_user(coder, project.pk, owner=True)


def test_transcript_of_another_project_is_404(project, transcript, owner):
    from interviews.services.projects import create_project

    other = create_project(owner=owner, name="Other")
    with pytest.raises(Http404):
        access.get_transcript_for_user(owner, other.pk, transcript.pk)


def test_blind_mode_hides_other_coders_codings_from_coders_only(
    project, transcript, codes, owner, coder, viewer
):
    mine = add_coding(
        coder=coder, transcript=transcript, code=codes["info"], start=0, end=5
    )
    theirs = add_coding(
        coder=owner, transcript=transcript, code=codes["info"], start=0, end=6
    )
    project.blind_coding = True
    project.save()

    coder_access = access.get_project_for_user(coder, project.pk)
    assert list(access.visible_codings(coder_access)) == [mine]
    with pytest.raises(Http404):
        access.get_coding_for_user(coder, project.pk, theirs.pk)
    owner_access = access.get_project_for_user(owner, project.pk)
    assert set(access.visible_codings(owner_access)) == {mine, theirs}
    viewer_access = access.get_project_for_user(viewer, project.pk)
    assert list(access.visible_codings(viewer_access)) == []


def test_only_the_coder_may_change_a_coding(project, transcript, codes, owner, coder):
    coding = add_coding(
        coder=coder, transcript=transcript, code=codes["info"], start=0, end=5
    )
    assert (
        access.get_coding_for_user(coder, project.pk, coding.pk, write=True)[1]
        == coding
    )
    with pytest.raises(PermissionDenied):
        access.get_coding_for_user(owner, project.pk, coding.pk, write=True)
