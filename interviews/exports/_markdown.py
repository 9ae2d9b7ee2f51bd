"""Escaping for the Markdown writers: text stays text in any renderer.

Every ASCII punctuation character may be backslash-escaped in CommonMark,
so escaping the ones that start markup keeps names like "*Barriers*" or
"<script>" as written: pandoc, GitHub and Obsidian show the text, never
emphasis, links or raw HTML. Characters that matter only at the start of a
line (#, -, +, =, "1." or "1)") are escaped there only, to keep the file
readable. Line breaks inside a text become hard breaks (a backslash at the
end of the line), blank lines paragraph breaks.
"""

import re

_INLINE = re.compile(r"([\\`*_\[\]<>|~&!])")
_LINE_START = re.compile(r"^(\s*)([#+\-=])")
_NUMBERED = re.compile(r"^(\s*\d+)([.)])")


def escape(text: str) -> str:
    """Return one line of `text` with Markdown markup characters escaped."""
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(r"\1\\\2", text)
    return _NUMBERED.sub(r"\1\\\2", text)


def _lines(text: str, prefix: str) -> str:
    lines = [line.rstrip() for line in text.strip().split("\n")]
    out = []
    for index, line in enumerate(lines):
        following = index + 1 < len(lines) and lines[index + 1]
        body = escape(line)
        if body and following:
            body += "\\"  # hard line break
        out.append(f"{prefix}{body}".rstrip())
    return "\n".join(out)


def paragraphs(text: str) -> str:
    """Return `text` escaped, its line breaks kept."""
    return _lines(text, "")


def blockquote(text: str) -> str:
    """Return `text` escaped as a block quote, its line breaks kept."""
    return _lines(text, "> ")
