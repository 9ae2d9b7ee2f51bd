"""The RTF importer: LibreOffice output and Cyrillic in Windows code pages."""

from pathlib import Path

import pytest
from striprtf import striprtf

from interviews.formats import ImportRefused, rtf

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "formats"

RUSSIAN = (
    "Интервьюер: Расскажите, пожалуйста, как развивается межрегиональное "
    "сотрудничество в вашем регионе?\n"
    "Эксперт 1 (Российская Федерация): Если говорить о межрегиональном "
    "сотрудничестве в целом, то у него, безусловно, больше возможностей для "
    "экономического взаимодействия. Прежде всего это взаимный интерес к "
    "определённым группам товаров и услуг.\n"
    "Интервьюер: Какие барьеры вы считаете главными?\n"
    "Эксперт 1 (Российская Федерация): Главный барьер — нормативная база. "
    "Договоры и соглашения, которые подписывают регионы, носят «рекомендательный» "
    "характер, а обмен информацией остаётся слабым."
)

# interview-libreoffice.rtf, converted by LibreOffice from a .docx: the
# reviewer's comment is left out, table cells are tab-separated, the page
# break before the last line is a blank line.
LIBREOFFICE = (
    "Interview 12: border trade\n"
    "Date\t3 June 2022\n"
    "Place\tAlmaty, Republic of Kazakhstan\n"
    "Interviewer: How has border trade changed since 2015?\n"
    "Expert 5 (Republic of Kazakhstan): Trade has grown, but customs queues are "
    "still long  (two spaces).\n"
    "Эксперт 5: Торговля выросла,\n"
    "а очереди на таможне\tвсё ещё длинные — «увы».\n"
    "\n"
    "Interviewer: Thank you."
)


def _read(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_it_imports_a_libreoffice_rtf():
    parsed = rtf.parse(_read("interview-libreoffice.rtf"))

    assert parsed.text == LIBREOFFICE
    assert parsed.source_format == "rtf"
    assert "reviewer" not in parsed.text
    assert [turn.speaker for turn in parsed.turns] == [
        "",
        "Interviewer",
        "Expert 5 (Republic of Kazakhstan)",
        "Эксперт 5",
        "Interviewer",
    ]


def test_it_reads_cyrillic_bytes_in_the_declared_code_page():
    data = _read("interview-cp1251.rtf")
    assert b"\\ansicpg1251" in data and b"\\fcharset0" in data

    parsed = rtf.parse(data)

    assert parsed.text == RUSSIAN
    assert parsed.warnings == []
    assert [turn.speaker for turn in parsed.turns] == [
        "Интервьюер",
        "Эксперт 1 (Российская Федерация)",
    ] * 2


def test_striprtf_alone_would_garble_that_sample():
    # Why the importer rewrites \fcharset0: striprtf reads it as Windows-1252.
    raw = striprtf.rtf_to_text(_read("interview-cp1251.rtf").decode("ascii"))
    assert "Интервьюер" not in raw
    assert "Èíòåðâüþåð" in raw


def test_it_detects_the_code_page_when_none_is_declared():
    data = _read("interview-no-codepage.rtf")
    assert b"ansicpg" not in data and b"fcharset" not in data

    parsed = rtf.parse(data)

    assert parsed.text == RUSSIAN
    assert parsed.warnings == [
        "No code page was declared; read as Windows-1251 (Cyrillic)."
    ]


@pytest.mark.parametrize(
    ("source", "text"),
    [
        # An emoji is two \u escapes (a UTF-16 surrogate pair).
        (r"{\rtf1\ansi A: hi \u-10179?\u-8638?.}", "A: hi 🙂."),
        (r"{\rtf1\ansi\uc0 caf\u233 .}", "café."),
        (r"{\rtf1\ansi a\par b\line c\tab d}", "a\nb\nc\td"),
        (r"{\rtf1\ansi x \\cell y\cell z\cell\row}", r"x \cell y" + "\tz"),
        (r"{\rtf1\ansi{\header Header text}Body{\footnote Note}}", "Body"),
    ],
)
def test_it_reads_rtf_control_words(source, text):
    assert rtf.parse(source.encode("ascii")).text == text


def test_an_unknown_code_page_falls_back_with_a_warning():
    parsed = rtf.parse(rb"{\rtf1\ansi\ansicpg99999 Caf\'e9}")

    assert parsed.text == "Café"
    assert parsed.warnings == ["The code page 99999 is unknown; read as Windows-1252."]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, r"^The file is not an RTF document \(it does not start with \{\\rtf\)"),
        (
            rb"{\rtf1\ansi{\fonttbl{\f0 Arial;}}\par\par}",
            r"^The document contains no text",
        ),
    ],
)
def test_it_refuses_what_is_not_an_rtf_document_with_text(data, message):
    with pytest.raises(ImportRefused, match=message):
        rtf.parse(data if data is not None else _read("not-rtf.rtf"))
