"""All memos of a project as one CSV table (see csv_rows for the dialect).

One row per memo: kind (transcript, code or coding), what it is about
(transcript and/or code, with ids to join on), the coded text for a coding
memo, author, created and updated (UTC), and the memo text.
"""

from collections.abc import Iterable, Iterator
from typing import BinaryIO

from interviews.exports import csv_rows
from interviews.exports.documents import MemoEntry, MemoList

CONTENT_TYPE = csv_rows.CONTENT_TYPE
HEADER = [
    "kind",
    "transcript_id",
    "transcript_title",
    "code_id",
    "code_path",
    "coding_id",
    "coded_text",
    "author",
    "created",
    "updated",
    "memo",
]


def rows(memos: Iterable[MemoEntry]) -> Iterator[list]:
    """Yield one row per memo, in HEADER's order."""
    for memo in memos:
        yield [
            memo.kind,
            memo.transcript_id,
            memo.transcript,
            memo.code_id,
            memo.code_path,
            memo.coding_id,
            memo.coded_text,
            memo.author,
            memo.created,
            memo.updated,
            memo.text,
        ]


def write(memos: MemoList, file: BinaryIO) -> None:
    """Write the memos to a binary file as CSV."""
    csv_rows.write(HEADER, rows(memos.memos), file)
