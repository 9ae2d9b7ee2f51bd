"""CSV export: UTF-8 with a byte order mark, RFC 4180 quoting, CRLF rows.

The byte order mark is there because Excel, when a CSV file is opened by
double-clicking it, reads it in the legacy code page unless the file starts
with one; without it Cyrillic text turns into mojibake. R's readr, pandas
(encoding="utf-8-sig") and LibreOffice all read it fine.

Cells are written exactly as stored. Spreadsheet "formula injection" (a cell
starting with = + - @) is deliberately not neutralised by prefixing a quote
as OWASP suggests: the text is what interviewees said and researchers
analyse it verbatim ("- yes, I think..." is common in transcripts), so
altering it would corrupt the data. Use the XLSX export to open the data in
a spreadsheet safely: there every text cell is a string, never a formula.

Datetimes are written in ISO 8601 with their offset; None is an empty cell.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import BinaryIO

CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff".encode()
# Flush the text buffer once it holds about this many characters.
CHUNK_CHARS = 64 * 1024


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def iter_csv(header: list[str], rows: Iterable[Iterable]) -> Iterator[bytes]:
    """Yield the CSV file in encoded chunks of roughly CHUNK_CHARS characters.

    The first chunk starts with the byte order mark. Suitable for a streaming
    HTTP response: only one chunk is held in memory at a time.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield BOM + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    for row in rows:
        writer.writerow([_cell(value) for value in row])
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def write(header: list[str], rows: Iterable[Iterable], file: BinaryIO) -> None:
    """Write the header and rows to a binary file as CSV."""
    for chunk in iter_csv(header, rows):
        file.write(chunk)
