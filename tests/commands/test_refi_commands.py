"""The batch commands: import_qdpx, export_qdpx, import_transcripts."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from interviews.formats.refi import validate
from interviews.models import Coding, Project, Transcript
from tests.refi_samples import sample

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_qdpx_creates_a_project_and_prints_the_report(owner):
    path = sample("refi-spec-annexA2_atlasti-8.4-example-project.qdpx")
    out, _ = run(
        "import_qdpx", str(path), "--project", "Annex", "--owner", owner.username
    )
    project = Project.objects.get(name="Annex")
    assert f"id {project.pk}" in out
    assert "dropped: 2 codings: on pictures" in out
    assert "codings: 0 of 16 in the file" in out


def test_import_qdpx_refuses_a_bad_file_with_its_reason(owner, tmp_path):
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"nope")
    with pytest.raises(CommandError, match="not a zip"):
        run("import_qdpx", str(bad), "--owner", owner.username)
    assert not Project.objects.exists()


def test_import_qdpx_needs_a_known_owner(tmp_path):
    path = sample("qc-1.3.2_demo.qdpx")
    with pytest.raises(CommandError, match="no user"):
        run("import_qdpx", str(path), "--owner", "nobody")


def test_export_qdpx_writes_a_valid_file_that_imports_again(owner, tmp_path):
    run("import_qdpx", str(sample("qc-1.3.2_demo.qdpx")), "--project", "QC",
        "--owner", owner.username)  # fmt: skip
    target = tmp_path / "out.qdpx"
    out, _ = run("export_qdpx", "QC", str(target))
    assert validate.qdpx_errors(target) == []
    run("import_qdpx", str(target), "--project", "QC again", "--owner", owner.username)
    again = Project.objects.get(name="QC again")
    assert Coding.objects.filter(transcript__project=again).count() == 205


def test_export_qdpx_says_when_the_project_is_unknown(tmp_path):
    with pytest.raises(CommandError, match="no project"):
        run("export_qdpx", "Nope", str(tmp_path / "x.qdpx"))


def test_import_transcripts_imports_a_folder_and_lists_refusals(
    project, owner, tmp_path
):
    (tmp_path / "a.txt").write_text("INTERVIEWER: Hello?\nAnna: Hi.\n")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "ignored.png").write_bytes(b"\x89PNG")
    out, err = run(
        "import_transcripts", str(tmp_path), "--project", str(project.pk),
        "--user", owner.username,
    )  # fmt: skip
    assert Transcript.objects.filter(project=project).count() == 1
    assert "1 imported, 1 refused" in out
    assert "b.txt" in err
