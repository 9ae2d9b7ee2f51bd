"""Large Excel exports: asked for, written by a job, downloaded by their creator."""

import io
import os

import openpyxl
import pytest
from django.urls import reverse

from interviews.models import ExportFile, Job
from interviews.services.codings import add_coding
from interviews.services.export_jobs import write_xlsx_export
from interviews.services.jobs import run_job


@pytest.fixture(autouse=True)
def small_limit(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.XLSX_IN_REQUEST_ROWS = 1


@pytest.fixture
def coded(transcript, codes, owner, coder):
    add_coding(coder=owner, transcript=transcript, code=codes["info"], start=0, end=11)
    add_coding(coder=coder, transcript=transcript, code=codes["info"], start=13, end=20)


def xlsx_url(project, query=""):
    return reverse("segment_export", args=[project.pk, "xlsx"]) + query


def start(client, project, query=""):
    return client.post(reverse("export_start", args=[project.pk]) + query)


def urls(export):
    args = [export.project_id, export.pk]
    return {
        name: reverse(name, args=args)
        for name in ("export_detail", "export_status", "export_download")
    }


def test_a_large_export_offers_a_background_job_instead(
    client_for, project, coded, viewer
):
    response = client_for(viewer).get(xlsx_url(project, "?coder=&code="))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This export has <strong>2</strong> coded segments" in page
    assert reverse("export_start", args=[project.pk]) + "?coder=&amp;code=" in page
    assert not ExportFile.objects.exists()  # a GET changes nothing


def test_a_small_export_is_still_written_at_once(
    client_for, project, coded, owner, settings
):
    settings.XLSX_IN_REQUEST_ROWS = 10
    response = client_for(owner).get(xlsx_url(project))
    assert response["Content-Disposition"].endswith('-segments.xlsx"')


@pytest.mark.parametrize("who", ["owner", "coder", "viewer"])
def test_members_start_an_export_and_download_it_when_written(
    request, client_for, project, coded, who
):
    user = request.getfixturevalue(who)
    client = client_for(user)
    response = start(client, project, f"?coder={user.pk}")
    export = ExportFile.objects.get()
    assert response["Location"] == export.get_absolute_url()
    assert export.created_by == user
    assert export.filters["coder_id"] == user.pk
    assert export.query == f"coder={user.pk}"
    page = client.get(urls(export)["export_detail"]).content.decode()
    assert "Writing the Excel file" in page and 'hx-get="' in page
    assert client.get(urls(export)["export_download"]).status_code == 404
    run_job(job_id=export.job_id, work=write_xlsx_export)
    status = client.get(urls(export)["export_status"])
    assert status["HX-Refresh"] == "true"
    response = client.get(urls(export)["export_download"])
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="eurasian-cooperation-segments.xlsx"'
    )
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content))
    ).active
    expected = 1 if who != "viewer" else 0
    assert sheet.max_row == 1 + expected


def test_only_the_creator_sees_an_export(
    client_for, project, coded, owner, coder, outsider
):
    start(client_for(coder), project)
    export = ExportFile.objects.get()
    run_job(job_id=export.job_id, work=write_xlsx_export)
    for other in (owner, outsider):
        client = client_for(other)
        for url in urls(export).values():
            assert client.get(url).status_code == 404
        delete = reverse("export_delete", args=[project.pk, export.pk])
        assert client.post(delete).status_code == 404
    assert ExportFile.objects.filter(pk=export.pk).exists()


def test_the_creator_deletes_an_export_and_its_file(client_for, project, coded, coder):
    client = client_for(coder)
    start(client, project, "?code=")
    export = ExportFile.objects.get()
    run_job(job_id=export.job_id, work=write_xlsx_export)
    export.refresh_from_db()
    path = export.file.path
    response = client.post(reverse("export_delete", args=[project.pk, export.pk]))
    assert response["Location"] == reverse("segment_list", args=[project.pk]) + "?code="
    assert not ExportFile.objects.exists()

    assert not os.path.exists(path)


def test_a_bad_filter_is_refused_before_any_job(client_for, project, coded, owner):
    response = start(client_for(owner), project, "?code=999999")
    assert response.status_code == 400
    assert "Nothing was exported" in response.content.decode()
    assert not Job.objects.filter(kind=Job.Kind.EXPORT).exists()


def test_export_jobs_stay_off_the_project_page(client_for, project, coded, owner):
    start(client_for(owner), project)
    page = client_for(owner).get(project.get_absolute_url()).content.decode()
    assert "Excel export" not in page


def test_starting_needs_post_and_membership(client_for, project, coded, outsider):
    url = reverse("export_start", args=[project.pk])
    assert client_for(outsider).post(url).status_code == 404
    assert not ExportFile.objects.exists()
