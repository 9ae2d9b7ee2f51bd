"""“More like this” through the broker and a real Celery worker process,
with whichever similarity method this installation has."""

import pytest
from django.urls import reverse

from interviews.models import Job, SimilarSearch
from interviews.services.codings import add_coding
from interviews.services.transcripts import create_transcript
from interviews.suggest.similar import choose_method
from interviews.text.speakers import detect_turns
from tests.integration.test_sentence_job import wait_for_job
from tests.services.test_similar import QUERY, SECOND_TEXT, add_sentences

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_worker_finds_the_sentences_like_a_coding(
    celery_worker, project, owner, coder, transcript, codes, client_for
):
    second = create_transcript(
        project=project,
        user=owner,
        title="Second round",
        text=SECOND_TEXT,
        turns=detect_turns(SECOND_TEXT),
        attributes={},
    )
    add_sentences(transcript)
    add_sentences(second)
    start = transcript.text.index(QUERY)
    coding = add_coding(
        coder=coder,
        transcript=transcript,
        code=codes["financial"],
        start=start,
        end=start + len(QUERY),
    )
    client = client_for(coder)
    response = client.post(reverse("similar_for_coding", args=[project.pk, coding.pk]))
    search = SimilarSearch.objects.get()
    assert response["Location"] == search.get_absolute_url()
    job = wait_for_job(search.job_id, celery_worker)

    assert job.status == Job.Status.DONE, job.message
    search.refresh_from_db()
    assert search.method == choose_method().label
    # The sentence jobs queued by the imports ran first in this worker and
    # may have replaced the hand-made sentences (theirs keep the speaker).
    assert {r["text"].split(": ", 1)[-1] for r in search.results[:3]} == {
        "Money is scarce for joint projects across the regions.",
        "Joint projects need money from both regions.",
        "Regions lack money for joint projects, again and again.",
    }
    page = client.get(search.get_absolute_url()).content.decode()
    assert f"Similarity: {search.method}" in page
