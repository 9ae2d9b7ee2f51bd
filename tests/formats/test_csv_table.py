"""Reading researchers' CSV tables: encodings, delimiters, ragged rows."""

import pytest

from interviews.formats import ImportRefused, csv_table


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        (b"title,country\nA,Kazakhstan\n", ","),
        (b"title;country\nA;Kazakhstan\n", ";"),
        (b"title\tcountry\nA\tKazakhstan\n", "\t"),
        # Commas inside cells do not fool the choice of semicolon.
        (b"title;note\nA;one, two, three\nB;four, five\n", ";"),
        (b'title,note\n"A; B",x\n', ","),
    ],
)
def test_it_finds_the_delimiter(data, delimiter):
    table = csv_table.read_table(data)

    assert table.delimiter == delimiter
    assert len(table.header) == 2


def test_it_reads_excel_csv_in_a_russian_locale():
    data = "Название;страна\r\nИнтервью 1;Беларусь\r\n".encode("cp1251")

    table = csv_table.read_table(data)

    assert table.header == ["Название", "страна"]
    assert table.rows == [(2, ["Интервью 1", "Беларусь"])]


def test_it_strips_cells_skips_blank_rows_and_pads_short_rows():
    data = "\ufefftitle , country,role\n\n A ,KZ\n,,\nB,BY,expert,\n".encode()

    table = csv_table.read_table(data)

    assert table.header == ["title", "country", "role"]
    # Row numbers are the spreadsheet's: the header is row 1.
    assert table.rows == [(3, ["A", "KZ", ""]), (5, ["B", "BY", "expert"])]


def test_a_quoted_cell_may_hold_line_breaks():
    table = csv_table.read_table(b'path,definition\nA,"two\r\nlines"\n')

    assert table.rows == [(2, ["A", "two\nlines"])]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04rest of an xlsx", r"spreadsheet workbook .* Save it as CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old xls", r"spreadsheet workbook"),
        (b" \n\n", r"^The file is empty\.$"),
        (b"a,b\n1,2,3\n", r"^Row 2 has 3 cells but the first row names 2 columns\."),
        (b"a,b\n" + b"x" * 200_000 + b",1\n", r"not a valid CSV table"),
    ],
)
def test_it_refuses_what_is_not_a_csv_table(data, message):
    with pytest.raises(ImportRefused, match=message):
        csv_table.read_table(data)


def test_it_refuses_too_many_rows(monkeypatch):
    monkeypatch.setattr(csv_table, "MAX_ROWS", 2)
    data = b"a,b\n1,2\n3,4\n5,6\n"

    with pytest.raises(ImportRefused, match="more than 2 rows"):
        csv_table.read_table(data)
