"""Offset conventions: code points, UTF-16 units, CRLF, NFC, BOM."""

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviews.formats.refi import read
from interviews.formats.refi.textmap import normalize_with_map
from interviews.text.normalize import normalize_text


@pytest.mark.parametrize(
    ("raw", "positions", "expected"),
    [
        ("abc", [0, 1, 3], [0, 1, 3]),
        ("a\r\nb", [0, 1, 2, 3, 4], [0, 1, 1, 2, 3]),  # inside CRLF -> the "\n"
        ("\ufeffab", [0, 1, 3], [0, 0, 2]),
        ("e\u0301x", [0, 2, 3], [0, 1, 2]),  # decomposed é becomes one character
        ("a\x00b", [0, 2, 3], [0, 1, 2]),  # NUL removed
        ("ab  \n\n", [2, 6], [2, 2]),  # trimmed end
        ("x\r\ny\r\nz", [5, 6], [3, 4]),
    ],
)
def test_raw_offsets_map_onto_the_normalised_text(raw, positions, expected):
    text, to_text = normalize_with_map(raw)
    assert text == normalize_text(raw)
    assert [to_text(p) for p in positions] == expected


U, C, S = (
    "11111111-1111-1111-1111-111111111111",
    "22222222-2222-2222-2222-222222222222",
    "33333333-3333-3333-3333-333333333333",
)


def _project(raw: str, start: int, end: int, *, origin: str, name: str = "") -> bytes:
    xml = f"""<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="{origin}">
<CodeBook><Codes><Code guid="{C}" name="A" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="{S}" name="s" plainTextPath="internal://{S}.txt">
<PlainTextSelection guid="{U}" name="{name}"
 startPosition="{start}" endPosition="{end}">
<Coding guid="{U}"><CodeRef targetGUID="{C}"/></Coding></PlainTextSelection>
</TextSource></Sources></Project>"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("project.qde", xml)
        zf.writestr(f"sources/{S}.txt", raw.encode("utf-8"))
    return buffer.getvalue()


RAW = "Hi 🙂 there\r\nsecond 🙂 line"


@pytest.mark.parametrize(
    ("origin", "start", "end", "expected"),
    [
        # The standard: code points of the file as written (CRLF is 2).
        ("ATLAS.ti 9", 12, 18, "second"),
        # NVivo: UTF-16 units of the file as written, the emoji counts 2.
        ("NVivo for Windows 12.6", 13, 19, "second"),
        ("NVivo for Mac 12.7.0", 13, 19, "second"),
    ],
)
def test_the_origin_decides_when_no_selection_carries_its_text(
    origin, start, end, expected
):
    project = read.read_qdpx(_project(RAW, start, end, origin=origin))
    assert project.sources[0].selections[0].text == expected


@pytest.mark.parametrize(
    ("start", "end", "convention"),
    [(12, 18, "codepoints"), (13, 19, "utf16"), (11, 17, "codepoints-lf")],
)
def test_a_selections_stored_text_decides_the_convention(start, end, convention):
    project = read.read_qdpx(
        _project(RAW, start, end, origin="Some tool", name="second")
    )
    [source] = project.sources
    assert source.convention == convention
    assert source.selections[0].text == "second"


def test_a_tie_between_conventions_goes_to_the_standards_code_points():
    # 12..18 is "second" read as code points and as UTF-16 with CRLF as one.
    project = read.read_qdpx(_project(RAW, 12, 18, origin="Some tool", name="second"))
    assert project.sources[0].convention == "codepoints"


def test_an_offset_inside_a_surrogate_pair_under_utf16_is_dropped():
    project = read.read_qdpx(_project("a🙂b", 2, 4, origin="NVivo for Mac"))
    assert project.sources[0].selections == []
    assert project.report.count("codings", "dropped") == 1


PIECES = [
    "a",
    "é",
    "e\u0301",
    "\r\n",
    "\n",
    "\r",
    "🙂",
    " ",
    "\x00",
    "\ufeff",
    "\t",
    "ж",
]


@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_the_offset_map_is_monotonic_and_spans_the_text(pieces):
    raw = "".join(pieces)
    text, to_text = normalize_with_map(raw)
    assert text == normalize_text(raw)
    mapped = [to_text(p) for p in range(len(raw) + 1)]
    assert mapped[0] == 0
    assert mapped[-1] == len(text)
    assert mapped == sorted(mapped)
