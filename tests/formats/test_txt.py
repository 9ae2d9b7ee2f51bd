"""The .txt importer, driven by the samples in fixtures/formats/.

The expected texts are written out here rather than read from the sample
generator, so a sample that changes, or decodes differently, fails a test.
"""

from pathlib import Path

import pytest

from interviews.formats import txt
from interviews.text.encoding import decode_bytes

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
    "характер, а обмен информацией остаётся слабым.\n"
)
WESTERN = (
    "Interviewer: Pouvez-vous décrire la coopération transfrontalière dans votre "
    "région ?\n"
    "Expert 3 (France): Oui, c’est vrai. Les élus régionaux ont créé un groupement "
    "européen, mais la procédure reste très lourde ; il faut souvent négocier à "
    "Paris et à Berlin. Ça coûte cher : l’été dernier, le budget de 2 000 € par "
    "mois a été gelé, et le cœur du projet s’est arrêté.\n"
    "Expertin 2 (Deutschland): Die Zusammenarbeit über die Grenze hinweg hat sich "
    "in den letzten Jahren deutlich verbessert. Für die Bürgerinnen und Bürger ist "
    "vor allem der Verkehr wichtig – früher dauerte die Fahrt über die Brücke "
    "oft länger als eine Stunde.\n"
)
MIXED = (
    "Notes taken before the interview, not a speaker turn.\n"
    "\n"
    "Interviewer: 👋🏽 Привет! Can we start?\n"
    "P1: Yes. Note: this is on the record 🇷🇺.\n"
    "Interviewer: Merci, très bien.\n"
)
TIMESTAMPS = (
    "[00:00:05] Interviewer: Thank you for joining.\n"
    "[00:00:09] Expert 4 (Republic of Armenia): Thank you. First of all, the\n"
    "regional authorities often do not seek to implement such projects.\n"
    "[00:01:02] Interviewer: Why is that?\n"
)


def _crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


# name, text as written (line breaks included), encoding, speakers
TEXT_SAMPLES = [
    ("interview-utf8.txt", MIXED, "utf-8", ["", "Interviewer", "P1", "Interviewer"]),
    (
        "interview-utf8-bom-crlf.txt",
        _crlf(WESTERN),
        "utf-8-sig",
        ["Interviewer", "Expert 3 (France)", "Expertin 2 (Deutschland)"],
    ),
    (
        "interview-utf16le-bom.txt",
        RUSSIAN,
        "utf-16-le",
        ["Интервьюер", "Эксперт 1 (Российская Федерация)"] * 2,
    ),
    (
        "interview-utf16be-bom.txt",
        WESTERN,
        "utf-16-be",
        ["Interviewer", "Expert 3 (France)", "Expertin 2 (Deutschland)"],
    ),
    (
        "interview-cp1251-crlf.txt",
        _crlf(RUSSIAN),
        "cp1251",
        ["Интервьюер", "Эксперт 1 (Российская Федерация)"] * 2,
    ),
    (
        "interview-cp1252-crlf.txt",
        _crlf(WESTERN),
        "cp1252",
        ["Interviewer", "Expert 3 (France)", "Expertin 2 (Deutschland)"],
    ),
    (
        "timestamps.txt",
        TIMESTAMPS,
        "utf-8",
        ["Interviewer", "Expert 4 (Republic of Armenia)", "Interviewer"],
    ),
]


@pytest.mark.parametrize(("name", "written", "encoding", "speakers"), TEXT_SAMPLES)
def test_it_decodes_each_sample_to_its_original_text(name, written, encoding, speakers):
    assert decode_bytes((SAMPLES / name).read_bytes()) == (written, encoding)


@pytest.mark.parametrize(("name", "written", "encoding", "speakers"), TEXT_SAMPLES)
def test_it_imports_each_sample(name, written, encoding, speakers):
    parsed = txt.parse((SAMPLES / name).read_bytes())

    assert parsed.text == written.replace("\r\n", "\n").rstrip("\n")
    assert parsed.source_format == "txt"
    assert [turn.speaker for turn in parsed.turns] == speakers
    for turn in parsed.turns:
        label = turn.speaker or parsed.text[turn.start : turn.end]
        assert label in parsed.text[turn.start : turn.end]


@pytest.mark.parametrize(
    ("name", "warnings"),
    [
        ("interview-utf8.txt", []),
        ("interview-utf8-bom-crlf.txt", []),
        ("interview-cp1251-crlf.txt", ["Decoded as Windows-1251 (Cyrillic)."]),
        ("interview-cp1252-crlf.txt", ["Decoded as Windows-1252 (Western European)."]),
        ("interview-utf16le-bom.txt", ["Decoded as UTF-16 little-endian."]),
    ],
)
def test_it_says_which_legacy_encoding_it_used(name, warnings):
    assert txt.parse((SAMPLES / name).read_bytes()).warnings == warnings


def test_it_turns_timestamps_into_milliseconds():
    turns = txt.parse((SAMPLES / "timestamps.txt").read_bytes()).turns

    assert [(turn.start_ms, turn.end_ms) for turn in turns] == [
        (5_000, 9_000),
        (9_000, 62_000),
        (62_000, None),
    ]


def test_turn_offsets_count_code_points_after_emoji():
    parsed = txt.parse((SAMPLES / "interview-utf8.txt").read_bytes())
    p1 = parsed.turns[2]

    assert parsed.text[p1.start : p1.end] == "P1: Yes. Note: this is on the record 🇷🇺."
    assert parsed.turns[3].end == len(parsed.text)
