"""Reading every REFI-QDA sample: counts, offsets, and the report's truth."""

import xml.etree.ElementTree as ET
import zipfile
from collections import Counter

import pytest

from interviews.formats.refi import read
from tests.refi_samples import (
    CODEBOOKS,
    NVIVO_MAC,
    NVIVO_WIN,
    PROJECTS,
    SAMPLES,
    sample,
)

SOURCE_TAGS = {"TextSource", "PDFSource", "PictureSource", "AudioSource", "VideoSource"}


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def count_in_xml(path):
    """Count sources, codes and codings with a plain parser, independently."""
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if n.lower().endswith(".qde"))
        root = ET.fromstring(zf.read(name))
    tags = Counter(_local(e.tag) for e in root.iter())
    return (
        sum(tags[t] for t in SOURCE_TAGS),
        tags["Code"],
        tags["Coding"],
    )


def test_every_sample_in_the_folder_is_listed():
    sample("README.md")
    found = {p.name for p in SAMPLES.iterdir() if p.suffix in (".qdpx", ".qdc")}
    assert found == set(PROJECTS) | set(CODEBOOKS)


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_each_project_sample_reads_with_the_counts_the_file_holds(name):
    path = sample(name)
    sources, kept, codes, codings, kept_codings = PROJECTS[name]
    assert count_in_xml(path) == (sources, codes, codings)
    project = read.read_qdpx(path)
    report = project.report
    assert report.in_file["sources"] == sources
    assert report.in_file["codes"] == codes
    assert report.in_file["codings"] == codings
    assert len(project.sources) == kept
    assert sum(1 for _ in project.all_codes()) == codes
    imported = sum(len(s.codings) for src in project.sources for s in src.selections)
    assert imported == kept_codings
    # The report accounts for everything: kept + dropped = what the file holds.
    assert kept + report.count("sources", "dropped") == sources
    assert imported + report.count("codings", "dropped") == codings


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_every_kept_selection_holds_the_text_at_its_offsets(name):
    project = read.read_qdpx(sample(name))
    for source in project.sources:
        for selection in source.selections:
            assert 0 <= selection.start < selection.end <= len(source.text)
            assert selection.text == source.text[selection.start : selection.end]


def _coded(project):
    paths = {}

    def walk(code, prefix):
        paths[code.guid] = prefix + code.name
        for child in code.children:
            walk(child, prefix + code.name + "/")

    for code in project.codes:
        walk(code, "")
    return Counter(
        (source.name, s.start, s.end, s.text, paths[c.code_guid])
        for source in project.sources
        for s in source.selections
        for c in s.codings
    )


def test_nvivo_windows_and_mac_exports_give_the_same_codings_on_the_same_text():
    windows = read.read_qdpx(sample(NVIVO_WIN))
    mac = read.read_qdpx(sample(NVIVO_MAC))
    assert {s.name: s.text for s in windows.sources} == {
        s.name: s.text for s in mac.sources
    }
    on_windows, on_mac = _coded(windows), _coded(mac)
    # The Windows file is a later state of the project with 6 more codings;
    # every one of the Mac file's 297 is there at the same place.
    assert sum((on_mac & on_windows).values()) == 297
    assert not on_mac - on_windows
    assert {s.convention for s in windows.sources + mac.sources} == {"utf16"}


def test_nvivo_offsets_read_as_code_points_would_miss_the_text():
    # The README's check: read as code points, the Mac spans do not agree.
    mac = read.read_qdpx(sample(NVIVO_MAC))
    assert mac.report.count("selections", "adjusted") > 0


def test_qc_paths_without_internal_prefix_are_found():
    project = read.read_qdpx(sample("qc-1.3.2_demo.qdpx"))
    assert sorted(s.name for s in project.sources) == ["admin-1", "board_2017"]
    assert all(s.text for s in project.sources)


def test_nvivo_round_trip_file_with_empty_texts_says_why_sources_were_dropped():
    project = read.read_qdpx(sample("nvivo-mac-15.0_qc-roundtrip.qdpx"))
    assert project.sources == []
    reasons = {
        line.reason for line in project.report.lines if line.subject == "sources"
    }
    assert reasons == {"the text is empty"}


def test_annex_example_reports_each_kind_of_loss():
    report = read.read_qdpx(
        sample("refi-spec-annexA2_atlasti-8.4-example-project.qdpx")
    ).report
    dropped = {
        (line.subject, line.reason): line.count
        for line in report.lines
        if line.action == "dropped"
    }
    assert dropped[("codings", "on pictures, which this app cannot code")] == 2
    assert (
        dropped[("codings", "on areas of PDF pages, which this app cannot show")] == 4
    )
    assert dropped[("codings", "on video, which this app cannot code")] == 1
    assert dropped[("links", "this app has no links between items")] == 1
    assert dropped[("graphs", "this app has no graphs (networks)")] == 1
    assert report.in_file["notes"] == 2


@pytest.mark.parametrize("name", sorted(CODEBOOKS))
def test_each_codebook_sample_reads_all_its_codes(name):
    codebook = read.read_qdc(sample(name).read_bytes())
    assert sum(1 for _ in codebook.all_codes()) == CODEBOOKS[name]
    assert codebook.report.in_file["codes"] == CODEBOOKS[name]


def test_taguette_codebook_fails_the_schema_but_imports_with_a_warning():
    codebook = read.read_qdc(sample("taguette-1.4.1_codebook.qdc").read_bytes())
    warnings = [line for line in codebook.report.lines if line.action == "warning"]
    assert len(warnings) == 1
    assert "Sets" in warnings[0].reason


def test_braced_guids_are_read_as_plain_guids():
    codebook = read.read_qdc(sample("refi-spec-annexA1_codebook.qdc").read_bytes())
    guids = [code.guid for code in codebook.all_codes()]
    assert "5215cc69-b628-4e02-afb9-9beeaee55808" in guids
    assert all("{" not in guid for guid in guids)
    colours = {code.name: code.colour for code in codebook.all_codes()}
    assert colours["Economy"] == "#ffff00"
    assert colours["Topics"] is None


def _tree(codes):
    return [(code.name, _tree(code.children)) for code in codes]


def test_atlasti_sub_codes_are_placed_under_their_parents():
    project = read.read_qdpx(
        sample("refi-spec-annexA2_atlasti-8.4-example-project.qdpx")
    )
    coke = next(code for code in project.codes if code.name == "Coke")
    assert [(c.name, c.guid) for c in coke.children] == [
        ("full-fat Coke", "0983e32e-6866-431a-bd94-dac9bb963825"),
        ("diet Coke", "d299efae-5779-46dc-9827-a3d1a5d544bc"),
    ]
    assert not any("::" in code.name for code in project.all_codes())
    assert sum(1 for _ in project.all_codes()) == 14  # none made, none lost
    assert project.report.count("codes", "adjusted") == 2


def codebook(origin: str, names: list[str]) -> bytes:
    codes = "".join(
        f'<Code guid="{i:08d}-0000-4000-8000-000000000000" name="{name}" '
        'isCodable="true"/>'
        for i, name in enumerate(names)
    )
    return (
        f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="{origin}">'
        f"<Codes>{codes}</Codes></CodeBook>"
    ).encode()


def test_a_missing_parent_is_made_and_deeper_names_nest_further():
    names = ["Feelings::calm", "Food", "Food::drink::tea", "Food:: ", "::x"]
    parsed = read.read_qdc(codebook("ATLAS.ti 23.2", names))
    assert _tree(parsed.codes) == [
        ("Feelings", [("calm", [])]),
        ("Food", [("drink", [("tea", [])])]),
        ("Food:: ", []),  # nothing after "::": not a sub-code
        ("::x", []),
    ]
    lines = {line.reason: line.count for line in parsed.report.lines}
    made = [reason for reason in lines if reason.startswith("added as the parent")]
    assert [lines[reason] for reason in made] == [2]  # "Feelings" and "drink"
    assert lines[next(r for r in lines if r.startswith("named"))] == 3


def test_other_tools_keep_double_colons_in_names():
    parsed = read.read_qdc(codebook("MAXQDA 24", ["Food::tea"]))
    assert _tree(parsed.codes) == [("Food::tea", [])]
