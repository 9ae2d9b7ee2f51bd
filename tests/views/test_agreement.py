"""Agreement pages: who may see, start and reconcile; what they change."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from interviews.models import AgreementRun, Code, CodeRule, Coding, Decision, Job
from interviews.services.agreement import (
    clean_run_settings,
    compute_agreement,
    list_disagreements,
    start_agreement_run,
)
from interviews.services.codings import add_coding
from interviews.services.jobs import run_job

XSS = "<script>alert(1)</script>"


@pytest.fixture
def coded(transcript, codes, owner, coder):
    fin, info = codes["financial"], codes["info"]
    for user, code, start, end in [
        (owner, fin, 100, 160),
        (coder, fin, 110, 160),
        (owner, info, 170, 200),
        (coder, info, 175, 200),
    ]:
        add_coding(coder=user, transcript=transcript, code=code, start=start, end=end)


def new_run(project, transcript, codes, owner, coder, *, compute=True):
    settings = clean_run_settings(
        project=project,
        transcript_ids=[transcript.pk],
        code_ids=[codes["financial"].pk, codes["info"].pk],
        coder_ids=[owner.pk, coder.pk],
    )
    run = start_agreement_run(project=project, user=owner, settings=settings)
    if compute:
        run_job(job_id=run.job_id, work=compute_agreement)
        run.refresh_from_db()
    return run


@pytest.fixture
def run(project, transcript, codes, owner, coder, coded):
    return new_run(project, transcript, codes, owner, coder)


def list_url(project):
    return reverse("agreement_list", args=[project.pk])


def report_url(run):
    return reverse("agreement_report", args=[run.project_id, run.pk])


# -- list and start --------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "coder", "viewer"])
def test_members_see_the_list_of_reports(request, client_for, project, run, who):
    response = client_for(request.getfixturevalue(who)).get(list_url(project))
    assert response.status_code == 200
    assert f"Report {run.pk}" in response.content.decode()


def test_the_list_page_has_a_fixed_number_of_queries(
    client_for,
    project,
    transcript,
    codes,
    owner,
    coder,
    coded,
    django_assert_num_queries,
):
    client = client_for(owner)
    new_run(project, transcript, codes, owner, coder)
    # 9, and the newest trained model and whether any rule exists, for the
    # "compare the suggester" choice.
    with django_assert_num_queries(11):
        client.get(list_url(project))
    for _ in range(3):
        new_run(project, transcript, codes, owner, coder, compute=False)
    with django_assert_num_queries(11):
        assert len(client.get(list_url(project)).context["runs"]) == 4


def test_outsiders_get_404_and_anonymous_users_the_login(
    client_for, client, project, run, outsider
):
    assert client.get(list_url(project)).status_code == 302
    assert client.get(report_url(run))["Location"].startswith("/accounts/login/")
    client_for(outsider)
    for url in (
        list_url(project),
        report_url(run),
        reverse("disagreement_list", args=[project.pk, run.pk]),
        reverse("agreement_export", args=[project.pk, run.pk, "codes", "csv"]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(list_url(project), form_data(project, [], [], []))
    assert response.status_code == 404
    assert AgreementRun.objects.count() == 1


def form_data(project, transcripts, codes, coders, **extra):
    return {
        "transcripts": [t.pk for t in transcripts],
        "codes": [c.pk for c in codes],
        "coders": [u.pk for u in coders],
        "mode": "separate",
        "threshold": 90,
        **extra,
    }


def test_the_suggester_can_join_once_there_are_rules(
    client_for, project, transcript, codes, owner, coder, coded
):
    client = client_for(coder)
    page = client.get(list_url(project)).content.decode()
    assert 'name="suggester"' in page and "disabled" in page
    assert "Write rules for some codes or train a model" in page
    CodeRule.objects.create(code=codes["info"], kind="keyword", value="transport")
    page = client.get(list_url(project)).content.decode()
    assert "Write rules for some codes or train a model" not in page
    data = form_data(
        project, [transcript], [codes["info"]], [owner, coder], suggester="on"
    )
    response = client.post(list_url(project), data)
    run = AgreementRun.objects.get()
    assert response["Location"] == report_url(run)
    assert run.settings["suggester"] == {
        "model_id": None,
        "model_version": None,
        "rules": True,
    }
    run_job(job_id=run.job_id, work=compute_agreement)
    page = client.get(report_url(run)).content.decode()
    assert 'id="suggester-note"' in page
    assert "Suggester (rules)" in page


@pytest.mark.parametrize("who", ["owner", "coder"])
def test_owners_and_coders_start_a_report_that_queues_a_job(
    request, client_for, project, transcript, codes, owner, coder, coded, who
):
    user = request.getfixturevalue(who)
    data = form_data(project, [transcript], [codes["info"]], [owner, coder])
    response = client_for(user).post(list_url(project), data)
    run = AgreementRun.objects.get()
    assert response["Location"] == report_url(run)
    assert run.created_by == user
    assert run.settings["coder_ids"] == sorted([owner.pk, coder.pk])
    assert run.settings["threshold"] == 90
    assert run.job.kind == Job.Kind.AGREEMENT and run.job.status == Job.Status.QUEUED
    assert run.results is None


def test_viewers_cannot_start_a_report(
    client_for, project, transcript, codes, owner, coder, viewer
):
    data = form_data(project, [transcript], [codes["info"]], [owner, coder])
    assert client_for(viewer).post(list_url(project), data).status_code == 403
    assert not AgreementRun.objects.exists()
    assert not Job.objects.filter(kind=Job.Kind.AGREEMENT).exists()


def test_a_report_with_one_coder_is_refused_with_a_message(
    client_for, project, transcript, codes, owner
):
    data = form_data(project, [transcript], [codes["info"]], [owner])
    response = client_for(owner).post(list_url(project), data)
    assert response.status_code == 400
    assert "Choose at least two coders" in response.content.decode()
    assert not AgreementRun.objects.exists()


def test_ids_of_another_project_are_refused(
    client_for, project, transcript, owner, coder
):
    other = Code.objects.create(project=_other_project(owner), name="Elsewhere")
    data = form_data(project, [transcript], [other], [owner, coder])
    response = client_for(owner).post(list_url(project), data)
    assert response.status_code == 400
    assert not AgreementRun.objects.exists()


def _other_project(owner):
    from interviews.services.projects import create_project

    return create_project(owner=owner, name="Other")


# -- the report ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "coder", "viewer"])
def test_the_report_shows_the_stored_figures(request, client_for, run, who):
    response = client_for(request.getfixturevalue(who)).get(report_url(run))
    body = response.content.decode()
    assert response.status_code == 200
    kappa = run.results["overall"]["pooled"]["cohen_kappa"]
    assert f"{kappa:.3f}" in body
    assert 'class="heatmap"' in body
    assert "Agreement was assessed on" in body
    assert "undefined" not in body or "title=" in body


def test_the_report_page_has_a_fixed_number_of_queries(
    client_for, run, owner, django_assert_num_queries
):
    client = client_for(owner)
    with django_assert_num_queries(4):
        response = client.get(report_url(run))
    assert response.context["tables"]["codes"].rows


def test_an_undefined_figure_says_why(
    client_for, project, transcript, owner, coder, codes
):
    add_coding(coder=owner, transcript=transcript, code=codes["info"], start=0, end=5)
    run = new_run(project, transcript, codes, owner, coder)
    body = client_for(owner).get(report_url(run)).content.decode()
    assert "no variation: nobody coded this code in these transcripts" in body


def test_a_pending_report_polls_until_the_results_are_stored(
    client_for, project, transcript, codes, owner, coder, coded
):
    run = new_run(project, transcript, codes, owner, coder, compute=False)
    client = client_for(owner)
    status_url = reverse("agreement_status", args=[project.pk, run.pk])
    body = client.get(report_url(run)).content.decode()
    assert f'hx-get="{status_url}"' in body
    assert "HX-Refresh" not in client.get(status_url)
    run_job(job_id=run.job_id, work=compute_agreement)
    assert client.get(status_url)["HX-Refresh"] == "true"


def test_blind_mode_keeps_reports_to_owners(
    client_for, project, run, owner, coder, viewer
):
    project.blind_coding = True
    project.save()
    assert client_for(owner).get(report_url(run)).status_code == 200
    for user in (coder, viewer):
        assert client_for(user).get(report_url(run)).status_code == 403
        assert client_for(user).get(list_url(project)).status_code == 403


def test_names_are_escaped_in_the_report(client_for, run, codes, owner):
    Code.objects.filter(pk=codes["info"].pk).update(name=XSS)
    run.results["labels"]["codes"][1][1] = XSS
    run.save()
    body = client_for(owner).get(report_url(run)).content.decode()
    assert XSS not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


# -- exports ---------------------------------------------------------------------


def test_every_table_exports_as_csv_and_xlsx(client_for, run, owner, codes):
    client = client_for(owner)
    url = reverse("agreement_export", args=[run.project_id, run.pk, "codes", "csv"])
    response = client.get(url)
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["Code", "Transcripts", "Characters judged"]
    assert rows[1][0] == "Barriers/Financial difficulties"
    assert float(rows[-1][9]) == pytest.approx(
        run.results["overall"]["pooled"]["krippendorff_alpha"]
    )
    for table in ("transcripts", "pairs", "matching", "segments", "presence"):
        url = reverse("agreement_export", args=[run.project_id, run.pk, table, "xlsx"])
        response = client.get(url)
        assert response.status_code == 200
        workbook = openpyxl.load_workbook(
            io.BytesIO(b"".join(response.streaming_content))
        )
        assert workbook.active.max_row >= 2
        assert workbook.sheetnames == [table]
    bad = reverse("agreement_export", args=[run.project_id, run.pk, "nope", "csv"])
    assert client.get(bad).status_code == 404


def test_all_tables_export_as_one_workbook(client_for, run, coder):
    client = client_for(coder)
    url = reverse("agreement_export", args=[run.project_id, run.pk, "all", "xlsx"])
    response = client.get(url)
    assert response.status_code == 200
    assert f"agreement-{run.pk}-all.xlsx" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == [
        "codes",
        "transcripts",
        "pairs",
        "matching",
        "segments",
        "presence",
        "presence_summary",
    ]
    codes_sheet = workbook["codes"]
    assert codes_sheet["A1"].value == "Code"
    assert codes_sheet["A2"].value == "Barriers/Financial difficulties"
    # Only XLSX holds several tables; "all" is no CSV table.
    csv_url = reverse("agreement_export", args=[run.project_id, run.pk, "all", "csv"])
    assert client.get(csv_url).status_code == 404


def test_the_report_names_a_coder_who_coded_nothing_in_a_transcript(
    client_for, project, transcript, codes, owner, coder, viewer
):
    add_coding(coder=owner, transcript=transcript, code=codes["info"], start=1, end=9)
    run = new_run(project, transcript, codes, owner, coder)
    page = client_for(viewer).get(report_url(run)).content.decode()
    assert 'id="coded-nothing"' in page
    assert f"{coder.username} in “{transcript.title}”" in page
    assert "1 coder-transcript pair had no coded segment" in page


def test_no_warning_when_everyone_coded(client_for, run, viewer):
    page = client_for(viewer).get(report_url(run)).content.decode()
    assert 'id="coded-nothing"' not in page


def test_the_methods_paragraph_is_plain_text(client_for, run, viewer):
    url = reverse("agreement_methods", args=[run.project_id, run.pk])
    response = client_for(viewer).get(url)
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().startswith("Agreement was assessed on")


# -- disagreements and reconciliation ----------------------------------------------


def decide_url(run):
    return reverse("disagreement_decide", args=[run.project_id, run.pk])


def region(run, index=0):
    item = list_disagreements(run=run)["items"][index]
    return {
        "transcript": item["transcript_id"],
        "code": item["code_id"],
        "region_start": item["start"],
        "region_end": item["end"],
    }


@pytest.mark.parametrize("who", ["owner", "coder", "viewer"])
def test_members_see_the_disagreements(request, client_for, run, who):
    url = reverse("disagreement_list", args=[run.project_id, run.pk])
    body = client_for(request.getfixturevalue(who)).get(url).content.decode()
    assert "Financial difficulties" in body
    assert "<strong>10</strong> characters differ" in body
    assert ("Accept" in body) is (who == "owner")


def test_the_owner_accepts_a_version_into_the_consensus_layer(
    client_for, run, project, owner, coder
):
    data = region(run) | {"choice": f"accept:{coder.pk}", "note": "Coder is right."}
    response = client_for(owner).post(decide_url(run), data)
    assert response.status_code == 302
    project.refresh_from_db()
    layer = Coding.objects.filter(coder=project.consensus_user)
    assert list(layer.values_list("start", "end")) == [(110, 160)]
    decision = Decision.objects.get()
    assert (decision.action, decision.note, decision.decided_by) == (
        "accept",
        "Coder is right.",
        owner,
    )


@pytest.mark.parametrize("who", ["coder", "viewer"])
def test_only_owners_reconcile(request, client_for, run, who):
    data = region(run) | {"choice": "merge"}
    response = client_for(request.getfixturevalue(who)).post(decide_url(run), data)
    assert response.status_code == 403
    assert not Decision.objects.exists()
    assert Coding.objects.count() == 4


def test_outsiders_cannot_reconcile(client_for, run, outsider):
    data = region(run) | {"choice": "merge"}
    assert client_for(outsider).post(decide_url(run), data).status_code == 404
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"choice": "explode"},
        {"choice": "accept:abc"},
        {"choice": "new", "start": "5", "end": "2"},
        {"region_start": "x"},
        {"transcript": "999999"},
    ],
)
def test_bad_decisions_change_nothing(client_for, run, owner, bad):
    data = region(run) | {"choice": "merge"} | bad
    response = client_for(owner).post(decide_url(run), data, follow=True)
    assert response.status_code == 200
    assert "Nothing was changed" in response.content.decode()
    assert not Decision.objects.exists()
    assert Coding.objects.count() == 4


def test_adopting_agreements_is_for_owners(
    client_for, project, transcript, codes, owner, coder
):
    for user in (owner, coder):
        add_coding(
            coder=user, transcript=transcript, code=codes["info"], start=5, end=9
        )
    run = new_run(project, transcript, codes, owner, coder)
    url = reverse("agreement_adopt", args=[project.pk, run.pk])
    assert client_for(coder).post(url).status_code == 403
    assert not Decision.objects.exists()
    assert client_for(owner).post(url).status_code == 302
    project.refresh_from_db()
    layer = Coding.objects.filter(coder=project.consensus_user)
    assert list(layer.values_list("start", "end")) == [(5, 9)]
