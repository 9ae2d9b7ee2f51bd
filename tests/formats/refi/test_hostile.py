"""Bad and hostile REFI-QDA input is refused with a clear message."""

import io
import zipfile

import pytest

from interviews.formats import ImportRefused
from interviews.formats.refi import read

NS = 'xmlns="urn:QDA-XML:project:1.0"'
U1 = "11111111-1111-1111-1111-111111111111"
C1 = "22222222-2222-2222-2222-222222222222"
S1 = "33333333-3333-3333-3333-333333333333"


def qdpx(entries: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def project_xml(selections: str = "", text_path=f"internal://{S1}.txt") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project {NS} name="t" origin="test">
<Users><User guid="{U1}" name="Ann"/></Users>
<CodeBook><Codes><Code guid="{C1}" name="A" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="{S1}" name="one" plainTextPath="{text_path}">
{selections}</TextSource></Sources></Project>"""


def selection(start, end, code=C1, guid="44444444-4444-4444-4444-444444444444"):
    return (
        f'<PlainTextSelection guid="{guid}" startPosition="{start}" '
        f'endPosition="{end}" creatingUser="{U1}"><Coding '
        f'guid="55555555-5555-5555-5555-555555555555" creatingUser="{U1}">'
        f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
    )


def test_a_small_valid_project_reads():
    project = read.read_qdpx(
        qdpx(
            {
                "project.qde": project_xml(selection(0, 5)),
                f"sources/{S1}.txt": "Hello world",
            }
        )
    )
    [source] = project.sources
    assert source.selections[0].text == "Hello"
    assert project.report.lines == []


def test_it_refuses_a_file_that_is_not_a_zip():
    with pytest.raises(ImportRefused, match="not a zip archive"):
        read.read_qdpx(b"just some text, not a zip")


def test_it_refuses_a_zip_without_project_qde():
    with pytest.raises(ImportRefused, match="no project.qde"):
        read.read_qdpx(qdpx({"readme.txt": "hi"}))


def test_it_refuses_a_zip_bomb_by_declared_size():
    data = qdpx({"project.qde": project_xml(), "sources/big.txt": b"0" * 3_000_000})
    assert len(data) < 50_000  # compresses to almost nothing
    with pytest.raises(ImportRefused, match="would unpack to"):
        read.read_qdpx(data, max_uncompressed=1024 * 1024)


def test_it_refuses_too_many_entries():
    entries = {f"sources/{i}.txt": "x" for i in range(20)}
    entries["project.qde"] = project_xml()
    with pytest.raises(ImportRefused, match="21 entries"):
        read.read_qdpx(qdpx(entries), max_entries=10)


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "sources/../../evil.txt",
        "/etc/passwd",
        "sources\\x.txt",
        "C:/x.txt",
    ],
)
def test_it_refuses_unsafe_entry_names(name):
    with pytest.raises(ImportRefused, match="unsafe entry name"):
        read.read_qdpx(qdpx({"project.qde": project_xml(), name: "x"}))


def test_it_refuses_symlinks():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("project.qde", project_xml())
        info = zipfile.ZipInfo("sources/link.txt")
        info.external_attr = (0o120777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(ImportRefused, match="symbolic link"):
        read.read_qdpx(buffer.getvalue())


XXE = f"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project {NS} name="&xxe;"/>"""

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + f']>\n<Project {NS} name="&lol9;"/>'
)


@pytest.mark.parametrize(
    "xml", [XXE, LAUGHS], ids=["external-entity", "billion-laughs"]
)
def test_it_refuses_xml_with_entities(xml):
    with pytest.raises(ImportRefused, match="entities"):
        read.read_qdpx(qdpx({"project.qde": xml}))
    with pytest.raises(ImportRefused, match="entities"):
        read.read_qdc(xml.replace("Project", "CodeBook").encode())


def test_it_refuses_xml_that_is_not_well_formed():
    with pytest.raises(ImportRefused, match="not well-formed"):
        read.read_qdpx(qdpx({"project.qde": "<Project name='x'><Users>"}))


def test_it_refuses_a_qde_whose_root_is_not_a_project():
    with pytest.raises(ImportRefused, match="not <Project>"):
        read.read_qdpx(qdpx({"project.qde": f"<CodeBook {NS}/>"}))
    with pytest.raises(ImportRefused, match="not <CodeBook>"):
        read.read_qdc(b"<Project/>")


def test_a_schema_invalid_but_readable_project_imports_with_a_warning():
    # isCodable is required by the schema; the reader takes the default.
    xml = project_xml(selection(0, 5)).replace(' isCodable="true"', "")
    project = read.read_qdpx(qdpx({"project.qde": xml, f"sources/{S1}.txt": "Hello"}))
    assert len(project.sources[0].selections) == 1
    [warning] = [line for line in project.report.lines if line.action == "warning"]
    assert "isCodable" in warning.reason


def test_selections_outside_their_source_are_dropped_with_a_reason():
    xml = project_xml(
        selection(0, 5)
        + selection(3, 500, guid="4" * 8 + "-4444-4444-4444-444444444445")
    )
    project = read.read_qdpx(
        qdpx({"project.qde": xml, f"sources/{S1}.txt": "Hello world"})
    )
    assert len(project.sources[0].selections) == 1
    assert project.report.count("codings", "dropped") == 1
    assert any("outside" in line.reason for line in project.report.lines)


def test_codings_of_codes_not_in_the_file_are_dropped_with_a_reason():
    xml = project_xml(selection(0, 5, code="99999999-9999-9999-9999-999999999999"))
    project = read.read_qdpx(
        qdpx({"project.qde": xml, f"sources/{S1}.txt": "Hello world"})
    )
    assert project.report.count("codings", "dropped") == 1
    assert any("code not in the file" in line.reason for line in project.report.lines)


def test_missing_source_file_drops_the_source_and_says_so():
    project = read.read_qdpx(qdpx({"project.qde": project_xml(selection(0, 5))}))
    assert project.sources == []
    reasons = {
        line.reason for line in project.report.lines if line.subject == "sources"
    }
    assert reasons == {"the text file is missing from the archive"}


@pytest.mark.parametrize(
    "path", ["relative:///x.txt", "absolute:///C:/x.txt", "internal://../x.txt"]
)
def test_paths_outside_the_archive_are_not_followed(path):
    project = read.read_qdpx(
        qdpx({"project.qde": project_xml(text_path=path), "x.txt": "Hello"})
    )
    assert project.sources == []


def test_an_entry_that_unpacks_to_more_than_it_declares_is_refused():
    data = bytearray(
        qdpx(
            {
                "project.qde": project_xml(selection(0, 5)),
                f"sources/{S1}.txt": "A" * 5000,
            }
        )
    )
    # Make both headers of the source entry claim 10 bytes instead of 5000.
    declared = (5000).to_bytes(4, "little")
    assert data.count(declared) == 2
    data = data.replace(declared, (10).to_bytes(4, "little"))
    with pytest.raises(ImportRefused, match="damaged"):
        read.read_qdpx(bytes(data))
