"""Suggestions page, review, decisions (forms and JSON) and a code's rules."""

import json

import pytest
from django.urls import reverse

from interviews.models import CodeRule, Coding, Job, Suggestion, SuggestionModel
from interviews.services import suggestions as svc
from interviews.services.projects import create_project
from tests.suggestion_samples import coded_interviews

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"
USERS = ["owner", "coder", "viewer", "outsider", None]


@pytest.fixture
def suggestion(transcript, codes):
    start = transcript.text.index("The main barrier")
    return Suggestion.objects.create(
        transcript=transcript,
        code=codes["financial"],
        start=start,
        end=start + len("The main barrier is financial"),
        score=0.87,
        source=Suggestion.Source.RULE,
        rule="keyword: barrier",
    )


def user(request, who):
    return request.getfixturevalue(who) if who else None


# -- the page --


@pytest.mark.parametrize(
    ("who", "status", "train_form", "accept_button"),
    [
        ("owner", 200, True, True),
        ("coder", 200, False, True),
        ("viewer", 200, False, False),
        ("outsider", 404, False, False),
        (None, 302, False, False),
    ],
)
def test_the_page_by_role(
    request, client_for, project, suggestion, who, status, train_form, accept_button
):
    client = client_for(user(request, who))
    response = client.get(
        reverse("suggestion_page", args=[project.pk]) + f"?code={suggestion.code_id}"
    )
    assert response.status_code == status
    if who is None:
        assert response["Location"].startswith("/accounts/login/")
    if status != 200:
        return
    html = response.content.decode()
    assert "The main barrier is financial" in html
    assert "0.87" in html
    assert (reverse("suggestion_train", args=[project.pk]) in html) is train_form
    assert ('value="accept"' in html) is accept_button


def test_blind_mode_keeps_suggestions_from_coders(client_for, project, coder, owner):
    project.blind_coding = True
    project.save()
    url = reverse("suggestion_page", args=[project.pk])
    assert client_for(coder).get(url).status_code == 403
    assert client_for(owner).get(url).status_code == 200


def test_page_query_count_does_not_grow_with_suggestions(
    client_for, project, owner, suggestion, transcript, codes, django_assert_num_queries
):
    client = client_for(owner)
    url = (
        reverse("suggestion_page", args=[project.pk]) + f"?code={codes['financial'].pk}"
    )
    client.get(url)
    with django_assert_num_queries(14) as first:
        client.get(url)
    for start in range(0, 40, 4):
        Suggestion.objects.create(
            transcript=transcript,
            code=codes["financial"],
            start=start,
            end=start + 3,
            score=0.6,
            source=Suggestion.Source.MODEL,
        )
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["review"]) == 11


def test_names_are_escaped(client_for, project, owner, suggestion, codes):
    codes["financial"].name = XSS
    codes["financial"].save()
    html = (
        client_for(owner)
        .get(
            reverse("suggestion_page", args=[project.pk])
            + f"?code={codes['financial'].pk}"
        )
        .content.decode()
    )
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- training and runs (owners) --


@pytest.mark.parametrize(
    ("who", "status", "queued"),
    [
        ("owner", 302, 1),
        ("coder", 403, 0),
        ("viewer", 403, 0),
        ("outsider", 404, 0),
        (None, 302, 0),
    ],
)
def test_only_owners_train(
    request, client_for, project, owner, coder, codes, who, status, queued
):
    coded_interviews(project=project, owner=owner, coder=coder, codes=codes)
    response = client_for(user(request, who)).post(
        reverse("suggestion_train", args=[project.pk]), {"layer": "all"}
    )
    assert response.status_code == status
    assert SuggestionModel.objects.count() == queued
    assert Job.objects.filter(kind=Job.Kind.SUGGEST_TRAIN).count() == queued


def test_training_with_too_few_codings_shows_the_message(client_for, project, owner):
    response = client_for(owner).post(
        reverse("suggestion_train", args=[project.pk]), {"layer": "all"}, follow=True
    )
    assert "Training needs at least 20 codings" in response.content.decode()
    assert not SuggestionModel.objects.exists()


@pytest.mark.parametrize(
    ("who", "status", "queued"),
    [
        ("owner", 302, 1),
        ("coder", 403, 0),
        ("viewer", 403, 0),
        ("outsider", 404, 0),
        (None, 302, 0),
    ],
)
def test_only_owners_run_suggestions(
    request, client_for, project, transcript, codes, who, status, queued
):
    CodeRule.objects.create(code=codes["info"], kind="keyword", value="transport")
    response = client_for(user(request, who)).post(
        reverse("suggestion_run", args=[project.pk]),
        {"transcripts": [transcript.pk, "x"]},
    )
    assert response.status_code == status
    assert Job.objects.filter(kind=Job.Kind.SUGGEST_RUN).count() == queued
    if queued:
        assert project.suggestion_runs.get().transcript_ids == [transcript.pk]


def test_a_transcript_of_another_project_is_ignored(client_for, project, owner, codes):
    other = create_project(owner=owner, name="Other")
    CodeRule.objects.create(code=codes["info"], kind="keyword", value="transport")
    from interviews.services.transcripts import create_transcript

    foreign = create_transcript(
        project=other, user=owner, title="x", text="x", turns=[], attributes={}
    )
    response = client_for(owner).post(
        reverse("suggestion_run", args=[project.pk]),
        {"transcripts": [foreign.pk]},
        follow=True,
    )
    assert "Choose at least one transcript." in response.content.decode()
    assert not Job.objects.filter(kind=Job.Kind.SUGGEST_RUN).exists()


# -- decisions by form --


@pytest.mark.parametrize(
    ("who", "status", "codings"),
    [
        ("owner", 302, 1),
        ("coder", 302, 1),
        ("viewer", 403, 0),
        ("outsider", 404, 0),
        (None, 302, 0),
    ],
)
def test_accepting_by_form(
    request, client_for, project, suggestion, who, status, codings
):
    person = user(request, who)
    response = client_for(person).post(
        reverse("suggestion_decide", args=[project.pk, suggestion.pk]),
        {"action": "accept"},
    )
    assert response.status_code == status
    assert Coding.objects.count() == codings
    suggestion.refresh_from_db()
    assert suggestion.status == ("accepted" if codings else "open")
    if codings:
        assert Coding.objects.get().coder == person


def test_rejecting_by_form(client_for, project, suggestion, coder):
    client_for(coder).post(
        reverse("suggestion_decide", args=[project.pk, suggestion.pk]),
        {"action": "reject"},
    )
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == ("rejected", coder)
    assert not Coding.objects.exists()


def test_a_suggestion_of_another_project_is_404(client_for, project, owner, suggestion):
    other = create_project(owner=owner, name="Other")
    response = client_for(owner).post(
        reverse("suggestion_decide", args=[other.pk, suggestion.pk]),
        {"action": "accept"},
    )
    assert response.status_code == 404
    assert not Coding.objects.exists()


@pytest.mark.parametrize(
    ("who", "status", "accepted"),
    [
        ("owner", 302, 1),
        ("coder", 302, 1),
        ("viewer", 403, 0),
        ("outsider", 404, 0),
        (None, 302, 0),
    ],
)
def test_accept_all_above(
    request, client_for, project, suggestion, who, status, accepted
):
    response = client_for(user(request, who)).post(
        reverse("suggestion_accept_all", args=[project.pk, suggestion.code_id]),
        {"threshold": "0.8"},
    )
    assert response.status_code == status
    assert Suggestion.objects.filter(status="accepted").count() == accepted
    assert Coding.objects.count() == accepted


def test_accept_all_with_a_bad_threshold_changes_nothing(
    client_for, project, suggestion, coder
):
    response = client_for(coder).post(
        reverse("suggestion_accept_all", args=[project.pk, suggestion.code_id]),
        {"threshold": "2"},
        follow=True,
    )
    assert "between 0 and 1" in response.content.decode()
    assert not Coding.objects.exists()


# -- the JSON API of the coding page --


def api(client, project, suggestion, action, body=None):
    return client.post(
        reverse("api_suggestion_decide", args=[project.pk, suggestion.pk, action]),
        json.dumps(body or {}) if not isinstance(body, str) else body,
        content_type="application/json",
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 201), ("coder", 201), ("viewer", 403), ("outsider", 404), (None, 403)],
)
def test_api_accept(request, client_for, project, suggestion, who, status):
    response = api(client_for(user(request, who)), project, suggestion, "accept")
    assert response.status_code == status
    if status == 201:
        coding = Coding.objects.get()
        assert response.json()["coding"] == [
            coding.pk,
            coding.code_id,
            coding.coder_id,
            suggestion.start,
            suggestion.end,
        ]
        assert response.json()["status"] == "accepted"
    else:
        assert "error" in response.json()
        assert not Coding.objects.exists()


def test_api_accept_with_adjusted_boundaries(client_for, project, suggestion, coder):
    response = api(
        client_for(coder),
        project,
        suggestion,
        "accept",
        {"start": suggestion.start + 9, "end": suggestion.end},
    )
    assert response.status_code == 201
    assert Coding.objects.get().text == "barrier is financial"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "not valid JSON"),
        ({"start": 1.5}, "must be a whole number"),
        ({"start": 0, "end": 10**7}, "must end within the transcript"),
    ],
)
def test_api_refuses_bad_input_and_changes_nothing(
    client_for, project, suggestion, coder, body, message
):
    response = api(client_for(coder), project, suggestion, "accept", body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    suggestion.refresh_from_db()
    assert suggestion.status == "open"
    assert not Coding.objects.exists()


def test_api_reject_and_then_nothing_more(client_for, project, suggestion, coder):
    client = client_for(coder)
    response = api(client, project, suggestion, "reject")
    assert response.json() == {"suggestion": suggestion.pk, "status": "rejected"}
    response = api(client, project, suggestion, "accept")
    assert response.status_code == 400
    assert response.json()["error"] == "This suggestion was already rejected."
    assert not Coding.objects.exists()
    assert api(client, project, suggestion, "explode").status_code == 404


def test_the_coding_page_carries_open_suggestions(
    client_for, project, transcript, suggestion, coder, owner
):
    url = reverse("transcript_detail", args=[project.pk, transcript.pk])
    data = client_for(coder).get(url).context["data"]
    assert data["suggestions"] == [
        [
            suggestion.pk,
            suggestion.code_id,
            suggestion.start,
            suggestion.end,
            0.87,
            "keyword: barrier",
        ]
    ]
    assert data["unit_scores"] == []
    project.blind_coding = True
    project.save()
    assert client_for(coder).get(url).context["data"]["suggestions"] is None
    assert client_for(owner).get(url).context["data"]["suggestions"] != []


# -- rules on a code's page --


def rules_url(project, code):
    return reverse("code_rules", args=[project.pk, code.pk])


def test_owner_previews_rules_without_saving(
    client_for, project, owner, codes, transcript
):
    response = client_for(owner).post(
        rules_url(project, codes["financial"]),
        {"action": "preview", "keyword": "barrier", "phrase": "lack money"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>barrier</mark>" in html
    assert "Expert interviews · keyword: barrier" in html
    assert not CodeRule.objects.exists()


def test_a_preview_cut_short_says_how_much_it_scanned(
    client_for, project, owner, codes, transcript, monkeypatch
):
    monkeypatch.setattr(svc, "PREVIEW_SECONDS", 0)
    response = client_for(owner).post(
        rules_url(project, codes["financial"]), {"action": "preview", "keyword": "x"}
    )
    html = response.content.decode()
    assert 'id="preview-stopped"' in html
    assert "stopped after 0 of 1 transcripts" in html


def test_owner_saves_rules(client_for, project, owner, codes):
    response = client_for(owner).post(
        rules_url(project, codes["financial"]),
        {"action": "save", "keyword": "barrier\nmoney", "regex": r"\bfund"},
    )
    assert response.status_code == 302
    assert sorted(CodeRule.objects.values_list("kind", "value")) == [
        ("keyword", "barrier"),
        ("keyword", "money"),
        ("regex", r"\bfund"),
    ]
    html = (
        client_for(owner)
        .get(reverse("code_detail", args=[project.pk, codes["financial"].pk]))
        .content.decode()
    )
    assert "barrier\nmoney</textarea>" in html


@pytest.mark.parametrize("action", ["save", "preview"])
def test_invalid_rules_are_refused_with_the_reason(
    client_for, project, owner, codes, action
):
    CodeRule.objects.create(code=codes["info"], kind="keyword", value="news")
    response = client_for(owner).post(
        rules_url(project, codes["info"]), {"action": action, "regex": "(unclosed"}
    )
    assert response.status_code == 400
    assert (
        "Regular expression, line 1: Regular expression "
        "&#x27;(unclosed&#x27; is invalid" in response.content.decode()
    )
    assert list(CodeRule.objects.values_list("value", flat=True)) == ["news"]


def test_preview_escapes_the_text_and_the_rule(
    client_for, project, owner, codes, transcript
):
    response = client_for(owner).post(
        rules_url(project, codes["info"]), {"action": "preview", "phrase": XSS}
    )
    assert XSS not in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"), [("coder", 403), ("viewer", 403), ("outsider", 404), (None, 302)]
)
def test_only_owners_change_rules(request, client_for, project, codes, who, status):
    response = client_for(user(request, who)).post(
        rules_url(project, codes["info"]), {"action": "save", "keyword": "news"}
    )
    assert response.status_code == status
    assert not CodeRule.objects.exists()


def test_members_read_the_rules_without_a_form(client_for, project, coder, codes):
    url = reverse("code_detail", args=[project.pk, codes["info"].pk])
    html = client_for(coder).get(url).content.decode()
    assert "No rules yet" in html
    CodeRule.objects.create(code=codes["info"], kind="phrase", value=XSS)
    html = client_for(coder).get(url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</pre>" in html
    assert reverse("code_rules", args=[project.pk, codes["info"].pk]) not in html


def test_the_page_shows_the_evaluation_and_a_changed_codebook(
    client_for, project, owner, coder, codes
):
    from interviews.services import suggestions as svc
    from interviews.services.jobs import run_job

    coded_interviews(project=project, owner=owner, coder=coder, codes=codes)
    model = svc.start_training(project=project, user=owner, layer="all")
    run_job(job_id=model.job_id, work=svc.train_model)
    model.refresh_from_db()
    codes["info"].name = "Info"
    codes["info"].save()

    response = client_for(coder).get(reverse("suggestion_page", args=[project.pk]))
    html = response.content.decode()
    described = svc.describe_settings(model.settings)
    assert f"Model v1 ({described}), trained" in html
    assert "20 codings, 30 sentences" in html
    for label in ("Rules only", "TF-IDF + logistic regression", f"Model: {described}"):
        assert label in html
    assert "The codebook changed since this model was trained" in html
    assert "“Information support” was renamed to “Info”." in html
    rows = response.context["evaluation"]["overall"]
    assert [(r[0], r[1]) for r in rows][:2] == [
        ("Rules only", "micro"),
        ("Rules only", "macro"),
    ]
    # The rules have no threshold; the others give the range of their folds'.
    assert rows[0][4] == ""
    model.refresh_from_db()
    cuts = model.evaluation["systems"]["tfidf"]["fold_thresholds"]
    low, high = f"{min(cuts):.2f}", f"{max(cuts):.2f}"
    assert rows[2][4] == (low if low == high else f"{low}–{high}")
    assert "chosen in each fold by cross-validation" in html
    assert (
        f"This model suggests at scores of {model.settings['threshold']:.2f} or more: "
        "the threshold at which its held-out folds did best." in html
    )
    assert "sg-warning" not in html  # the synthetic codes are easy to learn
    model.evaluation["systems"]["model"]["micro"]["segment_f1"] = 0.0
    model.save()
    html = client_for(coder).get(reverse("suggestion_page", args=[project.pk]))
    assert (
        "In cross-validation this model found none of the held-out codings (it "
        "learned 2 codes from 20 codings)" in html.content.decode()
    )


@pytest.mark.parametrize("extra", [True, False])
def test_the_training_form_names_the_model_it_will_train(
    client_for, project, owner, codes, monkeypatch, extra
):
    from interviews.suggest import encoder

    if extra and not encoder.available():
        pytest.skip("the optional sentence-embedding extra is not installed")
    monkeypatch.setattr(encoder, "available", lambda: extra)

    def page():
        url = reverse("suggestion_page", args=[project.pk])
        return client_for(owner).get(url).content.decode()

    html = page()
    model = (
        "Model: <strong>Logistic regression per code on all-MiniLM-L6-v2 "
        "sentence embeddings and TF-IDF words and word pairs"
    )
    if extra:
        assert f"{model}</strong>" in html
        assert "Encoder: all-MiniLM-L6-v2 sentence embeddings (384 dims)" in html
        assert "sg-defined" not in html
        codes["info"].definition = "Where to find partners."
        codes["info"].save()
        html = page()
        assert f"{model}, drawn towards the definitions of the codes</strong>" in html
        assert "1 code with a definition in the codebook: the model reads it" in html
    else:
        assert (
            "Model: <strong>spaCy textcat_multilabel (bag of words, trained from "
            "scratch)</strong>" in html
        )
        assert "Training uses the lighter model; install the optional extra" in html
