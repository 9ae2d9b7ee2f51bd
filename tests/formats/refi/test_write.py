"""The writer's output validates and reads back to the same project."""

import io
import uuid
import zipfile

import pytest

from interviews.formats.refi import model, read, validate, write
from tests.refi_samples import CODEBOOKS, PROJECTS, sample


def written(project: model.Project) -> bytes:
    names = sorted({name for s in project.sources for name in s.attributes})
    variables = [
        model.Variable(guid=str(uuid.uuid5(uuid.NAMESPACE_URL, n)), name=n)
        for n in names
    ]
    buffer = io.BytesIO()
    write.write_qdpx(
        buffer,
        project=project,
        texts=((s.guid, s.text) for s in project.sources),
        sources=iter(project.sources),
        variables=variables,
    )
    return buffer.getvalue()


def codings(project):
    return [
        (s.guid, s.name, sel.start, sel.end, sel.text, c.code_guid, c.creating_user)
        for s in project.sources
        for sel in s.selections
        for c in sel.codings
    ]


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_each_sample_written_again_validates_and_reads_back_the_same(name):
    project = read.read_qdpx(sample(name))
    data = written(project)
    assert validate.qdpx_errors(io.BytesIO(data)) == []
    again = read.read_qdpx(data)
    assert codings(again) == codings(project)
    assert [(s.guid, s.text, s.attributes) for s in again.sources] == [
        (s.guid, s.text, s.attributes) for s in project.sources
    ]
    assert [(c.guid, c.name, c.colour) for c in again.all_codes()] == [
        (c.guid, c.name, c.colour) for c in project.all_codes()
    ]
    # Our own files need no conversion, so the report has nothing to say
    # beyond what the codes' flags carried over.
    assert not [line for line in again.report.lines if line.subject != "codes"]


def test_the_archive_is_laid_out_strictly():
    project = read.read_qdpx(sample("qc-1.3.2_demo.qdpx"))
    with zipfile.ZipFile(io.BytesIO(written(project))) as zf:
        names = zf.namelist()
        texts = [zf.read(n) for n in names if n.startswith("sources/")]
        qde = zf.read("project.qde")
    assert names[-1] == "project.qde"
    assert all(n == "project.qde" or n.startswith("sources/") for n in names)
    for name in names[:-1]:
        guid = name.removeprefix("sources/").removesuffix(".txt")
        assert str(uuid.UUID(guid)) == guid
    assert all(not t.startswith(b"\xef\xbb\xbf") and b"\r\n" not in t for t in texts)
    assert qde.startswith(b'<?xml version="1.0" encoding="utf-8"?>')


@pytest.mark.parametrize("name", sorted(CODEBOOKS))
def test_each_codebook_written_again_validates(name):
    codebook = read.read_qdc(sample(name).read_bytes())
    buffer = io.BytesIO()
    write.write_qdc(buffer, codes=codebook.codes, origin="test")
    assert validate.qdc_errors(buffer.getvalue()) == []
    again = read.read_qdc(buffer.getvalue())
    assert [(c.guid, c.name, c.description) for c in again.all_codes()] == [
        (c.guid, c.name, c.description) for c in codebook.all_codes()
    ]


def test_selection_names_are_shortened_like_atlas_ti_does():
    assert write.selection_name("short") == "short"
    long = "x" * 150
    assert write.selection_name(long) == "x" * 99 + "…"
