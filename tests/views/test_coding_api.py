"""The coding JSON API: create, read, change the memo of and remove codings.

Anonymous requests get 403 JSON ({"error": "Sign in first."}), not a redirect
to the login page: the page's script shows the message instead of parsing an
HTML login form.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interviews.models import Code, Coding
from interviews.services.codings import add_coding
from interviews.services.projects import create_project
from interviews.services.transcripts import create_transcript
from tests.conftest import DEMO_TEXT

PHRASE = "transport corridors"  # after Cyrillic and an emoji
START = DEMO_TEXT.index(PHRASE)  # in code points
END = START + len(PHRASE)


def create_url(project):
    return reverse("api_coding_create", args=[project.pk])


def detail_url(coding, project=None):
    project_id = project.pk if project else coding.transcript.project_id
    return reverse("api_coding_detail", args=[project_id, coding.pk])


def post(client, project, body):
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(create_url(project), raw, content_type="application/json")


def patch(client, coding, body):
    return client.patch(
        detail_url(coding), json.dumps(body), content_type="application/json"
    )


def body_for(transcript, code, /, **changes):
    body = {
        "transcript": transcript.pk,
        "code": code.pk,
        "start": START,
        "end": END,
        "text": PHRASE,
    }
    body.update(changes)
    return body


def code_phrase(user, transcript, code, phrase=PHRASE, memo=""):
    start = DEMO_TEXT.index(phrase)
    return add_coding(
        coder=user,
        transcript=transcript,
        code=code,
        start=start,
        end=start + len(phrase),
        memo=memo,
    )


# --- Create: who may ---------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "coder"])
def test_coders_create_a_coding_at_code_point_offsets(
    request, client_for, project, codes, transcript, who
):
    user = request.getfixturevalue(who)
    response = post(client_for(user), project, body_for(transcript, codes["info"]))
    assert response.status_code == 201
    coding = Coding.objects.get()
    assert response.json() == {
        "codings": [[coding.pk, codes["info"].pk, user.pk, START, END]]
    }
    assert (coding.start, coding.end, coding.text) == (START, END, PHRASE)
    assert (coding.coder, coding.code, coding.transcript) == (
        user,
        codes["info"],
        transcript,
    )


def test_several_codes_are_applied_at_once(
    client_for, owner, project, codes, transcript
):
    ids = [codes["info"].pk, codes["financial"].pk]
    body = body_for(transcript, codes["info"], codes=ids)
    del body["code"]
    response = post(client_for(owner), project, body)
    assert response.status_code == 201
    assert [row[1] for row in response.json()["codings"]] == ids
    assert sorted(Coding.objects.values_list("code", flat=True)) == sorted(ids)


def test_several_codes_with_one_duplicate_write_nothing(
    client_for, owner, project, codes, transcript
):
    code_phrase(owner, transcript, codes["financial"])
    body = body_for(
        transcript, codes["info"], codes=[codes["info"].pk, codes["financial"].pk]
    )
    response = post(client_for(owner), project, body)
    assert response.status_code == 400
    assert "already coded" in response.json()["error"]
    assert list(Coding.objects.values_list("code", flat=True)) == [
        codes["financial"].pk
    ]


def test_viewer_cannot_code(client_for, viewer, project, codes, transcript):
    response = post(client_for(viewer), project, body_for(transcript, codes["info"]))
    assert response.status_code == 403
    assert "error" in response.json()
    assert not Coding.objects.exists()


def test_outsider_gets_404(client_for, outsider, project, codes, transcript):
    response = post(client_for(outsider), project, body_for(transcript, codes["info"]))
    assert response.status_code == 404
    assert response.json() == {"error": "Not found, or not shared with you."}
    assert not Coding.objects.exists()


def test_anonymous_gets_403_json(client, project, codes, transcript):
    response = post(client, project, body_for(transcript, codes["info"]))
    assert response.status_code == 403
    assert response.json() == {"error": "Sign in first."}
    assert not Coding.objects.exists()


def test_only_post_creates(client_for, owner, project):
    response = client_for(owner).get(create_url(project))
    assert response.status_code == 405
    assert "error" in response.json()


# --- Create: bad input -------------------------------------------------------


@pytest.mark.parametrize(
    "changes, status, message",
    [
        ({"end": len(DEMO_TEXT) + 1}, 400, "must end within the transcript"),
        ({"start": -1}, 400, "start before it ends"),
        ({"end": START}, 400, "start before it ends"),
        ({"end": START - 3}, 400, "start before it ends"),
        ({"start": "12"}, 400, "whole number"),
        ({"start": 12.0}, 400, "whole number"),
        ({"end": 40.5}, 400, "whole number"),
        ({"start": True}, 400, "whole number"),
        ({"end": None}, 400, "whole number"),
        ({"transcript": "1"}, 400, "whole number"),
        ({"code": False}, 400, "whole number"),
        ({"code": [1]}, 400, "whole number"),
        ({"text": 5}, 400, "must be text"),
        ({"memo": ["x"]}, 400, "must be text"),
        ({"text": "transport corridor"}, 400, "does not match"),
        ({"codes": "1,2"}, 400, "list of 1 to 50"),
        ({"codes": []}, 400, "list of 1 to 50"),
        ({"codes": [1.5]}, 400, "whole number"),
        ({"code": 10**30}, 404, "Not found"),
        ({"transcript": 10**30}, 404, "Not found"),
        ({"code": 987654}, 404, "Not found"),
        ({"transcript": 987654}, 404, "Not found"),
        ({"start": 10**30, "end": 10**30 + 1}, 400, "must end within"),
    ],
)
def test_bad_input_is_refused_with_a_message(
    client_for, owner, project, codes, transcript, changes, status, message
):
    response = post(
        client_for(owner), project, body_for(transcript, codes["info"], **changes)
    )
    assert response.status_code == status
    assert message in response.json()["error"]
    assert not Coding.objects.exists()


@pytest.mark.parametrize("field", ["transcript", "code", "start", "end", "text"])
def test_a_missing_field_is_named(client_for, owner, project, codes, transcript, field):
    body = body_for(transcript, codes["info"])
    del body[field]
    response = post(client_for(owner), project, body)
    assert response.status_code == 400
    assert field in response.json()["error"]
    assert not Coding.objects.exists()


@pytest.mark.parametrize("raw", ["{", "", "[1, 2]", '"text"', "null", b"\xff\xfe"])
def test_malformed_json_is_refused(client_for, owner, project, raw):
    response = post(client_for(owner), project, raw)
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]
    assert not Coding.objects.exists()


def test_a_code_of_another_project_is_404(client_for, owner, project, transcript):
    other = create_project(owner=owner, name="Other")
    foreign = Code.objects.create(project=other, name="Foreign")
    response = post(client_for(owner), project, body_for(transcript, foreign))
    assert response.status_code == 404
    assert not Coding.objects.exists()


def test_a_transcript_of_another_project_is_404(client_for, owner, project, codes):
    other = create_project(owner=owner, name="Other")
    foreign = create_transcript(
        project=other, user=owner, title="F", text=DEMO_TEXT, turns=[], attributes={}
    )
    response = post(client_for(owner), project, body_for(foreign, codes["info"]))
    assert response.status_code == 404
    # Nor through the other project's URL with this project's code.
    response = post(client_for(owner), other, body_for(foreign, codes["info"]))
    assert response.status_code == 404
    assert not Coding.objects.exists()


def test_a_duplicate_coding_is_refused(client_for, owner, project, codes, transcript):
    code_phrase(owner, transcript, codes["info"])
    response = post(client_for(owner), project, body_for(transcript, codes["info"]))
    assert response.status_code == 400
    assert response.json() == {
        "error": "You have already coded exactly this text with this code."
    }
    assert Coding.objects.count() == 1


# --- Create: cost does not grow with the transcript --------------------------


def test_creating_never_reads_the_whole_text_and_costs_the_same(
    client_for, owner, project, codes, transcript
):
    client = client_for(owner)
    post(client, project, body_for(transcript, codes["barriers"]))  # warm session
    big_text = DEMO_TEXT * 2000
    big = create_transcript(
        project=project, user=owner, title="Big", text=big_text, turns=[], attributes={}
    )
    Coding.objects.bulk_create(
        Coding(
            transcript=big,
            code=codes["barriers"],
            coder=owner,
            start=n,
            end=n + 5,
            text=big_text[n : n + 5],
        )
        for n in range(0, 3000)
    )
    counts = []
    for t in (transcript, big):
        with CaptureQueriesContext(connection) as ctx:
            response = post(client, project, body_for(t, codes["info"]))
        assert response.status_code == 201
        counts.append(len(ctx.captured_queries))
        for query in ctx.captured_queries:
            # The coded slice is read from the chunks it falls in, never from
            # the whole text (which a database reads entirely to cut it).
            assert '"INTERVIEWS_TRANSCRIPT"."TEXT"' not in query["sql"].upper()
    assert counts[0] == counts[1]
    # Session, user, transcript with the member's role, codes, chunks, and
    # the INSERT (inside the test's transaction, wrapped in a savepoint).
    assert counts[0] == 8


# --- Read, change, remove ----------------------------------------------------


def test_reading_a_coding_gives_its_text_memo_and_whether_i_may_edit(
    client_for, owner, coder, viewer, codes, transcript
):
    coding = code_phrase(owner, transcript, codes["info"], memo="Logistics")
    mine = client_for(owner).get(detail_url(coding)).json()
    assert mine == {
        "coding": [coding.pk, codes["info"].pk, owner.pk, START, END],
        "coder_name": owner.username,
        "text": PHRASE,
        "memo": "Logistics",
        "can_edit": True,
    }
    for other in (coder, viewer):
        response = client_for(other).get(detail_url(coding))
        assert response.status_code == 200
        assert response.json()["can_edit"] is False


def test_blind_mode_hides_another_coders_coding(
    client_for, owner, coder, project, codes, transcript
):
    project.blind_coding = True
    project.save()
    coding = code_phrase(owner, transcript, codes["info"], memo="Secret")
    client = client_for(coder)
    assert client.get(detail_url(coding)).status_code == 404
    assert patch(client, coding, {"memo": "x"}).status_code == 404
    assert client.delete(detail_url(coding)).status_code == 404
    coding.refresh_from_db()
    assert coding.memo == "Secret"


def test_outsider_and_anonymous_cannot_read(
    client_for, client, outsider, codes, owner, transcript
):
    coding = code_phrase(owner, transcript, codes["info"])
    anonymous = client.get(detail_url(coding))
    assert (anonymous.status_code, anonymous.json()) == (
        403,
        {"error": "Sign in first."},
    )
    assert client_for(outsider).get(detail_url(coding)).status_code == 404


def test_a_coding_through_another_projects_url_is_404(
    client_for, owner, codes, transcript
):
    coding = code_phrase(owner, transcript, codes["info"])
    other = create_project(owner=owner, name="Other")
    response = client_for(owner).get(detail_url(coding, project=other))
    assert response.status_code == 404


def test_owner_of_a_coding_edits_its_memo(client_for, coder, codes, transcript):
    coding = code_phrase(coder, transcript, codes["info"])
    response = patch(client_for(coder), coding, {"memo": "Трансport 🙂"})
    assert response.status_code == 200
    assert response.json()["memo"] == "Трансport 🙂"
    coding.refresh_from_db()
    assert coding.memo == "Трансport 🙂"


@pytest.mark.parametrize(
    "who, status", [("coder", 403), ("viewer", 403), ("outsider", 404)]
)
def test_others_cannot_edit_a_memo(
    request, client_for, owner, codes, transcript, who, status
):
    coding = code_phrase(owner, transcript, codes["info"], memo="Original")
    response = patch(client_for(request.getfixturevalue(who)), coding, {"memo": "Mine"})
    assert response.status_code == status
    assert "error" in response.json()
    coding.refresh_from_db()
    assert coding.memo == "Original"


def test_anonymous_cannot_edit_a_memo(client, owner, codes, transcript):
    coding = code_phrase(owner, transcript, codes["info"], memo="Original")
    assert patch(client, coding, {"memo": "x"}).status_code == 403
    coding.refresh_from_db()
    assert coding.memo == "Original"


@pytest.mark.parametrize("raw", ["{", "[]", '{"memo": 3}', '{"note": "x"}'])
def test_a_bad_memo_body_is_refused(client_for, owner, codes, transcript, raw):
    coding = code_phrase(owner, transcript, codes["info"], memo="Original")
    response = client_for(owner).patch(
        detail_url(coding), raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert "error" in response.json()
    coding.refresh_from_db()
    assert coding.memo == "Original"


def test_owner_of_a_coding_removes_it(client_for, coder, codes, transcript):
    coding = code_phrase(coder, transcript, codes["info"])
    response = client_for(coder).delete(detail_url(coding))
    assert response.status_code == 204
    assert not Coding.objects.exists()


@pytest.mark.parametrize(
    "who, status", [("owner", 403), ("viewer", 403), ("outsider", 404)]
)
def test_others_cannot_remove_a_coding(
    request, client_for, coder, codes, transcript, who, status
):
    # Even the project's owner cannot remove a coder's work from the API.
    coding = code_phrase(coder, transcript, codes["info"])
    response = client_for(request.getfixturevalue(who)).delete(detail_url(coding))
    assert response.status_code == status
    assert Coding.objects.filter(pk=coding.pk).exists()


def test_anonymous_cannot_remove_a_coding(client, coder, codes, transcript):
    coding = code_phrase(coder, transcript, codes["info"])
    assert client.delete(detail_url(coding)).status_code == 403
    assert Coding.objects.filter(pk=coding.pk).exists()


def test_unknown_methods_and_ids_answer_json(client_for, owner, codes, transcript):
    coding = code_phrase(owner, transcript, codes["info"])
    client = client_for(owner)
    response = client.put(detail_url(coding), "{}", content_type="application/json")
    assert response.status_code == 405 and "error" in response.json()
    url = reverse("api_coding_detail", args=[transcript.project_id, 10**30])
    response = client.get(url)
    assert response.status_code == 404 and "error" in response.json()
    assert Coding.objects.count() == 1
