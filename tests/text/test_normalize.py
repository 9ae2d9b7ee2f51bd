import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviews.text.normalize import normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Composed and decomposed spellings become the same code points.
        ("cafe\u0301", "caf\u00e9"),
        ("caf\u00e9", "caf\u00e9"),
        (
            "\u0418\u0306\u043e\u0433\u0443\u0440\u0442",
            "\u0419\u043e\u0433\u0443\u0440\u0442",
        ),
        ("\u1100\u1161", "\uac00"),
        # NFC, not NFKC: ligatures and full-width letters stay as written.
        ("\ufb01le", "\ufb01le"),
        ("\uff21", "\uff21"),
        # Line breaks.
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\r\r\nb", "a\n\nb"),
        ("a\n\rb", "a\n\nb"),
        ("a\u2028b\u2029c", "a\nb\nc"),
        ("a\x85b", "a\nb"),
        ("page one\x0cpage two", "page one\npage two"),
        ("a\x0bb", "a\nb"),
        # Byte-order marks: leading ones go, one inside the text stays.
        ("\ufeffabc", "abc"),
        ("\ufeff\ufeffabc", "abc"),
        ("a\ufeffb", "a\ufeffb"),
        # Control characters.
        ("a\x00b", "ab"),
        ("a\x07b\x1bc\x1fd", "abcd"),
        ("a\x7fb\x9bc", "abc"),
        ("a\tb", "a\tb"),
        # Other whitespace is kept, except at the very end.
        (
            "  two  spaces\n\n\nthree blank lines",
            "  two  spaces\n\n\nthree blank lines",
        ),
        ("\n\nleading newlines", "\n\nleading newlines"),
        ("non\u00a0breaking\u2003em space", "non\u00a0breaking\u2003em space"),
        ("trailing  \n\n\t \n", "trailing"),
        ("", ""),
        ("\r\n\x00 \t", ""),
        ("end \ufeff", "end \ufeff"),
    ],
)
def test_it_normalises(raw, expected):
    assert normalize_text(raw) == expected


@given(st.text())
def test_it_is_idempotent(raw):
    once = normalize_text(raw)
    assert normalize_text(once) == once


@given(st.text())
def test_its_output_is_nfc_with_only_newlines_and_tabs_as_controls(raw):
    text = normalize_text(raw)
    assert unicodedata.is_normalized("NFC", text)
    assert "\r" not in text and "\u2028" not in text
    assert all(char in "\n\t" or unicodedata.category(char) != "Cc" for char in text)
    assert not text.startswith("\ufeff")
    assert text == text.rstrip()
