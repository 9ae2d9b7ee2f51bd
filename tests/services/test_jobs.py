"""run_job: the status, message and progress a job's work leaves behind."""

import pytest

from interviews.models import Job
from interviews.services import ServiceError
from interviews.services.jobs import run_job


@pytest.fixture
def job(project):
    return Job.objects.create(project=project, kind=Job.Kind.SENTENCES)


def test_a_finished_job_is_done_at_100_with_its_message(job):
    run_job(job_id=job.pk, work=lambda job, progress: "3 sentences.")
    job.refresh_from_db()
    assert (job.status, job.progress, job.message) == (
        Job.Status.DONE,
        100,
        "3 sentences.",
    )
    assert job.started is not None and job.finished >= job.started


def test_a_failed_job_keeps_the_progress_it_reached_and_says_why(job):
    def work(job, report_progress):
        report_progress(40)
        raise ServiceError("The transcript was deleted.")

    run_job(job_id=job.pk, work=work)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.progress == 40
    assert job.message == "The transcript was deleted."


def test_an_unexpected_error_is_reported_without_its_details(job, caplog):
    def work(job, report_progress):
        raise KeyError("secret internals")

    run_job(job_id=job.pk, work=work)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "The job failed with an internal error."
    assert "secret" not in job.message
    assert "failed" in caplog.text


def test_progress_is_clamped_to_0_100(job):
    seen = []

    def work(job, report_progress):
        report_progress(250)
        seen.append(Job.objects.get(pk=job.pk).progress)
        report_progress(-5)
        seen.append(Job.objects.get(pk=job.pk).progress)

    run_job(job_id=job.pk, work=work)
    assert seen == [100, 0]


def test_a_vanished_job_is_skipped(job):
    pk = job.pk
    job.delete()
    run_job(job_id=pk, work=lambda job, progress: pytest.fail("must not run"))
