"""The codebook CSV import page: owners only, all or nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interviews.models import Code

TABLE = "path,definition,colour\nBarriers/Legal,Laws and rules,#123456\nNew code,,\n"


def url(project):
    return reverse("codebook_import", args=[project.pk])


def post(client, project, text=TABLE):
    upload = SimpleUploadedFile("codes.csv", text.encode("utf-8"), "text/csv")
    return client.post(url(project), {"file": upload})


def names():
    return sorted(Code.objects.values_list("name", flat=True))


BEFORE = ["Barriers", "Financial difficulties", "Information support"]


def test_the_owner_imports_codes_and_sees_what_was_added(
    client_for, project, codes, owner
):
    response = post(client_for(owner), project)

    assert response.status_code == 200
    page = response.content.decode()
    assert "2 codes added, 0 definitions filled in" in page
    assert "Barriers/Legal" in page
    assert names() == sorted([*BEFORE, "Legal", "New code"])
    legal = Code.objects.get(name="Legal")
    assert (legal.parent, legal.definition, legal.colour) == (
        codes["barriers"],
        "Laws and rules",
        "#123456",
    )


def test_the_owner_sees_the_form(client_for, project, owner):
    response = client_for(owner).get(url(project))

    assert response.status_code == 200
    assert "Import codes from a table" in response.content.decode()


@pytest.mark.parametrize("who", ["coder", "viewer"])
def test_coders_and_viewers_are_forbidden(client_for, project, codes, who, request):
    client = client_for(request.getfixturevalue(who))

    assert client.get(url(project)).status_code == 403
    assert post(client, project).status_code == 403
    assert names() == BEFORE


def test_an_outsider_gets_404(client_for, project, codes, outsider):
    assert post(client_for(outsider), project).status_code == 404
    assert names() == BEFORE


def test_anonymous_is_sent_to_login(client, project, codes):
    response = post(client, project)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert names() == BEFORE


def test_a_bad_row_refuses_the_file_and_changes_nothing(
    client_for, project, codes, owner
):
    response = post(client_for(owner), project, "path\nFine\n" + "x" * 201 + "\n")

    assert response.status_code == 200
    assert "Row 3: A code name can be at most 200 characters." in (
        response.content.decode()
    )
    assert names() == BEFORE


def test_code_names_in_the_report_are_escaped(client_for, project, owner):
    evil = "<img src=x onerror=alert(1)>"  # no "/": that would split the path

    page = post(client_for(owner), project, f"path\n{evil}\n").content.decode()

    assert evil not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert names() == [evil]


def test_the_codebook_page_links_the_import_for_owners_only(
    client_for, project, owner, coder
):
    codebook = reverse("codebook", args=[project.pk])

    assert url(project) in client_for(owner).get(codebook).content.decode()
    assert url(project) not in client_for(coder).get(codebook).content.decode()
