import json

from django.test import Client
from django.urls import reverse


def test_a_failed_csrf_check_on_the_api_answers_json(project, transcript, codes, owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(
        reverse("api_coding_create", args=[project.pk]),
        json.dumps(
            {
                "transcript": transcript.pk,
                "code": codes["info"].pk,
                "start": 0,
                "end": 5,
                "text": "INTER",
            }
        ),  # fmt: skip
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "reload the page" in response.json()["error"]
    assert not transcript.codings.exists()


def test_a_failed_csrf_check_on_a_page_answers_html(project, owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(reverse("project_settings", args=[project.pk]), {})
    assert response.status_code == 403
    assert "reload the page" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
