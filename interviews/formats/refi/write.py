"""Write REFI-QDA projects (`.qdpx`) and codebooks (`.qdc`), strictly.

A `.qdpx` gets `project.qde` and `sources/<GUID>.txt` (UTF-8 without BOM,
"\\n" line breaks, exactly our stored text), so offsets are code points of
that file as the standard says. Everything is streamed: source texts go into
the zip one at a time, and project.qde is written element by element while
the caller's iterables yield sources with their selections, so a large
project never sits in memory as one document.
"""

import io
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import XMLGenerator

from interviews.formats.refi import model

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SELECTION_NAME_MAX = 100


class _Xml:
    """A thin XMLGenerator wrapper: elements with attribute dicts, no Nones."""

    def __init__(self, stream):
        self.out = XMLGenerator(stream, encoding="utf-8", short_empty_elements=True)
        self.out.startDocument()

    def start(self, tag: str, /, **attrs) -> None:
        self.out.startElement(
            tag, {k: str(v) for k, v in attrs.items() if v not in (None, "")}
        )

    def end(self, tag: str) -> None:
        self.out.endElement(tag)
        self.out.ignorableWhitespace("\n")

    def empty(self, tag: str, /, **attrs) -> None:
        self.start(tag, **attrs)
        self.end(tag)

    def text(self, tag: str, value: str) -> None:
        self.start(tag)
        self.out.characters(value)
        self.end(tag)

    def close(self) -> None:
        self.out.endDocument()


def _write_codes(xml: _Xml, codes: Iterable[model.Code], *, note_refs=True) -> None:
    for code in codes:
        xml.start(
            "Code",
            guid=code.guid,
            name=code.name,
            isCodable="true" if code.codable else "false",
            color=code.colour,
        )
        if code.description:
            xml.text("Description", code.description)
        if note_refs:
            for guid in code.note_guids:
                xml.empty("NoteRef", targetGUID=guid)
        _write_codes(xml, code.children, note_refs=note_refs)
        xml.end("Code")


def selection_name(text: str) -> str:
    """Return the selected text, shortened with "…" the way ATLAS.ti does."""
    if len(text) <= SELECTION_NAME_MAX:
        return text
    return text[: SELECTION_NAME_MAX - 1] + "…"


def write_qdpx(
    file,
    *,
    project: model.Project,
    texts: Iterable[tuple[str, str]],
    sources: Iterable[model.Source],
    variables: list[model.Variable],
    creating_user: str | None = None,
    created: str | None = None,
) -> None:
    """Write a `.qdpx` to `file` (a path or a writable binary file).

    `project` gives the name, origin, description, users, codes and notes;
    `texts` yields (source guid, text) and `sources` yields the sources again
    with their selections (their `text` is not used). `variables` lists the
    attributes that sources' `attributes` may name.
    """
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for guid, text in texts:
            with zf.open(f"sources/{guid}.txt", "w") as entry:
                for start in range(0, len(text), 1 << 20):
                    entry.write(text[start : start + (1 << 20)].encode("utf-8"))
        with zf.open("project.qde", "w") as entry:
            stream = io.TextIOWrapper(entry, encoding="utf-8", newline="\n")
            _write_project(
                _Xml(stream),
                project=project,
                sources=sources,
                variables=variables,
                creating_user=creating_user,
                created=created,
            )
            stream.flush()
            stream.detach()


def _write_project(xml, *, project, sources, variables, creating_user, created):
    xml.start(
        "Project",
        xmlns=PROJECT_NS,
        name=project.name or "Untitled",
        origin=project.origin,
        creatingUserGUID=creating_user,
        creationDateTime=created,
    )
    if project.users:
        xml.start("Users")
        for user in project.users:
            xml.empty("User", guid=user.guid, name=user.name)
        xml.end("Users")
    if project.codes:
        xml.start("CodeBook")
        xml.start("Codes")
        _write_codes(xml, project.codes)
        xml.end("Codes")
        xml.end("CodeBook")
    if variables:
        xml.start("Variables")
        for variable in variables:
            xml.empty(
                "Variable",
                guid=variable.guid,
                name=variable.name,
                typeOfVariable=variable.type,
            )
        xml.end("Variables")
    by_name = {variable.name: variable.guid for variable in variables}
    started = False
    for source in sources:
        if not started:
            xml.start("Sources")
            started = True
        _write_source(xml, source, by_name)
    if started:
        xml.end("Sources")
    if project.notes:
        xml.start("Notes")
        for note in project.notes:
            xml.start(
                "Note",
                guid=note.guid,
                name=note.name,
                creatingUser=note.creating_user,
                creationDateTime=note.created,
            )
            xml.text("PlainTextContent", note.text)
            xml.end("Note")
        xml.end("Notes")
    if project.description:
        xml.text("Description", project.description)
    for guid in project.note_guids:
        xml.empty("NoteRef", targetGUID=guid)
    xml.end("Project")
    xml.close()


def _write_source(xml: _Xml, source: model.Source, variables: dict[str, str]):
    xml.start(
        "TextSource",
        guid=source.guid,
        name=source.name,
        plainTextPath=f"internal://{source.guid}.txt",
        creatingUser=source.creating_user,
    )
    if source.description:
        xml.text("Description", source.description)
    for selection in source.selections:
        xml.start(
            "PlainTextSelection",
            guid=selection.guid,
            name=selection_name(selection.text),
            startPosition=selection.start,
            endPosition=selection.end,
            creatingUser=selection.creating_user,
        )
        if selection.description:
            xml.text("Description", selection.description)
        for coding in selection.codings:
            xml.start(
                "Coding",
                guid=coding.guid,
                creatingUser=coding.creating_user,
                creationDateTime=coding.created,
            )
            xml.empty("CodeRef", targetGUID=coding.code_guid)
            xml.end("Coding")
        for guid in selection.note_guids:
            xml.empty("NoteRef", targetGUID=guid)
        xml.end("PlainTextSelection")
    for guid in source.note_guids:
        xml.empty("NoteRef", targetGUID=guid)
    for name, value in source.attributes.items():
        xml.start("VariableValue")
        xml.empty("VariableRef", targetGUID=variables[name])
        xml.text("TextValue", value)
        xml.end("VariableValue")
    xml.end("TextSource")


def write_qdc(file, *, codes: list[model.Code], origin: str) -> None:
    """Write a `.qdc` codebook to a writable binary file.

    The schema needs at least one code; callers refuse an empty codebook.
    """
    stream = io.TextIOWrapper(file, encoding="utf-8", newline="\n")
    xml = _Xml(stream)
    xml.start("CodeBook", xmlns=CODEBOOK_NS, origin=origin)
    xml.start("Codes")
    _write_codes(xml, codes, note_refs=False)
    xml.end("Codes")
    xml.end("CodeBook")
    xml.close()
    stream.flush()
    stream.detach()
