"""The Markdown importer, driven by fixtures/formats/interview.md."""

from pathlib import Path

import pytest

from interviews.formats import ImportRefused, md

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "formats"

# Markup stripped, words kept: no front matter, heading hashes, emphasis
# markers, link targets, list bullets, quote markers or rules; the escaped
# \*really\* keeps its stars, &amp; is "&", spacing inside a line is kept.
INTERVIEW = (
    "Interview 14: health cooperation\n"
    "Date\tPlace\n"
    "5 May 2023\tTashkent, Republic of Uzbekistan\n"
    "Interviewer: How do hospitals cooperate across the border?\n"
    "Expert 7 (Republic of Uzbekistan): Mostly through joint training\n"
    "and telemedicine. It is rarely easy *really* & never cheap.\n"
    "first point\n"
    "second point\n"
    "Эксперт 7: Главное — «доверие» 🙂.\n"
    "Interviewer:  Thank you."
)


def test_it_imports_the_text_without_markup():
    parsed = md.parse((SAMPLES / "interview.md").read_bytes())

    assert parsed.text == INTERVIEW
    assert parsed.source_format == "md"
    assert parsed.warnings == []


def test_bold_labels_become_speaker_turns():
    parsed = md.parse((SAMPLES / "interview.md").read_bytes())

    assert [(t.speaker, parsed.text[t.start : t.end][:24]) for t in parsed.turns] == [
        ("", "Interview 14: health coo"),
        ("Interviewer", "Interviewer: How do hosp"),
        ("Expert 7 (Republic of Uzbekistan)", "Expert 7 (Republic of Uz"),
        ("Эксперт 7", "Эксперт 7: Главное — «до"),
        ("Interviewer", "Interviewer:  Thank you."),
    ]


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("<b>Raw</b> HTML stays text", "<b>Raw</b> HTML stays text"),
        ("```\n  code   kept\n```", "  code   kept"),
        ("![a photo of the office](x.png) here", "a photo of the office here"),
        ("line one  \nline two", "line one\nline two"),
        ("---\nonly a rule below\n", "only a rule below"),
    ],
)
def test_it_keeps_what_a_reader_sees(source, text):
    assert md.parse(source.encode()).text == text


def test_a_legacy_encoding_is_named_in_a_warning():
    parsed = md.parse("# Интервью\n\nЭксперт: да.".encode("cp1251"))

    assert parsed.text == "Интервью\nЭксперт: да."
    assert parsed.warnings == ["Decoded as Windows-1251 (Cyrillic)."]


@pytest.mark.parametrize("source", [b"---\n---\n", b"***\n\n   \n", b"[](x.png)"])
def test_it_refuses_markdown_without_text(source):
    with pytest.raises(ImportRefused, match=r"^The file contains no text\.$"):
        md.parse(source)
