"""The .srt importer: timed turns from "Name:" labels in the cues."""

from pathlib import Path

import pytest

from interviews.formats import ImportRefused, Turn, srt

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "formats"

INTERVIEW = (
    "(Recording starts)\n"
    "Interviewer: Thank you for joining us today.\n"
    "Expert 8 (Republic of Tajikistan): Thank you. It is a pleasure. The border "
    "opened in 2019, and trade doubled.\n"
    "Interviewer: Что изменилось?\n"
    "Expert 8 (Republic of Tajikistan): Всё.\n"
    "Interviewer: Last question 🙂."
)
EXPERT = "Expert 8 (Republic of Tajikistan)"


def _read(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_it_imports_one_line_per_turn_without_tags():
    parsed = srt.parse(_read("interview.srt"))

    assert parsed.text == INTERVIEW
    assert parsed.source_format == "srt"
    assert parsed.warnings == []


def test_turns_keep_their_times_and_merge_cues_of_one_speaker():
    parsed = srt.parse(_read("interview.srt"))

    # The unlabelled cue "The border opened..." continues Expert 8's turn,
    # which runs from its first cue's start to its last cue's end; cue 6
    # names two speakers and gives both its times.
    assert [
        (t.speaker, t.start_ms, t.end_ms, parsed.text[t.start : t.end][:22])
        for t in parsed.turns
    ] == [
        ("", 0, 900, "(Recording starts)"),
        ("Interviewer", 1000, 4200, "Interviewer: Thank you"),
        (EXPERT, 4500, 15500, "Expert 8 (Republic of "),
        ("Interviewer", 16000, 18000, "Interviewer: Что измен"),
        (EXPERT, 16000, 18000, "Expert 8 (Republic of "),
        ("Interviewer", 3723004, 3725000, "Interviewer: Last ques"),
    ]


def test_turns_tile_the_lines_of_the_text():
    parsed = srt.parse(_read("interview.srt"))

    assert [parsed.text[t.start : t.end] for t in parsed.turns] == (
        parsed.text.split("\n")
    )


def test_a_legacy_encoding_is_detected_and_named():
    parsed = srt.parse(_read("interview-cp1251.srt"))

    assert parsed.text == "Интервьюер: Добрый день.\nЭксперт 2: Здравствуйте, начнём."
    assert parsed.turns == [
        Turn("Интервьюер", 0, 24, 1000, 3000),
        Turn("Эксперт 2", 25, 57, 3500, 6000),
    ]
    assert parsed.warnings == ["Decoded as Windows-1251 (Cyrillic)."]


def test_cues_without_any_speaker_each_keep_their_times():
    data = (
        b"1\n00:00:01,000 --> 00:00:02,000\nfirst line\n\n"
        b"2\n00:00:03,000 --> 00:00:04,000\nsecond line\n"
    )

    assert srt.parse(data).turns == [
        Turn("", 0, 10, 1000, 2000),
        Turn("", 11, 22, 3000, 4000),
    ]


def test_a_colon_in_a_sentence_is_not_a_speaker():
    data = b"1\n00:00:01,000 --> 00:00:02,000\nThe plan was: build a bridge.\n"

    assert srt.parse(data).turns == [Turn("", 0, 29, 1000, 2000)]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("no-timestamps.srt", r"^The file is not a valid SubRip \(\.srt\) subtitle"),
        ("bad-timestamp.srt", r"^The file has no subtitles with text and valid"),
        ("random-bytes.txt", r"looks like a binary file"),
    ],
)
def test_it_refuses_files_that_are_not_subtitles(name, message):
    with pytest.raises(ImportRefused, match=message):
        srt.parse(_read(name))
