import ast
import csv
import datetime
import io
from pathlib import Path

import pytest

import interviews.exports
from interviews.exports import EXPORTS, csv_rows, xlsx_rows

HEADER = ["project", "code_path", "start", "text", "memo", "created"]
AWKWARD = 'Информационная поддержка 🙂,\nsaid "no"; =SUM(A1)'
CREATED = datetime.datetime(2024, 5, 1, 10, 30, tzinfo=datetime.UTC)


def read_back(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_registry_maps_extensions_to_modules_with_the_same_interface():
    assert EXPORTS == {"csv": csv_rows, "xlsx": xlsx_rows}
    for module in EXPORTS.values():
        assert callable(module.write)
        assert module.CONTENT_TYPE


def test_exports_do_not_import_django():
    package = Path(interviews.exports.__file__).parent
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith("django"), source.name
                assert not name.startswith("interviews.models"), source.name


def test_text_with_cyrillic_emoji_newline_and_quote_round_trips():
    out = io.BytesIO()
    csv_rows.write(
        HEADER,
        [["Евразия", "Barriers/Financial difficulties", 17, AWKWARD, AWKWARD, CREATED]],
        out,
    )
    assert read_back(out.getvalue()) == [
        HEADER,
        [
            "Евразия",
            "Barriers/Financial difficulties",
            "17",
            AWKWARD,
            AWKWARD,
            "2024-05-01T10:30:00+00:00",
        ],
    ]


def test_it_writes_exact_bytes_with_crlf_rows_and_quoted_fields():
    out = io.BytesIO()
    csv_rows.write(["a", "b"], [['x"y', None], ["line\nbreak", 2]], out)
    assert out.getvalue() == (b'\xef\xbb\xbfa,b\r\n"x""y",\r\n"line\nbreak",2\r\n')


@pytest.mark.parametrize("cell", ["=1+1", "+7 495", "-yes", "@SUM(A1)"])
def test_formula_like_text_is_kept_exactly(cell):
    # A documented choice: researchers' data is not altered (see csv_rows).
    out = io.BytesIO()
    csv_rows.write(["text"], [[cell]], out)
    assert read_back(out.getvalue())[1] == [cell]


def test_streaming_yields_bounded_chunks_and_consumes_rows_lazily():
    consumed = []

    def rows():
        for n in range(20_000):
            consumed.append(n)
            yield [n, "some words " * 3]

    chunks = csv_rows.iter_csv(["n", "text"], rows())
    first = next(chunks)
    assert first.startswith(b"\xef\xbb\xbfn,text\r\n")
    assert consumed == []  # the header comes before any row is read
    sizes = [len(chunk) for chunk in chunks]
    assert len(sizes) > 10
    assert max(sizes) < csv_rows.CHUNK_CHARS * 2
    assert len(consumed) == 20_000


def test_an_empty_export_is_just_the_header():
    assert b"".join(csv_rows.iter_csv(["a"], [])) == b"\xef\xbb\xbfa\r\n"
