import pytest
from django.urls import reverse

from interviews.models import Membership, Project

XSS = "<script>alert(1)</script>"


def test_anonymous_is_sent_to_login(client, project):
    for url in (reverse("project_list"), reverse("project_detail", args=[project.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_project_list_shows_only_my_projects(client_for, project, outsider, owner):
    response = client_for(owner).get(reverse("project_list"))
    assert project.name in response.content.decode()
    response = client_for(outsider).get(reverse("project_list"))
    assert project.name not in response.content.decode()


def test_project_list_query_count_is_constant(
    client_for, owner, django_assert_num_queries
):
    from interviews.services.projects import create_project

    client = client_for(owner)
    create_project(owner=owner, name="One")
    with django_assert_num_queries(3):
        client.get(reverse("project_list"))
    for n in range(5):
        create_project(owner=owner, name=f"More {n}")
    with django_assert_num_queries(3):
        client.get(reverse("project_list"))


def test_creating_a_project_makes_me_its_owner(client_for, outsider):
    response = client_for(outsider).post(
        reverse("project_create"), {"name": XSS, "description": "d"}
    )
    project = Project.objects.get(name=XSS)
    assert response.status_code == 302
    assert Membership.objects.get(project=project).user == outsider
    assert Membership.objects.get(project=project).role == Membership.Role.OWNER


@pytest.mark.parametrize("who", ["owner", "coder", "viewer"])
def test_members_see_the_project_page(request, client_for, project, transcript, who):
    response = client_for(request.getfixturevalue(who)).get(project.get_absolute_url())
    assert response.status_code == 200
    assert transcript.title in response.content.decode()


def test_outsider_gets_404_on_the_project_page(client_for, project, outsider):
    assert client_for(outsider).get(project.get_absolute_url()).status_code == 404


def test_names_are_escaped(client_for, project, owner, transcript):
    project.name = XSS
    project.save()
    transcript.title = XSS
    transcript.save()
    html = client_for(owner).get(project.get_absolute_url()).content.decode()
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_project_page_query_count_is_constant(
    client_for, project, owner, transcript, django_assert_num_queries
):
    from interviews.services.transcripts import create_transcript

    client = client_for(owner)
    client.get(project.get_absolute_url())  # warm the session
    with django_assert_num_queries(9) as first:
        client.get(project.get_absolute_url())
    for n in range(5):
        create_transcript(
            project=project,
            user=owner,
            title=f"T{n}",
            text="Some text.",
            turns=[],
            attributes={"country": "Armenia"},
        )
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(project.get_absolute_url())


def test_only_owners_open_settings(client_for, project, owner, coder, viewer, outsider):
    url = reverse("project_settings", args=[project.pk])
    assert client_for(owner).get(url).status_code == 200
    assert client_for(coder).get(url).status_code == 403
    assert client_for(viewer).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404


def test_owner_switches_blind_mode(client_for, project, owner):
    url = reverse("project_settings", args=[project.pk])
    client_for(owner).post(url, {"name": project.name, "blind_coding": "on"})
    project.refresh_from_db()
    assert project.blind_coding


def test_coder_cannot_switch_blind_mode(client_for, project, coder):
    url = reverse("project_settings", args=[project.pk])
    response = client_for(coder).post(url, {"name": "x", "blind_coding": "on"})
    project.refresh_from_db()
    assert response.status_code == 403
    assert not project.blind_coding and project.name != "x"


def test_owner_adds_a_member(client_for, project, owner, outsider):
    client_for(owner).post(
        reverse("member_add", args=[project.pk]),
        {"username": outsider.username, "role": "coder"},
    )
    assert Membership.objects.get(project=project, user=outsider).role == "coder"


def test_adding_an_unknown_user_says_so(client_for, project, owner):
    response = client_for(owner).post(
        reverse("member_add", args=[project.pk]),
        {"username": "nobody", "role": "coder"},
        follow=True,
    )
    assert "no user with that username" in response.content.decode()
    assert project.memberships.count() == 3


def test_coder_cannot_add_members(client_for, project, coder, outsider):
    response = client_for(coder).post(
        reverse("member_add", args=[project.pk]),
        {"username": outsider.username, "role": "owner"},
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=outsider).exists()


def test_the_last_owner_cannot_be_removed(client_for, project, owner):
    membership = Membership.objects.get(project=project, user=owner)
    response = client_for(owner).post(
        reverse("member_remove", args=[project.pk, membership.pk]), follow=True
    )
    assert "at least one owner" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_blind_mode_counts_only_my_codings_on_the_project_page(
    client_for, project, transcript, codes, owner, coder
):
    from interviews.services.codings import add_coding

    add_coding(coder=owner, transcript=transcript, code=codes["info"], start=0, end=5)
    add_coding(coder=owner, transcript=transcript, code=codes["info"], start=0, end=6)
    add_coding(coder=coder, transcript=transcript, code=codes["info"], start=0, end=7)
    project.blind_coding = True
    project.save()

    coder_page = client_for(coder).get(project.get_absolute_url())
    assert [t.n_codings for t in coder_page.context["transcripts"]] == [1]
    info = [c for c in coder_page.context["codes"] if c.pk == codes["info"].pk][0]
    assert info.n_codings == 1
    owner_page = client_for(owner).get(project.get_absolute_url())
    assert [t.n_codings for t in owner_page.context["transcripts"]] == [3]


def test_project_page_shows_the_codebook_as_a_tree(client_for, project, codes, owner):
    page = client_for(owner).get(project.get_absolute_url())
    tree = [(c.name, c.depth) for c in page.context["codes"]]
    assert tree == [
        ("Barriers", 0),
        ("Financial difficulties", 1),
        ("Information support", 0),
    ]
