"""The attribute table import page and the attributes CSV."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interviews.models import Attribute

TABLE = "title,country,role\nExpert interviews,Беларусь,expert\nnobody,x,y\n"


def url(project):
    return reverse("attribute_import", args=[project.pk])


def post(client, project, text=TABLE, name="table.csv"):
    upload = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(url(project), {"file": upload})


def attributes():
    return sorted(Attribute.objects.values_list("name", "value"))


@pytest.mark.parametrize("who", ["owner", "coder"])
def test_owners_and_coders_import_and_see_the_report(
    client_for, project, transcript, who, request
):
    response = post(client_for(request.getfixturevalue(who)), project)

    assert response.status_code == 200
    page = response.content.decode()
    assert "1 row matched, 1 transcript updated: 2 values set, 0 removed." in page
    assert "Not matched (1)" in page and "nobody" in page
    assert attributes() == [("country", "Беларусь"), ("role", "expert")]


def test_the_form_page_explains_the_table(client_for, project, coder):
    response = client_for(coder).get(url(project))

    assert response.status_code == 200
    assert "transcript_id" in response.content.decode()
    assert reverse("attribute_export", args=[project.pk]) in response.content.decode()


def test_a_viewer_is_forbidden(client_for, project, transcript, viewer):
    assert client_for(viewer).get(url(project)).status_code == 403
    assert post(client_for(viewer), project).status_code == 403
    assert attributes() == [("country", "Russian Federation")]


def test_an_outsider_gets_404(client_for, project, transcript, outsider):
    assert post(client_for(outsider), project).status_code == 404
    assert attributes() == [("country", "Russian Federation")]


def test_anonymous_is_sent_to_login(client, project, transcript):
    response = post(client, project)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert attributes() == [("country", "Russian Federation")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title\nExpert interviews\n", "at least one attribute column"),
        ("title,role\nExpert interviews,a,b\n", "Row 2 has 3 cells"),
        ("title,role,role\nExpert interviews,a,b\n", "two columns are called"),
    ],
)
def test_a_bad_table_is_refused_with_its_reason_and_changes_nothing(
    client_for, project, transcript, owner, text, message
):
    response = post(client_for(owner), project, text)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert attributes() == [("country", "Russian Federation")]


def test_a_spreadsheet_workbook_is_refused(client_for, project, transcript, owner):
    upload = SimpleUploadedFile("t.xlsx", b"PK\x03\x04xxxx")

    response = client_for(owner).post(url(project), {"file": upload})

    assert "spreadsheet workbook" in response.content.decode()
    assert attributes() == [("country", "Russian Federation")]


def test_names_in_the_report_are_escaped(client_for, project, transcript, owner):
    response = post(
        client_for(owner), project, "title,x\n<script>alert(1)</script>,1\n"
    )

    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("who", ["owner", "coder", "viewer"])
def test_members_download_the_attributes_as_csv(
    client_for, project, transcript, who, request
):
    response = client_for(request.getfixturevalue(who)).get(
        reverse("attribute_export", args=[project.pk])
    )

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body))) == [
        ["transcript_id", "transcript_title", "country"],
        [str(transcript.pk), "Expert interviews", "Russian Federation"],
    ]


def test_the_attributes_csv_is_404_for_outsiders_and_login_for_anonymous(
    client, client_for, project, outsider
):
    export = reverse("attribute_export", args=[project.pk])
    assert client.get(export).status_code == 302
    assert client_for(outsider).get(export).status_code == 404
