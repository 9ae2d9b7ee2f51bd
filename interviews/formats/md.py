"""Markdown transcripts (.md): the text a reader sees, without the markup.

Decision: markup is stripped, not kept. "**Interviewer:** Hello" becomes
"Interviewer: Hello", which is what the speaker detection (and a reader of
the exported text) expects; emphasis markers, link targets, heading hashes
and list bullets carry no meaning a researcher codes. What a reader sees is
kept exactly: the words, their order, line breaks inside a paragraph,
spaces, backslash-escaped characters (\\* stays *), entities (&amp; becomes &)
and code as written.

Parsing is done by markdown-it-py (CommonMark plus tables) with raw HTML off,
so HTML in a Markdown file is imported as the text it is written as. Each
paragraph, heading, list item, quote and code block becomes a line (or
several, for line breaks inside it); a table row becomes one line with
cells separated by tabs, as in the .docx importer. A YAML front matter block
(between "---" lines at the very top, as Obsidian and static site tools
write it) is metadata, not transcript, and is left out.
"""

import re

from markdown_it import MarkdownIt

from interviews.formats import ImportRefused, ParsedTranscript

# Modules, not names: see the note in interviews/formats/__init__.py.
from interviews.text import encoding, normalize, speakers

_PARSER = MarkdownIt("commonmark", {"html": False}).enable("table")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_TEXT_TOKENS = {"text", "text_special", "code_inline"}


def parse(data: bytes) -> ParsedTranscript:
    """Return the transcript in the Markdown `data`, or raise ImportRefused."""
    raw, encoding_name = encoding.decode_bytes(data)
    source = _FRONT_MATTER.sub("", normalize.normalize_text(raw), count=1)
    text = normalize.normalize_text("\n".join(_lines(source)))
    if not text.strip():
        raise ImportRefused("The file contains no text.")
    warnings = encoding.decoding_warnings(encoding_name)
    return ParsedTranscript(
        text=text,
        turns=speakers.detect_turns(text),
        source_format="md",
        warnings=warnings,
    )


def _lines(source: str) -> list[str]:
    """Return the visible text of each block of `source`, in order."""
    lines: list[str] = []
    cells: list[str] | None = None
    for token in _PARSER.parse(source):
        if token.type == "tr_open":
            cells = []
        elif token.type == "tr_close" and cells is not None:
            lines.append("\t".join(cells))
            cells = None
        elif token.type == "inline":
            text = _inline_text(token.children or [])
            if cells is not None:
                cells.append(text)
            else:
                lines.append(text)
        elif token.type in {"fence", "code_block"}:
            lines.append(token.content.removesuffix("\n"))
    return lines


def _inline_text(children) -> str:
    parts = []
    for child in children:
        if child.type in _TEXT_TOKENS:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append("\n")
        elif child.type == "image":
            # An image's alt text is what a reader of the text sees.
            parts.append(_inline_text(child.children or []))
    return "".join(parts)
