"""Accepting a suggestion at boundaries the coder adjusted (JSON API): good
extents become the coding, bad ones get a clear message and change nothing."""

import json

import pytest
from django.urls import reverse

from interviews.models import Coding, Suggestion

pytestmark = pytest.mark.django_db
PASSAGE = "The main barrier is financial"


@pytest.fixture
def suggestion(transcript, codes):
    start = transcript.text.index(PASSAGE)
    return Suggestion.objects.create(
        transcript=transcript,
        code=codes["financial"],
        start=start,
        end=start + len(PASSAGE),
        score=0.9,
        source=Suggestion.Source.MODEL,
    )


def accept(client, suggestion, body):
    url = reverse(
        "api_suggestion_decide",
        args=[suggestion.transcript.project_id, suggestion.pk, "accept"],
    )
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("extent", "text"),
    [
        (lambda s, e: (s, e), PASSAGE),
        (lambda s, e: (s, e + len(": regions")), PASSAGE + ": regions"),
        (lambda s, e: (s - len("Federation): "), e), "Federation): " + PASSAGE),
        (lambda s, e: (s + len("The "), e - len(" financial")), "main barrier is"),
        (lambda s, e: (e - 1, e + 1), "l:"),  # overlapping by one is enough
    ],
)
def test_adjusted_boundaries_become_the_coding(
    client_for, suggestion, coder, extent, text
):
    start, end = extent(suggestion.start, suggestion.end)
    response = accept(client_for(coder), suggestion, {"start": start, "end": end})
    assert response.status_code == 201, response.json()
    coding = Coding.objects.get()
    assert (coding.text, coding.coder, coding.code_id) == (
        text,
        coder,
        suggestion.code_id,
    )
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.coding) == ("accepted", coding)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (lambda s, e: {"start": s + 5, "end": s + 5}, "must start before it ends"),
        (lambda s, e: {"end": s}, "must start before it ends"),
        (lambda s, e: {"start": e, "end": s}, "must start before it ends"),
        (lambda s, e: {"start": -3}, "at offset 0 or later"),
        (lambda s, e: {"end": 10**7}, "must end within the transcript"),
        (lambda s, e: {"start": True}, "must be a whole number"),
        (lambda s, e: {"end": str(e)}, "must be a whole number"),
        (lambda s, e: {"end": float(e)}, "must be a whole number"),
        (lambda s, e: {"start": None}, "must be a whole number"),
        (lambda s, e: {"start": 0, "end": 11}, "must overlap the suggested passage"),
        (lambda s, e: {"start": e, "end": e + 9}, "must overlap the suggested passage"),
    ],
)
def test_bad_boundaries_get_a_clear_message_and_change_nothing(
    client_for, suggestion, coder, body, message
):
    response = accept(
        client_for(coder), suggestion, body(suggestion.start, suggestion.end)
    )
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Coding.objects.exists()
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.OPEN
