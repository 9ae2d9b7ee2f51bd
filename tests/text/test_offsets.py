import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviews.text.offsets import codepoints_to_utf16, utf16_to_codepoints

# "👋🏽" is two astral code points (hand, skin tone), "🇷🇺" two regional
# indicators: each takes two UTF-16 units. Cyrillic takes one.
GREETING = "👋🏽 Привет 🇷🇺 мир"


def _utf16_offset(text: str, codepoint_offset: int) -> int:
    return len(text[:codepoint_offset].encode("utf-16-le")) // 2


@pytest.mark.parametrize(
    ("codepoints", "utf16"),
    [
        (0, 0),
        (1, 2),  # after 👋
        (2, 4),  # after 🏽
        (3, 5),  # after the space
        (9, 11),  # after "Привет"
        (10, 12),
        (11, 14),  # after 🇷
        (12, 16),  # after 🇺
        (16, 20),  # the end
    ],
)
def test_it_converts_between_code_points_and_utf16(codepoints, utf16):
    assert len(GREETING) == 16
    assert codepoints_to_utf16(GREETING, [codepoints]) == [utf16]
    assert utf16_to_codepoints(GREETING, [utf16]) == [codepoints]


def test_it_converts_many_positions_in_any_order():
    positions = [20, 0, 5, 20, 2, 14]
    assert utf16_to_codepoints(GREETING, positions) == [16, 0, 3, 16, 1, 11]
    assert codepoints_to_utf16(GREETING, [16, 0, 3, 16, 1, 11]) == positions


def test_offsets_are_unchanged_without_astral_characters():
    text = "Эксперт 1 (Российская Федерация): café"
    positions = list(range(len(text) + 1))
    assert utf16_to_codepoints(text, positions) == positions
    assert codepoints_to_utf16(text, positions) == positions


@pytest.mark.parametrize("utf16", [1, 3, 13, 15])
def test_it_refuses_a_position_inside_a_surrogate_pair(utf16):
    with pytest.raises(ValueError, match="inside a surrogate pair"):
        utf16_to_codepoints(GREETING, [0, utf16])


@pytest.mark.parametrize("utf16", [-1, 21, 100])
def test_it_refuses_utf16_positions_out_of_range(utf16):
    with pytest.raises(ValueError, match="outside 0..20"):
        utf16_to_codepoints(GREETING, [utf16])


@pytest.mark.parametrize("codepoints", [-1, 17])
def test_it_refuses_code_point_positions_out_of_range(codepoints):
    with pytest.raises(ValueError, match="outside 0..16"):
        codepoints_to_utf16(GREETING, [codepoints])


def test_it_accepts_no_positions():
    assert utf16_to_codepoints(GREETING, []) == []
    assert codepoints_to_utf16("", [0]) == [0]


@given(st.text())
def test_it_round_trips_every_position(text):
    positions = list(range(len(text) + 1))
    utf16 = codepoints_to_utf16(text, positions)

    assert utf16 == [_utf16_offset(text, position) for position in positions]
    assert utf16_to_codepoints(text, utf16) == positions


@given(st.text(), st.data())
def test_only_positions_between_code_points_convert(text, data):
    length = len(text.encode("utf-16-le", "surrogatepass")) // 2
    position = data.draw(st.integers(min_value=0, max_value=length))
    valid = set(codepoints_to_utf16(text, range(len(text) + 1)))
    if position in valid:
        assert codepoints_to_utf16(text, utf16_to_codepoints(text, [position])) == [
            position
        ]
    else:
        with pytest.raises(ValueError):
            utf16_to_codepoints(text, [position])
