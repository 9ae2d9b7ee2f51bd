"""Importing and exporting REFI-QDA projects against the database."""

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model

from interviews.formats.refi import read, validate
from interviews.models import (
    Attribute,
    Code,
    Coding,
    Membership,
    Memo,
    Project,
    Transcript,
)
from interviews.services import ServiceError
from interviews.services import refi as service
from interviews.services.codings import add_coding
from interviews.services.memos import add_memo
from tests.refi_samples import PROJECTS, sample

pytestmark = pytest.mark.django_db


def row_counts():
    return (
        Project.objects.count(),
        Transcript.objects.count(),
        Code.objects.count(),
        Coding.objects.count(),
        Memo.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
    )


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_each_sample_imports_into_a_new_project_with_truthful_counts(owner, name):
    _, kept, codes, codings, kept_codings = PROJECTS[name]
    report = service.import_qdpx(owner=owner, path=sample(name), filename=name)
    project = report.project
    assert project.memberships.get(user=owner).role == Membership.Role.OWNER
    assert project.transcripts.count() == kept == report.imported["sources"]
    assert project.codes.count() == codes == report.imported["codes"]
    assert (
        Coding.objects.filter(transcript__project=project).count()
        == kept_codings
        == report.imported["codings"]
    )
    assert report.in_file["codings"] == codings
    dropped = sum(
        line.count
        for line in report.lines
        if line.subject == "codings" and line.action == "dropped"
    )
    assert kept_codings + dropped == codings
    for coding in Coding.objects.filter(transcript__project=project).select_related(
        "transcript"
    ):
        assert coding.transcript.text[coding.start : coding.end] == coding.text


def test_file_users_who_coded_become_inactive_placeholder_coders(owner):
    report = service.import_qdpx(
        owner=owner, path=sample("nvivo-win-12.6_oltas0517.qdpx"), filename="x.qdpx"
    )
    members = report.project.memberships.select_related("user").exclude(user=owner)
    coders = {m.user.first_name: m for m in members}
    assert set(coders) <= {"Gergo", "floriansipos"} and coders
    for membership in coders.values():
        assert membership.role == Membership.Role.CODER
        assert not membership.user.is_active
        assert not membership.user.has_usable_password()
        assert membership.user.username.startswith("imported-")


def test_imported_guids_are_kept(owner):
    path = sample("qc-1.3.2_demo.qdpx")
    parsed = read.read_qdpx(path)
    report = service.import_qdpx(owner=owner, path=path)
    stored = {str(c.guid) for c in report.project.codes.all()}
    assert stored == {c.guid for c in parsed.all_codes()}


def test_atlasti_sub_codes_import_as_a_tree(owner):
    name = "refi-spec-annexA2_atlasti-8.4-example-project.qdpx"
    report = service.import_qdpx(owner=owner, path=sample(name))
    codes = report.project.codes
    assert sorted(codes.filter(parent__name="Coke").values_list("name", flat=True)) == [
        "diet Coke",
        "full-fat Coke",
    ]
    assert not codes.filter(name__contains="::").exists()
    assert any("ATLAS.ti sub-codes" in line.reason for line in report.lines)


def test_a_file_that_is_not_a_zip_changes_nothing(owner):
    before = row_counts()
    with pytest.raises(ServiceError, match="not a zip"):
        service.import_qdpx(owner=owner, data=b"hello", filename="x.qdpx")
    assert row_counts() == before


def test_a_file_over_the_size_limit_is_refused(owner):
    before = row_counts()
    with pytest.raises(ServiceError, match="too large"):
        service.import_qdpx(owner=owner, data=b"x" * 2000, max_bytes=1000)
    assert row_counts() == before


def test_a_failure_half_way_leaves_the_database_as_it_was(owner, monkeypatch):
    before = row_counts()

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service._Importer, "_create_memos", explode)
    with pytest.raises(RuntimeError):
        service.import_qdpx(owner=owner, path=sample("qc-1.3.2_demo.qdpx"))
    assert row_counts() == before


def test_notes_become_memos_cases_attributes_and_the_rest_description(owner):
    s1, c1 = (
        "33333333-3333-3333-3333-333333333333",
        "22222222-2222-2222-2222-222222222222",
    )
    xml = f"""<Project xmlns="urn:QDA-XML:project:1.0" name="Notes">
<Users><User guid="11111111-1111-1111-1111-111111111111" name="Ann"/></Users>
<CodeBook><Codes><Code guid="{c1}" name="A" isCodable="true">
<NoteRef targetGUID="aaaaaaaa-0000-0000-0000-000000000001"/></Code></Codes></CodeBook>
<Variables><Variable guid="cccccccc-0000-0000-0000-000000000001" name="age"
 typeOfVariable="Integer"/></Variables>
<Cases><Case guid="bbbbbbbb-0000-0000-0000-000000000001" name="Ann">
<VariableValue><VariableRef targetGUID="cccccccc-0000-0000-0000-000000000001"/>
<IntegerValue>67</IntegerValue></VariableValue>
<SourceRef targetGUID="{s1}"/></Case></Cases>
<Sources><TextSource guid="{s1}" name="one" plainTextPath="internal://{s1}.txt">
<NoteRef targetGUID="aaaaaaaa-0000-0000-0000-000000000002"/></TextSource></Sources>
<Notes>
<Note guid="aaaaaaaa-0000-0000-0000-000000000001" name="on code">
<PlainTextContent>About A</PlainTextContent></Note>
<Note guid="aaaaaaaa-0000-0000-0000-000000000002" name="on source">
<PlainTextContent>About one</PlainTextContent></Note>
<Note guid="aaaaaaaa-0000-0000-0000-000000000003" name="Plan">
<PlainTextContent>The plan</PlainTextContent></Note>
</Notes></Project>"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("project.qde", xml)
        zf.writestr(f"sources/{s1}.txt", "Hello")
    report = service.import_qdpx(owner=owner, data=buffer.getvalue())
    project = report.project
    assert Memo.objects.get(code__project=project).text == "About A"
    assert Memo.objects.get(transcript__project=project).text == "About one"
    assert "Plan\nThe plan" in project.description
    attributes = Attribute.objects.filter(transcript__project=project)
    assert dict(attributes.values_list("name", "value")) == {"case": "Ann", "age": "67"}
    assert not [line for line in report.lines if line.action == "warning"]


# -- export and round trip -------------------------------------------------


def exported(project) -> bytes:
    buffer = io.BytesIO()
    service.export_qdpx(project=project, file=buffer)
    return buffer.getvalue()


def content(data: bytes):
    """Return what a round trip must keep, read back from a `.qdpx`."""
    project = read.read_qdpx(data)
    users = {u.guid: u.name for u in project.users}
    paths = {}

    def walk(code, prefix):
        paths[code.guid] = prefix + code.name
        for child in code.children:
            walk(child, prefix + code.name + "/")

    for code in project.codes:
        walk(code, "")
    return {
        "codes": [
            (c.guid, c.name, c.description, c.colour) for c in project.all_codes()
        ],
        "tree": sorted(paths.items()),
        "sources": [(s.guid, s.name, s.text, s.attributes) for s in project.sources],
        "codings": sorted(
            (
                src.guid,
                sel.start,
                sel.end,
                sel.text,
                c.guid,
                c.code_guid,
                users[c.creating_user],
                sel.description,
            )
            for src in project.sources
            for sel in src.selections
            for c in sel.codings
        ),
        "notes": sorted(n.text for n in project.notes),
    }


def round_trip(project, owner):
    first = exported(project)
    assert validate.qdpx_errors(io.BytesIO(first)) == []
    report = service.import_qdpx(owner=owner, data=first, filename="first.qdpx")
    second = exported(report.project)
    assert validate.qdpx_errors(io.BytesIO(second)) == []
    return first, second, report


def test_a_project_built_here_round_trips(project, owner, coder, codes, transcript):
    add_coding(
        coder=owner, transcript=transcript, code=codes["financial"], start=0, end=11
    )
    add_coding(
        coder=coder, transcript=transcript, code=codes["financial"], start=0, end=11
    )
    emoji = transcript.text.index("🙂")
    add_coding(
        coder=coder,
        transcript=transcript,
        code=codes["info"],
        start=emoji - 5,
        end=emoji + 5,
    )
    Coding.objects.filter(coder=coder, code=codes["info"]).update(memo="Smiley")
    add_memo(project=project, author=coder, text="Why money?", code=codes["financial"])
    add_memo(project=project, author=owner, text="Long one", transcript=transcript)
    first, second, report = round_trip(project, owner)
    assert content(first) == content(second)
    assert report.imported["codings"] == 3
    assert len(content(first)["codings"]) == 3
    # The second import of our own file has nothing to report but the users.
    assert {line.subject for line in report.lines} <= {"users"}


def test_exporting_twice_gives_the_same_guids(project, codes, transcript, owner):
    add_coding(coder=owner, transcript=transcript, code=codes["info"], start=0, end=5)
    assert content(exported(project)) == content(exported(project))


@pytest.mark.parametrize(
    "name", ["nvivo-win-12.6_oltas0517.qdpx", "qc-1.3.2_demo.qdpx"]
)
def test_an_imported_sample_round_trips(owner, name):
    report = service.import_qdpx(owner=owner, path=sample(name))
    first, second, _ = round_trip(report.project, owner)
    assert content(first) == content(second)


def test_the_demo_project_round_trips(owner):
    from interviews.services.demo import load_demo

    demo = load_demo().project
    assert Coding.objects.filter(transcript__project=demo).exists()
    first, second, report = round_trip(demo, owner)
    assert content(first) == content(second)
    assert (
        report.imported["codings"]
        == Coding.objects.filter(transcript__project=demo).count()
    )


# -- codebooks ----------------------------------------------------------------


def test_a_codebook_imports_into_an_existing_project_and_merges_by_name(project, codes):
    data = sample("refi-spec-annexA1_codebook.qdc").read_bytes()
    report = service.import_qdc(project=project, data=data)
    assert report.imported["codes"] == 6
    again = service.import_qdc(project=project, data=data)
    assert again.imported["codes"] == 0
    assert project.codes.count() == 3 + 6


def test_an_exported_codebook_validates_and_imports(project, codes):
    data = service.export_qdc(project=project)
    assert validate.qdc_errors(data) == []
    other = Project.objects.create(name="Other")
    service.import_qdc(project=other, data=data)
    assert sorted(other.codes.values_list("name", flat=True)) == sorted(
        project.codes.values_list("name", flat=True)
    )


def test_an_empty_codebook_is_not_exported(project):
    with pytest.raises(ServiceError, match="empty"):
        service.export_qdc(project=project)
