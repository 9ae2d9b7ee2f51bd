"""The HTML importer, driven by the .html samples in fixtures/formats/."""

from pathlib import Path

import pytest

from interviews.formats import ImportRefused, html

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "formats"

# Left out: the title, style, both scripts, the comment and <noscript>.
# Entities decoded; spaces collapsed as a browser shows them, except in
# <pre>; table cells tab-separated; "Cafe" + U+0301 composed to NFC.
INTERVIEW = (
    "Interview\u00a09: water & energy\n"
    "Date\t4 July 2023\n"
    "Place\tBishkek, Kyrgyz Republic\n"
    "Interviewer: What do you think of the joint projects?\n"
    "Expert 6 (Kyrgyz Republic): They work <sometimes> — when the money arrives.\n"
    "Второй абзац: «энергия» & вода.\n"
    "Interviewer: And the barriers?\n"
    "first point\n"
    "second point\n"
    "  keep   this\n"
    "spacing\n"
    "Expert 6 (Kyrgyz Republic): Caf\u00e9 culture 🙂."
)


def _read(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_it_imports_the_text_a_browser_shows():
    parsed = html.parse(_read("interview.html"))

    assert parsed.text == INTERVIEW
    assert parsed.source_format == "html"
    assert parsed.warnings == []


def test_scripts_styles_and_comments_are_not_text():
    sample = _read("interview.html").decode()
    assert "<script>" in sample and "<style>" in sample and "<!--" in sample

    text = html.parse(_read("interview.html")).text

    assert "not text" not in text
    assert "alert" not in text and "document.write" not in text
    assert "title is not imported" not in text and "JavaScript" not in text


def test_it_finds_the_turns():
    parsed = html.parse(_read("interview.html"))

    assert [turn.speaker for turn in parsed.turns] == [
        "",
        "Interviewer",
        "Expert 6 (Kyrgyz Republic)",
        "Interviewer",
        "Expert 6 (Kyrgyz Republic)",
    ]


def test_it_reads_the_declared_legacy_encoding():
    parsed = html.parse(_read("interview-cp1251.html"))

    assert parsed.text == (
        "Интервьюер: Расскажите о сотрудничестве.\n"
        "Эксперт 1 (Российская Федерация): Главный барьер — нормативная база."
    )
    assert parsed.warnings == ["Decoded as Windows-1251 (Cyrillic)."]


def test_a_wrong_declaration_falls_back_to_detection():
    data = '<meta charset="utf-8"><p>Эксперт: да.</p>'.encode("cp1251")

    assert html.parse(data).text == "Эксперт: да."


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("<p>a<br><br>b</p>", "a\n\nb"),
        ("<div>one<div>two</div>three</div>", "one\ntwo\nthree"),
        ("<table><tr> <td> a </td>\n <td>b</td> </tr></table>", "a\tb"),
        ("<p>unclosed <b>bold <p>next", "unclosed bold\nnext"),
        ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "<script>alert(1)</script>"),
        ("<p>x<span> y </span>z &amp;amp;</p>", "x y z &amp;"),
    ],
)
def test_it_handles_markup_like_a_browser(source, text):
    assert html.parse(source.encode()).text == text


def test_it_refuses_a_page_without_text():
    with pytest.raises(ImportRefused, match=r"^The page contains no text\.$"):
        html.parse(_read("script-only.html"))
