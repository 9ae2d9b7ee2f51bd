"""A large Excel export in the browser: asked for on the segments page,
written by a real Celery worker with its progress shown, then downloaded."""

import openpyxl
import pytest
from django.urls import reverse

from interviews.services.codings import add_coding
from tests.conftest import PASSWORD

pytestmark = pytest.mark.services


def test_a_coder_prepares_and_downloads_a_large_excel_export(
    # The live server must start before the worker (see test_import_job.py).
    live_server,
    login,
    celery_worker,
    settings,
    project,
    transcript,
    codes,
    coder,
):
    settings.XLSX_IN_REQUEST_ROWS = 2
    for start in (0, 13, 30):
        add_coding(
            coder=coder,
            transcript=transcript,
            code=codes["info"],
            start=start,
            end=start + 9,
        )
    page = login(coder, PASSWORD)
    page.goto(live_server.url + reverse("segment_list", args=[project.pk]))
    page.click("text=Export Excel")
    page.wait_for_selector("text=This export has 3 coded segments")
    page.click("text=Prepare the Excel file")
    link = page.locator("#export-status a", has_text="Download the Excel file")
    link.wait_for(timeout=60_000)
    assert "3 coded segments" in page.inner_text("#export-status")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "eurasian-cooperation-segments.xlsx"
    with open(download.path(), "rb") as file:  # a temporary name, no .xlsx
        sheet = openpyxl.load_workbook(file).active
    assert sheet.max_row == 4
    assert [c.value for c in sheet[1]][:3] == [
        "project",
        "transcript_id",
        "transcript_title",
    ]
