"""Markdown escaping: names and quotes stay text in a CommonMark renderer."""

import pytest
from markdown_it import MarkdownIt

from interviews.exports import _markdown as md

RENDER = MarkdownIt("commonmark").enable("table").render


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "*Barriers* and _help_",
        "# not a heading",
        "- not a list",
        "1. not a list",
        "2) neither",
        "[a link](https://example.org) ![img](x.png)",
        "`code` and \\ backslash | pipe ~~strike~~",
        "&amp; stays as typed",
        "+ plus",
        "=====",
    ],
)
def test_escaped_text_renders_as_exactly_that_text(text):
    html = RENDER(md.escape(text))

    assert html == f"<p>{_html_text(text)}</p>\n"


def _html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_blockquote_keeps_line_breaks_and_paragraphs():
    quoted = md.blockquote("one *a*\ntwo\n\nthree")

    assert quoted == "> one \\*a\\*\\\n> two\n>\n> three"
    assert RENDER(quoted) == (
        "<blockquote>\n<p>one *a*<br />\ntwo</p>\n<p>three</p>\n</blockquote>\n"
    )
