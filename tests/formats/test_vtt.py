"""The .vtt importer: timed turns from voice tags."""

from pathlib import Path

import pytest

from interviews.formats import ImportRefused, Turn, vtt

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "formats"

# No STYLE, NOTE, cue identifier or settings; tags dropped, then &amp; and
# &lt;...&gt; decoded (so "<in total>" is text, not a tag).
INTERVIEW = (
    "Interviewer: Welcome & thank you for coming.\n"
    "Expert 9 (Turkmenistan): We built two bridges <in total>. Both in 2020. "
    "No voice here: it continues the last turn.\n"
    "Interviewer: Спасибо!"
)


def _read(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_it_imports_voices_as_labelled_lines():
    parsed = vtt.parse(_read("interview.vtt"))

    assert parsed.text == INTERVIEW
    assert parsed.source_format == "vtt"
    assert parsed.warnings == []


def test_turns_have_speakers_and_times():
    parsed = vtt.parse(_read("interview.vtt"))

    assert parsed.turns == [
        Turn("Interviewer", 0, 44, 500, 3000),
        Turn("Expert 9 (Turkmenistan)", 45, 159, 3200, 10500),
        Turn("Interviewer", 160, 181, 70000, 72000),
    ]
    assert [parsed.text[t.start : t.end] for t in parsed.turns] == INTERVIEW.split("\n")


def test_a_voice_change_inside_a_cue_starts_a_new_turn():
    data = (
        b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n"
        b"<v Anna>Hello.\n<v Bob>Hi, Anna &amp; all.\n"
    )

    parsed = vtt.parse(data)

    assert parsed.text == "Anna: Hello.\nBob: Hi, Anna & all."
    assert parsed.turns == [
        Turn("Anna", 0, 12, 1000, 4000),
        Turn("Bob", 13, 33, 1000, 4000),
    ]


def test_voice_classes_and_spaces_around_the_name():
    data = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v.loud.first   Anna B  >Hi.\n"
    parsed = vtt.parse(data)
    assert parsed.text == "Anna B: Hi."
    assert parsed.turns == [Turn("Anna B", 0, 11, 1000, 2000)]


@pytest.mark.parametrize(
    "cue",
    [b"<v " + b" " * 1_000_000 + b"x", b"<v" + b".a" * 500_000 + b" x"],
)
def test_an_unclosed_voice_tag_of_a_million_characters_is_text(cue):
    # The voice pattern once took seconds on a few thousand such characters.
    data = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n" + cue + b"\n"
    parsed = vtt.parse(data)
    assert [t.speaker for t in parsed.turns] == [""]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("no-header.vtt", r"not a valid WebVTT \(\.vtt\) subtitle file \(it must"),
        ("no-cues.vtt", r"^The file has no subtitles with text and valid timestamps"),
    ],
)
def test_it_refuses_bad_samples(name, message):
    with pytest.raises(ImportRefused, match=message):
        vtt.parse(_read(name))
