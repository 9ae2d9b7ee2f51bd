"""Attributes for many transcripts from one CSV table."""

from pathlib import Path

import pytest

from interviews.models import Attribute
from interviews.services import ServiceError
from interviews.services.attributes import attribute_table, import_attribute_table
from interviews.services.projects import create_project
from interviews.services.transcripts import create_transcript

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "formats"


def _transcript(project, user, title, filename="", **attributes):
    return create_transcript(
        project=project,
        user=user,
        title=title,
        text=f"Interviewer: {title}?",
        turns=[],
        attributes=attributes,
        original_filename=filename,
    )


@pytest.fixture
def three(project, owner):
    return {
        "kz1": _transcript(project, owner, "Kazakhstan 1", "kz-2021.docx",
                           participant="P01", country="KZ"),
        "kz2": _transcript(project, owner, "Kazakhstan 2", "kz2.txt",
                           participant="P01"),
        "by": _transcript(project, owner, "Беларусь", "by.pdf", participant="P02"),
    }  # fmt: skip


def attributes(transcript) -> dict[str, str]:
    return dict(transcript.attributes.values_list("name", "value"))


def run(project, text: str, filename="table.csv"):
    return import_attribute_table(
        project=project, data=text.encode("utf-8"), filename=filename
    )


def test_rows_match_titles_and_set_attributes(project, three):
    report = run(project, "title,country,role\nKazakhstan 1,Kazakhstan,expert\n"
                 "беларусь,Беларусь,official\n")  # fmt: skip

    assert report.matched_by == "title or file name"
    assert [(m.row, m.titles) for m in report.matched] == [
        (2, ["Kazakhstan 1"]),
        (3, ["Беларусь"]),
    ]
    assert attributes(three["kz1"]) == {
        "participant": "P01",
        "country": "Kazakhstan",
        "role": "expert",
    }
    assert attributes(three["by"]) == {
        "participant": "P02",
        "country": "Беларусь",
        "role": "official",
    }
    assert attributes(three["kz2"]) == {"participant": "P01"}
    assert (report.transcripts_changed, report.values_set) == (2, 4)


def test_a_row_per_participant_sets_all_their_transcripts(project, three):
    data = (SAMPLES / "participants.tsv").read_bytes()

    report = import_attribute_table(project=project, data=data, filename="p.tsv")

    assert report.matched_by == "attribute"
    assert report.key_column == "participant"
    assert [(m.row, m.titles) for m in report.matched] == [
        (2, ["Kazakhstan 1", "Kazakhstan 2"]),
        (3, ["Беларусь"]),
    ]
    assert [(m.row, m.key) for m in report.unmatched] == [(4, "P99")]
    assert attributes(three["kz2"]) == {
        "participant": "P01",
        "country": "Kazakhstan",
        "role": "expert",
        "age group": "40-49",
    }
    # The empty "age group" cell of P02 sets nothing.
    assert attributes(three["by"]) == {
        "participant": "P02",
        "country": "Беларусь",
        "role": "official",
    }


def test_file_names_match_with_or_without_extension(project, three):
    report = run(project, "file,role\nkz-2021.docx,expert\nkz2,official\n")

    assert [m.titles for m in report.matched] == [["Kazakhstan 1"], ["Kazakhstan 2"]]
    assert attributes(three["kz2"])["role"] == "official"


def test_an_empty_cell_removes_the_attribute(project, three):
    report = run(project, "title,country\nKazakhstan 1,\n")

    assert attributes(three["kz1"]) == {"participant": "P01"}
    assert (report.values_set, report.values_removed) == (0, 1)


def test_a_column_is_written_in_the_spelling_the_project_uses(project, three):
    run(project, "title,Country\nKazakhstan 1,Казахстан\n")

    assert attributes(three["kz1"])["country"] == "Казахстан"
    assert not Attribute.objects.filter(name="Country").exists()


def test_transcript_id_column_wins_and_the_export_round_trips(project, three):
    header, rows = attribute_table(project=project)
    assert header == ["transcript_id", "transcript_title", "country", "participant"]
    kz1_row = next(row for row in rows if row[0] == str(three["kz1"].pk))
    assert kz1_row == [str(three["kz1"].pk), "Kazakhstan 1", "KZ", "P01"]
    kz1_row[2] = "Qazaqstan"
    lines = [",".join(header)] + [",".join(row) for row in rows]

    report = run(project, "\n".join(lines) + "\n")

    assert report.matched_by == "id"
    assert report.ignored_columns == ["transcript_title"]
    assert len(report.matched) == 3
    assert attributes(three["kz1"]) == {"participant": "P01", "country": "Qazaqstan"}
    assert attributes(three["kz2"]) == {"participant": "P01"}


def test_attr_prefixes_from_the_segment_export_are_dropped(project, three):
    run(project, f"transcript_id,attr:region\n{three['by'].pk},Minsk\n")

    assert attributes(three["by"])["region"] == "Minsk"


def test_rows_that_fit_several_transcripts_are_reported_and_skipped(
    project, owner, three
):
    _transcript(project, owner, "Kazakhstan 1", "other.txt")

    report = run(project, "title,role\nKazakhstan 1,expert\nnobody,x\n")

    assert [(m.row, m.titles) for m in report.ambiguous] == [
        (2, ["Kazakhstan 1", "Kazakhstan 1"])
    ]
    assert [(m.row, m.key) for m in report.unmatched] == [(3, "nobody")]
    assert not Attribute.objects.filter(name="role").exists()


def test_transcripts_of_other_projects_are_never_matched(project, owner, three):
    other = create_project(owner=owner, name="Other")
    foreign = _transcript(other, owner, "Kazakhstan 1")

    run(project, f"transcript_id,role\n{foreign.pk},expert\n")
    run(project, "title,role\nKazakhstan 1,expert\n")

    assert attributes(foreign) == {}
    assert attributes(three["kz1"])["role"] == "expert"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title\nKazakhstan 1\n", r"at least one attribute column"),
        ("title,,role\nKazakhstan 1,x,y\n", r"column 2 has no name"),
        ("title,role,Role\nKazakhstan 1,x,y\n", r"two columns are called .Role."),
        ("title,role\nKazakhstan 1,x\nkz-2021,y\n", r"Rows 2 and 3 are both for"),
        ("title,role\nKazakhstan 1," + "x" * 501 + "\n", r"^Row 2: .* too long"),
        ("title,role\nKazakhstan 1,x,y,z\n", r"Row 2 has 4 cells"),
    ],
)
def test_bad_tables_are_refused_and_change_nothing(project, three, text, message):
    before = sorted(Attribute.objects.values_list("transcript_id", "name", "value"))

    with pytest.raises(ServiceError, match=message):
        run(project, text)

    after = sorted(Attribute.objects.values_list("transcript_id", "name", "value"))
    assert after == before


def test_a_late_error_rolls_back_earlier_rows(project, three):
    # Row 2 is valid and would be written before row 4's conflict is found.
    text = "title,role\nKazakhstan 1,expert\nБеларусь,official\nkz-2021.docx,x\n"

    with pytest.raises(ServiceError, match="Rows 2 and 4"):
        run(project, text)

    assert not Attribute.objects.filter(name="role").exists()


def test_the_number_of_queries_does_not_grow_with_rows(
    project, owner, django_assert_num_queries
):
    for n in range(30):
        _transcript(project, owner, f"T{n}")
    text = "title,role\n" + "".join(f"T{n},r{n}\n" for n in range(30))

    # Five, plus the savepoint and its release around the atomic block.
    with django_assert_num_queries(7):
        report = run(project, text)

    assert report.values_set == 30
