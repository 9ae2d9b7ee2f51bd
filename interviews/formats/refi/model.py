"""What a REFI-QDA project or codebook holds, as far as this app can use it.

The reader fills these from a `.qdpx`/`.qde`/`.qdc`; the writer takes the
same shapes from the database. Offsets in a `Selection` are always code points
of `Source.text`, which is already in our stored form (NFC, "\\n" line
breaks): the reader converts whatever the file used.
"""

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class User:
    guid: str
    name: str


@dataclass
class Code:
    guid: str
    name: str
    description: str = ""
    colour: str | None = None  # "#rrggbb" lower case, or None when not given
    codable: bool = True
    children: list["Code"] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)

    def walk(self):
        """Yield this code and every code below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Coding:
    guid: str
    code_guid: str
    creating_user: str | None = None  # a User guid
    created: str | None = None  # xsd:dateTime as written


@dataclass
class Selection:
    guid: str
    start: int  # code points of Source.text
    end: int
    text: str  # Source.text[start:end]
    description: str = ""
    creating_user: str | None = None
    codings: list[Coding] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)


@dataclass
class Source:
    guid: str
    name: str
    text: str
    description: str = ""
    selections: list[Selection] = field(default_factory=list)
    # How the file counted offsets in this source (see read.CONVENTIONS).
    convention: str = "codepoints"
    attributes: dict[str, str] = field(default_factory=dict)
    note_guids: list[str] = field(default_factory=list)
    creating_user: str | None = None


@dataclass
class Note:
    guid: str
    name: str
    text: str
    creating_user: str | None = None
    created: str | None = None


@dataclass
class Variable:
    guid: str
    name: str
    type: str = "Text"


@dataclass
class Case:
    guid: str
    name: str
    values: dict[str, str] = field(default_factory=dict)  # variable name -> value
    source_guids: list[str] = field(default_factory=list)


@dataclass
class Set:
    guid: str
    name: str
    code_guids: list[str] = field(default_factory=list)
    source_guids: list[str] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)


@dataclass
class ReportLine:
    """`count` `subject` were `action` ("dropped", "adjusted", "warning")."""

    subject: str
    action: str
    reason: str
    count: int = 1


@dataclass
class Report:
    """What a file held and what happened to what could not be kept as is."""

    in_file: Counter = field(default_factory=Counter)
    lines: list[ReportLine] = field(default_factory=list)

    def add(self, subject: str, action: str, reason: str, count: int = 1) -> None:
        """Record `count` more of (subject, action, reason), merging repeats."""
        if count <= 0:
            return
        for line in self.lines:
            if (line.subject, line.action, line.reason) == (subject, action, reason):
                line.count += count
                return
        self.lines.append(ReportLine(subject, action, reason, count))

    def count(self, subject: str, action: str) -> int:
        return sum(
            line.count
            for line in self.lines
            if line.subject == subject and line.action == action
        )


@dataclass
class Project:
    name: str = ""
    origin: str = ""
    description: str = ""
    users: list[User] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)  # the roots
    sources: list[Source] = field(default_factory=list)  # text sources only
    notes: list[Note] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)  # about the project
    sets: list[Set] = field(default_factory=list)
    report: Report = field(default_factory=Report)

    def all_codes(self):
        for root in self.codes:
            yield from root.walk()


@dataclass
class Codebook:
    origin: str = ""
    codes: list[Code] = field(default_factory=list)
    sets: list[Set] = field(default_factory=list)
    report: Report = field(default_factory=Report)

    def all_codes(self):
        for root in self.codes:
            yield from root.walk()
