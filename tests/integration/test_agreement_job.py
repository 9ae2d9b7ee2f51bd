"""The agreement job, run by a real Celery worker process through the broker."""

import time

import pytest
from django.urls import reverse

from interviews.analysis.agreement import character_agreement
from interviews.models import AgreementRun, Job
from interviews.services.codings import add_coding

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 60


def wait_for_run(run: AgreementRun, worker) -> AgreementRun:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=run.job_id)
        if not job.is_active:
            run.refresh_from_db()
            return run
        time.sleep(0.2)
    pytest.fail(
        f"Agreement job still {job.status} after {WAIT_SECONDS} s; worker log:\n"
        f"{worker.log_tail()}"
    )


def test_worker_computes_and_stores_an_agreement_report(
    celery_worker, project, transcript, codes, owner, coder, client_for
):
    info = codes["info"]
    add_coding(coder=owner, transcript=transcript, code=info, start=100, end=160)
    add_coding(coder=coder, transcript=transcript, code=info, start=110, end=160)
    client = client_for(owner)
    response = client.post(
        reverse("agreement_list", args=[project.pk]),
        {
            "transcripts": [transcript.pk],
            "codes": [info.pk],
            "coders": [owner.pk, coder.pk],
            "mode": "separate",
            "threshold": 90,
        },
    )
    assert response.status_code == 302
    run = wait_for_run(AgreementRun.objects.get(project=project), celery_worker)

    assert run.job.status == Job.Status.DONE, run.job.message
    assert run.job.message == "1 transcripts, 1 codes, 2 coders."
    expected = character_agreement(
        [(owner.pk, info.pk, 100, 160), (coder.pk, info.pk, 110, 160)],
        transcript.length,
        coders=[owner.pk, coder.pk],
    )[info.pk]
    pooled = run.results["by_code"][0]["pooled"]
    assert pooled["cohen_kappa"] == expected.cohen_kappa
    assert pooled["coded_by_all"] == 50
    status = client.get(reverse("agreement_status", args=[project.pk, run.pk]))
    assert status["HX-Refresh"] == "true"
    page = client.get(run.get_absolute_url()).content.decode()
    assert f"{expected.cohen_kappa:.3f}" in page
