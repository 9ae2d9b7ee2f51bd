"""Celery tasks: thin ways in that take ids and call one service."""

from celery import shared_task

from .models import Job
from .services.jobs import run_job
from .services.nlp import detect_sentences


@shared_task
def detect_sentences_task(job_id: int) -> None:
    run_job(job_id=job_id, work=detect_sentences)


TASKS_BY_KIND = {
    Job.Kind.SENTENCES: detect_sentences_task,
}
