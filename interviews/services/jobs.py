import logging

from django.db import transaction
from django.utils import timezone

from ..models import Job, Project, Transcript
from . import ServiceError

logger = logging.getLogger(__name__)


def queue_job(
    *, project: Project, kind: str, transcript: Transcript | None = None
) -> Job:
    """Record a job and send it to the workers once the transaction commits."""
    from .. import tasks  # tasks import services; import here to avoid a cycle

    job = Job.objects.create(project=project, transcript=transcript, kind=kind)
    task = tasks.TASKS_BY_KIND[kind]
    transaction.on_commit(lambda: task.delay(job.pk))
    return job


def run_job(*, job_id: int, work) -> None:
    """Run `work(job, report_progress)` and record its status on the job.

    A ServiceError's message is shown to the user as is; any other error is
    logged and reported as an internal error, so that no traceback leaks.
    """
    job = Job.objects.select_related("project", "transcript").filter(pk=job_id).first()
    if job is None:
        logger.warning("Job %s vanished before it ran", job_id)
        return
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, started=timezone.now(), progress=0
    )

    def report_progress(percent: int) -> None:
        Job.objects.filter(pk=job.pk).update(progress=max(0, min(100, int(percent))))

    try:
        message = work(job, report_progress) or ""
    except ServiceError as exc:
        status, message = Job.Status.FAILED, str(exc)
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        status, message = Job.Status.FAILED, "The job failed with an internal error."
    else:
        status = Job.Status.DONE
    finished = {"status": status, "message": message, "finished": timezone.now()}
    if status == Job.Status.DONE:
        finished["progress"] = 100
    # A failed job keeps the last progress it reported: how far it got.
    Job.objects.filter(pk=job.pk).update(**finished)
