"""All memos of a project as one Markdown document, grouped by what they are about.

Sections: transcript memos (by transcript), code memos (by code, in
codebook order), coding memos (by transcript, then position, each with the
coded text quoted). Within a group, memos come oldest first. Everything is
escaped (interviews.exports._markdown).
"""

from itertools import groupby
from typing import BinaryIO

from interviews.exports import _markdown as md
from interviews.exports.documents import MemoEntry, MemoList

CONTENT_TYPE = "text/markdown; charset=utf-8"
_SECTIONS = (
    ("transcript", "Transcript memos"),
    ("code", "Code memos"),
    ("coding", "Coding memos"),
)


def render(memos: MemoList) -> str:
    """Return the memos as Markdown."""
    out = [
        f"# Memos: {md.escape(memos.project)}",
        "",
        f"Exported {memos.generated:%Y-%m-%d %H:%M} UTC: "
        f"{_count(len(memos.memos), 'memo')}.",
    ]
    if memos.note:
        out += ["", md.escape(memos.note)]
    for kind, title in _SECTIONS:
        group = [memo for memo in memos.memos if memo.kind == kind]
        out += ["", f"## {title}", ""]
        if not group:
            out.append("None.")
            continue
        for heading, entries in groupby(group, key=_heading):
            out += [f"### {md.escape(heading)}", ""]
            for memo in entries:
                out += _memo(memo)
    return "\n".join(out).rstrip("\n") + "\n"


def write(memos: MemoList, file: BinaryIO) -> None:
    """Write the memos to a binary file as UTF-8 Markdown."""
    file.write(render(memos).encode("utf-8"))


def _heading(memo: MemoEntry) -> str:
    if memo.kind == "transcript":
        return memo.transcript
    if memo.kind == "code":
        return memo.code_path
    return f"{memo.transcript} — {memo.code_path}"


def _memo(memo: MemoEntry) -> list[str]:
    lines = []
    if memo.kind == "coding":
        lines += [md.blockquote(memo.coded_text), ""]
    when = f"{memo.created:%Y-%m-%d %H:%M} UTC"
    if memo.updated and memo.updated.replace(microsecond=0) != memo.created.replace(
        microsecond=0
    ):
        when += f", edited {memo.updated:%Y-%m-%d %H:%M}"
    lines += [f"*{md.escape(memo.author)}, {when}:*", "", md.paragraphs(memo.text), ""]
    return lines


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
