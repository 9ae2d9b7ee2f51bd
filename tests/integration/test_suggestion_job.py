"""Training and a suggestion run, through the broker and a real Celery worker."""

import pytest
from django.urls import reverse

from interviews.models import Job, Suggestion, SuggestionModel
from interviews.services.suggestions import describe_settings, save_rules
from tests.integration.test_sentence_job import wait_for_job
from tests.suggestion_samples import coded_interviews

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_worker_trains_a_model_then_stores_suggestions(
    celery_worker, project, owner, coder, codes, client_for
):
    interviews = coded_interviews(
        project=project, owner=owner, coder=coder, codes=codes
    )
    save_rules(code=codes["financial"], texts={"keyword": "budget"})
    client = client_for(owner)

    response = client.post(
        reverse("suggestion_train", args=[project.pk]), {"layer": f"coder:{coder.pk}"}
    )
    assert response.status_code == 302
    model = SuggestionModel.objects.get(project=project)
    job = wait_for_job(model.job_id, celery_worker)

    assert job.status == Job.Status.DONE, job.message
    assert job.message == "Model v1: 20 codings of 2 codes, 30 sentences (20 coded)."
    model.refresh_from_db()
    assert model.is_trained
    assert model.layer_label == "Coder carl_coder"
    assert set(model.evaluation["systems"]) == {"rules", "tfidf", "model"}
    page = client.get(reverse("suggestion_page", args=[project.pk])).content.decode()
    assert f"Model v1 ({describe_settings(model.settings)}), trained" in page
    assert "TF-IDF + logistic regression (baseline)" in page

    target = interviews[0]
    target.codings.all().delete()
    response = client.post(
        reverse("suggestion_run", args=[project.pk]), {"transcripts": [target.pk]}
    )
    assert response.status_code == 302
    run = project.suggestion_runs.get()
    job = wait_for_job(run.job_id, celery_worker)

    assert job.status == Job.Status.DONE, job.message
    stored = Suggestion.objects.filter(transcript=target)
    assert job.message.startswith(f"{stored.count()} suggestions in 1 transcript")
    rule = stored.get(source=Suggestion.Source.RULE)
    assert target.text[rule.start : rule.end] == "budget"
    assert stored.filter(source=Suggestion.Source.MODEL, model=model).exists()
