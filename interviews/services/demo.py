"""Load the demo project from the data files in fixtures/demo/.

The demo is "Interregional cooperation in the Eurasian Economic Union": the
four expert statements quoted in the EAEU paper as interview transcripts,
both papers as documents, a codebook built from the papers' own categories,
and two demo coders' independent (illustrative) codings.

Codings are stored in the data files as quotes, not offsets: the loader finds
each quote in the transcript text as stored, so the data survives changes to
text normalisation, and a quote that is no longer there stops the load.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from ..models import Code, Coding, Membership, Project, Transcript
from ..text.normalize import normalize_text
from .codebook import PATH_SEPARATOR, create_code
from .codings import add_coding
from .projects import add_member, create_project
from .transcripts import import_transcript

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"

# Development only: load_demo refuses to run with DEBUG off unless forced,
# and prints this password with the accounts.
DEMO_PASSWORD = "eurasia-demo"  # noqa: S105
OWNER = "demo_owner"
DEMO_USERS = (
    (OWNER, Membership.Role.OWNER),
    ("demo_anna", Membership.Role.CODER),
    ("demo_boris", Membership.Role.CODER),
    ("demo_viewer", Membership.Role.VIEWER),
)


class DemoDataError(Exception):
    """The demo data files do not fit together (a quote or code is missing)."""


@dataclass(frozen=True)
class ExpertStatement:
    number: int
    country: str
    text: str  # "Expert N (Country): ..." unwrapped into one paragraph


@dataclass(frozen=True)
class DemoResult:
    project: Project
    created: bool
    users: tuple[tuple[str, str], ...]
    password: str


# -- reading the data files (no database) -----------------------------------

_STATEMENT_START = re.compile(r"^\s*Expert (\d+) \(([^)\n]+)\):\s")
_SENTENCE_END = (".", "!", "?", "…", "”", '"')


def parse_expert_statements(text: str) -> list[ExpertStatement]:
    """Return the "Expert N (Country): ..." statements quoted in a paper.

    The paper's text comes from a PDF: lines are wrapped, and page breaks
    leave blank lines inside sentences. A statement therefore runs from its
    label until a line that ends a sentence and is followed by a blank line,
    an indented line (a new paragraph after a page break) or another label.
    Lines are joined with a space, or without one after a trailing hyphen.
    """
    lines = normalize_text(text).split("\n")
    statements = []
    index = 0
    while index < len(lines):
        match = _STATEMENT_START.match(lines[index])
        if match is None:
            index += 1
            continue
        parts = [lines[index].strip()]
        index += 1
        while index < len(lines):
            line = lines[index]
            ended = parts[-1].endswith(_SENTENCE_END)
            if ended and (
                not line.strip() or line[:1].isspace() or _STATEMENT_START.match(line)
            ):
                break
            if line.strip():
                parts.append(line.strip())
            index += 1
        joined = parts[0]
        for part in parts[1:]:
            joined += part if joined.endswith("-") else " " + part
        statements.append(
            ExpertStatement(int(match.group(1)), match.group(2).strip(), joined)
        )
    return statements


def find_quote(text: str, quote: str, occurrence: int = 1) -> tuple[int, int]:
    """Return [start, end) of the `occurrence`-th (1-based) `quote` in `text`.

    The quote is normalised like a transcript first. Raise DemoDataError when
    it is not there that many times.
    """
    quote = normalize_text(quote)
    if not quote:
        raise DemoDataError("An empty quote cannot be coded.")
    start = -1
    for _ in range(occurrence):
        start = text.find(quote, start + 1)
        if start == -1:
            raise DemoDataError(
                f"Quote not found (occurrence {occurrence}): {quote[:80]!r}"
            )
    return start, start + len(quote)


def read_json(name: str):
    with open(DEMO_DIR / name, encoding="utf-8") as f:
        return json.load(f)


def read_bytes(relative: str) -> bytes:
    return (DEMO_DIR / relative).read_bytes()


# -- loading ----------------------------------------------------------------


def ensure_demo_users() -> dict[str, object]:
    """Create the demo accounts, or reset their password to DEMO_PASSWORD."""
    users = {}
    User = get_user_model()
    for username, _ in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(DEMO_PASSWORD)
        user.save()
        users[username] = user
    return users


def find_demo_project(owner) -> Project | None:
    """Return the demo project owned by `owner`, if it was loaded before."""
    name = read_json("sources.json")["project"]["name"]
    return (
        Project.objects.filter(
            name=name,
            memberships__user=owner,
            memberships__role=Membership.Role.OWNER,
        )
        .order_by("pk")
        .first()
    )


def load_demo(*, reset: bool = False) -> DemoResult:
    """Load the demo project once; later calls only refresh the accounts.

    With `reset`, delete the demo project (with everything coded in it) and
    load it afresh. Raise DemoDataError, writing nothing, when the data
    files do not fit together.
    """
    sources = read_json("sources.json")
    codebook = read_json("codebook.json")
    codings = read_json("codings.json")["coders"]
    with transaction.atomic():
        users = ensure_demo_users()
        project = find_demo_project(users[OWNER])
        if project is not None and reset:
            _delete_project(project)
            project = None
        created = project is None
        if created:
            project = _load_project(sources, codebook, codings, users)
    return DemoResult(
        project=project,
        created=created,
        users=tuple((name, str(role)) for name, role in DEMO_USERS),
        password=DEMO_PASSWORD,
    )


def _delete_project(project: Project) -> None:
    # Codes protect their codings and sub-codes from accidental deletion, so
    # remove the codings first and then the codebook from the leaves up.
    Coding.objects.filter(transcript__project=project).delete()
    codes = Code.objects.filter(project=project)
    while codes.exists():
        codes.filter(children__isnull=True).delete()
    consensus = project.consensus_user  # the project's own account, if any
    project.delete()
    if consensus is not None:
        consensus.delete()


def _load_project(sources, codebook, codings, users) -> Project:
    owner = users[OWNER]
    project = create_project(owner=owner, **sources["project"])
    for username, role in DEMO_USERS:
        if username != OWNER:
            add_member(project=project, user=users[username], role=role)
    for doc in sources["documents"]:
        _import_document(project=project, owner=owner, doc=doc)
    transcripts = _import_statements(
        project=project,
        owner=owner,
        info=sources["expert_statements"],
        documents={doc["key"]: doc for doc in sources["documents"]},
    )
    codes = _create_codes(project=project, tree=codebook)
    for username, rows in codings.items():
        for row in rows:
            _add_quote_coding(
                coder=users[username], row=row, transcripts=transcripts, codes=codes
            )
    return project


def _import_document(*, project: Project, owner, doc: dict) -> Transcript:
    return import_transcript(
        project=project,
        user=owner,
        filename=Path(doc["file"]).name,
        data=read_bytes(doc["file"]),
        title=doc["title"],
        attributes={"source": doc["source"][:500]},
        kind=Transcript.Kind.DOCUMENT,
    )


def _import_statements(
    *, project: Project, owner, info: dict, documents: dict
) -> dict[str, Transcript]:
    source = documents[info["from_document"]]
    statements = parse_expert_statements(read_bytes(source["file"]).decode("utf-8"))
    if [s.number for s in statements] != [1, 2, 3, 4]:
        raise DemoDataError(
            f"Expected the statements of experts 1-4 in {source['file']}, found "
            f"{[s.number for s in statements]}."
        )
    transcripts = {}
    for statement in statements:
        transcripts[f"expert-{statement.number}"] = import_transcript(
            project=project,
            user=owner,
            filename=f"expert-{statement.number}.txt",
            data=statement.text.encode("utf-8"),
            title=f"Expert {statement.number} ({statement.country})",
            attributes={
                "country": statement.country,
                "role": info["role"],
                "source": source["title"],
                "quoted on": info["quoted_on"][str(statement.number)],
            },
            kind=Transcript.Kind.INTERVIEW,
        )
    return transcripts


def _create_codes(
    *, project: Project, tree: list[dict], parent: Code | None = None, prefix=""
) -> dict[str, Code]:
    """Create the codebook tree; return {"Parent/Child": code}."""
    codes = {}
    for node in tree:
        code = create_code(
            project=project,
            parent=parent,
            name=node["name"],
            definition=node.get("definition", ""),
            colour=node.get("colour"),
        )
        path = prefix + code.name
        codes[path] = code
        codes.update(
            _create_codes(
                project=project,
                tree=node.get("children", []),
                parent=code,
                prefix=path + PATH_SEPARATOR,
            )
        )
    return codes


def _add_quote_coding(*, coder, row: dict, transcripts: dict, codes: dict) -> None:
    transcript = transcripts.get(row["transcript"])
    if transcript is None:
        raise DemoDataError(f"No demo transcript {row['transcript']!r}.")
    code = codes.get(row["code"])
    if code is None:
        raise DemoDataError(f"No code {row['code']!r} in codebook.json.")
    try:
        start, end = find_quote(transcript.text, row["quote"], row.get("occurrence", 1))
    except DemoDataError as exc:
        raise DemoDataError(f"{coder.username}, {row['transcript']}: {exc}") from None
    add_coding(
        coder=coder,
        transcript=transcript,
        code=code,
        start=start,
        end=end,
        memo=row.get("memo", ""),
        expected_text=transcript.text[start:end],
    )
