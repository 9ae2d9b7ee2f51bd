import pytest

from interviews.models import Code, Coding, Transcript, TranscriptChunk
from interviews.services import ServiceError
from interviews.services.codings import add_coding, delete_coding, update_coding_memo
from interviews.services.projects import create_project
from interviews.services.transcripts import create_transcript
from tests.conftest import DEMO_TEXT

PHRASE = "Информационная поддержка слабая 🙂"


def test_it_stores_code_point_offsets_and_a_copy_of_the_text(transcript, codes, coder):
    start = DEMO_TEXT.index(PHRASE)
    coding = add_coding(
        coder=coder,
        transcript=transcript,
        code=codes["info"],
        start=start,
        end=start + len(PHRASE),
        expected_text=PHRASE,
    )
    coding.refresh_from_db()
    assert (coding.start, coding.end, coding.text) == (
        start,
        start + len(PHRASE),
        PHRASE,
    )
    assert coding.coder == coder


@pytest.mark.parametrize(
    "start, end",
    [
        (-1, 5),
        (5, 5),
        (6, 5),
        (0, len(DEMO_TEXT) + 1),
        ("a", 3),
        (None, 3),
        (1.5, 3),
        (True, 3),
    ],
)
def test_it_rejects_invalid_offsets(transcript, codes, coder, start, end):
    with pytest.raises(ServiceError):
        add_coding(
            coder=coder, transcript=transcript, code=codes["info"], start=start, end=end
        )
    assert not Coding.objects.exists()


def test_it_accepts_a_coding_that_ends_at_the_last_character(transcript, codes, coder):
    coding = add_coding(
        coder=coder,
        transcript=transcript,
        code=codes["info"],
        start=0,
        end=len(DEMO_TEXT),
    )
    assert coding.text == DEMO_TEXT


def test_it_rejects_a_duplicate_coding_and_keeps_the_first(transcript, codes, coder):
    add_coding(coder=coder, transcript=transcript, code=codes["info"], start=0, end=5)
    with pytest.raises(ServiceError, match="already coded"):
        add_coding(
            coder=coder, transcript=transcript, code=codes["info"], start=0, end=5
        )
    assert Coding.objects.count() == 1


def test_the_same_span_may_be_coded_by_another_coder(transcript, codes, coder, owner):
    add_coding(coder=coder, transcript=transcript, code=codes["info"], start=0, end=5)
    add_coding(coder=owner, transcript=transcript, code=codes["info"], start=0, end=5)
    assert Coding.objects.count() == 2


def test_it_rejects_a_code_of_another_project(transcript, coder, owner):
    other = create_project(owner=owner, name="Other")
    foreign = Code.objects.create(project=other, name="Foreign")
    with pytest.raises(ServiceError, match="another project"):
        add_coding(coder=coder, transcript=transcript, code=foreign, start=0, end=5)
    assert not Coding.objects.exists()


def test_it_rejects_text_that_does_not_match_the_offsets(transcript, codes, coder):
    with pytest.raises(ServiceError, match="does not match"):
        add_coding(
            coder=coder,
            transcript=transcript,
            code=codes["info"],
            start=0,
            end=5,
            expected_text="hello",
        )
    assert not Coding.objects.exists()


def test_memo_update_and_delete(transcript, codes, coder):
    coding = add_coding(
        coder=coder, transcript=transcript, code=codes["info"], start=0, end=5
    )
    update_coding_memo(coding=coding, memo="Interviewer's framing")
    assert Coding.objects.get().memo == "Interviewer's framing"
    delete_coding(coding=coding)
    assert not Coding.objects.exists()


SIZE = TranscriptChunk.SIZE


@pytest.fixture
def long_transcript(project, owner):
    # Emoji (one code point, two UTF-16 units) and Cyrillic straddle the
    # chunk boundaries.
    text = ("Регион 🙂 cooperation. " * 2000)[: 3 * SIZE + 17]
    return create_transcript(
        project=project, user=owner, title="Long", text=text, turns=[], attributes={}
    )


@pytest.mark.parametrize(
    "start, end",
    [
        (0, 1),
        (SIZE - 1, SIZE + 1),  # across one boundary
        (SIZE, 2 * SIZE),  # exactly one chunk
        (10, 3 * SIZE + 5),  # across three boundaries
        (3 * SIZE + 16, 3 * SIZE + 17),  # the last character
    ],
)
def test_slices_across_chunk_boundaries_are_exact(
    long_transcript, codes, coder, start, end
):
    text = Transcript.objects.values_list("text", flat=True).get(pk=long_transcript.pk)
    coding = add_coding(
        coder=coder,
        transcript=long_transcript,
        code=codes["info"],
        start=start,
        end=end,
        expected_text=text[start:end],
    )
    assert coding.text == text[start:end]


def test_the_text_is_stored_in_chunks_that_join_to_it(long_transcript):
    chunks = list(long_transcript.chunks.values_list("text", flat=True))
    assert [len(c) for c in chunks] == [SIZE, SIZE, SIZE, 17]
    assert "".join(chunks) == Transcript.objects.get(pk=long_transcript.pk).text


def test_a_transcript_without_chunks_is_sliced_by_the_database(
    long_transcript, codes, coder
):
    TranscriptChunk.objects.filter(transcript=long_transcript).delete()
    text = Transcript.objects.get(pk=long_transcript.pk).text
    start, end = SIZE - 3, SIZE + 40
    coding = add_coding(
        coder=coder,
        transcript=long_transcript,
        code=codes["info"],
        start=start,
        end=end,
    )
    assert coding.text == text[start:end]
