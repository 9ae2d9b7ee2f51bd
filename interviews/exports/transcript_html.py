"""A transcript with its codings as one standalone HTML file, for appendices.

Coded text is highlighted in its code's colour (the innermost coding's, with
a coloured underline per further overlapping coding), and each coding is
labelled where it starts ("3 · Barriers/Financial difficulties") and where
it ends ("/3"). A list of all codings with their coder and memo follows the
text. Everything from the database is escaped; colours are used only when
they are #rrggbb. The file has no scripts and loads nothing: it opens
offline, prints, and can be attached to a paper as it is.
"""

import re
from html import escape
from typing import BinaryIO

from interviews.exports.documents import CodedTranscript, Mark, split_at_marks

CONTENT_TYPE = "text/html; charset=utf-8"
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_MAX_UNDERLINES = 4

_CSS = """
body { font: 16px/1.6 Georgia, "Times New Roman", serif; color: #1d1d1f;
  max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.meta, .note { color: #555; font-size: .9rem; }
dl.attrs { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem;
  font-size: .9rem; }
dl.attrs dt { font-weight: bold; }
dl.attrs dd { margin: 0; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
mark { color: inherit; border-radius: 2px; padding: 0 1px;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.tag, .end { font: bold .7rem/1 system-ui, sans-serif; vertical-align: .35em;
  white-space: nowrap; }
.tag { border-left: 4px solid; padding: 0 .25rem; margin: 0 .15rem;
  background: #f4f4f4; }
.end { margin-right: .15rem; }
.legend { list-style: none; padding: 0; }
.swatch { display: inline-block; width: .8rem; height: .8rem; margin-right: .4rem;
  border-radius: 2px; vertical-align: -.05rem; }
ol.codings li { margin-bottom: .6rem; }
ol.codings blockquote { margin: .2rem 0 .2rem 1rem; white-space: pre-wrap;
  color: #333; }
.muted { color: #666; }
"""


def render(transcript: CodedTranscript) -> str:
    """Return the transcript with its codings as a standalone HTML page."""
    title = escape(transcript.title)
    parts = [
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title} · {escape(transcript.project)}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n",
        f"<h1>{title}</h1>\n",
        f'<p class="meta">Project: {escape(transcript.project)}. Exported '
        f"{transcript.generated:%Y-%m-%d %H:%M} UTC with "
        f"{_count(len(transcript.marks), 'coding')}.</p>\n",
    ]
    if transcript.note:
        parts.append(f'<p class="note">{escape(transcript.note)}</p>\n')
    if transcript.attributes:
        parts.append('<dl class="attrs">')
        for name, value in transcript.attributes:
            parts.append(f"<dt>{escape(name)}</dt><dd>{escape(value)}</dd>")
        parts.append("</dl>\n")
    parts.append(_legend(transcript.marks))
    parts.append('<h2>Transcript</h2>\n<div class="text">')
    parts.append(_text(transcript))
    parts.append("</div>\n")
    parts.append(_codings(transcript))
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def write(transcript: CodedTranscript, file: BinaryIO) -> None:
    """Write the page to a binary file as UTF-8."""
    file.write(render(transcript).encode("utf-8"))


def _colour(mark: Mark) -> str:
    return mark.colour if _HEX.fullmatch(mark.colour) else "#888888"


def _text(transcript: CodedTranscript) -> str:
    out = []
    by_start: dict[int, list[Mark]] = {}
    by_end: dict[int, list[Mark]] = {}
    for mark in transcript.marks:
        by_start.setdefault(mark.start, []).append(mark)
        by_end.setdefault(mark.end, []).append(mark)
    for start, end, marks in split_at_marks(transcript.text, transcript.marks):
        for mark in by_start.get(start, []):
            out.append(
                f'<span class="tag" style="border-color: {_colour(mark)}">'
                f"{mark.number} · {escape(mark.code_path)}</span>"
            )
        piece = escape(transcript.text[start:end])
        if marks:
            out.append(f'<mark style="{_highlight(marks)}">{piece}</mark>')
        else:
            out.append(piece)
        for mark in reversed(by_end.get(end, [])):
            out.append(
                f'<span class="end" style="color: {_colour(mark)}">/{mark.number}'
                "</span>"
            )
    return "".join(out)


def _highlight(marks: list[Mark]) -> str:
    """Return the style of a piece: innermost colour, underlines for the rest."""
    innermost = max(marks, key=lambda m: (m.start, -m.end, m.number))
    others = [m for m in marks if m is not innermost][:_MAX_UNDERLINES]
    style = f"background: {_colour(innermost)}40"
    if others:
        shadows = ", ".join(
            f"inset 0 -{2 * (index + 1)}px 0 {_colour(mark)}"
            for index, mark in enumerate(others)
        )
        style += f"; box-shadow: {shadows}"
    return style


def _legend(marks: list[Mark]) -> str:
    counts: dict[str, tuple[str, int]] = {}
    for mark in marks:
        colour, n = counts.get(mark.code_path, (_colour(mark), 0))
        counts[mark.code_path] = (colour, n + 1)
    if not counts:
        return '<p class="muted">No codings.</p>\n'
    items = "".join(
        f'<li><span class="swatch" style="background: {colour}"></span>'
        f'{escape(path)} <span class="muted">({n})</span></li>'
        for path, (colour, n) in sorted(counts.items())
    )
    return f'<h2>Codes</h2>\n<ul class="legend">{items}</ul>\n'


def _codings(transcript: CodedTranscript) -> str:
    if not transcript.marks:
        return ""
    items = []
    for mark in transcript.marks:
        item = (
            f'<li value="{mark.number}"><span class="swatch" style="background: '
            f'{_colour(mark)}"></span><strong>{escape(mark.code_path)}</strong> '
            f'<span class="muted">coded by {escape(mark.coder)}</span>'
            f"<blockquote>{escape(transcript.text[mark.start : mark.end])}"
            "</blockquote>"
        )
        if mark.memo:
            item += f"<div><em>Memo:</em> {escape(mark.memo)}</div>"
        items.append(item + "</li>")
    return f'<h2>Codings</h2>\n<ol class="codings">{"".join(items)}</ol>\n'


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
