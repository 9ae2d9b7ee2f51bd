"""Read a small CSV table that researchers keep in a spreadsheet.

Used by the attribute table and codebook imports. The encoding is detected
as for .txt transcripts (UTF-8 with or without BOM, UTF-16, Windows-1252,
Windows-1251, KOI8-R), so a table saved by Excel in a Russian or Western
locale reads correctly. The delimiter is the one of comma, semicolon and tab
that splits the first rows into the same number of cells (Excel writes
semicolons where the decimal separator is a comma).
"""

import csv
import io
from dataclasses import dataclass

from interviews.formats import ImportRefused

# Modules, not names: see the note in interviews/formats/__init__.py.
from interviews.text import encoding, normalize

DELIMITERS = (",", ";", "\t")
MAX_ROWS = 50_000
MAX_COLUMNS = 500
_SNIFF_ROWS = 50
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Table:
    """A CSV table: header cells and data rows, all stripped strings.

    `rows` holds (row number, cells) with the header as row 1, as a
    spreadsheet numbers them; every row has as many cells as the header.
    Rows whose cells are all empty are left out.
    """

    header: list[str]
    rows: list[tuple[int, list[str]]]
    delimiter: str


def read_table(data: bytes) -> Table:
    """Return the table in CSV `data`, or raise ImportRefused."""
    if data.startswith((_ZIP, _OLE)):
        raise ImportRefused(
            "This is a spreadsheet workbook (.xlsx, .ods or .xls), not a CSV "
            "file. Save it as CSV (UTF-8) and upload that."
        )
    raw, _ = encoding.decode_bytes(data)
    text = normalize.normalize_text(raw)
    if not text.strip():
        raise ImportRefused("The file is empty.")
    delimiter = _sniff(text)
    records = _records(text, delimiter)
    header = [cell.strip() for cell in records[0]]
    if len(header) > MAX_COLUMNS:
        raise ImportRefused(f"The table has more than {MAX_COLUMNS} columns.")
    rows = []
    for number, cells in enumerate(records[1:], start=2):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if len(cells) > len(header):
            if any(cells[len(header) :]):
                raise ImportRefused(
                    f"Row {number} has {len(cells)} cells but the first row names "
                    f"{len(header)} columns."
                )
            cells = cells[: len(header)]
        rows.append((number, cells + [""] * (len(header) - len(cells))))
        if len(rows) > MAX_ROWS:
            raise ImportRefused(f"The table has more than {MAX_ROWS:,} rows.")
    return Table(header=header, rows=rows, delimiter=delimiter)


def _sniff(text: str) -> str:
    """Return the delimiter that splits the first rows most consistently."""

    def score(delimiter: str) -> tuple[int, int]:
        try:
            sample = _records("\n".join(text.split("\n")[:_SNIFF_ROWS]), delimiter)
        except ImportRefused:
            return (0, 0)
        width = len(sample[0])
        if width < 2:
            return (0, 0)
        same = sum(1 for row in sample if len(row) == width or not any(row))
        return (same, width)

    best = max(DELIMITERS, key=score)  # ties go to the earlier delimiter
    return best if score(best) > (0, 0) else ","


def _records(text: str, delimiter: str) -> list[list[str]]:
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportRefused(f"The file is not a valid CSV table ({exc}).") from exc
    if not records:
        raise ImportRefused("The file is empty.")
    return records
