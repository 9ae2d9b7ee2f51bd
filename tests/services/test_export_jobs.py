"""Excel exports written by a job: the rows, what blind mode hides, failures."""

import os
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from interviews import access
from interviews.models import ExportFile, Job, Membership
from interviews.services.codings import add_coding
from interviews.services.export_jobs import (
    delete_expired_exports,
    start_xlsx_export,
    write_xlsx_export,
)
from interviews.services.jobs import run_job

ALL = {
    "code_id": None,
    "include_descendants": True,
    "coder_id": None,
    "transcript_id": None,
    "attribute_name": None,
    "attribute_value": None,
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def coded(transcript, codes, owner, coder):
    rows = [
        (owner, codes["info"], 0, 11),
        (coder, codes["financial"], 13, 20),
        (coder, codes["info"], 30, 40),
    ]
    return [
        add_coding(coder=user, transcript=transcript, code=code, start=s, end=e)
        for user, code, s, e in rows
    ]


def export_for(user, project, filters=ALL):
    acc = access.get_project_for_user(user, project.pk)
    export = start_xlsx_export(access=acc, user=user, filters=filters, query="q=1")
    run_job(job_id=export.job_id, work=write_xlsx_export)
    export.refresh_from_db()
    export.job.refresh_from_db()
    return export


def sheet_rows(export):
    with export.file.open("rb") as file:
        sheet = openpyxl.load_workbook(file).active
        return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_job_writes_every_visible_row_and_says_how_many(
    project, owner, coded, media
):
    export = export_for(owner, project)
    assert export.job.status == Job.Status.DONE, export.job.message
    assert export.job.message == "3 coded segments written."
    assert export.job.progress == 100
    assert export.rows == 3
    assert export.file.path.startswith(str(media))
    rows = sheet_rows(export)
    assert rows[0][:4] == ["project", "transcript_id", "transcript_title", "speaker"]
    assert sorted(r[rows[0].index("start")] for r in rows[1:]) == [0, 13, 30]


def test_filters_apply(project, owner, coder, coded):
    export = export_for(owner, project, ALL | {"coder_id": coder.pk})
    assert export.rows == 2


def test_blind_mode_exports_only_the_coders_own_codings(project, coder, coded):
    project.blind_coding = True
    project.save()
    export = export_for(coder, project)
    rows = sheet_rows(export)
    coders = {r[rows[0].index("coder")] for r in rows[1:]}
    assert coders == {coder.username}
    assert export.rows == 2


def test_a_creator_who_left_the_project_gets_nothing(project, coder, coded):
    acc = access.get_project_for_user(coder, project.pk)
    export = start_xlsx_export(access=acc, user=coder, filters=ALL)
    Membership.objects.filter(project=project, user=coder).delete()
    run_job(job_id=export.job_id, work=write_xlsx_export)
    export.refresh_from_db()
    export.job.refresh_from_db()
    assert export.job.status == Job.Status.FAILED
    assert export.job.message == "You are no longer a member of this project."
    assert not export.file


def test_expired_exports_and_their_files_are_deleted(project, owner, coded, settings):
    old = export_for(owner, project)
    path = old.file.path
    ExportFile.objects.filter(pk=old.pk).update(
        created=timezone.now() - timedelta(days=settings.EXPORT_KEEP_DAYS, seconds=1)
    )
    fresh = export_for(owner, project)  # starting one clears the expired
    assert list(ExportFile.objects.all()) == [fresh]
    assert not os.path.exists(path)
    assert os.path.exists(fresh.file.path)
    assert delete_expired_exports() == 0
