"""Celery tasks: thin ways in that take ids and call one service."""

from celery import shared_task

from .models import Job
from .services.agreement import compute_agreement
from .services.export_jobs import write_xlsx_export
from .services.jobs import run_job
from .services.nlp import detect_sentences
from .services.similar import find_similar
from .services.suggestions import find_suggestions, train_model


@shared_task
def detect_sentences_task(job_id: int) -> None:
    run_job(job_id=job_id, work=detect_sentences)


@shared_task
def compute_agreement_task(job_id: int) -> None:
    run_job(job_id=job_id, work=compute_agreement)


@shared_task
def train_suggestion_model_task(job_id: int) -> None:
    run_job(job_id=job_id, work=train_model)


@shared_task
def find_suggestions_task(job_id: int) -> None:
    run_job(job_id=job_id, work=find_suggestions)


@shared_task
def find_similar_task(job_id: int) -> None:
    run_job(job_id=job_id, work=find_similar)


@shared_task
def write_xlsx_export_task(job_id: int) -> None:
    run_job(job_id=job_id, work=write_xlsx_export)


TASKS_BY_KIND = {
    Job.Kind.SENTENCES: detect_sentences_task,
    Job.Kind.AGREEMENT: compute_agreement_task,
    Job.Kind.SUGGEST_TRAIN: train_suggestion_model_task,
    Job.Kind.SUGGEST_RUN: find_suggestions_task,
    Job.Kind.SIMILAR: find_similar_task,
    Job.Kind.EXPORT: write_xlsx_export_task,
}
