"""REFI-QDA exchange in real Chromium: upload a .qdpx, read the report,
download the export."""

import io

import pytest
from django.urls import reverse

from interviews.formats.refi import validate
from interviews.models import Coding, Project
from tests.conftest import PASSWORD
from tests.refi_samples import sample

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_user_imports_a_project_sees_the_report_and_downloads_the_export(
    live_server, login, owner, tmp_path
):
    path = sample("qc-1.3.2_demo.qdpx")
    page = login(owner, PASSWORD)
    page.goto(live_server.url + reverse("project_list"))
    page.click("text=Import a REFI-QDA project")
    page.set_input_files("input[name=file]", str(path))
    page.fill("input[name=name]", "From qc")
    page.click("button[type=submit]")
    page.wait_for_selector("#refi-report-title")
    counts = page.inner_text(".refi-counts")
    assert "205" in counts
    project = Project.objects.get(name="From qc")
    assert Coding.objects.filter(transcript__project=project).count() == 205

    page.click("text=Open the project")
    with page.expect_download() as download_info:
        page.click("text=Export (.qdpx)")
    download = download_info.value
    target = tmp_path / "export.qdpx"
    download.save_as(target)
    assert download.suggested_filename == "from-qc.qdpx"
    assert validate.qdpx_errors(io.BytesIO(target.read_bytes())) == []


def test_a_refused_file_shows_its_reason_on_the_page(
    live_server, login, owner, tmp_path
):
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"not a zip")
    page = login(owner, PASSWORD)
    page.goto(live_server.url + reverse("refi_project_import"))
    page.set_input_files("input[name=file]", str(bad))
    page.click("button[type=submit]")
    page.wait_for_selector("text=not a zip archive")
    assert not Project.objects.exists()
