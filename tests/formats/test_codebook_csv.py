"""The codebook table: paths, definitions and colours, from the samples."""

from pathlib import Path

import pytest

from interviews.formats import ImportRefused, codebook_csv
from interviews.formats.codebook_csv import CodeRow

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "formats"


def test_it_reads_paths_definitions_and_colours():
    book = codebook_csv.parse((SAMPLES / "codebook.csv").read_bytes())

    assert book.rows == [
        CodeRow(2, ("Barriers",), "Anything that stands in the way of cooperation",
                "#e15759"),
        CodeRow(3, ("Barriers", "Financial difficulties"), "Money, budgets, funding",
                ""),
        CodeRow(4, ("Barriers", "Legal", "Customs rules"), "", "#4e79a7"),
        # A quoted line break: the next row number is still the spreadsheet's.
        CodeRow(5, ("Information support",), "Media, websites\nand events",
                "#76b7b2"),
    ]  # fmt: skip
    assert book.ignored_columns == []


def test_it_reads_an_excel_table_from_a_russian_locale():
    book = codebook_csv.parse((SAMPLES / "codebook-ru-semicolon.csv").read_bytes())

    assert book.rows == [
        CodeRow(2, ("Барьеры",), "Всё, что мешает сотрудничеству", "#e15759"),
        CodeRow(3, ("Барьеры", "Финансовые трудности"), "", ""),
    ]
    assert book.ignored_columns == ["Comment"]


@pytest.mark.parametrize(
    "header", ["code,description,color", "Name;Definition", "CODE_PATH"]
)
def test_column_names_have_synonyms(header):
    delimiter = ";" if ";" in header else ","
    row = delimiter.join(["A / B", "d", "#ABCDEF"][: header.count(delimiter) + 1])

    book = codebook_csv.parse(f"{header}\n{row}\n".encode())

    assert book.rows[0].path == ("A", "B")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,definition\n", r"^The table lists no codes\.$"),
        (b"definition\nx\n", r"one called .path."),
        (b"path,code\nA,B\n", r"More than one column holds the code path"),
        (b"path,definition\n,orphan definition\n", r"^Row 2 has no code path\.$"),
        (b"path\nA//B\n", r"^Row 2: the path .A//B. has an empty name in it\.$"),
        (b"path\nA/B\nA\na / b\n", r"^Rows 2 and 4 both list .a/b.\.$"),
        (b"path,colour\nA,red\n", r"^Row 2: the colour .red. is not like #1f77b4"),
        (b"path,colour\nA,#12345\n", r"the colour .#12345. is not like"),
    ],
)
def test_it_refuses_bad_tables_naming_the_row(data, message):
    with pytest.raises(ImportRefused, match=message):
        codebook_csv.parse(data)
