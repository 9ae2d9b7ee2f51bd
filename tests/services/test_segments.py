import datetime

import pytest

from interviews import access
from interviews.models import Code, SpeakerTurn
from interviews.services import ServiceError
from interviews.services.codings import add_coding
from interviews.services.projects import create_project
from interviews.services.segments import (
    build_segment_export,
    filter_codings,
    load_codebook,
    segment_table_rows,
    tidy_header,
)
from interviews.services.transcripts import create_transcript
from tests.conftest import DEMO_TEXT

FINANCIAL = "The main barrier is financial"
INFO = "Информационная поддержка слабая 🙂"


def code_phrase(*, coder, transcript, code, phrase, memo=""):
    start = DEMO_TEXT.index(phrase)
    return add_coding(
        coder=coder,
        transcript=transcript,
        code=code,
        start=start,
        end=start + len(phrase),
        memo=memo,
    )


@pytest.fixture
def second(project, owner):
    return create_transcript(
        project=project,
        user=owner,
        title="A second interview",
        text="Interviewer: Hello.\nExpert 3: Roads are bad.\n",
        turns=[],
        attributes={"country": "Kazakhstan", "role": "expert"},
    )


@pytest.fixture
def sample(project, transcript, second, codes, owner, coder):
    """Four codings: two by the coder, two by the owner, over two transcripts."""
    return {
        "financial": code_phrase(
            coder=coder,
            transcript=transcript,
            code=codes["financial"],
            phrase=FINANCIAL,
        ),
        "barriers": code_phrase(
            coder=owner, transcript=transcript, code=codes["barriers"], phrase=FINANCIAL
        ),
        "info": code_phrase(
            coder=coder, transcript=transcript, code=codes["info"], phrase=INFO
        ),
        "roads": add_coding(
            coder=owner, transcript=second, code=codes["barriers"], start=30, end=35
        ),
    }


def acc(user, project):
    return access.get_project_for_user(user, project.pk)


def test_codebook_paths_join_names_from_the_root(
    project, codes, django_assert_num_queries
):
    with django_assert_num_queries(1):
        book = load_codebook(project=project)
    assert book.paths == {
        codes["barriers"].pk: "Barriers",
        codes["financial"].pk: "Barriers/Financial difficulties",
        codes["info"].pk: "Information support",
    }
    assert book.order == [codes["barriers"].pk, codes["financial"].pk, codes["info"].pk]
    assert book.descendants(codes["barriers"].pk) == {
        codes["barriers"].pk,
        codes["financial"].pk,
    }


def test_a_code_filter_includes_sub_codes_unless_asked_not_to(
    project, sample, owner, codes
):
    everything = filter_codings(
        access=acc(owner, project), code_id=codes["barriers"].pk
    )
    assert set(everything) == {sample["financial"], sample["barriers"], sample["roads"]}
    exact = filter_codings(
        access=acc(owner, project),
        code_id=codes["barriers"].pk,
        include_descendants=False,
    )
    assert set(exact) == {sample["barriers"], sample["roads"]}


def test_filters_by_coder_transcript_and_attribute(
    project, sample, owner, coder, second, transcript
):
    owner_acc = acc(owner, project)
    assert set(filter_codings(access=owner_acc, coder_id=coder.pk)) == {
        sample["financial"],
        sample["info"],
    }
    assert list(filter_codings(access=owner_acc, transcript_id=second.pk)) == [
        sample["roads"]
    ]
    kazakh = filter_codings(
        access=owner_acc, attribute_name="country", attribute_value="Kazakhstan"
    )
    assert list(kazakh) == [sample["roads"]]
    has_role = filter_codings(access=owner_acc, attribute_name="role")
    assert list(has_role) == [sample["roads"]]
    assert filter_codings(access=owner_acc, attribute_name="country").count() == 4


def test_a_code_of_another_project_is_refused(project, sample, owner):
    other = create_project(owner=owner, name="Other")
    foreign = Code.objects.create(project=other, name="Foreign")
    with pytest.raises(ServiceError):
        filter_codings(access=acc(owner, project), code_id=foreign.pk)


def test_a_value_without_an_attribute_is_refused(project, sample, owner):
    with pytest.raises(ServiceError):
        filter_codings(access=acc(owner, project), attribute_value="Kazakhstan")


def test_blind_mode_keeps_coders_to_their_own_codings(project, sample, owner, coder):
    project.blind_coding = True
    project.save()
    assert set(filter_codings(access=acc(coder, project))) == {
        sample["financial"],
        sample["info"],
    }
    # Asking for another coder's codings finds nothing rather than leaking them.
    assert not filter_codings(access=acc(coder, project), coder_id=owner.pk).exists()
    assert filter_codings(access=acc(owner, project)).count() == 4


def test_speaker_is_the_turn_containing_the_start(project, sample, owner):
    rows = {
        c.pk: c.speaker
        for c in segment_table_rows(filter_codings(access=acc(owner, project)))
    }
    assert rows[sample["financial"].pk] == "Expert 1 (Russian Federation)"
    assert rows[sample["info"].pk] == "Expert 2 (Republic of Belarus)"
    # The second transcript was stored without turns.
    assert rows[sample["roads"].pk] is None


def test_a_coding_starting_between_turns_has_no_speaker(
    project, transcript, codes, owner
):
    first = SpeakerTurn.objects.filter(transcript=transcript).order_by("start").first()
    coding = add_coding(
        coder=owner,
        transcript=transcript,
        code=codes["info"],
        start=first.end,
        end=first.end + 3,
    )
    row = segment_table_rows(filter_codings(access=acc(owner, project))).get(
        pk=coding.pk
    )
    assert row.speaker is None


def test_export_rows_are_tidy_with_one_column_per_attribute(
    project, sample, owner, coder, transcript, second, codes
):
    export = build_segment_export(
        access=acc(owner, project), codings=filter_codings(access=acc(owner, project))
    )
    assert export.header == tidy_header(["country", "role"])
    assert export.header == [
        "project", "transcript_id", "transcript_title", "speaker",
        "attr:country", "attr:role",
        "code_path", "code_id", "coder", "start", "end", "text", "memo", "created",
    ]  # fmt: skip
    rows = list(export.rows)
    # Ordered by transcript title: "A second interview" first.
    assert [row[1] for row in rows] == [
        second.pk,
        transcript.pk,
        transcript.pk,
        transcript.pk,
    ]
    start = DEMO_TEXT.index(FINANCIAL)
    financial = next(row for row in rows if row[6] == "Barriers/Financial difficulties")
    assert financial[:6] == [
        "Eurasian cooperation",
        transcript.pk,
        "Expert interviews",
        "Expert 1 (Russian Federation)",
        "Russian Federation",
        "",
    ]
    assert financial[7:13] == [
        codes["financial"].pk,
        "carl_coder",
        start,
        start + len(FINANCIAL),
        FINANCIAL,
        "",
    ]
    assert isinstance(financial[13], datetime.datetime)
    assert rows[0][3] == ""  # no turns, no speaker
    assert rows[0][4:6] == ["Kazakhstan", "expert"]


def test_export_honours_blind_mode_and_filters(project, sample, coder, codes):
    project.blind_coding = True
    project.save()
    coder_acc = acc(coder, project)
    export = build_segment_export(
        access=coder_acc,
        codings=filter_codings(access=coder_acc, code_id=codes["barriers"].pk),
    )
    assert [row[7] for row in export.rows] == [codes["financial"].pk]


def test_export_query_count_does_not_grow_with_rows(
    project, transcript, codes, owner, django_assert_num_queries
):
    def export_all():
        owner_acc = acc(owner, project)
        return list(
            build_segment_export(
                access=owner_acc, codings=filter_codings(access=owner_acc)
            ).rows
        )

    for start in range(3):
        add_coding(
            coder=owner,
            transcript=transcript,
            code=codes["info"],
            start=start,
            end=start + 2,
        )
    with django_assert_num_queries(4) as few:  # membership, codebook, attributes, rows
        assert len(export_all()) == 3
    for start in range(3, 60):
        add_coding(
            coder=owner,
            transcript=transcript,
            code=codes["info"],
            start=start,
            end=start + 2,
        )
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(export_all()) == 60
