"""Read REFI-QDA project (`.qdpx`, `.qde`) and codebook (`.qdc`) files.

Safety first: a `.qdpx` is a zip from anywhere, so it is refused before
anything is read when it has too many entries, would unpack to too much,
or names an entry with an absolute path, "..", a backslash or as a symlink.
XML is parsed with defusedxml (no DTDs, so no entity tricks), streamed so
that a large project does not sit in memory twice.

Leniency second: real files differ from the standard (see the samples'
README): `Sources/` or `sources/`, `Project.qde`, `plainTextPath` without
`internal://`, braced GUIDs, a file that fails the schema in small ways.
What can be read is read; everything left out or changed is counted in
`Project.report` with its reason.

Offsets: the standard counts code points, but NVivo counts UTF-16 code units
(so an emoji is 2, and on Windows, where its text files have CRLF, a line
break is 2). Each text source's convention is decided from the selections'
stored text where a selection carries it (ATLAS.ti puts the quoted text in
`name`), else from the `origin` of the file. Offsets are then converted onto
our normalised text (see textmap).
"""

import io
import re
import stat
import uuid
import zipfile
from bisect import bisect_left
from collections import Counter

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse

from interviews.formats import ImportRefused
from interviews.formats.refi import model, validate
from interviews.formats.refi.textmap import normalize_with_map
from interviews.text import encoding

MAX_ENTRIES = 10_000
MAX_UNCOMPRESSED = 1024 * 1024 * 1024  # 1 GiB in all, as the entries declare

# How a tool may count offsets, tried in this order when nothing else decides.
CONVENTIONS = ("codepoints", "utf16", "codepoints-lf", "utf16-lf")
CONVENTION_NAMES = {
    "codepoints": "characters (Unicode code points, as the standard says)",
    "utf16": "UTF-16 code units (as NVivo counts)",
    "codepoints-lf": "characters, with CRLF line breaks counted as one",
    "utf16-lf": "UTF-16 code units, with CRLF line breaks counted as one",
}

_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})\}?$")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_NON_TEXT_SOURCES = {
    "PictureSource": "pictures",
    "AudioSource": "audio",
    "VideoSource": "video",
}


def guid_key(value: str | None) -> str:
    """Return a GUID in one spelling: lower case, no braces."""
    value = (value or "").strip()
    match = _GUID.match(value)
    return match.group(1).lower() if match else value


def parse_uuid(value: str | None) -> uuid.UUID | None:
    """Return the GUID as a UUID, or None when it is not one."""
    match = _GUID.match((value or "").strip())
    return uuid.UUID(match.group(1)) if match else None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element, name: str):
    return [child for child in element if _local(child.tag) == name]


def _child_text(element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return child.text or ""
    return ""


# -- the zip container ------------------------------------------------------


class _Archive:
    """A checked `.qdpx`: its project.qde entry and its source files."""

    def __init__(self, zf: zipfile.ZipFile, *, max_entries, max_uncompressed):
        infos = zf.infolist()
        if len(infos) > max_entries:
            raise ImportRefused(
                f"The archive has {len(infos):,} entries; at most {max_entries:,} "
                "are accepted."
            )
        total = 0
        for info in infos:
            _check_entry_name(info)
            total += info.file_size
        if total > max_uncompressed:
            raise ImportRefused(
                f"The archive would unpack to {total // (1024 * 1024):,} MB; at "
                f"most {max_uncompressed // (1024 * 1024):,} MB are accepted."
            )
        self.zf = zf
        self.qde = None
        self.sources: dict[str, zipfile.ZipInfo] = {}
        self.root: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.is_dir():
                continue
            folder, _, name = info.filename.rpartition("/")
            if folder.lower() == "sources":
                self.sources.setdefault(name.lower(), info)
            elif not folder:
                self.root.setdefault(name.lower(), info)
                if name.lower() == "project.qde" or (
                    self.qde is None and name.lower().endswith(".qde")
                ):
                    self.qde = info
        if self.qde is None:
            raise ImportRefused(
                "The archive holds no project.qde: it is not a REFI-QDA project."
            )

    def find(self, path: str) -> tuple[zipfile.ZipInfo | None, str]:
        """Return the entry a source path names, or None and why not."""
        if path.startswith(("relative://", "absolute://")):
            return None, "the file is outside the project archive (external source)"
        name = path.removeprefix("internal://").lstrip("/")
        if "/" in name or "\\" in name or ".." in name:
            return None, "the file path is not a plain file name"
        info = self.sources.get(name.lower()) or self.root.get(name.lower())
        if info is None:
            return None, "the text file is missing from the archive"
        return info, ""

    def read(self, info: zipfile.ZipInfo) -> bytes:
        # zipfile stops at the declared size and checks the CRC, so an entry
        # cannot unpack to more than the limit checked above.
        with self.zf.open(info) as stream:
            return stream.read()


def _check_entry_name(info: zipfile.ZipInfo) -> None:
    name = info.filename
    parts = name.split("/")
    if (
        name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or ".." in parts
        or re.match(r"^[A-Za-z]:", name)
    ):
        raise ImportRefused(
            f"The archive contains an unsafe entry name ({name[:80]!r}); "
            "it was not imported."
        )
    if stat.S_ISLNK(info.external_attr >> 16):
        raise ImportRefused(
            f"The archive contains a symbolic link ({name[:80]!r}); "
            "it was not imported."
        )


def read_qdpx(
    file,
    *,
    max_entries: int = MAX_ENTRIES,
    max_uncompressed: int = MAX_UNCOMPRESSED,
) -> model.Project:
    """Return the project in a `.qdpx` (bytes, a path or a binary file).

    Raise ImportRefused for anything that is not a safe REFI-QDA archive or
    whose project.qde cannot be read.
    """
    if isinstance(file, bytes | bytearray):
        file = io.BytesIO(file)
    try:
        zf = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise ImportRefused(
            "The file is not a .qdpx project: it is not a zip archive."
        ) from None
    with zf:
        archive = _Archive(
            zf, max_entries=max_entries, max_uncompressed=max_uncompressed
        )
        try:
            project = _read_project(lambda: zf.open(archive.qde), archive)
        except zipfile.BadZipFile as exc:
            raise ImportRefused(f"The archive is damaged: {exc}") from None
    return project


def read_qde(data: bytes) -> model.Project:
    """Return the project in a bare `.qde` file; its sources cannot be read."""
    return _read_project(lambda: io.BytesIO(data), None)


def _iterparse(open_stream):
    try:
        with open_stream() as stream:
            yield from iterparse(stream, events=("start", "end"), forbid_dtd=True)
    except DefusedXmlException:
        raise ImportRefused(
            "The XML declares a document type or entities, which are refused "
            "for safety."
        ) from None
    except ParseError as exc:
        raise ImportRefused(f"The XML is not well-formed: {exc}") from None


def _read_project(open_stream, archive: _Archive | None) -> model.Project:
    reader = _ProjectReader(archive)
    stack: list[str] = []
    for event, element in _iterparse(open_stream):
        if event == "start":
            stack.append(_local(element.tag))
            if len(stack) == 1:
                if stack[0] != "Project":
                    raise ImportRefused(
                        f"The XML's root element is <{stack[0]}>, not <Project>: "
                        "it is not a REFI-QDA project file."
                    )
                reader.start_project(element)
            continue
        if len(stack) == 3 and stack[1] == "Sources":
            # Each source is read and freed as soon as it ends.
            reader.source(element)
            element.clear()
        elif len(stack) == 2:
            reader.section(element)
            element.clear()
        stack.pop()
    if reader.project is None:
        raise ImportRefused("The XML is empty.")
    project = reader.finish()
    errors = validate.schema_errors(open_stream, kind="project")
    if errors:
        project.report.add(
            "file",
            "warning",
            "the project file does not follow the REFI-QDA schema; what could "
            f"be read was imported (first problem: {errors[0]})",
        )
    return project


# -- codes, shared by projects and codebooks --------------------------------


def _colour(value: str | None, report: model.Report) -> str | None:
    value = (value or "").strip().lower()
    if not value:
        return None
    if re.fullmatch(r"#[0-9a-f]{6}", value):
        return value
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        return "#" + "".join(ch * 2 for ch in value[1:])
    report.add("codes", "adjusted", "colour not in #rrggbb form; one was picked")
    return None


SUBCODE = "::"


def nest_subcodes(codes: list[model.Code], report: model.Report) -> list[model.Code]:
    """Return `codes` with ATLAS.ti's sub-codes placed under their parents.

    ATLAS.ti names a sub-code "Parent::Child" and lists it beside its
    parent rather than inside it (the REFI-QDA Annex A.2 example: "Coke",
    "Coke::diet Coke"). Each such code goes under the code named "Parent"
    at its level, made (where the first of them was) when there is none,
    and is named "Child"; "A::B::C" becomes C under B under A. Codings
    stay with their codes, which keep their GUIDs.
    """
    by_name = {code.name.strip(): code for code in codes if SUBCODE not in code.name}
    kept = []
    for code in codes:
        parent_name, _, child_name = (p.strip() for p in code.name.partition(SUBCODE))
        if not parent_name or not child_name:
            kept.append(code)
            continue
        parent = by_name.get(parent_name)
        if parent is None:
            parent = model.Code(
                guid=str(uuid.uuid4()), name=parent_name, colour=code.colour
            )
            by_name[parent_name] = parent
            kept.append(parent)
            report.add(
                "codes",
                "adjusted",
                "added as the parent of ATLAS.ti sub-codes named “Parent::Child”, "
                "which the file lists without one",
            )
        code.name = child_name
        parent.children.append(code)
        report.add(
            "codes",
            "adjusted",
            "named “Parent::Child” (ATLAS.ti sub-codes): placed under their "
            "parent and named by the part after “::”",
        )
    for code in kept:
        code.children = nest_subcodes(code.children, report)
    return kept


def _is_atlasti(origin: str) -> bool:
    return origin.strip().lower().startswith("atlas.ti")


def _read_codes(parent, report: model.Report) -> list[model.Code]:
    codes = []
    for element in _children(parent, "Code"):
        report.in_file["codes"] += 1
        guid = guid_key(element.get("guid"))
        if not guid:
            guid = str(uuid.uuid4())
            report.add("codes", "adjusted", "no GUID in the file; one was made")
        codable = (element.get("isCodable") or "true").strip().lower()
        if codable in ("false", "0"):
            report.add(
                "codes",
                "adjusted",
                "marked not codable (a folder) in the file; kept as an ordinary "
                "code, since every code here can be applied",
            )
        codes.append(
            model.Code(
                guid=guid,
                name=element.get("name") or "",
                description=_child_text(element, "Description"),
                colour=_colour(element.get("color"), report),
                codable=codable not in ("false", "0"),
                children=_read_codes(element, report),
                note_guids=[
                    guid_key(ref.get("targetGUID"))
                    for ref in _children(element, "NoteRef")
                ],
            )
        )
    return codes


def _read_sets(parent, report: model.Report, *, member_attr: str) -> list[model.Set]:
    sets = []
    for element in _children(parent, "Set"):
        report.in_file["sets"] += 1

        def members(name, element=element):
            return [
                guid_key(ref.get(member_attr) or ref.get("targetGUID"))
                for ref in _children(element, name)
            ]

        sets.append(
            model.Set(
                guid=guid_key(element.get("guid")),
                name=element.get("name") or "",
                code_guids=members("MemberCode"),
                source_guids=members("MemberSource"),
                note_guids=members("MemberNote"),
            )
        )
    return sets


def read_qdc(data: bytes) -> model.Codebook:
    """Return the codebook in a `.qdc` file, or raise ImportRefused."""
    codebook = model.Codebook()
    root = None
    for event, element in _iterparse(lambda: io.BytesIO(data)):
        if event == "start" and root is None:
            root = element
            if _local(element.tag) != "CodeBook":
                raise ImportRefused(
                    f"The XML's root element is <{_local(element.tag)}>, not "
                    "<CodeBook>: it is not a REFI-QDA codebook."
                )
    if root is None:
        raise ImportRefused("The XML is empty.")
    codebook.origin = root.get("origin") or ""
    for section in root:
        if _local(section.tag) == "Codes":
            codebook.codes.extend(_read_codes(section, codebook.report))
            if _is_atlasti(codebook.origin):
                codebook.codes = nest_subcodes(codebook.codes, codebook.report)
        elif _local(section.tag) == "Sets":
            codebook.sets = _read_sets(section, codebook.report, member_attr="guid")
    if codebook.sets:
        codebook.report.add(
            "sets",
            "dropped",
            "this app has no sets of codes; the codes themselves were kept",
            len(codebook.sets),
        )
    errors = validate.schema_errors(lambda: io.BytesIO(data), kind="codebook")
    if errors:
        codebook.report.add(
            "file",
            "warning",
            "the codebook does not follow the REFI-QDA schema; what could be "
            f"read was imported (first problem: {errors[0]})",
        )
    return codebook


# -- offsets ------------------------------------------------------------------


def _squash(text: str) -> str:
    return " ".join(text.split())


def _stored_text_matches(extracted: str, stored: str) -> bool | None:
    """Say whether a selection's stored text (its name) fits what it selects.

    None when there is nothing to compare. ATLAS.ti shortens long quotations
    with an ellipsis; whitespace is compared loosely.
    """
    stored = _squash(stored)
    if len(stored) < 2:
        return None
    extracted = _squash(extracted)
    if extracted == stored:
        return True
    for ellipsis in ("…", "..."):
        if stored.endswith(ellipsis):
            head = stored[: -len(ellipsis)].rstrip()
            return bool(head) and extracted.startswith(head)
    return False


class _Positions:
    """Turn offsets as a tool counted them into offsets in the raw text."""

    def __init__(self, raw: str):
        self.raw = raw
        self.has_astral = _ASTRAL.search(raw) is not None
        self.has_crlf = "\r\n" in raw
        self._cache = {}

    def conventions(self, preferred: str) -> list[str]:
        found = [preferred] + [c for c in CONVENTIONS if c != preferred]
        return [
            c
            for c in found
            if (self.has_astral or not c.startswith("utf16"))
            and (self.has_crlf or not c.endswith("-lf"))
        ] or ["codepoints"]

    def convert(self, convention: str, positions: list[int]) -> list[int]:
        """Return raw code-point offsets; raise ValueError when out of range."""
        lf = convention.endswith("-lf")
        text, crlf, astral = self._text(lf)
        if convention.startswith("utf16"):
            # Same rule as interviews.text.offsets.utf16_to_codepoints, with
            # the scan for astral characters done once per text.
            length = len(text) + len(astral)
            converted = []
            for position in positions:
                if not 0 <= position <= length:
                    raise ValueError(position)
                before = bisect_left(astral, position)
                if before and astral[before - 1] + 1 == position:
                    raise ValueError(position)
                converted.append(position - before)
            positions = converted
        else:
            for position in positions:
                if not 0 <= position <= len(text):
                    raise ValueError(position)
        if lf:
            positions = [p + bisect_left(crlf, p) for p in positions]
        return list(positions)

    def _text(self, lf: bool):
        key = "lf" if lf else "raw"
        if key not in self._cache:
            text, crlf = self.raw, []
            if lf:
                text = self.raw.replace("\r\n", "\n")
                for index, match in enumerate(re.finditer("\r\n", self.raw)):
                    # The "\n" of this CRLF sits at match.start() - index in text.
                    crlf.append(match.start() - index)
            # UTF-16 offset of each astral character (it takes that unit and
            # the next).
            astral = [
                match.start() + index
                for index, match in enumerate(_ASTRAL.finditer(text))
            ]
            self._cache[key] = (text, crlf, astral)
        return self._cache[key]


# -- the project reader ----------------------------------------------------


class _ProjectReader:
    def __init__(self, archive: _Archive | None):
        self.archive = archive
        self.project: model.Project | None = None
        self.report = model.Report()
        self.codes: dict[str, model.Code] = {}
        self.users: dict[str, model.User] = {}
        self.variables: dict[str, model.Variable] = {}
        self.cases: list[model.Case] = []
        self.creating_user = None
        self.preferred = "codepoints"

    # Elements of <Project>, in schema order.

    def start_project(self, element) -> None:
        origin = element.get("origin") or ""
        self.project = model.Project(
            name=element.get("name") or "", origin=origin, report=self.report
        )
        self.creating_user = guid_key(element.get("creatingUserGUID")) or None
        if origin.lower().startswith("nvivo"):
            self.preferred = "utf16"

    def section(self, element) -> None:
        name = _local(element.tag)
        report = self.report
        if name == "Users":
            for user in _children(element, "User"):
                report.in_file["users"] += 1
                guid = guid_key(user.get("guid"))
                self.users[guid] = model.User(
                    guid=guid, name=(user.get("name") or user.get("id") or "").strip()
                )
        elif name == "CodeBook":
            for codes in _children(element, "Codes"):
                self.project.codes.extend(_read_codes(codes, report))
            if _is_atlasti(self.project.origin):
                self.project.codes = nest_subcodes(self.project.codes, report)
            self.codes = {code.guid: code for code in self.project.all_codes()}
        elif name == "Variables":
            for variable in _children(element, "Variable"):
                report.in_file["variables"] += 1
                guid = guid_key(variable.get("guid"))
                self.variables[guid] = model.Variable(
                    guid=guid,
                    name=variable.get("name") or "",
                    type=variable.get("typeOfVariable") or "Text",
                )
        elif name == "Cases":
            for case in _children(element, "Case"):
                report.in_file["cases"] += 1
                self.cases.append(
                    model.Case(
                        guid=guid_key(case.get("guid")),
                        name=case.get("name") or "",
                        values=self._variable_values(case),
                        source_guids=[
                            guid_key(ref.get("targetGUID"))
                            for ref in _children(case, "SourceRef")
                        ],
                    )
                )
        elif name == "Notes":
            for note in _children(element, "Note"):
                self._note(note)
        elif name == "Sets":
            self.project.sets = _read_sets(element, report, member_attr="targetGUID")
        elif name in ("Links", "Graphs"):
            count = len(list(element))
            report.in_file[name.lower()] += count
            what = "links between items" if name == "Links" else "graphs (networks)"
            report.add(name.lower(), "dropped", f"this app has no {what}", count)
        elif name == "Description":
            self.project.description = element.text or ""
        elif name == "NoteRef":
            self.project.note_guids.append(guid_key(element.get("targetGUID")))
        elif name != "Sources":
            report.add("file", "warning", f"unknown element <{name}> was ignored")

    def _variable_values(self, element) -> dict[str, str]:
        values = {}
        for value in _children(element, "VariableValue"):
            ref = _children(value, "VariableRef")
            variable = self.variables.get(
                guid_key(ref[0].get("targetGUID")) if ref else ""
            )
            if variable is None:
                self.report.add(
                    "variables",
                    "dropped",
                    "a value refers to a variable not in the file",
                )
                continue
            for child in value:
                if _local(child.tag).endswith("Value") and child.text is not None:
                    values[variable.name] = child.text.strip()
        return values

    def _note(self, element) -> None:
        self.report.in_file["notes"] += 1
        text = _child_text(element, "PlainTextContent")
        if not text and element.get("plainTextPath"):
            text = self._read_text(element.get("plainTextPath"))[0] or ""
        text = normalize_with_map(text)[0]
        self.project.notes.append(
            model.Note(
                guid=guid_key(element.get("guid")),
                name=element.get("name") or "",
                text=text,
                creating_user=guid_key(element.get("creatingUser")) or None,
                created=element.get("creationDateTime"),
            )
        )

    def _read_text(self, path: str) -> tuple[str | None, str]:
        """Return a text file of the archive, or None and why it is not there."""
        if self.archive is None:
            return None, "the project file came without its archive of sources"
        info, why = self.archive.find(path)
        if info is None:
            return None, why
        data = self.archive.read(info)
        try:
            return data.decode("utf-8-sig"), ""
        except UnicodeDecodeError:
            pass
        try:
            text, used = encoding.decode_bytes(data)
        except ImportRefused:
            return None, "the text file is not text"
        self.report.add(
            "sources",
            "adjusted",
            f"text file was not UTF-8 as the standard asks; read as "
            f"{encoding.NAMES.get(used, used)}",
        )
        return text, ""

    # Sources.

    def source(self, element) -> None:
        kind = _local(element.tag)
        report = self.report
        report.in_file["sources"] += 1
        n_codings = sum(1 for e in element.iter() if _local(e.tag) == "Coding")
        report.in_file["codings"] += n_codings
        if kind == "TextSource":
            report.in_file["text sources"] += 1
            self._text_source(element, element.get("name") or "")
        elif kind == "PDFSource":
            representation = _children(element, "Representation")[:1]
            in_text = sum(
                1
                for rep in representation
                for e in rep.iter()
                if _local(e.tag) == "Coding"
            )
            report.add(
                "codings",
                "dropped",
                "on areas of PDF pages, which this app cannot show",
                n_codings - in_text,
            )
            name = element.get("name") or ""
            if not representation:
                report.add(
                    "sources",
                    "dropped",
                    "PDF without a plain-text representation (this app codes text)",
                )
            elif self._text_source(representation[0], name):
                report.add(
                    "sources",
                    "adjusted",
                    "PDF kept as its plain-text representation (the PDF file "
                    "itself is not carried)",
                )
        else:
            what = _NON_TEXT_SOURCES.get(kind, kind)
            report.add(
                "sources", "dropped", f"{what} are not carried (this app codes text)"
            )
            report.add(
                "codings",
                "dropped",
                f"on {what}, which this app cannot code",
                n_codings,
            )

    def _text_source(self, element, name: str) -> bool:
        """Read a text source (or a PDF's text); return whether it was kept."""
        report = self.report
        selections = _children(element, "PlainTextSelection")
        direct = _children(element, "Coding")
        n_codings = sum(len(_children(s, "Coding")) for s in selections) + len(direct)
        report.in_file["selections"] += len(selections)
        raw = None
        if _children(element, "PlainTextContent"):
            raw = _child_text(element, "PlainTextContent")
        elif element.get("plainTextPath"):
            raw, why = self._read_text(element.get("plainTextPath"))
        else:
            why = "there is neither plain text nor a path to one"
        if raw is not None:
            text, to_text = normalize_with_map(raw)
            if not text.strip():
                raw, why = None, "the text is empty"
        if raw is None:
            report.add("sources", "dropped", why)
            report.add(
                "codings", "dropped", f"their source was dropped: {why}", n_codings
            )
            report.add(
                "selections", "dropped", "their source was dropped", len(selections)
            )
            return False
        guid = guid_key(element.get("guid"))
        path = (element.get("plainTextPath") or "").rsplit("/", 1)[-1]
        source = model.Source(
            guid=guid,
            name=name.strip() or path.rsplit(".", 1)[0] or f"Source {guid[:8]}",
            text=text,
            description=_child_text(element, "Description"),
            attributes=self._variable_values(element),
            note_guids=[
                guid_key(ref.get("targetGUID")) for ref in _children(element, "NoteRef")
            ],
            creating_user=guid_key(element.get("creatingUser")) or None,
        )
        positions = _Positions(raw)
        parsed = []
        for sel in selections:
            try:
                start = int(sel.get("startPosition"))
                end = int(sel.get("endPosition"))
            except (TypeError, ValueError):
                report.add("selections", "dropped", "start or end is not a number")
                report.add(
                    "codings",
                    "dropped",
                    "their selection's start or end is not a number",
                    len(_children(sel, "Coding")),
                )
                continue
            parsed.append((sel, start, end))
        conventions = positions.conventions(self.preferred)
        chosen = self._choose(positions, conventions, parsed)
        source.convention = chosen
        converted = 0
        for sel, start, end in parsed:
            result = self._convert(positions, conventions, chosen, sel, start, end)
            if result is None:
                continue
            raw_start, raw_end = result
            new_start, new_end = to_text(raw_start), to_text(raw_end)
            if new_end <= new_start:
                report.add(
                    "selections",
                    "dropped",
                    "selects only line-break or control characters that the "
                    "stored text does not keep",
                )
                report.add(
                    "codings",
                    "dropped",
                    "their selection held no text once normalised",
                    len(_children(sel, "Coding")),
                )
                continue
            if (new_start, new_end) != (start, end):
                converted += 1
            selection = model.Selection(
                guid=guid_key(sel.get("guid")),
                start=new_start,
                end=new_end,
                text=text[new_start:new_end],
                description=_child_text(sel, "Description"),
                creating_user=guid_key(sel.get("creatingUser")) or None,
                note_guids=[
                    guid_key(ref.get("targetGUID")) for ref in _children(sel, "NoteRef")
                ],
            )
            for coding in _children(sel, "Coding"):
                self._coding(coding, selection)
            if not selection.codings:
                report.add(
                    "selections",
                    "dropped",
                    "not coded (this app keeps coded text only; a selection's "
                    "description without a code has nowhere to go)"
                    if selection.description
                    else "not coded (this app keeps coded text only)",
                )
            source.selections.append(selection)
        if converted:
            report.add(
                "selections",
                "adjusted",
                f"offsets were counted in {CONVENTION_NAMES[chosen]}; converted to "
                "characters of the stored text (NFC, one character per line "
                "break)",
                converted,
            )
        if direct:
            whole = model.Selection(
                guid=str(uuid.uuid4()), start=0, end=len(text), text=text
            )
            for coding in direct:
                self._coding(coding, whole)
            report.add(
                "codings",
                "adjusted",
                "coded a whole source; stored as a coding of its whole text",
                len(whole.codings),
            )
            source.selections.append(whole)
        self.project.sources.append(source)
        return True

    def _choose(self, positions, conventions, parsed) -> str:
        if len(conventions) == 1:
            return conventions[0]
        scores = Counter()
        # A few hundred selections with stored text settle it; more only cost.
        evidence = [item for item in parsed if len(item[0].get("name") or "") >= 2]
        for sel, start, end in evidence[:200]:
            stored = sel.get("name") or ""
            if len(stored) < 2:
                continue
            for convention in conventions:
                if self._fits(positions, convention, start, end, stored):
                    scores[convention] += 1
        if not scores:
            return conventions[0]
        best = max(scores.values())
        return next(c for c in conventions if scores[c] == best)

    def _fits(self, positions, convention, start, end, stored) -> bool:
        try:
            a, b = positions.convert(convention, [start, end])
        except ValueError:
            return False
        return bool(_stored_text_matches(positions.raw[a:b], stored))

    def _convert(self, positions, conventions, chosen, sel, start, end):
        report = self.report
        n = len(_children(sel, "Coding"))
        if start > end:
            start, end = end, start
            report.add(
                "selections", "adjusted", "start after end; the two were swapped"
            )
        try:
            a, b = positions.convert(chosen, [start, end])
        except ValueError:
            a = b = None
        stored = sel.get("name") or ""
        if a is None or _stored_text_matches(positions.raw[a:b], stored) is False:
            for other in conventions:
                if other != chosen and self._fits(positions, other, start, end, stored):
                    report.add(
                        "selections",
                        "adjusted",
                        f"offsets fit the stored text only when read as "
                        f"{CONVENTION_NAMES[other]}; read so",
                    )
                    return positions.convert(other, [start, end])
        if a is None:
            report.add("selections", "dropped", "outside their source's text")
            report.add(
                "codings", "dropped", "their selection lies outside its source", n
            )
            return None
        return a, b

    def _coding(self, element, selection: model.Selection) -> None:
        refs = _children(element, "CodeRef")
        code_guid = guid_key(refs[0].get("targetGUID")) if refs else ""
        if code_guid not in self.codes:
            self.report.add("codings", "dropped", "refer to a code not in the file")
            return
        selection.codings.append(
            model.Coding(
                guid=guid_key(element.get("guid")) or str(uuid.uuid4()),
                code_guid=code_guid,
                creating_user=guid_key(element.get("creatingUser"))
                or selection.creating_user,
                created=element.get("creationDateTime"),
            )
        )
        selection.note_guids.extend(
            guid_key(ref.get("targetGUID")) for ref in _children(element, "NoteRef")
        )

    # After the last element.

    def finish(self) -> model.Project:
        project = self.project
        self._resolve_coders()
        self._drop_duplicates()
        self._apply_cases()
        self._apply_sets()
        project.users = list(self.users.values())
        return project

    def _resolve_coders(self) -> None:
        fallback = None
        if self.creating_user in self.users:
            fallback = self.creating_user
        elif len(self.users) == 1:
            fallback = next(iter(self.users))
        for source in self.project.sources:
            for selection in source.selections:
                for coding in selection.codings:
                    if coding.creating_user is None:
                        coding.creating_user = fallback or source.creating_user
                        if coding.creating_user is not None:
                            self.report.add(
                                "codings",
                                "adjusted",
                                "name no coder; attributed to the file's "
                                "creating (or only) user",
                            )
                    if coding.creating_user and coding.creating_user not in self.users:
                        guid = coding.creating_user
                        self.users[guid] = model.User(
                            guid=guid, name=f"User {guid[:8]}"
                        )
                        self.report.add(
                            "users",
                            "adjusted",
                            "named by codings but missing from the file's users; "
                            "added under a name made from the GUID",
                        )

    def _drop_duplicates(self) -> None:
        for source in self.project.sources:
            seen = set()
            for selection in source.selections:
                kept = []
                for coding in selection.codings:
                    key = (
                        coding.code_guid,
                        coding.creating_user,
                        selection.start,
                        selection.end,
                    )
                    if key in seen:
                        self.report.add(
                            "codings",
                            "dropped",
                            "duplicates (same code, coder and text as another)",
                        )
                        continue
                    seen.add(key)
                    kept.append(coding)
                selection.codings = kept
            source.selections = [s for s in source.selections if s.codings]

    def _apply_cases(self) -> None:
        sources = {source.guid: source for source in self.project.sources}
        for case in self.cases:
            members = [sources[g] for g in case.source_guids if g in sources]
            if not members:
                self.report.add(
                    "cases",
                    "dropped",
                    "have no imported text source (this app keeps case variables "
                    "as attributes of transcripts)",
                )
                continue
            values = dict(case.values)
            if case.name:
                values = {"case": case.name, **values}
            for source in members:
                for name, value in values.items():
                    _set_attribute(source, name, value, self.report)
            self.report.add(
                "cases",
                "adjusted",
                "kept as attributes of their transcripts (the case name as "
                "“case”, each variable by its name)",
            )

    def _apply_sets(self) -> None:
        sources = {source.guid: source for source in self.project.sources}
        for set_ in self.project.sets:
            members = [sources[g] for g in set_.source_guids if g in sources]
            if set_.code_guids or set_.note_guids:
                self.report.add(
                    "sets",
                    "dropped",
                    "sets of codes or notes: this app has no sets (the codes and "
                    "notes themselves were kept)",
                )
                continue
            if not members:
                self.report.add(
                    "sets", "dropped", "none of their sources was imported (or empty)"
                )
                continue
            name, sep, value = set_.name.partition(":")
            for source in members:
                if sep and name.strip() and value.strip():
                    _set_attribute(source, name.strip(), value.strip(), self.report)
                else:
                    _set_attribute(source, "set", set_.name.strip(), self.report)
            self.report.add(
                "sets",
                "adjusted",
                "sets of sources kept as attributes of their transcripts (“name: "
                "value” sets as that attribute, others listed under “set”)",
            )


def _set_attribute(source: model.Source, name: str, value: str, report) -> None:
    old = source.attributes.get(name)
    if old is None or old == value:
        source.attributes[name] = value
        return
    parts = old.split("; ")
    if value not in parts:
        source.attributes[name] = f"{old}; {value}"
        if name != "set":
            report.add(
                "attributes",
                "adjusted",
                "one transcript had several values for the same variable; "
                "kept them all, separated by “; ”",
            )
