"""Agreement runs on a hand-made project, and reconciliation into consensus."""

from unittest import mock

import pytest
from django.http import Http404

from interviews import access
from interviews.analysis.agreement import character_agreement, pool
from interviews.models import (
    AgreementRun,
    CodeRule,
    Coding,
    Decision,
    Job,
    SuggestionModel,
    UnitScores,
)
from interviews.services import ServiceError
from interviews.services.agreement import (
    SUGGESTER,
    adopt_agreements,
    clean_run_settings,
    compute_agreement,
    decide,
    ensure_consensus_user,
    list_disagreements,
    start_agreement_run,
)
from interviews.services.codings import add_coding
from interviews.services.jobs import run_job
from interviews.services.transcripts import create_transcript

SECOND_TEXT = (
    "Expert 3 (Kazakhstan): Money is short, and trust is low between regions.\n"
)


@pytest.fixture
def second(project, owner):
    return create_transcript(
        project=project,
        user=owner,
        title="Second",
        text=SECOND_TEXT,
        turns=[],
        attributes={},
    )


@pytest.fixture
def coded(project, transcript, second, codes, owner, coder):
    """Owner and coder code both transcripts, agreeing in part."""
    fin, info = codes["financial"], codes["info"]
    rows = [
        (owner, transcript, fin, 100, 160),
        (coder, transcript, fin, 110, 160),
        (owner, transcript, info, 170, 200),
        (owner, second, fin, 23, 38),
        (coder, second, fin, 23, 38),
        (coder, second, info, 44, 60),
    ]
    return [
        add_coding(coder=c, transcript=t, code=k, start=s, end=e)
        for c, t, k, s, e in rows
    ]


def make_run(project, owner, coders, code_ids, transcripts, **kwargs):
    settings = clean_run_settings(
        project=project,
        transcript_ids=[t.pk for t in transcripts],
        code_ids=code_ids,
        coder_ids=[c.pk for c in coders],
        **kwargs,
    )
    run = start_agreement_run(project=project, user=owner, settings=settings)
    run_job(job_id=run.job_id, work=compute_agreement)
    run.refresh_from_db()
    return run


def engine(transcript, second, codes_, coders, segments):
    results = []
    for t in (transcript, second):
        rows = [(c, k, s, e) for tt, c, k, s, e in segments if tt == t.pk]
        results.append(character_agreement(rows, t.length, coders=coders, codes=codes_))
    return results


def test_a_run_stores_the_engines_pooled_and_per_transcript_figures(
    project, transcript, second, codes, owner, coder, coded
):
    code_ids = [codes["financial"].pk, codes["info"].pk]
    run = make_run(project, owner, [owner, coder], code_ids, [transcript, second])
    assert run.job.status == Job.Status.DONE
    segments = [(c.transcript_id, c.coder_id, c.code_id, c.start, c.end) for c in coded]
    per_doc = engine(transcript, second, code_ids, [owner.pk, coder.pk], segments)
    fin = run.results["by_code"][0]
    assert fin["code"] == codes["financial"].pk
    expected = pool([per_doc[0][code_ids[0]], per_doc[1][code_ids[0]]])
    for name in ("krippendorff_alpha", "cohen_kappa", "fleiss_kappa", "gwet_ac1"):
        assert fin["pooled"][name] == getattr(expected, name)
    assert fin["pooled"]["length"] == transcript.length + second.length
    assert fin["pooled"]["histogram"] == list(expected.histogram)
    assert fin["transcripts"][str(transcript.pk)]["cohen_kappa"] == (
        per_doc[0][code_ids[0]].cohen_kappa
    )
    everything = pool([*per_doc[0].values(), *per_doc[1].values()])
    assert run.results["overall"]["pooled"]["krippendorff_alpha"] == (
        everything.krippendorff_alpha
    )
    assert run.results["labels"]["coders"] == [
        [owner.pk, owner.username],
        [coder.pk, coder.username],
    ]


def test_a_rerun_gives_the_same_bootstrap_interval(
    project, transcript, second, codes, owner, coder, coded
):
    code_ids = [codes["financial"].pk]
    first = make_run(project, owner, [owner, coder], code_ids, [transcript, second])
    again = make_run(project, owner, [owner, coder], code_ids, [transcript, second])
    ci = first.results["overall"]["alpha_ci"]
    assert ci == again.results["overall"]["alpha_ci"]
    assert ci["seed"] == first.settings["seed"]
    assert ci["low"] is not None and ci["low"] <= ci["high"]


def test_rollup_counts_sub_codes_as_their_parent(
    project, transcript, second, codes, owner, coder, coded
):
    barriers = codes["barriers"].pk
    separate = make_run(project, owner, [owner, coder], [barriers], [transcript])
    rollup = make_run(
        project, owner, [owner, coder], [barriers], [transcript], mode="rollup"
    )
    assert separate.results["by_code"][0]["pooled"]["segments"] == 0
    assert separate.results["by_code"][0]["pooled"]["krippendorff_alpha"] is None
    assert rollup.results["by_code"][0]["pooled"]["segments"] == 2
    assert rollup.results["by_code"][0]["pooled"]["coded_by_all"] == 50


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"coder_ids": "one"}, "two coders"),
        ({"code_ids": []}, "one code"),
        ({"mode": "average"}, "sub-codes"),
        ({"threshold": 0}, "between 1 and 100"),
        ({"threshold": "x"}, "whole number"),
        ({"transcript_ids": [987654]}, "Unknown transcript"),
    ],
)
def test_bad_settings_are_refused_with_a_message(
    project, transcript, codes, owner, coder, change, message
):
    settings = {
        "transcript_ids": [transcript.pk],
        "code_ids": [codes["info"].pk],
        "coder_ids": [owner.pk, coder.pk],
    }
    if change.get("coder_ids") == "one":
        change = {"coder_ids": [owner.pk]}
    with pytest.raises(ServiceError, match=message):
        clean_run_settings(project=project, **(settings | change))


def test_the_consensus_account_cannot_sign_in_or_reach_the_project(project):
    user = ensure_consensus_user(project=project)
    assert user.username == f"consensus-{project.pk}"
    assert not user.is_active and not user.has_usable_password()
    assert consensus_of(project) == user
    assert ensure_consensus_user(project=project) == user
    with pytest.raises(Http404):
        access.get_project_for_user(user, project.pk, write=True)


@pytest.fixture
def run(project, transcript, second, codes, owner, coder, coded):
    code_ids = [codes["financial"].pk, codes["info"].pk]
    return make_run(project, owner, [owner, coder], code_ids, [transcript, second])


def test_disagreements_are_sorted_by_size_with_each_version(
    run, transcript, second, codes, owner, coder, coded
):
    listing = list_disagreements(run=run)
    sizes = [
        (item["transcript_id"], item["start"], item["differing"])
        for item in listing["items"]
    ]
    assert sizes == [
        (transcript.pk, 170, 30),
        (second.pk, 44, 16),
        (transcript.pk, 100, 10),
    ]
    assert listing["agreed"] == 1
    fin = listing["items"][2]
    assert [v["segments"] for v in fin["versions"]] == [
        [{"start": 100, "end": 160, "id": coded[0].pk, "text": coded[0].text}],
        [{"start": 110, "end": 160, "id": coded[1].pk, "text": coded[1].text}],
    ]
    assert fin["context"]["text"] == coded[0].text


def consensus_of(project):
    project.refresh_from_db()
    return project.consensus_user


def _region(item):
    return {
        "transcript_id": item["transcript_id"],
        "code_id": item["code_id"],
        "region_start": item["start"],
        "region_end": item["end"],
    }


def test_accepting_a_version_writes_it_into_the_consensus_layer(
    run, project, owner, coder, coded
):
    item = list_disagreements(run=run)["items"][2]
    decision = decide(
        run=run,
        user=owner,
        action="accept",
        coder_id=coder.pk,
        note="Boundary at the sentence.",
        **_region(item),
    )
    consensus = consensus_of(project)
    layer = list(Coding.objects.filter(coder=consensus).values_list("start", "end"))
    assert layer == [(110, 160)]
    assert decision.chosen_codings == [coded[1].pk]
    assert (decision.start, decision.end, decision.note) == (
        110,
        160,
        "Boundary at the sentence.",
    )
    assert decision.decided_by == owner
    listed = list_disagreements(run=run)["items"][2]
    assert listed["decision"] == decision
    assert listed["consensus"][0]["start"] == 110


def test_merging_then_rejecting_replaces_the_consensus_of_the_region(
    run, project, owner, coded
):
    item = list_disagreements(run=run)["items"][2]
    decide(run=run, user=owner, action="merge", **_region(item))
    consensus = consensus_of(project)
    assert list(
        Coding.objects.filter(coder=consensus).values_list("start", "end", "text")
    ) == [(100, 160, coded[0].text)]
    decide(run=run, user=owner, action="reject", **_region(item))
    assert not Coding.objects.filter(coder=consensus).exists()
    assert list(Decision.objects.values_list("action", flat=True)) == [
        "reject",
        "merge",
    ]


def test_a_new_boundary_must_lie_within_the_transcript(run, project, owner, transcript):
    item = list_disagreements(run=run)["items"][2]
    with pytest.raises(ServiceError, match="within the"):
        decide(
            run=run,
            user=owner,
            action="new",
            start=100,
            end=transcript.length + 1,
            **_region(item),
        )
    assert not Decision.objects.exists()
    decide(run=run, user=owner, action="new", start=105, end=158, **_region(item))
    assert Coding.objects.filter(coder=consensus_of(project)).get().start == 105


def test_reconciliation_is_atomic(run, project, owner):
    item = list_disagreements(run=run)["items"][2]
    decide(run=run, user=owner, action="merge", **_region(item))
    with mock.patch.object(
        Decision.objects, "create", autospec=True, side_effect=RuntimeError("boom")
    ):
        with pytest.raises(RuntimeError):
            decide(run=run, user=owner, action="reject", **_region(item))
    assert Coding.objects.filter(coder=consensus_of(project)).count() == 1
    assert Decision.objects.count() == 1


def test_adopting_agreements_copies_only_agreed_stretches(run, project, owner):
    assert adopt_agreements(run=run, user=owner) == 1
    layer = Coding.objects.filter(coder=consensus_of(project))
    assert list(layer.values_list("start", "end")) == [(23, 38)]
    assert adopt_agreements(run=run, user=owner) == 0
    assert layer.count() == 1


def test_the_consensus_layer_can_be_compared_with_a_coder(
    run, project, transcript, second, codes, owner, coder
):
    adopt_agreements(run=run, user=owner)
    for item in list_disagreements(run=run)["items"]:
        mine = item["versions"][0]["segments"]  # the owner's version
        action = "accept" if mine else "reject"
        decide(run=run, user=owner, action=action, coder_id=owner.pk, **_region(item))
    consensus = consensus_of(project)
    compared = make_run(
        project,
        owner,
        [owner, consensus],
        [codes["financial"].pk],
        [transcript, second],
    )
    assert compared.results["labels"]["coders"][1] == [consensus.pk, "Consensus"]
    assert compared.results["overall"]["pooled"]["krippendorff_alpha"] == 1.0


def test_the_run_job_fails_with_a_message_when_the_run_is_gone(project):
    job = Job.objects.create(project=project, kind=Job.Kind.AGREEMENT)
    run_job(job_id=job.pk, work=compute_agreement)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "The agreement report was deleted before it ran."
    assert not AgreementRun.objects.exists()


def test_the_demo_resets_after_reconciliation(db):
    from interviews.services.demo import OWNER, load_demo

    project = load_demo().project
    users = {m.user.username: m.user for m in project.memberships.all()}
    owner = users[OWNER]
    run = make_run(
        project,
        owner,
        [users["demo_anna"], users["demo_boris"]],
        list(project.codes.values_list("id", flat=True)),
        list(project.transcripts.all()),
    )
    item = list_disagreements(run=run)["items"][0]
    decide(run=run, user=owner, action="merge", **_region(item))
    fresh = load_demo(reset=True).project
    assert fresh.pk != project.pk
    assert not AgreementRun.objects.exists() and not Decision.objects.exists()


# -- the suggester as a coder ------------------------------------------------------


def suggester_model(project, owner, *, threshold=0.5):
    return SuggestionModel.objects.create(
        project=project,
        version=3,
        layer="all",
        layer_label="All coders",
        trained_by=owner,
        settings={"threshold": threshold},
        data=b"weights",
    )


def test_the_suggester_is_one_more_coder_from_rules_and_sentence_scores(
    project, transcript, second, codes, owner, coder, coded
):
    fin, info = codes["financial"], codes["info"]
    # The rule also matches passages people coded: the layer must keep them.
    CodeRule.objects.create(code=fin, kind="keyword", value="money")
    model = suggester_model(project, owner)
    UnitScores.objects.bulk_create(
        [
            UnitScores(
                transcript=transcript,
                model=model,
                units=[
                    # At the threshold counts, below does not; codes out of
                    # the run (barriers) are ignored.
                    [100, 160, {str(fin.pk): 0.5, str(codes["barriers"].pk): 0.9}],
                    [170, 200, {str(info.pk): 0.49}],
                ],
            ),
            UnitScores(
                transcript=second, model=model, units=[[44, 60, {str(info.pk): 0.8}]]
            ),
        ]
    )
    run = make_run(
        project,
        owner,
        [owner, coder],
        [fin.pk, info.pk],
        [transcript, second],
        suggester=True,
    )
    assert run.job.status == Job.Status.DONE, run.job.message
    assert run.settings["suggester"] == {
        "model_id": model.pk,
        "model_version": 3,
        "rules": True,
    }
    assert run.results["labels"]["coders"][-1] == [
        SUGGESTER,
        "Suggester (model v3 + rules)",
    ]
    money = SECOND_TEXT.index("Money")
    lack = transcript.text.index("money")
    suggester = [
        (transcript.pk, SUGGESTER, fin.pk, 100, 160),
        (transcript.pk, SUGGESTER, fin.pk, lack, lack + 5),
        (second.pk, SUGGESTER, fin.pk, money, money + 5),
        (second.pk, SUGGESTER, info.pk, 44, 60),
    ]
    humans = [(c.transcript_id, c.coder_id, c.code_id, c.start, c.end) for c in coded]
    coders = [owner.pk, coder.pk, SUGGESTER]
    expected = pool(
        pool(r.values())
        for r in engine(
            transcript, second, [fin.pk, info.pk], coders, humans + suggester
        )
    )
    overall = run.results["overall"]["pooled"]
    assert overall["krippendorff_alpha"] == pytest.approx(
        expected.krippendorff_alpha, abs=1e-12
    )
    # Its pairs with each coder are in the report like any other pair.
    pairs = {(p["first"], p["second"]) for p in run.results["matching"]}
    assert (owner.pk, SUGGESTER) in pairs and (coder.pk, SUGGESTER) in pairs


def test_the_suggester_and_one_coder_make_two(project, transcript, codes, owner):
    CodeRule.objects.create(code=codes["info"], kind="keyword", value="transport")
    add_coding(coder=owner, transcript=transcript, code=codes["info"], start=1, end=9)
    run = make_run(
        project, owner, [owner], [codes["info"].pk], [transcript], suggester=True
    )
    assert run.job.status == Job.Status.DONE, run.job.message
    assert [name for _, name in run.results["labels"]["coders"]] == [
        owner.username,
        "Suggester (rules)",
    ]
    # The disagreement list compares people; the suggester is not one.
    assert [pk for pk, _ in list_disagreements(run=run)["coders"]] == []


def test_no_suggester_to_compare_is_refused(project, transcript, codes, owner, coder):
    with pytest.raises(ServiceError, match="no suggester to compare yet"):
        clean_run_settings(
            project=project,
            transcript_ids=[transcript.pk],
            code_ids=[codes["info"].pk],
            coder_ids=[owner.pk, coder.pk],
            suggester=True,
        )
