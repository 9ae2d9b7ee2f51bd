"""Export tabular rows to files, one module per format.

Each format module has `write(header, rows, file)`, writing a header and an
iterable of rows (lists of str, int, datetime or None) to a binary file, and
CONTENT_TYPE; EXPORTS maps the file extension to the module. Rows are
consumed one at a time, so a caller can pass a lazy iterator of any length.
Nothing here imports Django.
"""

from interviews.exports import csv_rows, xlsx_rows

EXPORTS = {
    "csv": csv_rows,
    "xlsx": xlsx_rows,
}
