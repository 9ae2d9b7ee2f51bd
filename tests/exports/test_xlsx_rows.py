import datetime
import io

import openpyxl
import pytest

from interviews.exports import xlsx_rows

HEADER = ["project", "code_id", "text", "memo", "created"]
AWKWARD = 'Информационная поддержка 🙂,\nsaid "no"'
CREATED = datetime.datetime(2024, 5, 1, 10, 30, 15, tzinfo=datetime.UTC)


def read_back(rows, header=HEADER):
    out = io.BytesIO()
    xlsx_rows.write(header, rows, out)
    out.seek(0)
    sheet = openpyxl.load_workbook(out).active
    return sheet


def test_it_writes_a_header_and_typed_cells():
    sheet = read_back([["Евразия", 12, AWKWARD, None, CREATED]])
    assert sheet.title == "segments"
    assert [c.value for c in sheet[1]] == HEADER
    assert [c.value for c in sheet[2]] == [
        "Евразия",
        12,
        AWKWARD,
        None,
        datetime.datetime(2024, 5, 1, 10, 30, 15),
    ]
    assert sheet["B2"].data_type == "n"
    assert sheet["A1"].font.bold


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+1", "-yes", "@SUM(A1)", "123", "http://x"]
)
def test_text_is_always_a_string_never_a_formula(text):
    sheet = read_back([["p", 1, text, "", CREATED]])
    cell = sheet["C2"]
    assert cell.value == text
    assert cell.data_type == "s"


def test_it_writes_many_rows_from_an_iterator():
    rows = ([f"p{n}", n, "t", "", CREATED] for n in range(5000))
    sheet = read_back(rows)
    assert sheet.max_row == 5001
    assert sheet["B5001"].value == 4999


def test_too_many_rows_for_a_sheet_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx_rows, "MAX_ROWS", 3)
    with pytest.raises(xlsx_rows.TooManyRows):
        xlsx_rows.write(["a"], ([n] for n in range(10)), io.BytesIO())


def test_it_writes_one_sheet_per_table_in_order():
    out = io.BytesIO()
    xlsx_rows.write_sheets(
        [
            ("first", ["a"], [[1], [2]]),
            ("second", ["b", "c"], iter([["x", "=1+1"]])),
        ],
        out,
    )
    out.seek(0)
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["first", "second"]
    assert [[c.value for c in row] for row in workbook["first"].rows] == [
        ["a"],
        [1],
        [2],
    ]
    assert workbook["second"]["B2"].value == "=1+1"
    assert workbook["second"]["B2"].data_type == "s"


def test_a_named_single_sheet():
    out = io.BytesIO()
    xlsx_rows.write(["a"], [[1]], out, sheet_name="pairs")
    out.seek(0)
    assert openpyxl.load_workbook(out).sheetnames == ["pairs"]
