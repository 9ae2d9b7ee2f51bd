"""Sentence vectors stored per transcript (services/vectors.py)."""

import numpy as np
import pytest

from interviews.models import Job, Suggestion, TextVectors
from interviews.services import suggestions as svc
from interviews.services.jobs import queue_job, run_job
from interviews.services.nlp import detect_sentences
from interviews.services.vectors import load_vectors
from interviews.suggest import encoder
from tests.suggestion_samples import coded_interviews

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not encoder.available(),
        reason="the optional sentence-embedding extra (requirements-embeddings.txt) "
        "is not installed",
    ),
]

TEXTS = ["Regions lack money for joint projects.", "We hear nothing about them."]


@pytest.fixture(autouse=True)
def fresh_cache():
    encoder.clear_cache()
    yield
    encoder.clear_cache()


def stored(transcript) -> dict[bytes, np.ndarray]:
    row = TextVectors.objects.get(transcript=transcript, encoder=encoder.MODEL_NAME)
    assert row.count == len(bytes(row.digests)) // encoder.DIGEST_SIZE
    return encoder.unpack(row.digests, row.vectors)


def test_vectors_are_computed_once_and_equal_the_encoders(transcript, monkeypatch):
    assert load_vectors(transcript.pk, TEXTS) == 2
    expected = encoder.encode(TEXTS)
    vectors = stored(transcript)
    assert set(vectors) == {encoder.digest(t) for t in TEXTS}
    for text, row in zip(TEXTS, expected, strict=True):
        assert np.array_equal(vectors[encoder.digest(text)], row)

    encoder.clear_cache()
    monkeypatch.setattr(encoder, "_model", lambda: pytest.fail("encoded again"))
    assert load_vectors(transcript.pk, TEXTS) == 0
    assert np.array_equal(encoder.encode(TEXTS), expected)


def test_new_texts_are_added_and_replace_keeps_only_the_given(transcript):
    load_vectors(transcript.pk, TEXTS[:1])
    assert load_vectors(transcript.pk, TEXTS) == 1
    assert len(stored(transcript)) == 2
    assert load_vectors(transcript.pk, TEXTS[1:], replace=True) == 0
    assert set(stored(transcript)) == {encoder.digest(TEXTS[1])}
    assert TextVectors.objects.count() == 1


def test_an_unreadable_row_is_computed_again(transcript):
    load_vectors(transcript.pk, TEXTS)
    TextVectors.objects.update(vectors=b"\x00" * 10)
    encoder.clear_cache()
    assert load_vectors(transcript.pk, TEXTS) == 2
    assert len(stored(transcript)) == 2


def test_without_the_extra_nothing_is_stored(transcript, monkeypatch):
    monkeypatch.setattr(encoder, "available", lambda: False)
    assert load_vectors(transcript.pk, TEXTS) == 0
    assert not TextVectors.objects.exists()


def test_vectors_go_with_their_transcript(transcript):
    load_vectors(transcript.pk, TEXTS)
    transcript.delete()
    assert not TextVectors.objects.exists()


def test_the_sentence_job_stores_the_vectors_the_suggestion_job_uses(
    project, owner, coder, codes, monkeypatch
):
    coded_interviews(project=project, owner=owner, coder=coder, codes=codes)
    model = svc.start_training(project=project, user=owner, layer="all")
    run_job(job_id=model.job_id, work=svc.train_model)
    model.refresh_from_db()
    assert model.settings["kind"] == "embedding"
    new = coded_interviews(project=project, owner=owner, coder=owner, codes=codes, n=1)[
        0
    ]
    new.codings.all().delete()
    job = queue_job(project=project, kind=Job.Kind.SENTENCES, transcript=new)
    run_job(job_id=job.pk, work=detect_sentences)
    job.refresh_from_db()
    assert job.message.endswith("Sentence vectors stored (all-MiniLM-L6-v2).")
    assert len(stored(new)) == new.sentences.count() > 0

    # Another process: nothing in memory, and the encoder may not run.
    encoder.clear_cache()
    svc._LOADED.clear()
    monkeypatch.setattr(encoder, "_model", lambda: pytest.fail("encoded again"))
    run = svc.start_suggestions(project=project, user=owner, transcripts=[new])
    run_job(job_id=run.job_id, work=svc.find_suggestions)
    done = Job.objects.get(pk=run.job_id)
    assert done.status == Job.Status.DONE, done.message
    assert Suggestion.objects.filter(transcript=new, model=model).exists()
