"""REFI-QDA exchange: import and export whole projects and codebooks.

Decisions (the issue left them open):

- A `.qdpx` always becomes a NEW project owned by the importing user, in one
  transaction: a refused or failing import leaves the database as it was.
- Users of the file who coded something or wrote a kept note become
  placeholder accounts: username "imported-<name>" (made unique), the
  file's name as first name, no usable password, inactive, and coders of the
  new project. Names in a file prove nothing, so nobody's real account is
  matched by name. Codings that name no coder go to the importing user.
- Notes become memos on the code or transcript they are attached to; notes
  on a selection are added to the memo of its codings; notes about the
  project, or about things that were not imported, are appended to the
  project's description, since a memo here belongs to a transcript or code.
- Everything the file held that could not be kept as is (PDF/picture/media
  sources and their codings, sets, links, graphs, renamed codes...) is in
  the ImportReport, with counts and reasons (REFI-QDA 1.5, section 7).
- Exports keep the GUIDs an import brought; everything made here gets a
  GUID derived from the project and the row, so exporting twice gives the
  same GUIDs. Placeholder users keep the file's user name; their GUIDs are
  derived, not kept.
"""

import io
import os
import re
import tempfile
import unicodedata
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from ..formats import ImportRefused
from ..formats.refi import model, read, write
from ..models import Attribute, Code, Coding, Membership, Memo, Project, Transcript
from ..text.speakers import detect_turns
from . import ServiceError
from .codebook import NAME_MAX_CHARS, PALETTE, code_tree
from .memos import MEMO_MAX_CHARS
from .projects import create_project
from .transcripts import create_transcript

ORIGIN = "Interview coding 1.0"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
BATCH = 5000


@dataclass
class ImportReport:
    """What a file held, what was imported, and what was dropped or changed."""

    filename: str
    origin: str
    in_file: dict[str, int]
    imported: dict[str, int] = field(default_factory=dict)
    lines: list[model.ReportLine] = field(default_factory=list)
    conventions: list[tuple[str, str]] = field(default_factory=list)
    project: Project | None = None

    def dropped(self) -> list[model.ReportLine]:
        return [line for line in self.lines if line.action == "dropped"]

    def adjusted(self) -> list[model.ReportLine]:
        return [line for line in self.lines if line.action != "dropped"]

    def rows(self) -> list[tuple[str, int | None, int]]:
        """Return (what, how many the file held or None, how many imported)."""
        keys = ["sources", "codes", "codings", "memos", "users", "attributes"]
        held = dict(self.in_file, memos=self.in_file.get("notes"))
        return [
            (key, held.get(key), self.imported.get(key, 0))
            for key in keys
            if key in self.imported
        ]

    def as_text(self) -> str:
        """Return the report as plain text, for the command line."""
        out = [f"Imported from {self.filename} ({self.origin or 'unknown tool'}):"]
        for key, held, kept in self.rows():
            held = f" of {held} in the file" if held is not None else ""
            out.append(f"  {key}: {kept}{held}")
        for line in self.lines:
            out.append(f"  {line.action}: {line.count} {line.subject}: {line.reason}")
        return "\n".join(out)


# -- import -------------------------------------------------------------------


def _limit(data_size: int, max_bytes: int) -> None:
    if data_size > max_bytes:
        raise ServiceError(
            f"The file is too large ({data_size / (1024 * 1024):.1f} MB); the "
            f"limit is {max_bytes // (1024 * 1024)} MB."
        )


def import_qdpx(
    *,
    owner,
    data: bytes | None = None,
    path=None,
    filename: str = "project.qdpx",
    project_name: str = "",
    max_bytes: int | None = None,
) -> ImportReport:
    """Create a new project from a `.qdpx` (bytes or a path) owned by `owner`.

    Raise ServiceError, writing nothing, for a file that cannot be imported.
    """
    max_bytes = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    if (data is None) == (path is None):
        raise ValueError("give data or path")
    if data is not None:
        if not data:
            raise ServiceError(f"{filename}: the file is empty.")
        _limit(len(data), max_bytes)
    else:
        _limit(os.path.getsize(path), max_bytes)
    try:
        parsed = read.read_qdpx(data if data is not None else path)
    except ImportRefused as exc:
        raise ServiceError(f"{filename}: {exc}") from exc
    name = (project_name or parsed.name or filename.rsplit(".", 1)[0]).strip()
    name = name[: Project._meta.get_field("name").max_length] or "Imported project"
    with transaction.atomic():
        return _Importer(parsed, owner=owner, filename=filename).run(name)


class _Importer:
    def __init__(self, parsed: model.Project, *, owner, filename: str):
        self.parsed = parsed
        self.owner = owner
        self.report = parsed.report
        self.result = ImportReport(
            filename=filename, origin=parsed.origin, in_file=_in_file(parsed.report)
        )

    def run(self, name: str) -> ImportReport:
        parsed = self.parsed
        self.project = create_project(
            owner=self.owner, name=name, description=parsed.description.strip()
        )
        self.codes = self._create_codes()
        self.users = self._create_users()
        self.transcripts = self._create_transcripts()
        n_codings = self._create_codings()
        n_memos = self._create_memos()
        result = self.result
        result.project = self.project
        result.imported = {
            "sources": len(self.transcripts),
            "codes": len(self.codes),
            "codings": n_codings,
            "memos": n_memos,
            "users": len(self.users),
            "attributes": Attribute.objects.filter(
                transcript__project=self.project
            ).count(),
        }
        result.lines = list(self.report.lines)
        result.conventions = [
            (source.name, read.CONVENTION_NAMES[source.convention])
            for source in parsed.sources
            if any(s.codings for s in source.selections)
        ]
        return result

    # Codes.

    def _create_codes(self) -> dict[str, Code]:
        created: dict[str, Code] = {}
        level = [(None, self.parsed.codes)]
        while level:
            rows, following = [], []
            for parent, codes in level:
                taken: set[str] = set()
                for position, code in enumerate(codes):
                    name = self._code_name(code.name, taken)
                    colour = code.colour or PALETTE[len(created) % len(PALETTE)]
                    rows.append(
                        (
                            code,
                            Code(
                                project=self.project,
                                parent=parent,
                                name=name,
                                definition=code.description.strip()[:10_000],
                                colour=colour,
                                position=position,
                                guid=read.parse_uuid(code.guid),
                            ),
                        )
                    )
            Code.objects.bulk_create([row for _, row in rows])
            for code, row in rows:
                created[code.guid] = row
                if code.children:
                    following.append((row, code.children))
            level = following
        return created

    def _code_name(self, name: str, taken: set[str]) -> str:
        clean = unicodedata.normalize("NFC", _CONTROL.sub(" ", name)).strip()
        clean = " ".join(clean.split()) if clean != name.strip() else clean
        if not clean:
            clean = "Unnamed code"
            self.report.add("codes", "adjusted", "had no name; named “Unnamed code”")
        if len(clean) > NAME_MAX_CHARS:
            clean = clean[: NAME_MAX_CHARS - 1] + "…"
            self.report.add(
                "codes",
                "adjusted",
                f"name longer than {NAME_MAX_CHARS} characters; cut",
            )
        base, n = clean, 1
        while clean.casefold() in taken:
            n += 1
            suffix = f" ({n})"
            clean = base[: NAME_MAX_CHARS - len(suffix)] + suffix
        if n > 1:
            self.report.add(
                "codes",
                "adjusted",
                "same name as a sibling (names must differ among codes with the "
                "same parent, ignoring case); numbered",
            )
        taken.add(clean.casefold())
        return clean

    # Users.

    def _create_users(self) -> dict[str, object]:
        parsed = self.parsed
        wanted = Counter()
        for source in parsed.sources:
            for selection in source.selections:
                for coding in selection.codings:
                    if coding.creating_user:
                        wanted[coding.creating_user] += 1
        kept_notes = {g for g in self._note_targets()}
        for note in parsed.notes:
            if note.guid in kept_notes and note.creating_user:
                wanted[note.creating_user] += 0
        users = {}
        User = get_user_model()
        by_guid = {user.guid: user for user in parsed.users}
        for guid in wanted:
            file_user = by_guid.get(guid) or model.User(guid=guid, name="")
            display = _CONTROL.sub(" ", file_user.name).strip()[:150] or (
                f"User {guid[:8]}"
            )
            username = _unique_username(display)
            user = User(username=username, first_name=display, is_active=False)
            user.set_unusable_password()
            user.save()
            Membership.objects.create(
                project=self.project, user=user, role=Membership.Role.CODER
            )
            users[guid] = user
        unused = len(parsed.users) - sum(1 for u in parsed.users if u.guid in users)
        self.report.add(
            "users",
            "dropped",
            "coded nothing and wrote no note that was kept; no account was made",
            unused,
        )
        if users:
            self.report.add(
                "users",
                "adjusted",
                "became inactive placeholder accounts (“imported-…”, no "
                "password) and coders of the project",
                len(users),
            )
        return users

    # Transcripts.

    def _create_transcripts(self) -> dict[str, Transcript]:
        transcripts = {}
        max_title = Transcript._meta.get_field("title").max_length
        for source in self.parsed.sources:
            if not any(selection.codings for selection in source.selections) and (
                not source.text.strip()
            ):
                continue
            transcript = create_transcript(
                project=self.project,
                user=self.owner,
                title=source.name[:max_title],
                text=source.text,
                turns=detect_turns(source.text),
                attributes=self._attributes(source),
                kind=Transcript.Kind.INTERVIEW,
                original_filename=source.name,
                source_format="qdpx",
            )
            guid = read.parse_uuid(source.guid)
            if guid is not None:
                Transcript.objects.filter(pk=transcript.pk).update(guid=guid)
            transcripts[source.guid] = transcript
        return transcripts

    def _attributes(self, source: model.Source) -> dict[str, str]:
        attributes = {}
        name_max = Attribute._meta.get_field("name").max_length
        value_max = Attribute._meta.get_field("value").max_length
        for name, value in source.attributes.items():
            name = _CONTROL.sub(" ", name).strip()
            value = _CONTROL.sub(" ", value).strip()
            if not name or not value:
                continue
            if len(name) > name_max or len(value) > value_max:
                self.report.add(
                    "attributes", "adjusted", "name or value too long; cut to fit"
                )
                name, value = name[:name_max], value[:value_max]
            attributes[name] = value
        return attributes

    # Codings.

    def _create_codings(self) -> int:
        batch, count = [], 0
        memos = self._selection_notes()
        fallback = 0
        insert = _CodingInsert()
        for source in self.parsed.sources:
            transcript = self.transcripts.get(source.guid)
            if transcript is None:
                continue
            for selection in source.selections:
                memo = "\n\n".join(
                    part
                    for part in [selection.description.strip(), *memos[selection.guid]]
                    if part
                )
                for coding in selection.codings:
                    coder = self.users.get(coding.creating_user)
                    if coder is None:
                        coder = self.owner
                        fallback += 1
                    batch.append(
                        (
                            transcript.pk,
                            self.codes[coding.code_guid].pk,
                            coder.pk,
                            selection.start,
                            selection.end,
                            selection.text,
                            memo,
                            read.parse_uuid(coding.guid),
                        )
                    )
                    if len(batch) >= BATCH:
                        count += insert(batch)
                        batch = []
        count += insert(batch)
        self.report.add(
            "codings",
            "adjusted",
            "name no coder the file knows; attributed to you, the importer",
            fallback,
        )
        return count

    # Notes.

    def _note_targets(self) -> dict[str, list[tuple[str, str]]]:
        """Return {note guid: [(kind, guid)]} for targets that were kept."""
        parsed = self.parsed
        targets = defaultdict(list)
        for code in parsed.all_codes():
            for guid in code.note_guids:
                targets[guid].append(("code", code.guid))
        for source in parsed.sources:
            for guid in source.note_guids:
                targets[guid].append(("source", source.guid))
            for selection in source.selections:
                for guid in selection.note_guids:
                    targets[guid].append(("selection", selection.guid))
        return targets

    def _selection_notes(self) -> dict[str, list[str]]:
        notes = {note.guid: note for note in self.parsed.notes}
        texts = defaultdict(list)
        for guid, targets in self._note_targets().items():
            note = notes.get(guid)
            if note is None or not note.text.strip():
                continue
            for kind, target in targets:
                if kind == "selection":
                    texts[target].append(note.text.strip())
        return texts

    def _create_memos(self) -> int:
        parsed, project = self.parsed, self.project
        targets = self._note_targets()
        memos, leftovers = [], []
        for note in parsed.notes:
            text = note.text.strip()
            if not text:
                self.report.add("notes", "dropped", "empty")
                continue
            if len(text) > MEMO_MAX_CHARS:
                text = text[: MEMO_MAX_CHARS - 1] + "…"
                self.report.add(
                    "notes",
                    "adjusted",
                    f"longer than {MEMO_MAX_CHARS:,} characters; cut",
                )
            author = self.users.get(note.creating_user, self.owner)
            placed = False
            for kind, target in targets.get(note.guid, []):
                if kind == "selection":
                    placed = True  # already in the codings' memos
                    continue
                memo = Memo(
                    project=project,
                    author=author,
                    text=text,
                    guid=read.parse_uuid(note.guid),
                )
                if kind == "code" and target in self.codes:
                    memo.code = self.codes[target]
                elif kind == "source" and target in self.transcripts:
                    memo.transcript = self.transcripts[target]
                else:
                    continue
                memos.append(memo)
                placed = True
            if not placed:
                leftovers.append(note)
        Memo.objects.bulk_create(memos)
        if leftovers:
            parts = [project.description] if project.description else []
            parts.append("Notes imported with the project:")
            for note in leftovers:
                title = f"{note.name}\n" if note.name else ""
                parts.append(f"{title}{note.text.strip()}")
            project.description = "\n\n".join(parts)
            project.save(update_fields=["description"])
            self.report.add(
                "notes",
                "adjusted",
                "about the whole project or about things that were not imported; "
                "kept in the project description",
                len(leftovers),
            )
        return len(memos)


class _CodingInsert:
    """Insert codings with executemany: bulk_create costs ~0.3 ms a row in
    Python, which for 100,000 codings is most of an import's time."""

    COLUMNS = ("transcript", "code", "coder", "start", "end", "text", "memo", "guid")

    def __init__(self):
        from django.utils import timezone

        fields = [Coding._meta.get_field(name) for name in self.COLUMNS]
        self.guid_field = fields[-1]
        created = Coding._meta.get_field("created")
        updated = Coding._meta.get_field("updated")
        self.now = created.get_db_prep_value(timezone.now(), connection)
        quote = connection.ops.quote_name
        columns = [quote(f.column) for f in fields] + [
            quote(created.column),
            quote(updated.column),
        ]
        self.sql = (
            f"INSERT INTO {quote(Coding._meta.db_table)} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )

    def __call__(self, rows) -> int:
        if not rows:
            return 0
        prep = self.guid_field.get_db_prep_value
        params = [
            (*row[:-1], prep(row[-1], connection), self.now, self.now) for row in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, params)
        return len(rows)


def _in_file(report: model.Report) -> dict[str, int]:
    counts = dict.fromkeys(("sources", "codes", "codings", "users", "notes"), 0)
    counts.update(report.in_file)
    return counts


def _unique_username(display: str) -> str:
    User = get_user_model()
    slug = re.sub(r"[^\w.@+-]+", "_", display).strip("_")[:100] or "user"
    base = f"imported-{slug}"
    taken = set(
        User.objects.filter(username__startswith=base).values_list(
            "username", flat=True
        )
    )
    username, n = base, 1
    while username in taken:
        n += 1
        username = f"{base}-{n}"
    return username


# -- codebook import ----------------------------------------------------------


@transaction.atomic
def import_qdc(
    *, project: Project, data: bytes, filename: str = "codebook.qdc"
) -> ImportReport:
    """Add a `.qdc` codebook's codes to the project's codebook.

    A code whose GUID or name (among its siblings, ignoring case) is already
    there is kept as it is; its sub-codes are merged the same way. Raise
    ServiceError, writing nothing, for a file that cannot be read.
    """
    if not data:
        raise ServiceError(f"{filename}: the file is empty.")
    _limit(len(data), settings.UPLOAD_MAX_BYTES)
    try:
        codebook = read.read_qdc(data)
    except ImportRefused as exc:
        raise ServiceError(f"{filename}: {exc}") from exc
    report = codebook.report
    importer = _Importer(
        model.Project(origin=codebook.origin, report=report),
        owner=None,
        filename=filename,
    )
    importer.project = project
    existing = list(Code.objects.filter(project=project))
    by_guid = {code.guid: code for code in existing if code.guid}
    children = defaultdict(list)
    for code in existing:
        children[code.parent_id].append(code)
    created = 0

    def merge(parent: Code | None, codes: list[model.Code]) -> None:
        nonlocal created
        siblings = children[parent.pk if parent else None]
        taken = {code.name.casefold() for code in siblings}
        for code in codes:
            guid = read.parse_uuid(code.guid)
            match = by_guid.get(guid) if guid else None
            if match is None:
                name = unicodedata.normalize("NFC", code.name).strip().casefold()
                match = next((c for c in siblings if c.name.casefold() == name), None)
            if match is not None:
                report.add(
                    "codes", "adjusted", "already in the codebook; kept as it was"
                )
            else:
                match = Code.objects.create(
                    project=project,
                    parent=parent,
                    name=importer._code_name(code.name, taken),
                    definition=code.description.strip()[:10_000],
                    colour=code.colour or PALETTE[created % len(PALETTE)],
                    position=len(siblings),
                    guid=guid,
                )
                siblings.append(match)
                created += 1
            merge(match, code.children)

    merge(None, codebook.codes)
    return ImportReport(
        filename=filename,
        origin=codebook.origin,
        in_file=_in_file(report),
        imported={"codes": created},
        lines=list(report.lines),
        project=project,
    )


# -- export -----------------------------------------------------------------


def _namespace(project: Project) -> uuid.UUID:
    return uuid.uuid5(
        uuid.NAMESPACE_URL,
        f"interview-coding:project:{project.pk}:{project.created.isoformat()}",
    )


def _stamp(moment) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Guids:
    def __init__(self, project: Project):
        self.ns = _namespace(project)

    def __call__(self, kind: str, pk, stored=None) -> str:
        if stored is not None:
            return str(stored)
        return str(uuid.uuid5(self.ns, f"{kind}:{pk}"))


def _code_models(project: Project, guids: _Guids, code_notes) -> list[model.Code]:
    roots, by_pk = [], {}
    for code in code_tree(project):
        item = model.Code(
            guid=guids("code", code.pk, code.guid),
            name=code.name,
            description=code.definition,
            colour=code.colour.lower(),
            note_guids=code_notes.get(code.pk, []),
        )
        by_pk[code.pk] = item
        (by_pk[code.parent_id].children if code.parent_id else roots).append(item)
    return roots


def export_qdpx(*, project: Project, file) -> None:
    """Write the project as a REFI-QDA `.qdpx` to `file` (path or binary file).

    Streams: transcripts' texts are read one at a time and codings are
    iterated per transcript, so memory stays flat as projects grow.
    """
    guids = _Guids(project)
    User = get_user_model()
    user_ids = set(
        Coding.objects.filter(transcript__project=project).values_list(
            "coder_id", flat=True
        )
    )
    user_ids |= set(
        Memo.objects.filter(project=project).values_list("author_id", flat=True)
    )
    user_ids |= set(project.memberships.values_list("user_id", flat=True))
    users = {
        user.pk: model.User(
            guid=guids("user", user.pk), name=user.get_full_name() or user.username
        )
        for user in User.objects.filter(pk__in=user_ids).order_by("pk")
    }
    memos = list(
        Memo.objects.filter(project=project)
        .order_by("pk")
        .values_list(
            "pk", "guid", "code_id", "transcript_id", "author_id", "text", "created"
        )
    )
    code_notes, transcript_notes, notes = defaultdict(list), defaultdict(list), []
    for pk, guid, code_id, transcript_id, author_id, text, created in memos:
        note_guid = guids("memo", pk, guid)
        first_line = text.strip().split("\n", 1)[0]
        notes.append(
            model.Note(
                guid=note_guid,
                name=first_line[:60],
                text=text,
                creating_user=users[author_id].guid,
                created=_stamp(created),
            )
        )
        if code_id:
            code_notes[code_id].append(note_guid)
        else:
            transcript_notes[transcript_id].append(note_guid)
    header = model.Project(
        name=project.name,
        origin=ORIGIN,
        description=project.description,
        users=list(users.values()),
        codes=_code_models(project, guids, code_notes),
        notes=notes,
    )
    code_guids = {
        pk: guids("code", pk, guid)
        for pk, guid in Code.objects.filter(project=project).values_list("pk", "guid")
    }
    names = sorted(
        set(
            Attribute.objects.filter(transcript__project=project).values_list(
                "name", flat=True
            )
        )
    )
    variables = [
        model.Variable(guid=guids("variable", name), name=name) for name in names
    ]
    transcripts = list(
        Transcript.objects.filter(project=project)
        .order_by("pk")
        .values_list("pk", "guid", "title")
    )
    owner = (
        project.memberships.filter(role=Membership.Role.OWNER).order_by("pk").first()
    )

    def texts():
        rows = (
            Transcript.objects.filter(project=project)
            .order_by("pk")
            .values_list("pk", "guid", "text")
        )
        for pk, guid, text in rows.iterator(chunk_size=10):
            yield guids("transcript", pk, guid), text

    def sources():
        attributes = defaultdict(dict)
        for transcript_id, name, value in Attribute.objects.filter(
            transcript__project=project
        ).values_list("transcript_id", "name", "value"):
            attributes[transcript_id][name] = value
        for pk, guid, title in transcripts:
            yield model.Source(
                guid=guids("transcript", pk, guid),
                name=title,
                text="",
                selections=list(_selections(pk, guids, users, code_guids)),
                attributes=attributes[pk],
                note_guids=transcript_notes.get(pk, []),
            )

    write.write_qdpx(
        file,
        project=header,
        texts=texts(),
        sources=sources(),
        variables=variables,
        creating_user=users[owner.user_id].guid if owner else None,
        created=_stamp(project.created),
    )


def _selections(transcript_id, guids, users, code_guids):
    rows = (
        Coding.objects.filter(transcript_id=transcript_id)
        .order_by("start", "end", "pk")
        .values_list(
            "pk",
            "guid",
            "code_id",
            "coder_id",
            "start",
            "end",
            "text",
            "memo",
            "created",
        )
    )
    for pk, guid, code_id, coder_id, start, end, text, memo, created in rows.iterator(
        chunk_size=2000
    ):
        coding_guid = guids("coding", pk, guid)
        yield model.Selection(
            guid=str(uuid.uuid5(uuid.UUID(coding_guid), "selection")),
            start=start,
            end=end,
            text=text,
            description=memo,
            creating_user=users[coder_id].guid,
            codings=[
                model.Coding(
                    guid=coding_guid,
                    code_guid=code_guids[code_id],
                    creating_user=users[coder_id].guid,
                    created=_stamp(created),
                )
            ],
        )


def export_qdpx_to_tempfile(*, project: Project):
    """Return an open temporary file holding the project's `.qdpx`."""
    handle = tempfile.TemporaryFile()
    export_qdpx(project=project, file=handle)
    handle.seek(0)
    return handle


def export_qdc(*, project: Project) -> bytes:
    """Return the project's codebook as a REFI-QDA `.qdc`.

    Raise ServiceError for an empty codebook, which the schema does not allow.
    """
    guids = _Guids(project)
    codes = _code_models(project, guids, {})
    if not codes:
        raise ServiceError("The codebook is empty: there is nothing to export.")
    buffer = io.BytesIO()
    write.write_qdc(buffer, codes=codes, origin=ORIGIN)
    return buffer.getvalue()
