"""XLSX export with XlsxWriter in constant-memory mode.

constant_memory makes XlsxWriter flush each row to a temporary file as soon
as the next one starts, so memory stays flat however many rows there are
(rows must therefore come in order, which they do). Every str is written with
write_string, so a cell such as "=HYPERLINK(...)" stays text and is never
evaluated as a formula. Integers are numbers; datetimes are Excel dates
(timezone dropped: the caller passes UTC and says so in the header).

Excel limits: 1,048,576 rows (TooManyRows is raised before writing past it)
and 32,767 characters per cell (XlsxWriter truncates longer strings; the CSV
export keeps them whole).
"""

from collections.abc import Iterable
from datetime import date, datetime
from typing import BinaryIO

import xlsxwriter

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767
SHEET_NAME = "segments"


class TooManyRows(ValueError):
    """More rows than a worksheet can hold; str(exc) says so for the user."""


def write(
    header: list[str],
    rows: Iterable[Iterable],
    file: BinaryIO | str,
    *,
    sheet_name: str = SHEET_NAME,
) -> None:
    """Write the header and rows as one worksheet to `file` (path or binary file)."""
    write_sheets([(sheet_name, header, rows)], file)


def write_sheets(
    sheets: Iterable[tuple[str, list[str], Iterable[Iterable]]],
    file: BinaryIO | str,
) -> None:
    """Write one worksheet per (name, header, rows) to `file`, in order.

    Names must be valid Excel sheet names (at most 31 characters, none of
    ``[]:*?/\\``) and distinct; XlsxWriter raises otherwise.
    """
    workbook = xlsxwriter.Workbook(
        file,
        {
            "constant_memory": True,
            "remove_timezone": True,
            # Keep strings as written: no URL, number or formula guessing.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    try:
        bold = workbook.add_format({"bold": True})
        when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for name, header, rows in sheets:
            _write_sheet(workbook.add_worksheet(name), header, rows, bold, when)
    finally:
        workbook.close()


def _write_sheet(sheet, header: list[str], rows: Iterable[Iterable], bold, when):
    sheet.freeze_panes(1, 0)
    for col, name in enumerate(header):
        sheet.set_column(col, col, max(12, min(len(str(name)) + 4, 40)))
        sheet.write_string(0, col, str(name), bold)
    row_index = 0
    for row_index, row in enumerate(rows, start=1):
        if row_index >= MAX_ROWS:
            raise TooManyRows(
                f"An Excel sheet holds at most {MAX_ROWS - 1:,} rows; "
                "use the CSV export for this many."
            )
        for col, value in enumerate(row):
            _write_cell(sheet, row_index, col, value, when)
    if header:
        sheet.autofilter(0, 0, row_index, len(header) - 1)


def _write_cell(sheet, row: int, col: int, value, when) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    elif isinstance(value, datetime | date):
        sheet.write_datetime(row, col, value, when)
    else:
        sheet.write_string(row, col, str(value))
