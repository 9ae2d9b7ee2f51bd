"""What the document exports gather: exemplars, counts, marks and memos."""

import pytest

from interviews.access import get_project_for_user
from interviews.models import Project
from interviews.services.codings import add_coding
from interviews.services.memos import add_memo
from interviews.services.reports import (
    BLIND_NOTE,
    Candidate,
    codebook_report,
    coded_transcript,
    pick_exemplars,
    project_memos,
)
from interviews.services.transcripts import create_transcript
from tests.conftest import DEMO_TEXT

# -- pick_exemplars (no database) ---------------------------------------------


def c(id, length, transcript=1, coder=1, start=0):
    return Candidate(id, transcript, coder, start, start + length)


def ids(found):
    return [candidate.id for candidate in found]


def test_exemplars_are_closest_to_the_median_length_in_range():
    # In range: 50, 60, 100, 300 (median 60); 10 and 900 are out.
    candidates = [c(1, 10), c(2, 900), c(3, 300), c(4, 60, start=1),
                  c(5, 50, start=2), c(6, 100, start=3)]  # fmt: skip

    assert ids(pick_exemplars(candidates)) == [4, 5, 6]


def test_exemplars_prefer_other_transcripts_then_other_coders():
    candidates = [
        c(1, 60, transcript=1, coder=1),
        c(2, 61, transcript=1, coder=2, start=5),
        c(3, 62, transcript=1, coder=1, start=9),
        c(4, 90, transcript=2, coder=1),
    ]

    # 2 has the median length (61); then the other transcript although its
    # length is furthest off; then 1 and 3 tie on both counts, and 1 is closer.
    assert ids(pick_exemplars(candidates)) == [2, 4, 1]


def test_the_same_passage_is_quoted_once():
    candidates = [c(1, 60, coder=1), c(2, 60, coder=2), c(3, 70, start=100)]

    assert ids(pick_exemplars(candidates)) == [1, 3]


def test_short_codings_are_quoted_when_there_are_no_others():
    assert ids(pick_exemplars([c(1, 5), c(2, 12, start=20)])) == [1, 2]
    assert pick_exemplars([]) == []


def test_the_choice_does_not_depend_on_input_order():
    candidates = [c(i, 40 + 7 * i, transcript=i % 3, coder=i % 2, start=i)
                  for i in range(1, 30)]  # fmt: skip

    assert pick_exemplars(candidates) == pick_exemplars(candidates[::-1])


# -- with the database ----------------------------------------------------------


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


LONG = "The main barrier is financial: regions lack money for joint projects."
SHORT = "barrier"


@pytest.fixture
def coded(project, transcript, codes, owner, coder):
    start, end = span(DEMO_TEXT, LONG)
    a = add_coding(coder=owner, transcript=transcript, code=codes["financial"],
                   start=start, end=end, memo="Owner's note")  # fmt: skip
    b = add_coding(coder=coder, transcript=transcript, code=codes["financial"],
                   start=start, end=end)  # fmt: skip
    s, e = span(DEMO_TEXT, SHORT)
    d = add_coding(coder=coder, transcript=transcript, code=codes["barriers"],
                   start=s, end=e, memo="Coder's <b>note</b>")  # fmt: skip
    return {"owner_long": a, "coder_long": b, "coder_short": d}


def access_for(user, project):
    return get_project_for_user(user, project.pk)


def test_the_report_counts_and_quotes_per_code(project, coded, owner):
    report = codebook_report(access=access_for(owner, project))

    assert report.project == "Eurasian cooperation"
    assert report.n_transcripts == 1
    assert report.note == ""
    rows = {code.path: code for code in report.codes}
    assert list(rows) == ["Barriers", "Barriers/Financial difficulties",
                          "Information support"]  # fmt: skip
    financial = rows["Barriers/Financial difficulties"]
    assert (financial.n_codings, financial.n_transcripts, financial.n_coders) == (
        2,
        1,
        2,
    )
    # Two coders coded the same passage: quoted once.
    assert [(q.text, q.speaker) for q in financial.quotes] == [
        (LONG, "Expert 1 (Russian Federation)")
    ]
    assert financial.quotes[0].coder == "olga_owner"
    assert [q.text for q in rows["Barriers"].quotes] == [SHORT]
    assert rows["Information support"].quotes == []


def test_blind_mode_limits_a_coders_report_to_their_codings(project, coded, coder):
    Project.objects.filter(pk=project.pk).update(blind_coding=True)
    project.refresh_from_db()

    report = codebook_report(access=access_for(coder, project))

    assert report.note == BLIND_NOTE
    financial = report.codes[1]
    assert (financial.n_codings, financial.n_coders) == (1, 1)
    assert [q.coder for q in financial.quotes] == ["carl_coder"]


def test_the_report_reads_a_fixed_number_of_queries(
    project, transcript, codes, owner, django_assert_num_queries
):
    access = access_for(owner, project)
    with django_assert_num_queries(4):  # no quotes to read
        codebook_report(access=access)
    for offset in range(0, 60, 3):
        add_coding(coder=owner, transcript=transcript, code=codes["info"],
                   start=offset, end=offset + 2)  # fmt: skip
    with django_assert_num_queries(5):
        report = codebook_report(access=access)
    assert len(report.codes[2].quotes) == 3


def test_a_coded_transcript_numbers_marks_by_position(
    project, transcript, coded, owner
):
    doc = coded_transcript(access=access_for(owner, project), transcript=transcript)

    assert doc.text == DEMO_TEXT
    assert doc.attributes == [("country", "Russian Federation")]
    assert [(m.number, m.code_path, m.coder, m.memo) for m in doc.marks] == [
        # Same start: the longer first; same span: the older first.
        (1, "Barriers/Financial difficulties", "olga_owner", "Owner's note"),
        (2, "Barriers/Financial difficulties", "carl_coder", ""),
        (3, "Barriers", "carl_coder", "Coder's <b>note</b>"),
    ]


def test_a_coded_transcript_in_blind_mode_has_only_own_marks(
    project, transcript, coded, coder, django_assert_num_queries
):
    Project.objects.filter(pk=project.pk).update(blind_coding=True)
    access = access_for(coder, project)

    with django_assert_num_queries(4):
        doc = coded_transcript(access=access, transcript=transcript)

    assert {m.coder for m in doc.marks} == {"carl_coder"}
    assert doc.note == BLIND_NOTE


def test_memos_of_all_three_kinds_in_order(project, transcript, codes, coded, owner,
                                           coder):  # fmt: skip
    other = create_transcript(project=project, user=owner, title="A first", text="x",
                              turns=[], attributes={})  # fmt: skip
    add_memo(project=project, author=coder, transcript=transcript, text="T memo")
    add_memo(project=project, author=owner, transcript=other, text="A memo")
    add_memo(project=project, author=owner, code=codes["info"], text="Info memo")
    add_memo(project=project, author=coder, code=codes["barriers"], text="B memo")

    memos = project_memos(access=access_for(owner, project))

    rows = [(m.kind, m.transcript, m.code_path, m.author, m.text) for m in memos.memos]
    assert rows == [
        ("transcript", "A first", "", "olga_owner", "A memo"),
        ("transcript", "Expert interviews", "", "carl_coder", "T memo"),
        ("code", "", "Barriers", "carl_coder", "B memo"),
        ("code", "", "Information support", "olga_owner", "Info memo"),
        ("coding", "Expert interviews", "Barriers/Financial difficulties",
         "olga_owner", "Owner's note"),
        ("coding", "Expert interviews", "Barriers", "carl_coder",
         "Coder's <b>note</b>"),
    ]  # fmt: skip
    assert memos.memos[-2].coded_text == LONG
    assert memos.memos[-2].coding_id == coded["owner_long"].pk


def test_blind_mode_hides_other_coders_coding_memos(project, coded, coder):
    Project.objects.filter(pk=project.pk).update(blind_coding=True)

    memos = project_memos(access=access_for(coder, project))

    assert [m.text for m in memos.memos if m.kind == "coding"] == [
        "Coder's <b>note</b>"
    ]
    assert memos.note
