"""The memo writers: CSV rows and grouped Markdown."""

import csv
import io
from datetime import UTC, datetime

from interviews.exports import memos_csv, memos_md
from interviews.exports.documents import MemoEntry, MemoList

EVIL = "<script>alert(1)</script>"
T0 = datetime(2024, 5, 1, 14, 3, tzinfo=UTC)
T1 = datetime(2024, 5, 2, 9, 0, tzinfo=UTC)


def entry(kind, text, **kwargs):
    values = dict(transcript_id=None, transcript="", code_id=None, code_path="",
                  coding_id=None, coded_text="", author="olga", created=T0,
                  updated=T0)  # fmt: skip
    values.update(kwargs)
    return MemoEntry(kind=kind, text=text, **values)


MEMOS = MemoList(
    project="Eurasian",
    generated=T1,
    memos=[
        entry(
            "transcript", "First *thoughts*\non KZ.", transcript_id=3, transcript="KZ 1"
        ),
        entry(
            "transcript",
            "Second, edited.",
            transcript_id=3,
            transcript="KZ 1",
            author="carl",
            updated=T1,
        ),
        entry("code", f"Code memo {EVIL}", code_id=7, code_path=f"Barriers/{EVIL}"),
        entry(
            "coding",
            "Why this matters",
            transcript_id=3,
            transcript="KZ 1",
            code_id=7,
            code_path="Barriers",
            coding_id=42,
            coded_text="Денег нет 🙂,\nсовсем.",
        ),
    ],  # fmt: skip
)


def test_csv_has_one_row_per_memo_with_ids_to_join_on():
    buffer = io.BytesIO()
    memos_csv.write(MEMOS, buffer)

    rows = list(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"))))
    assert rows[0] == memos_csv.HEADER
    assert rows[1] == ["transcript", "3", "KZ 1", "", "", "", "", "olga",
                       "2024-05-01T14:03:00+00:00", "2024-05-01T14:03:00+00:00",
                       "First *thoughts*\non KZ."]  # fmt: skip
    assert rows[4][:7] == ["coding", "3", "KZ 1", "7", "Barriers", "42",
                           "Денег нет 🙂,\nсовсем."]  # fmt: skip
    assert len(rows) == 5


def test_markdown_groups_memos_and_quotes_coded_text():
    text = memos_md.render(MEMOS)

    assert text.startswith(
        "# Memos: Eurasian\n\nExported 2024-05-02 09:00 UTC: 4 memos."
    )
    transcript_part = text[text.index("## Transcript memos") : text.index("## Code")]
    assert transcript_part.count("### KZ 1") == 1
    assert "*olga, 2024-05-01 14:03 UTC:*\n\nFirst \\*thoughts\\*\\\non KZ." in (
        transcript_part
    )
    assert "*carl, 2024-05-01 14:03 UTC, edited 2024-05-02 09:00:*" in text
    assert "### Barriers/\\<script\\>alert(1)\\</script\\>" in text
    assert "### KZ 1 — Barriers\n\n> Денег нет 🙂,\\\n> совсем.\n\n*olga" in text
    assert "<script>" not in text


def test_markdown_says_none_for_empty_sections():
    text = memos_md.render(MemoList(project="P", generated=T1, memos=[]))

    assert text.count("None.") == 3
