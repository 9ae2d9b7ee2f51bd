import codecs
import struct
import zlib

import pytest

from interviews.formats import ImportRefused
from interviews.text.encoding import NAMES, decode_bytes

RUSSIAN = (
    "Если говорить о межрегиональном сотрудничестве в целом, то у него, "
    "безусловно, больше возможностей для экономического взаимодействия. "
    "Главный барьер — нормативная база: договоры и соглашения, которые "
    "подписывают регионы, носят «рекомендательный» характер, а обмен "
    "информацией между руководителями приграничных областей остаётся слабым.\n"
)
FRENCH = (
    "Les élus régionaux ont créé un groupement européen, mais la procédure "
    "reste très lourde ; il faut souvent négocier à Paris. Ça coûte cher : "
    "l’été dernier, le budget de 2 000 € par mois a été gelé, et le cœur du "
    "projet s’est arrêté.\n"
)
GERMAN = (
    "Die Zusammenarbeit über die Grenze hinweg hat sich in den letzten Jahren "
    "deutlich verbessert. Für die Bürgerinnen und Bürger ist vor allem der "
    "Verkehr wichtig – früher dauerte die Fahrt über die Brücke oft länger "
    "als eine Stunde. Größere Städte profitieren natürlich mehr.\n"
)
# KOI8-R has no em dash or guillemets.
RUSSIAN_KOI8 = RUSSIAN.replace("—", "-").replace("«", '"').replace("»", '"')


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (RUSSIAN, "cp1251"),
        (RUSSIAN.replace("\n", "\r\n") * 3, "cp1251"),
        (FRENCH, "cp1252"),
        (GERMAN, "cp1252"),
        (FRENCH + GERMAN, "cp1252"),
        (RUSSIAN_KOI8, "koi8_r"),
        # English whose bytes read the same in Windows-1251: still named 1252.
        (
            "Three main options were identified: “Vertical interaction through "
            "the state capitals” (23.53 %) — the experts’ answers.",
            "cp1252",
        ),
        # Short lines, where detection has little to go on.
        ("Интервьюер: Да.\nРеспондент: Нет, я не знаю.", "cp1251"),
        ("Я не знаю.", "cp1251"),
        ("Да, конечно.", "koi8_r"),
        ("Q: Où?\nA: À Paris.", "cp1252"),
        ("Grüße aus Köln", "cp1252"),
        ("Äußerst schön", "cp1252"),
        ("Café", "cp1252"),
    ],
)
def test_it_detects_legacy_encodings(text, encoding):
    assert decode_bytes(text.encode(encoding)) == (text, encoding)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (RUSSIAN.encode("utf-8"), (RUSSIAN, "utf-8")),
        (b"plain ASCII\n", ("plain ASCII\n", "utf-8")),
        (codecs.BOM_UTF8 + FRENCH.encode(), (FRENCH, "utf-8-sig")),
        (codecs.BOM_UTF16_LE + RUSSIAN.encode("utf-16-le"), (RUSSIAN, "utf-16-le")),
        (codecs.BOM_UTF16_BE + GERMAN.encode("utf-16-be"), (GERMAN, "utf-16-be")),
        (codecs.BOM_UTF32_LE + RUSSIAN.encode("utf-32-le"), (RUSSIAN, "utf-32-le")),
        (codecs.BOM_UTF32_BE + FRENCH.encode("utf-32-be"), (FRENCH, "utf-32-be")),
        # Notepad's "Unicode" without a BOM, Latin and Cyrillic.
        (GERMAN.encode("utf-16-le"), (GERMAN, "utf-16-le")),
        (RUSSIAN.encode("utf-16-le"), (RUSSIAN, "utf-16-le")),
        (FRENCH.encode("utf-16-be"), (FRENCH, "utf-16-be")),
        # Emoji and other astral characters survive every Unicode form.
        ("👋🏽 Привет 🇷🇺 мир".encode(), ("👋🏽 Привет 🇷🇺 мир", "utf-8")),
        (
            codecs.BOM_UTF16_LE + "👋🏽 Привет".encode("utf-16-le"),
            ("👋🏽 Привет", "utf-16-le"),
        ),
    ],
)
def test_it_decodes_unicode(data, expected):
    assert decode_bytes(data) == expected


def test_it_names_every_encoding_it_returns():
    assert {"utf-8", "utf-8-sig", "cp1251", "cp1252", "koi8_r"} <= set(NAMES)


def _png() -> bytes:
    body = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    ihdr = struct.pack(">I", len(body)) + b"IHDR" + body
    return b"\x89PNG\r\n\x1a\n" + ihdr + struct.pack(">I", zlib.crc32(ihdr[4:]))


@pytest.mark.parametrize(
    "data",
    [
        _png(),
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)),
        b"text with a NUL\x00 in the middle",
        bytes(range(256)) * 4,
        # Valid UTF-8, but made of control characters.
        b"\x01\x02\x03\x04\x05\x06 hello",
        # Valid UTF-16 layout, but the "characters" are controls.
        b"\x01\x00\x02\x00\x03\x00\x04\x00\x05\x00\x06\x00",
    ],
)
def test_it_refuses_binary_data(data):
    with pytest.raises(ImportRefused, match="looks like a binary file, not text"):
        decode_bytes(data)


def test_it_refuses_empty_data():
    with pytest.raises(ImportRefused, match=r"^The file is empty\.$"):
        decode_bytes(b"")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (codecs.BOM_UTF8 + b"ok \xff\xfe", "UTF-8 byte-order mark .* \\(at byte 6\\)"),
        (codecs.BOM_UTF16_LE + b"a\x00\x00\xd8", "not valid UTF-16 text"),
        (codecs.BOM_UTF32_BE + b"\x00\x00\x00", "not valid UTF-32 text"),
    ],
)
def test_it_refuses_text_that_contradicts_its_bom(data, message):
    with pytest.raises(ImportRefused, match=message):
        decode_bytes(data)
