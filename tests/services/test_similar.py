"""“More like this” searches: ranking the project's sentences, the layer
rules, the job's failures and coding a result (services/similar.py)."""

import sys
import types

import numpy as np
import pytest

from interviews.models import Job, Sentence, SimilarSearch
from interviews.services import ServiceError
from interviews.services import similar as svc
from interviews.services.codings import add_coding
from interviews.services.jobs import run_job
from interviews.services.transcripts import create_transcript
from interviews.suggest import similar
from interviews.suggest.similar import TFIDF
from interviews.text.speakers import detect_turns

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tfidf(request, monkeypatch):
    """Use TF-IDF, whatever is installed, except in the encoder's tests."""
    if "encoder" not in request.node.name:
        monkeypatch.setattr(
            similar, "choose_method", lambda: similar.Method("tfidf", TFIDF)
        )


SECOND_TEXT = (
    "Anna: Money is scarce for joint projects across the regions.\n"
    "Boris: We talked about the weather for a while.\n"
    "Anna: Joint projects need money from both regions.\n"
    "Boris: Regions lack money for joint projects, again and again.\n"
)
QUERY = "The main barrier is financial: regions lack money for joint projects."


def add_sentences(transcript):
    """One sentence per line, after the speaker's label when there is one."""
    at = 0
    for line in transcript.text.split("\n"):
        body = line.split(": ", 1)[-1]
        start = at + len(line) - len(body)
        if body:
            Sentence.objects.create(
                transcript=transcript,
                start=start,
                end=start + len(body),
                token_count=len(body.split()),
            )
        at += len(line) + 1


@pytest.fixture
def second(project, owner):
    return create_transcript(
        project=project,
        user=owner,
        title="Second round",
        text=SECOND_TEXT,
        turns=detect_turns(SECOND_TEXT),
        attributes={},
    )


@pytest.fixture
def query_coding(transcript, second, codes, coder):
    add_sentences(transcript)
    add_sentences(second)
    start = transcript.text.index(QUERY)
    return add_coding(
        coder=coder,
        transcript=transcript,
        code=codes["financial"],
        start=start,
        end=start + len(QUERY),
    )


def run(search):
    run_job(job_id=search.job_id, work=svc.find_similar)
    search.refresh_from_db()
    search.job.refresh_from_db()
    return search


def sentence_at(transcript, text):
    start = transcript.text.index(text)
    return [transcript.pk, start, start + len(text)]


def test_it_ranks_sentences_by_similarity_and_skips_the_coding_itself(
    query_coding, coder, second
):
    search = run(
        svc.start_similar(coding=query_coding, user=coder, own_layer_only=False)
    )
    assert search.job.status == Job.Status.DONE, search.job.message
    found = [[r["transcript"], r["start"], r["end"]] for r in search.results]
    assert found[0] == sentence_at(
        second, "Regions lack money for joint projects, again and again."
    )
    # Sharing only "the" with the query, it ranks below the three sentences
    # about money for joint projects.
    weather = sentence_at(second, "We talked about the weather for a while.")
    assert found.index(weather) >= 3
    assert [query_coding.transcript_id, query_coding.start, query_coding.end] not in [
        f[:3] for f in found
    ]
    scores = [r["score"] for r in search.results]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0
    assert search.results[0]["speaker"] == "Boris"
    assert search.results[0]["text"].startswith("Regions lack money")
    assert search.method == TFIDF
    assert search.job.message == "Compared with 6 sentences; kept the best 5."


def test_sentences_already_coded_in_the_layer_are_left_out(
    query_coding, coder, owner, second, codes
):
    best = "Regions lack money for joint projects, again and again."
    start = SECOND_TEXT.index(best)
    # The owner coded most of the best sentence with the same code.
    add_coding(
        coder=owner,
        transcript=second,
        code=codes["financial"],
        start=start,
        end=start + len("Regions lack money for joint projects"),
    )
    everyone = run(
        svc.start_similar(coding=query_coding, user=coder, own_layer_only=False)
    )
    assert [r["start"] for r in everyone.results if r["transcript"] == second.pk]
    assert start not in [r["start"] for r in everyone.results]
    # In blind mode the coder's layer is their own: the owner's coding
    # does not count, and is not revealed either.
    mine = run(svc.start_similar(coding=query_coding, user=coder, own_layer_only=True))
    assert mine.results[0]["start"] == start


def test_another_code_does_not_hide_a_sentence(query_coding, coder, second, codes):
    best = "Regions lack money for joint projects, again and again."
    start = SECOND_TEXT.index(best)
    add_coding(
        coder=coder,
        transcript=second,
        code=codes["info"],
        start=start,
        end=start + len(best),
    )
    search = run(
        svc.start_similar(coding=query_coding, user=coder, own_layer_only=False)
    )
    assert search.results[0]["start"] == start


def test_without_sentences_the_job_fails_with_a_clear_message(transcript, codes, coder):
    coding = add_coding(
        coder=coder, transcript=transcript, code=codes["info"], start=0, end=11
    )
    search = run(svc.start_similar(coding=coding, user=coder, own_layer_only=False))
    assert search.job.status == Job.Status.FAILED
    assert "run sentence detection" in search.job.message
    assert search.results is None


def _fake_encode(texts):
    rows = np.array(
        [[t.count("weather") + 0.01, t.count("money")] for t in texts], np.float32
    )
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_an_installed_encoder_is_used(monkeypatch, query_coding, coder):
    module = types.ModuleType("interviews.suggest.encoder")
    module.available = lambda: True
    module.describe = lambda: "Fake encoder (test)"
    module.encode = _fake_encode
    monkeypatch.setitem(sys.modules, "interviews.suggest.encoder", module)
    import interviews.suggest as package

    monkeypatch.setattr(package, "encoder", module, raising=False)
    search = run(
        svc.start_similar(coding=query_coding, user=coder, own_layer_only=False)
    )
    assert search.method == "Fake encoder (test)"
    # "weather" scores ~0 with a query about money: last or dropped.
    assert "weather" not in search.results[0]["text"]


def test_a_new_search_replaces_the_finished_one(query_coding, coder, owner):
    first = run(
        svc.start_similar(coding=query_coding, user=coder, own_layer_only=False)
    )
    queued = svc.start_similar(coding=query_coding, user=owner, own_layer_only=False)
    second = svc.start_similar(coding=query_coding, user=coder, own_layer_only=False)
    ids = set(SimilarSearch.objects.values_list("pk", flat=True))
    assert ids == {queued.pk, second.pk} and first.pk not in ids


def test_code_result_codes_the_sentence_and_rows_show_it(
    query_coding, coder, second, codes
):
    from interviews.models import Coding

    search = run(
        svc.start_similar(coding=query_coding, user=coder, own_layer_only=False)
    )
    coding = svc.code_result(search=search, index="0", user=coder)
    first = search.results[0]
    assert (coding.transcript_id, coding.start, coding.end, coding.code_id) == (
        first["transcript"],
        first["start"],
        first["end"],
        codes["financial"].pk,
    )
    assert coding.text == first["text"]
    rows = svc.search_rows(search, Coding.objects.all())
    assert rows[0]["coded"] and not rows[1]["coded"]
    assert rows[0]["title"] == "Second round"


@pytest.mark.parametrize("index", ["-1", "99", "x", "", None, "1.5"])
def test_code_result_refuses_other_indexes(query_coding, coder, index):
    search = run(
        svc.start_similar(coding=query_coding, user=coder, own_layer_only=False)
    )
    with pytest.raises(ServiceError, match="Choose one of the listed sentences"):
        svc.code_result(search=search, index=index, user=coder)


def test_the_real_encoder_finds_the_sentences_about_money(query_coding, coder, second):
    from interviews.suggest import encoder

    if not encoder.available():
        pytest.skip(encoder.describe())
    search = run(
        svc.start_similar(coding=query_coding, user=coder, own_layer_only=False)
    )
    assert search.method == encoder.describe()
    top = {r["text"] for r in search.results[:3]}
    assert top == {
        "Money is scarce for joint projects across the regions.",
        "Joint projects need money from both regions.",
        "Regions lack money for joint projects, again and again.",
    }
