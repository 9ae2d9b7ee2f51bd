"""The sentence job, run by a real Celery worker process through the broker."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interviews.models import Job, Sentence, TextVectors, Transcript
from interviews.services.jobs import queue_job
from interviews.suggest import encoder

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 60

# Hand-counted: sentence ends at ".", "!" and paragraph breaks; punctuation
# marks are tokens; offsets are in code points (the Cyrillic letters are one
# each).
TEXT = "Regions trade goods. Universities share research!\n\nТранспорт важен."
EXPECTED_SENTENCES = [(0, 20, 4), (21, 49, 4), (51, 67, 3)]


def wait_for_job(job_id: int, worker) -> Job:
    """Poll the database until the job has finished, or fail with the log."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if not job.is_active:
            return job
        time.sleep(0.2)
    pytest.fail(
        f"Job {job_id} still {job.status} after {WAIT_SECONDS} s; worker log:\n"
        f"{worker.log_tail()}"
    )


def test_worker_runs_the_sentence_job_of_an_imported_transcript(
    celery_worker, project, owner, client_for
):
    client = client_for(owner)
    response = client.post(
        reverse("transcript_import", args=[project.pk]),
        {
            "files": SimpleUploadedFile("regions.txt", TEXT.encode("utf-8")),
            "kind": "interview",
            "attributes": "country: Kazakhstan",
        },
    )
    assert response.status_code == 302
    transcript = Transcript.objects.get(project=project, title="regions")
    job = Job.objects.get(transcript=transcript, kind=Job.Kind.SENTENCES)

    job = wait_for_job(job.pk, celery_worker)

    assert job.status == Job.Status.DONE, job.message
    if encoder.available():  # the worker has the extra too: CI installs it
        assert job.message == (
            "3 sentences, 11 tokens. Sentence vectors stored (all-MiniLM-L6-v2)."
        )
        stored = TextVectors.objects.get(transcript=transcript)
        vectors = encoder.unpack(stored.digests, stored.vectors)
        sentences = [TEXT[s:e] for s, e, _ in EXPECTED_SENTENCES]
        assert set(vectors) == {encoder.digest(s) for s in sentences}
    else:
        assert job.message == "3 sentences, 11 tokens."
        assert not TextVectors.objects.exists()
    assert job.progress == 100
    sentences = list(
        Sentence.objects.filter(transcript=transcript).values_list(
            "start", "end", "token_count"
        )
    )
    assert sentences == EXPECTED_SENTENCES
    transcript.refresh_from_db()
    assert (transcript.sentence_count, transcript.token_count) == (3, 11)
    assert transcript.nlp_pipeline.startswith("spacy.blank('en')")

    fragment = client.get(reverse("job_status", args=[project.pk, job.pk]))
    assert 'data-status="done"' in fragment.content.decode()
    assert "Done" in fragment.content.decode()
    assert "hx-trigger" not in fragment.content.decode()  # polling has stopped
    page = client.get(project.get_absolute_url())
    assert f'id="job-{job.pk}"' in page.content.decode()
    assert "3 sentences, 11 tokens." in page.content.decode()


def test_a_job_that_cannot_run_ends_failed_with_a_message(
    celery_worker, project, owner, client_for
):
    # A sentence job whose transcript is gone: the service refuses it.
    job = queue_job(project=project, kind=Job.Kind.SENTENCES, transcript=None)

    job = wait_for_job(job.pk, celery_worker)

    assert job.status == Job.Status.FAILED
    assert job.message == "The transcript was deleted before the job ran."
    assert job.finished is not None
    fragment = client_for(owner).get(reverse("job_status", args=[project.pk, job.pk]))
    assert 'data-status="failed"' in fragment.content.decode()
    assert "The transcript was deleted before the job ran." in (
        fragment.content.decode()
    )
