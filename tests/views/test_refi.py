"""REFI-QDA pages: import a project or codebook, export either."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interviews.formats.refi import validate
from interviews.models import Code, Coding, Project
from interviews.services.codings import add_coding
from tests.refi_samples import sample

ALL_USERS = ["owner", "coder", "viewer", "outsider", None]


def upload(name: str, data: bytes):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def coded(project, codes, transcript, owner, coder):
    add_coding(coder=owner, transcript=transcript, code=codes["info"], start=0, end=11)
    add_coding(coder=coder, transcript=transcript, code=codes["info"], start=0, end=11)
    return project


def as_user(request, client_for, who):
    return client_for(request.getfixturevalue(who) if who else None)


# -- project import ---------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("refi_project_import"))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_any_user_can_import_a_project_and_sees_the_report(client_for, outsider):
    data = sample("qc-1.3.2_demo.qdpx").read_bytes()
    response = client_for(outsider).post(
        reverse("refi_project_import"),
        {"file": upload("demo.qdpx", data), "name": "<script>alert(1)</script>"},
        follow=True,
    )
    assert response.status_code == 200
    project = Project.objects.get(name="<script>alert(1)</script>")
    assert response.redirect_chain == [
        (reverse("refi_import_report", args=[project.pk]), 302)
    ]
    assert project.memberships.get(user=outsider).role == "owner"
    assert Coding.objects.filter(transcript__project=project).count() == 205
    body = response.content.decode()
    assert "Import report" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body


def test_a_bad_file_shows_a_message_and_changes_nothing(client_for, outsider):
    before = Project.objects.count()
    response = client_for(outsider).post(
        reverse("refi_project_import"), {"file": upload("x.qdpx", b"not a zip")}
    )
    assert response.status_code == 200
    assert "not a zip archive" in response.content.decode()
    assert Project.objects.count() == before


def test_the_report_lists_what_was_dropped(client_for, outsider):
    data = sample("refi-spec-annexA2_atlasti-8.4-example-project.qdpx").read_bytes()
    response = client_for(outsider).post(
        reverse("refi_project_import"), {"file": upload("a2.qdpx", data)}, follow=True
    )
    body = response.content.decode()
    assert "on pictures, which this app cannot code" in body
    assert Project.objects.filter(memberships__user=outsider).count() == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 404), ("coder", 403), ("viewer", 403), ("outsider", 404), (None, 302)],
)
def test_the_report_page_is_only_for_the_owner_who_imported(
    request, client_for, project, who, status
):
    # Nobody imported into this project, so even its owner finds no report.
    response = as_user(request, client_for, who).get(
        reverse("refi_import_report", args=[project.pk])
    )
    assert response.status_code == status


def test_reloading_the_report_does_not_import_again(client_for, outsider):
    client = client_for(outsider)
    data = sample("qc-1.3.2_demo.qdpx").read_bytes()
    response = client.post(
        reverse("refi_project_import"), {"file": upload("d.qdpx", data)}
    )
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200
    assert client.get(response.url).status_code == 200
    assert Project.objects.count() == 1


# -- project export -----------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("coder", 403), ("viewer", 403), ("outsider", 404), (None, 302)],
)
def test_only_owners_export_the_whole_project(request, client_for, coded, who, status):
    client = as_user(request, client_for, who)
    response = client.get(reverse("refi_project_export", args=[coded.pk]))
    assert response.status_code == status
    if status == 200:
        data = b"".join(response.streaming_content)
        assert validate.qdpx_errors(io.BytesIO(data)) == []
        assert response["Content-Disposition"].endswith('.qdpx"')
    assert Coding.objects.filter(transcript__project=coded).count() == 2


# -- codebook ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("coder", 200), ("viewer", 200), ("outsider", 404), (None, 302)],
)
def test_members_export_the_codebook(request, client_for, project, codes, who, status):
    response = as_user(request, client_for, who).get(
        reverse("refi_codebook_export", args=[project.pk])
    )
    assert response.status_code == status
    if status == 200:
        assert validate.qdc_errors(response.content) == []


def test_an_empty_codebook_export_says_why(client_for, project, owner):
    response = client_for(owner).get(reverse("refi_codebook_export", args=[project.pk]))
    assert response.status_code == 409
    assert b"empty" in response.content


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("coder", 403), ("viewer", 403), ("outsider", 404), (None, 302)],
)
def test_only_owners_import_a_codebook(
    request, client_for, project, codes, who, status
):
    data = sample("refi-spec-annexA1_codebook.qdc").read_bytes()
    response = as_user(request, client_for, who).post(
        reverse("refi_codebook_import", args=[project.pk]),
        {"file": upload("codes.qdc", data)},
    )
    assert response.status_code == status
    expected = 3 + 6 if status == 200 else 3
    assert Code.objects.filter(project=project).count() == expected


def test_a_broken_codebook_is_refused_with_a_message(client_for, project, owner):
    response = client_for(owner).post(
        reverse("refi_codebook_import", args=[project.pk]),
        {"file": upload("codes.qdc", b"<CodeBook")},
    )
    assert response.status_code == 200
    assert "not well-formed" in response.content.decode()
    assert Code.objects.filter(project=project).count() == 0
