"""A codebook as a CSV table: one code per row, by its path.

The first row names the columns; only the path column is required:

    path                              definition               colour
    Barriers                          Anything in the way      #e15759
    Barriers/Financial difficulties   Money, budgets, funding

- path (also "code", "code_path", "name"): the names from the top level
  down, joined by "/". Spaces around each name are ignored. A name that
  itself contains "/" cannot be written as a path; rename it first.
- definition (also "description"): optional, any text.
- colour (also "color"): optional, "#rrggbb" or "rrggbb", any case.

Other columns are ignored and named in `ignored_columns`. A path may be
listed before or after its parent, or its parent not at all (the importer
creates missing parents). Each path may appear only once (names compared
ignoring case, as the codebook does).
"""

import re
from dataclasses import dataclass

from interviews.formats import ImportRefused, csv_table

SEPARATOR = "/"
COLUMNS = {
    "path": ("path", "code", "code_path", "code path", "name"),
    "definition": ("definition", "description"),
    "colour": ("colour", "color"),
}
_HEX_COLOUR = re.compile(r"#?([0-9a-fA-F]{6})")


@dataclass(frozen=True)
class CodeRow:
    """One code of the table: its row number, names from the top, and values."""

    row: int
    path: tuple[str, ...]
    definition: str
    colour: str  # "" or lower-case "#rrggbb"


@dataclass(frozen=True)
class Codebook:
    rows: list[CodeRow]
    ignored_columns: list[str]


def parse(data: bytes) -> Codebook:
    """Return the codes in CSV `data`, in file order, or raise ImportRefused."""
    table = csv_table.read_table(data)
    positions = _columns(table.header)
    rows, seen = [], {}
    for number, cells in table.rows:
        raw_path = cells[positions["path"]]
        if not raw_path:
            raise ImportRefused(f"Row {number} has no code path.")
        path = tuple(name.strip() for name in raw_path.split(SEPARATOR))
        if not all(path):
            raise ImportRefused(
                f"Row {number}: the path “{raw_path}” has an empty name in it."
            )
        key = tuple(name.casefold() for name in path)
        if key in seen:
            raise ImportRefused(
                f"Rows {seen[key]} and {number} both list “{SEPARATOR.join(path)}”."
            )
        seen[key] = number
        rows.append(
            CodeRow(
                row=number,
                path=path,
                definition=_cell(cells, positions.get("definition")),
                colour=_colour(_cell(cells, positions.get("colour")), number),
            )
        )
    if not rows:
        raise ImportRefused("The table lists no codes.")
    used = set(positions.values())
    ignored = [name for index, name in enumerate(table.header) if index not in used]
    return Codebook(rows=rows, ignored_columns=[name for name in ignored if name])


def _columns(header: list[str]) -> dict[str, int]:
    folded = [name.casefold() for name in header]
    positions = {}
    for column, names in COLUMNS.items():
        matches = [index for index, name in enumerate(folded) if name in names]
        if len(matches) > 1:
            raise ImportRefused(f"More than one column holds the code {column}.")
        if matches:
            positions[column] = matches[0]
    if "path" not in positions:
        raise ImportRefused(
            "The first row must name the columns, with one called “path” "
            "(and optionally “definition” and “colour”)."
        )
    return positions


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None else ""


def _colour(value: str, number: int) -> str:
    if not value:
        return ""
    match = _HEX_COLOUR.fullmatch(value)
    if match is None:
        raise ImportRefused(
            f"Row {number}: the colour “{value}” is not like #1f77b4 "
            "(# and six hex digits)."
        )
    return "#" + match[1].lower()
