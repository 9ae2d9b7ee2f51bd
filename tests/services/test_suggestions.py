"""Suggestion services: rules, training, the suggestion job, decisions."""

import pytest

from interviews.models import (
    Code,
    CodeRule,
    Coding,
    Job,
    Suggestion,
    SuggestionModel,
    UnitScores,
)
from interviews.services import ServiceError
from interviews.services import suggestions as svc
from interviews.services.codings import add_coding
from interviews.services.jobs import run_job
from interviews.services.transcripts import create_transcript
from interviews.suggest import encoder
from tests.suggestion_samples import coded_interviews

pytestmark = pytest.mark.django_db


@pytest.fixture
def interviews(project, owner, coder, codes):
    return coded_interviews(project=project, owner=owner, coder=coder, codes=codes)


def rules_of(code):
    return sorted(code.rules.values_list("kind", "value"))


def train(project, owner, layer="all") -> SuggestionModel:
    model = svc.start_training(project=project, user=owner, layer=layer)
    run_job(job_id=model.job_id, work=svc.train_model)
    model.refresh_from_db()
    return model


def run(project, owner, transcripts) -> Job:
    suggestion_run = svc.start_suggestions(
        project=project, user=owner, transcripts=transcripts
    )
    run_job(job_id=suggestion_run.job_id, work=svc.find_suggestions)
    return Job.objects.get(pk=suggestion_run.job_id)


# -- rules --


def test_saving_rules_replaces_them_one_per_line(codes):
    code = codes["financial"]
    svc.save_rules(code=code, texts={"keyword": "money\n\n budget \nmoney"})
    n = svc.save_rules(
        code=code,
        texts={"keyword": "funds", "phrase": "lack of money", "regex": r"\bfund"},
    )
    assert n == 3
    assert rules_of(code) == [
        ("keyword", "funds"),
        ("phrase", "lack of money"),
        ("regex", r"\bfund"),
    ]
    assert svc.rules_text(code)["phrase"] == "lack of money"


def test_an_invalid_rule_is_refused_and_nothing_changes(codes):
    code = codes["financial"]
    svc.save_rules(code=code, texts={"keyword": "money"})
    with pytest.raises(ServiceError) as info:
        svc.save_rules(
            code=code,
            texts={"keyword": "budget", "regex": "ok\n(broken", "pattern": "[{]"},
        )
    message = str(info.value)
    assert (
        "Regular expression, line 2: Regular expression '(broken' is invalid" in message
    )
    assert "Token pattern (JSON), line 1: Pattern '[{]' is not valid JSON" in message
    assert rules_of(code) == [("keyword", "money")]


def test_preview_shows_matches_with_context_and_saves_nothing(codes, interviews):
    preview = svc.preview_rules(
        code=codes["financial"], texts={"keyword": "budget"}, limit=3
    )
    assert preview["more"] is True
    assert len(preview["matches"]) == 3
    first = preview["matches"][0]
    assert first["match"] == "budget"
    assert first["before"].endswith("The ")
    assert first["after"].startswith(" for cooperation")
    assert first["source"] == "keyword: budget"
    assert not CodeRule.objects.exists()


def test_preview_refuses_invalid_rules(codes):
    with pytest.raises(ServiceError, match="matches empty text"):
        svc.preview_rules(code=codes["info"], texts={"regex": "x?"})


def test_preview_refuses_a_regex_that_backtracks_without_end(codes):
    with pytest.raises(ServiceError, match="takes too long on some texts"):
        svc.preview_rules(code=codes["info"], texts={"regex": "(a|aa)+b"})


def test_preview_stops_a_regex_too_slow_on_a_transcript(
    codes, project, owner, monkeypatch
):
    # A text can be slower than the probes: the match is stopped, and said.
    monkeypatch.setattr(svc.rulebook, "PROBES", ())
    monkeypatch.setattr(svc, "PREVIEW_SECONDS", 0.05)
    create_transcript(
        project=project, user=owner, title="Aaah", text="a" * 60 + "!",
        turns=[], attributes={},
    )  # fmt: skip
    with pytest.raises(ServiceError, match="ran for more than .* and was stopped"):
        svc.preview_rules(code=codes["info"], texts={"regex": "(a|aa)+b"})


def test_preview_stops_scanning_when_its_time_is_up(codes, interviews, monkeypatch):
    monkeypatch.setattr(svc, "PREVIEW_SECONDS", 0)
    preview = svc.preview_rules(code=codes["financial"], texts={"keyword": "budget"})
    assert preview["stopped"] is True
    assert preview["scanned"] == 0
    assert preview["total"] == len(interviews)


# -- training --


def test_training_with_too_few_codings_says_how_many_are_needed(
    project, owner, coder, codes, transcript
):
    for start in range(0, 30, 3):
        add_coding(
            coder=coder,
            transcript=transcript,
            code=codes["info"],
            start=start,
            end=start + 2,
        )
    with pytest.raises(ServiceError) as info:
        svc.start_training(project=project, user=owner, layer="all")
    assert str(info.value) == (
        "Training needs at least 20 codings, with at least 5 for each of at "
        "least 2 codes; this layer has 10 codings and 1 code with 5 or more."
    )
    assert not SuggestionModel.objects.exists()
    assert not Job.objects.filter(kind=Job.Kind.SUGGEST_TRAIN).exists()


def test_an_unknown_layer_is_refused(project, owner, interviews):
    with pytest.raises(ServiceError, match="Choose a layer"):
        svc.start_training(project=project, user=owner, layer="coder:999999")


def test_layers_list_all_coders_and_each_coder_with_codings(project, coder, interviews):
    assert svc.layer_choices(project) == [
        ("all", "All coders"),
        (f"coder:{coder.pk}", "Coder carl_coder"),
    ]


def test_training_stores_a_version_with_its_data_size_and_evaluation(
    project, owner, codes, interviews
):
    model = train(project, owner)
    job = Job.objects.get(pk=model.job_id)
    assert job.status == Job.Status.DONE, job.message
    assert job.message == ("Model v1: 20 codings of 2 codes, 30 sentences (20 coded).")
    assert model.is_trained
    assert (model.version, model.n_codings, model.n_units) == (1, 20, 30)
    assert model.codebook == {
        str(codes["financial"].pk): "Financial difficulties",
        str(codes["info"].pk): "Information support",
    }
    # The sentence-embedding model when the optional extra is installed.
    assert model.settings["kind"] == ("embedding" if encoder.available() else "textcat")
    evaluation = model.evaluation
    assert set(evaluation["systems"]) == {"rules", "tfidf", "model"}
    assert evaluation["model"]["kind"] == model.settings["kind"]
    assert evaluation["folds"] == 4
    assert evaluation["codings"] == 20
    # Suggestions are made at the threshold the held-out folds did best at.
    assert model.settings["threshold"] == evaluation["systems"]["model"]["threshold"]
    assert train(project, owner).version == 2


needs_extra = pytest.mark.skipif(
    not encoder.available(),
    reason="the optional sentence-embedding extra is not installed: only its "
    "model reads definitions",
)


@needs_extra
def test_the_model_reads_each_codes_path_and_definition(
    project, owner, codes, interviews, monkeypatch
):
    codes["financial"].definition = "  Lack of money for joint projects.  "
    codes["financial"].save()
    assert svc.code_texts(project) == {
        codes["financial"].pk: "Barriers/Financial difficulties. "
        "Lack of money for joint projects.",
    }
    seen = []
    real = svc.train

    def spy(*args, **kwargs):
        seen.append(kwargs["code_texts"])
        return real(*args, **kwargs)

    monkeypatch.setattr(svc, "train", spy)
    assert train(project, owner).is_trained
    assert seen == [svc.code_texts(project)]


@needs_extra
def test_a_model_records_the_definitions_it_read_and_reports_edits(
    project, owner, codes, interviews
):
    financial, info = codes["financial"], codes["info"]
    financial.definition = " Lack of money for joint projects. "
    financial.save()
    model = train(project, owner)
    assert model.definitions == {str(financial.pk): "Lack of money for joint projects."}
    assert "drawn towards the definitions" in svc.describe_settings(model.settings)
    assert svc.codebook_changes(model) == []

    financial.definition = "Lack of money."
    financial.save()
    info.definition = "Where to find partners."
    info.save()
    assert svc.codebook_changes(model) == [
        "The definition of “Financial difficulties” was edited.",
        "“Information support” was given a definition the model has not read.",
    ]
    financial.definition = "  "
    financial.save()
    assert svc.codebook_changes(model)[0] == (
        "The definition of “Financial difficulties” was removed."
    )
    # A model trained before definitions were recorded is not compared.
    model.definitions = {}
    assert svc.codebook_changes(model) == []


@needs_extra
def test_without_definitions_the_model_is_not_described_as_drawn_towards_them(
    project, owner, codes, interviews
):
    codes["barriers"].definition = "Anything in the way."  # a code not trained
    codes["barriers"].save()
    assert svc.model_choice(project)["defined"] == 1
    model = train(project, owner)
    assert model.settings["definitions"] == 0
    assert model.definitions == {}
    description = svc.describe_settings(model.settings)
    assert "definitions" not in description
    assert model.evaluation["model"]["description"] == description
    # A retrained model would read a definition given now.
    codes["info"].definition = "Where to find partners."
    codes["info"].save()
    assert svc.codebook_changes(model) == [
        "“Information support” was given a definition the model has not read."
    ]


def test_without_the_extra_training_falls_back_to_textcat(
    project, owner, interviews, monkeypatch
):
    monkeypatch.setattr(encoder, "available", lambda: False)
    model = train(project, owner)
    assert Job.objects.get(pk=model.job_id).status == Job.Status.DONE
    assert model.settings["kind"] == "textcat"
    assert model.settings["learn_rate"] == 0.01
    assert model.evaluation["model"]["description"] == (
        "spaCy textcat_multilabel (bag of words, trained from scratch)"
    )
    assert svc.model_choice(project)["embeddings"] is False
    assert svc.model_from_bytes(bytes(model.data)).pipe_names == ["textcat_multilabel"]


def test_an_embedding_model_without_the_extra_is_a_clear_error(
    project, owner, interviews, monkeypatch
):
    model = SuggestionModel.objects.create(
        project=project,
        version=7,
        layer="all",
        layer_label="All coders",
        settings={"kind": "embedding", "encoder": "all-MiniLM-L6-v2"},
        data=b"not loaded",
    )
    monkeypatch.setattr(encoder, "available", lambda: False)
    with pytest.raises(ServiceError, match="Model v7 uses sentence embeddings"):
        svc.loaded_model(model)


def test_a_changed_codebook_is_reported(project, owner, codes, interviews):
    model = train(project, owner)
    assert svc.codebook_changes(model) == []
    Coding.objects.filter(code=codes["info"]).delete()
    codes["info"].delete()
    codes["financial"].name = "Money"
    codes["financial"].save()
    assert svc.codebook_changes(model) == [
        "“Financial difficulties” was renamed to “Money”.",
        "“Information support” was deleted or merged into another code.",
    ]


def test_the_model_is_loaded_once_per_process(project, owner, interviews):
    model = train(project, owner)
    first = svc.loaded_model(model)
    again = SuggestionModel.objects.get(pk=model.pk)
    assert svc.loaded_model(again) is first


# -- the suggestion job --


def test_rules_and_the_model_suggest_and_rejected_ones_stay_rejected(
    project, owner, codes, interviews
):
    svc.save_rules(code=codes["financial"], texts={"keyword": "budget"})
    model = train(project, owner)
    new = coded_interviews(project=project, owner=owner, coder=owner, codes=codes, n=1)[
        0
    ]
    Coding.objects.filter(transcript=new).delete()

    job = run(project, owner, [new])

    assert job.status == Job.Status.DONE, job.message
    rows = list(Suggestion.objects.filter(transcript=new).order_by("start", "code_id"))
    rule_rows = [s for s in rows if s.source == Suggestion.Source.RULE]
    assert [
        (s.code_id, new.text[s.start : s.end], s.score, s.rule) for s in rule_rows
    ] == [(codes["financial"].pk, "budget", 1.0, "keyword: budget")]
    model_rows = [s for s in rows if s.source == Suggestion.Source.MODEL]
    assert model_rows, "the model suggests the coded kinds of sentence"
    assert all(s.model_id == model.pk and s.score >= 0.5 for s in model_rows)
    assert {s.code_id for s in model_rows} <= {codes["financial"].pk, codes["info"].pk}
    # Every sentence's scores are kept for the ranked code picker.
    stored = UnitScores.objects.get(transcript=new)
    assert (stored.model_id, stored.units[0][0]) == (model.pk, 0)
    money = stored.units[0][2]  # "Regions lack money for joint projects."
    assert money[str(codes["financial"].pk)] > money.get(str(codes["info"].pk), 0)

    rejected = rule_rows[0]
    svc.reject_suggestion(suggestion=rejected, user=owner)
    # A sentence someone has meanwhile coded by hand is not suggested again.
    by_hand = model_rows[0]
    add_coding(
        coder=owner,
        transcript=new,
        code=by_hand.code,
        start=by_hand.start,
        end=by_hand.end - 2,
    )
    job = run(project, owner, [new])
    assert job.message.endswith("(1 already decided, 1 already coded).")
    assert not Suggestion.objects.filter(pk=by_hand.pk).exists()
    again = Suggestion.objects.filter(
        transcript=new, code=rejected.code, start=rejected.start
    )
    assert [(s.pk, s.status) for s in again.filter(end=rejected.end)] == [
        (rejected.pk, Suggestion.Status.REJECTED)
    ]
    assert Suggestion.objects.filter(transcript=new).count() == len(rows) - 1


def test_nothing_to_suggest_with_is_refused(project, owner, transcript):
    with pytest.raises(ServiceError, match="write rules for some codes or train"):
        svc.start_suggestions(project=project, user=owner, transcripts=[transcript])
    with pytest.raises(ServiceError, match="at least one transcript"):
        svc.start_suggestions(project=project, user=owner, transcripts=[])


# -- decisions --


@pytest.fixture
def suggestion(transcript, codes):
    # "The main barrier is financial" in DEMO_TEXT.
    start = transcript.text.index("The main barrier")
    return Suggestion.objects.create(
        transcript=transcript,
        code=codes["financial"],
        start=start,
        end=start + len("The main barrier is financial"),
        score=0.9,
        source=Suggestion.Source.RULE,
        rule="keyword: barrier",
    )


def test_accepting_makes_it_the_users_coding(suggestion, coder):
    coding = svc.accept_suggestion(suggestion=suggestion, user=coder)
    assert (coding.coder, coding.code_id, coding.text) == (
        coder,
        suggestion.code_id,
        "The main barrier is financial",
    )
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.ACCEPTED
    assert (suggestion.decided_by, suggestion.coding) == (coder, coding)
    assert suggestion.decided_at is not None


def test_accepting_with_adjusted_boundaries_codes_those(suggestion, coder):
    coding = svc.accept_suggestion(
        suggestion=suggestion,
        user=coder,
        start=suggestion.start + 9,
        end=suggestion.end,
    )
    assert coding.text == "barrier is financial"


def test_accepting_text_the_user_already_coded_links_that_coding(suggestion, coder):
    existing = add_coding(
        coder=coder,
        transcript=suggestion.transcript,
        code=suggestion.code,
        start=suggestion.start,
        end=suggestion.end,
    )
    assert svc.accept_suggestion(suggestion=suggestion, user=coder) == existing
    assert Coding.objects.count() == 1


def test_a_decided_suggestion_cannot_be_decided_again(suggestion, coder, owner):
    svc.reject_suggestion(suggestion=suggestion, user=coder)
    with pytest.raises(ServiceError, match="already rejected"):
        svc.accept_suggestion(suggestion=suggestion, user=owner)
    assert not Coding.objects.exists()


def test_accepting_bad_boundaries_changes_nothing(suggestion, coder):
    with pytest.raises(ServiceError, match="must end within the transcript"):
        svc.accept_suggestion(suggestion=suggestion, user=coder, start=0, end=10**6)
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.OPEN
    assert not Coding.objects.exists()


def test_accept_all_above_a_threshold_takes_only_that_code(transcript, codes, coder):
    def make(code, start, score):
        return Suggestion.objects.create(
            transcript=transcript,
            code=code,
            start=start,
            end=start + 5,
            score=score,
            source=Suggestion.Source.MODEL,
        )

    high, low = make(codes["info"], 0, 0.95), make(codes["info"], 10, 0.4)
    other = make(codes["financial"], 20, 0.99)
    assert svc.accept_all_above(code=codes["info"], user=coder, threshold="0.8") == 1
    statuses = dict(Suggestion.objects.values_list("pk", "status"))
    assert statuses == {high.pk: "accepted", low.pk: "open", other.pk: "open"}
    assert list(Coding.objects.values_list("code_id", "start")) == [
        (codes["info"].pk, 0)
    ]
    with pytest.raises(ServiceError, match="between 0 and 1"):
        svc.accept_all_above(code=codes["info"], user=coder, threshold="lots")


def test_decision_rates_per_code(suggestion, transcript, codes, coder):
    svc.accept_suggestion(suggestion=suggestion, user=coder)
    Suggestion.objects.create(
        transcript=transcript,
        code=codes["info"],
        start=0,
        end=5,
        score=0.5,
        source=Suggestion.Source.MODEL,
    )
    rates = {r["code__name"]: r for r in svc.decision_rates(transcript.project)}
    assert (
        rates["Financial difficulties"]["accepted"],
        rates["Financial difficulties"]["rate"],
    ) == (1, 1.0)
    assert (
        rates["Information support"]["open"],
        rates["Information support"]["rate"],
    ) == (1, None)
    [week] = svc.weekly_decisions(transcript.project)
    assert (week["accepted"], week["rejected"]) == (1, 0)


def test_deleting_a_code_deletes_its_suggestions(suggestion, codes):
    Code.objects.filter(pk=codes["financial"].pk).delete()
    assert not Suggestion.objects.exists()


def evaluation_with(model_f1, tfidf_f1):
    return {
        "codings": 12,
        "codes": [{"id": 1, "codings": 6}, {"id": 2, "codings": 6}],
        "systems": {
            "model": {"micro": {"segment_f1": model_f1}},
            "tfidf": {"micro": {"segment_f1": tfidf_f1}},
        },
    }


def test_a_model_that_found_nothing_held_out_is_flagged():
    [warning] = svc.quality_warnings(evaluation_with(0.0, 0.0))
    assert warning.startswith(
        "In cross-validation this model found none of the held-out codings "
        "(it learned 2 codes from 12 codings)"
    )
    assert svc.quality_warnings(evaluation_with(None, 0.3))[0] == warning


def test_a_model_the_baseline_beat_is_flagged_and_a_better_one_is_not():
    assert svc.quality_warnings(evaluation_with(0.31, 0.42)) == [
        "On this coding the TF-IDF baseline did better than this model "
        "(segment F1 0.42 against 0.31): treat its suggestions with care."
    ]
    assert svc.quality_warnings(evaluation_with(0.42, 0.31)) == []
    assert svc.quality_warnings(None) == []
    assert svc.quality_warnings({"error": "Too few transcripts"}) == []
