"""Import in the browser; a real Celery worker runs the sentence job and the
page shows it finish without being reloaded (htmx polling)."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.services

TEXT = (
    "INTERVIEWER: What helps cooperation?\n"
    "Expert 1 (Kazakhstan): Joint universities help. Transport helps too!\n"
)


def test_an_imported_transcript_shows_its_sentence_job_finish_live(
    # The live server must start before the worker: the other way round its
    # first request was never answered (seen on SQLite and PostgreSQL).
    live_server,
    login,
    celery_worker,
    project,
    owner,
    tmp_path,
):
    upload = tmp_path / "kazakh expert.txt"
    upload.write_text(TEXT, encoding="utf-8")
    page = login(owner, PASSWORD)
    page.goto(live_server.url + reverse("transcript_import", args=[project.pk]))
    page.set_input_files("input[name=files]", str(upload))
    page.fill("textarea[name=attributes]", "country: Kazakhstan")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + project.get_absolute_url())
    job = page.locator("li.job").filter(has_text="kazakh expert")
    # Queued or already running when the page was drawn; the marker shows
    # that the page is not reloaded while the worker finishes the job.
    page.evaluate("window.stillTheSamePage = true")
    job_done = page.locator("li.job[data-status=done]").filter(has_text="kazakh expert")
    job_done.wait_for(timeout=60_000)
    assert page.evaluate("window.stillTheSamePage") is True
    assert "3 sentences" in job.inner_text()
    assert "tokens" in job.inner_text()
