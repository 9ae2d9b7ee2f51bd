"""Adding codes from a CSV table: parents, existing codes, all or nothing."""

from pathlib import Path

import pytest

from interviews.models import Code
from interviews.services import ServiceError
from interviews.services.codebook import code_tree
from interviews.services.codebook_import import import_codebook

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "formats"


def tree(project) -> list[tuple[str, str, str]]:
    return [(c.path, c.definition, c.colour) for c in code_tree(project)]


def run(project, text: str):
    return import_codebook(project=project, data=text.encode("utf-8"))


def test_it_builds_the_tree_of_the_sample(project):
    report = import_codebook(
        project=project, data=(SAMPLES / "codebook.csv").read_bytes()
    )

    paths = [path for path, _, _ in tree(project)]
    assert paths == [
        "Barriers",
        "Barriers/Financial difficulties",
        "Barriers/Legal",
        "Barriers/Legal/Customs rules",
        "Information support",
    ]
    by_path = {path: (definition, colour) for path, definition, colour in tree(project)}
    assert by_path["Barriers"] == (
        "Anything that stands in the way of cooperation",
        "#e15759",
    )
    assert by_path["Barriers/Legal/Customs rules"] == ("", "#4e79a7")
    assert by_path["Information support"] == ("Media, websites\nand events", "#76b7b2")
    # A created parent without a row gets a palette colour and no definition.
    assert by_path["Barriers/Legal"][0] == ""
    assert report.created == paths


def test_a_parent_listed_after_its_child_gets_its_own_values(project):
    run(project, "path,definition,colour\nA/B,child,\nA,parent,#123456\n")

    (a, a_definition, a_colour), (b, b_definition, _) = tree(project)
    assert (a, a_definition, a_colour) == ("A", "parent", "#123456")
    assert (b, b_definition) == ("A/B", "child")


def test_existing_codes_are_kept_and_only_empty_definitions_filled(project, codes):
    codes["info"].definition = "Our own words"
    codes["info"].save()

    report = run(
        project,
        "path,definition,colour\n"
        "barriers,From the file,#000000\n"
        "Information support,From the file,#000000\n"
        "Barriers/Financial difficulties/Loans,New,\n",
    )

    by_path = {path: (d, c) for path, d, c in tree(project)}
    assert by_path["Barriers"] == ("From the file", "#d62728")
    assert by_path["Information support"] == ("Our own words", "#1f77b4")
    assert by_path["Barriers/Financial difficulties/Loans"][0] == "New"
    assert report.created == ["Barriers/Financial difficulties/Loans"]
    assert report.definitions_filled == ["barriers"]
    assert report.unchanged == ["Information support"]


def test_new_codes_go_last_among_siblings_in_file_order(project, codes):
    run(project, "path\nZeta\nAlpha\n")

    assert [c.name for c in code_tree(project) if c.depth == 0] == [
        "Barriers",
        "Information support",
        "Zeta",
        "Alpha",
    ]


def test_other_columns_are_reported_as_ignored(project):
    data = (SAMPLES / "codebook-ru-semicolon.csv").read_bytes()

    report = import_codebook(project=project, data=data)

    assert report.ignored_columns == ["Comment"]
    assert [path for path, _, _ in tree(project)] == [
        "Барьеры",
        "Барьеры/Финансовые трудности",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("path\nGood\n" + "x" * 201 + "\n", r"^Row 3: A code name can be at most 200"),
        ("path\nGood\nA/" + "y" * 201 + "\n", r"^Row 3: A code name can be at"),
        ("path,definition\nGood\nLong," + "d" * 10_001 + "\n", r"^Row 3: A definition"),
        ("path,colour\nGood,#zzzzzz\n", r"^Row 2: the colour"),
        ("path\nGood\ngood\n", r"^Rows 2 and 3 both list"),
    ],
)
def test_a_bad_row_refuses_the_whole_file(project, codes, text, message):
    before = tree(project)

    with pytest.raises(ServiceError, match=message):
        run(project, text)

    assert tree(project) == before
    assert not Code.objects.filter(name="Good").exists()
