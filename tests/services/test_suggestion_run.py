"""The suggestion job's run side: rows written in batches, what they hold,
progress, transcripts read a chunk at a time."""

import re

import pytest
from django.utils import timezone

from interviews.models import (
    CodeRule,
    Job,
    Suggestion,
    SuggestionModel,
    UnitScores,
)
from interviews.services import ServiceError
from interviews.services import suggestions as svc
from interviews.services.codings import add_coding
from interviews.services.transcripts import create_transcript
from interviews.suggest.model import (
    TEXTCAT_SETTINGS,
    model_to_bytes,
    score_texts,
    train_textcat,
)
from tests.suggestion_samples import SENTENCES

pytestmark = pytest.mark.django_db


def make_transcript(project, owner, text, title="Interview"):
    return create_transcript(
        project=project, user=owner, title=title, text=text, turns=[], attributes={}
    )


def run(project, owner, transcripts) -> tuple[str, list[int]]:
    """Run the job in this process; return its message and progress reports."""
    suggestion_run = svc.start_suggestions(
        project=project, user=owner, transcripts=transcripts
    )
    reports = []
    message = svc.find_suggestions(
        Job.objects.get(pk=suggestion_run.job_id), reports.append
    )
    return message, reports


@pytest.fixture
def budget_rule(codes):
    svc.save_rules(code=codes["financial"], texts={"keyword": "budget"})
    return codes["financial"]


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(svc, "INSERT_BATCH", 3)


@pytest.mark.parametrize("n", [0, 1, 3, 4, 7])
def test_every_batch_of_suggestions_is_stored(
    project, owner, budget_rule, small_batches, n
):
    text = " ".join(f"The budget was cut in year {k}." for k in range(n)) or "No."
    transcript = make_transcript(project, owner, text)

    message, _ = run(project, owner, [transcript])

    rows = Suggestion.objects.filter(transcript=transcript).order_by("start")
    assert [(s.start, s.end) for s in rows] == [
        m.span() for m in re.finditer("budget", text)
    ]
    assert message == (
        f"{n} suggestions in 1 transcript (0 already decided, 0 already coded)."
    )


def test_a_stored_suggestion_holds_what_a_new_one_would(project, owner, budget_rule):
    transcript = make_transcript(project, owner, "The budget is small.")
    before = timezone.now()

    run(project, owner, [transcript])

    stored = Suggestion.objects.get(transcript=transcript)
    assert (stored.code, stored.score, stored.source, stored.rule) == (
        budget_rule,
        1.0,
        Suggestion.Source.RULE,
        "keyword: budget",
    )
    assert stored.status == Suggestion.Status.OPEN
    assert (stored.model, stored.decided_by, stored.decided_at, stored.coding) == (
        None,
        None,
        None,
        None,
    )
    assert before <= stored.created <= timezone.now()


@pytest.fixture
def textcat_model(project, owner, codes):
    """A textcat model trained in the test on the sample sentences."""
    texts, labels = [], []
    for case in range(5):
        for sentence, code in SENTENCES:
            texts.append(sentence.replace(".", f" (case {case})."))
            labels.append(frozenset({codes[code].pk} if code else ()))
    code_ids = [codes["financial"].pk, codes["info"].pk]
    nlp = train_textcat(texts, labels, code_ids)
    return SuggestionModel.objects.create(
        project=project,
        version=1,
        layer="all",
        layer_label="All coders",
        trained_by=owner,
        settings={**TEXTCAT_SETTINGS, "unit": "sentence"},
        codebook={str(c): str(c) for c in code_ids},
        data=model_to_bytes(nlp),
    )


def test_model_rows_and_sentence_scores_in_batches_name_the_model(
    project, owner, codes, textcat_model, small_batches
):
    text = " ".join(sentence for sentence, _ in SENTENCES * 2)
    transcript = make_transcript(project, owner, text)

    run(project, owner, [transcript])

    rows = list(Suggestion.objects.filter(transcript=transcript))
    assert rows, "the model suggests the coded kinds of sentence"
    assert {(s.source, s.model_id, s.rule) for s in rows} == {
        (Suggestion.Source.MODEL, textcat_model.pk, "")
    }
    assert all(s.score >= 0.5 for s in rows)
    stored = UnitScores.objects.get(transcript=transcript)
    scores = stored.units
    units = svc.sentence_units({transcript.pk: text})
    by_model = score_texts(
        svc.loaded_model(textcat_model), [text[u.start : u.end] for u in units]
    )
    kept = [
        (u.start, u.end)
        for u, row in zip(units, by_model, strict=True)
        if max(row.values()) >= 0.05
    ]
    # Whether every sentence keeps a score depends on training, which other
    # tests run before this one can nudge: the stored rows must be exactly
    # those with a score of at least 0.05, however many that is.
    assert 3 < len(kept) <= len(units) == 12
    assert [(start, end) for start, end, _ in scores] == kept
    assert stored.model_id == textcat_model.pk
    for _, _, row in scores:
        assert set(row) <= {str(codes["financial"].pk), str(codes["info"].pk)}
        assert all(v >= 0.05 and round(v, 3) == v for v in row.values())
    money = scores[0][2]  # "Regions lack money for joint projects."
    assert money[str(codes["financial"].pk)] > money.get(str(codes["info"].pk), 0)


@pytest.mark.parametrize("together", [2, 3])
def test_transcripts_scored_together_give_what_they_give_one_by_one(
    project, owner, codes, textcat_model, budget_rule, monkeypatch, together
):
    texts = [" ".join(s for s, _ in SENTENCES[k::3]) + " The budget." for k in range(3)]
    transcripts = [
        make_transcript(project, owner, t, f"{k}") for k, t in enumerate(texts)
    ]
    add_coding(
        coder=owner,
        transcript=transcripts[1],
        code=budget_rule,
        start=len(texts[1]) - 11,
        end=len(texts[1]),
    )

    def stored():
        rows = Suggestion.objects.values_list(
            "transcript", "code", "start", "end", "score", "source", "rule"
        )
        units = UnitScores.objects.values_list("transcript", "units")
        return set(rows), dict(units)

    monkeypatch.setattr(svc, "CHUNK_CHARACTERS", 1)  # a transcript a chunk
    message, _ = run(project, owner, transcripts)
    alone = stored()
    # The first `together` transcripts in one chunk, then the rest.
    monkeypatch.setattr(svc, "CHUNK_CHARACTERS", sum(map(len, texts[:together])))
    assert run(project, owner, transcripts)[0] == message

    assert stored() == alone
    rows, units = alone
    assert {source for *_, source, _ in rows} == {"rule", "model"}
    assert {t for t, *_ in rows} == set(units) == {t.pk for t in transcripts}
    spans = {row[:4] for row in rows}
    for k, expected in [(0, True), (1, False), (2, True)]:
        at = texts[k].rindex("budget")  # only transcript 1's is coded
        key = (transcripts[k].pk, budget_rule.pk, at, at + len("budget"))
        assert (key in spans) is expected, k


@pytest.mark.parametrize("seconds, expected", [(0, [30, 60, 90]), (3600, [])])
def test_progress_is_reported_after_a_chunk_at_most_so_often(
    project, owner, budget_rule, monkeypatch, seconds, expected
):
    monkeypatch.setattr(svc, "PROGRESS_SECONDS", seconds)
    monkeypatch.setattr(svc, "CHUNK_CHARACTERS", 1)  # a transcript a chunk
    transcripts = [
        make_transcript(project, owner, f"The budget, part {k}.", f"Part {k}")
        for k in range(3)
    ]

    message, reports = run(project, owner, transcripts)

    assert reports == expected
    assert message.startswith("3 suggestions in 3 transcripts")


def test_a_rerun_keeps_rejected_ones_and_replaces_open_ones_everywhere(
    project, owner, budget_rule, small_batches
):
    transcripts = [
        make_transcript(project, owner, "The budget. The budget. The budget.", f"{k}")
        for k in range(2)
    ]
    run(project, owner, transcripts)
    first = Suggestion.objects.filter(transcript=transcripts[1]).order_by("start")[0]
    svc.reject_suggestion(suggestion=first, user=owner)

    message, _ = run(project, owner, transcripts)

    assert (
        message
        == "5 suggestions in 2 transcripts (1 already decided, 0 already coded)."
    )
    assert Suggestion.objects.filter(transcript__in=transcripts).count() == 6
    first.refresh_from_db()
    assert first.status == Suggestion.Status.REJECTED


def test_a_model_without_weights_by_run_time_leaves_the_rules_alone(
    project, owner, budget_rule, textcat_model
):
    transcript = make_transcript(project, owner, "Regions lack money. The budget.")
    suggestion_run = svc.start_suggestions(
        project=project, user=owner, transcripts=[transcript]
    )
    assert suggestion_run.model == textcat_model
    SuggestionModel.objects.filter(pk=textcat_model.pk).update(data=None)

    message = svc.find_suggestions(
        Job.objects.get(pk=suggestion_run.job_id), lambda percent: None
    )

    assert message.startswith("1 suggestions in 1 transcript")
    assert [s.source for s in Suggestion.objects.filter(transcript=transcript)] == [
        Suggestion.Source.RULE
    ]
    assert not UnitScores.objects.filter(transcript=transcript).exists()


def test_only_spans_coded_in_their_own_transcript_count_as_already_coded(
    project, owner, budget_rule
):
    coded, uncoded = (
        make_transcript(project, owner, "The budget is small.", title)
        for title in ("Coded", "Uncoded")
    )
    start = coded.text.index("budget")
    add_coding(
        coder=owner, transcript=coded, code=budget_rule, start=start, end=start + 6
    )

    message, _ = run(project, owner, [coded, uncoded])

    assert (
        message
        == "1 suggestions in 2 transcripts (0 already decided, 1 already coded)."
    )
    assert [s.transcript for s in Suggestion.objects.all()] == [uncoded]


def test_a_rule_too_slow_on_a_transcript_fails_the_job_with_its_name(
    project, owner, codes, monkeypatch
):
    # Saved before the probes existed, or slow only on this text.
    CodeRule.objects.create(code=codes["info"], kind="regex", value="(a|aa)+b")
    monkeypatch.setattr(svc.rulebook, "REGEX_SECONDS", 0.05)
    monkeypatch.setattr(svc.rulebook.match_rules, "__kwdefaults__", {"seconds": 0.05})
    transcript = make_transcript(project, owner, "a" * 60 + "!")
    with pytest.raises(ServiceError, match=r"“regex: \(a\|aa\)\+b” ran for more"):
        run(project, owner, [transcript])
    assert not Suggestion.objects.exists()
