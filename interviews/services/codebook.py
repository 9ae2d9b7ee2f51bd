"""The codebook: a tree of codes per project, edited by the project's owners.

Decisions (the issue left them open):

- Names are stripped and NFC-normalised, at most 200 characters, and unique
  among siblings ignoring case ("Barriers" and "barriers" side by side would
  be indistinguishable in an export). The same name may appear under
  different parents.
- A name may contain "/" ("Political/legal barriers"), although code paths
  ("Barriers/Financial difficulties") join levels with it: paths are for
  people to read, so anything that needs an unambiguous key (exports,
  imports matching codes) must use the code id, not the path.
- A name is a single line: control characters such as line breaks are
  refused.
- Deleting refuses a code that anything still depends on: codings, sub-codes
  or memos. The message says what is in the way and points to merging, which
  keeps everything. Children are never re-parented silently.
- Merging moves codings, memos and sub-codes of the source into the target,
  then deletes the source. A sub-code whose name the target already has is
  merged into that sub-code in turn, so merging two trees gives one tree.
  Codings that would duplicate one of the target's (same coder, transcript
  and offsets) are dropped, keeping their memo text on the surviving coding.
- Positions are 0..n-1 among siblings; every change renumbers the siblings it
  touches so that the order never has gaps or ties.
"""

import unicodedata
from collections import defaultdict
from dataclasses import astuple, dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet

from ..models import Code, Coding, Memo, Project
from . import ServiceError

NAME_MAX_CHARS = Code._meta.get_field("name").max_length
DEFINITION_MAX_CHARS = 10_000
PATH_SEPARATOR = "/"

# Tableau 10: distinct hues that stay distinguishable for most colour-vision
# deficiencies and keep dark text readable on a light tint of them.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)

_HEX = set("0123456789abcdef")
# Marks a method argument as "not given", since None means "top level".
UNSET = object()


@dataclass(frozen=True)
class MergeResult:
    codings_moved: int = 0
    duplicates_dropped: int = 0
    memos_moved: int = 0
    children_moved: int = 0
    codes_merged: int = 1  # the source itself, plus same-named sub-codes

    def __add__(self, other: "MergeResult") -> "MergeResult":
        return MergeResult(
            *(a + b for a, b in zip(astuple(self), astuple(other), strict=True))
        )


# -- validation ------------------------------------------------------------


def clean_name(name) -> str:
    """Return the name as stored, or raise ServiceError."""
    name = unicodedata.normalize("NFC", str(name or "")).strip()
    if not name:
        raise ServiceError("A code needs a name.")
    if len(name) > NAME_MAX_CHARS:
        raise ServiceError(f"A code name can be at most {NAME_MAX_CHARS} characters.")
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise ServiceError("A code name must be a single line of text.")
    return name


def clean_colour(colour) -> str:
    """Return the colour as lower-case #rrggbb, or raise ServiceError."""
    colour = str(colour or "").strip().lower()
    if len(colour) != 7 or colour[0] != "#" or not set(colour[1:]) <= _HEX:
        raise ServiceError("A colour must look like #1f77b4 (# and six hex digits).")
    return colour


def _clean_definition(definition) -> str:
    definition = unicodedata.normalize("NFC", str(definition or "")).strip()
    if len(definition) > DEFINITION_MAX_CHARS:
        raise ServiceError(
            f"A definition can be at most {DEFINITION_MAX_CHARS} characters."
        )
    return definition


def default_colour(*, project: Project, parent: Code | None) -> str:
    """Pick a palette colour for a new code under `parent`.

    Start at the sibling count so that successive codes differ, and skip
    colours the siblings or the parent already use while any are left.
    """
    used = list(
        Code.objects.filter(project=project, parent=parent).values_list(
            "colour", flat=True
        )
    )
    taken = {c.lower() for c in used}
    if parent is not None:
        taken.add(parent.colour.lower())
    start = len(used)
    for i in range(len(PALETTE)):
        colour = PALETTE[(start + i) % len(PALETTE)]
        if colour not in taken:
            return colour
    return PALETTE[start % len(PALETTE)]


# -- reading the tree -------------------------------------------------------


def code_tree(project: Project, *, codings: QuerySet[Coding] | None = None) -> list:
    """Return the project's codes depth-first, each with `.depth` and `.path`.

    Siblings come in codebook order (position, then name). One query; with
    `codings` (the codings the reader may see), one more to attach
    `.n_codings`, `.n_transcripts` and `.n_coders` to every code.
    """
    codes = list(Code.objects.filter(project=project))
    children = defaultdict(list)
    for code in codes:
        children[code.parent_id].append(code)
    tree = []
    stack = [(code, 0, "") for code in reversed(children[None])]
    while stack:
        code, depth, prefix = stack.pop()
        code.depth = depth
        code.path = prefix + code.name
        tree.append(code)
        for child in reversed(children[code.pk]):
            stack.append((child, depth + 1, code.path + PATH_SEPARATOR))
    if codings is not None:
        usage = code_usage(codings)
        for code in tree:
            code.n_codings, code.n_transcripts, code.n_coders = usage.get(
                code.pk, (0, 0, 0)
            )
    return tree


def code_usage(codings: QuerySet[Coding]) -> dict[int, tuple[int, int, int]]:
    """Return {code id: (codings, transcripts, coders)} over `codings`."""
    rows = (
        codings.order_by()
        .values("code_id")
        .annotate(
            n=Count("id"),
            t=Count("transcript_id", distinct=True),
            c=Count("coder_id", distinct=True),
        )
    )
    return {row["code_id"]: (row["n"], row["t"], row["c"]) for row in rows}


def code_paths(project: Project) -> dict[int, str]:
    """Return {code id: "Parent/Child"} for every code of the project."""
    return {code.pk: code.path for code in code_tree(project)}


def descendant_ids(code: Code) -> set[int]:
    """Return the ids of every code below `code` (not itself). One query."""
    children = defaultdict(list)
    for pk, parent_id in Code.objects.filter(project_id=code.project_id).values_list(
        "pk", "parent_id"
    ):
        children[parent_id].append(pk)
    found, todo = set(), [code.pk]
    while todo:
        for child in children[todo.pop()]:
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


# -- writing ----------------------------------------------------------------


def _siblings(project_id: int, parent_id: int | None, *, exclude: Code | None = None):
    siblings = Code.objects.filter(project_id=project_id, parent_id=parent_id)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude.pk)
    return list(siblings.select_for_update())


def _check_unique(name: str, siblings: list[Code]) -> None:
    folded = name.casefold()
    for sibling in siblings:
        if sibling.name.casefold() == folded:
            raise ServiceError(
                f"There is already a code “{sibling.name}” at this level; "
                "names must differ among codes with the same parent."
            )


def _renumber(ordered: list[Code]) -> None:
    changed = []
    for index, code in enumerate(ordered):
        if code.position != index:
            code.position = index
            changed.append(code)
    if changed:
        Code.objects.bulk_update(changed, ["position"])


def _check_parent(code_project_id: int, parent: Code | None) -> None:
    if parent is not None and parent.project_id != code_project_id:
        raise ServiceError("The parent code belongs to another project.")


def _save(code: Code, **kwargs) -> None:
    # The database constraints back the checks above against races.
    try:
        with transaction.atomic():
            code.save(**kwargs)
    except IntegrityError:
        if code.pk is not None:
            code.refresh_from_db()
        raise ServiceError(
            "Another code with this name was just added at this level."
        ) from None


@transaction.atomic
def create_code(
    *,
    project: Project,
    name: str,
    parent: Code | None = None,
    definition: str = "",
    colour: str | None = None,
    position: int | None = None,
) -> Code:
    """Add a code under `parent` (top level when None).

    Without `position` it goes last among its siblings; with one, it is
    inserted there and the siblings after it move down. Without `colour` one
    is picked from the palette.
    """
    name = clean_name(name)
    definition = _clean_definition(definition)
    _check_parent(project.pk, parent)
    colour = (
        default_colour(project=project, parent=parent)
        if colour in (None, "")
        else clean_colour(colour)
    )
    siblings = _siblings(project.pk, parent.pk if parent else None)
    _check_unique(name, siblings)
    index = len(siblings) if position is None else _clean_position(position)
    index = min(index, len(siblings))
    code = Code(
        project=project,
        parent=parent,
        name=name,
        definition=definition,
        colour=colour,
        position=index,
    )
    _renumber(siblings[:index] + [code] + siblings[index:])
    _save(code)
    return code


def _clean_position(position) -> int:
    if isinstance(position, bool):
        raise ServiceError("A position must be a whole number, 0 or more.")
    try:
        position = int(position)
    except (TypeError, ValueError):
        raise ServiceError("A position must be a whole number, 0 or more.") from None
    if position < 0:
        raise ServiceError("A position must be a whole number, 0 or more.")
    return position


@transaction.atomic
def update_code(
    *,
    code: Code,
    name=UNSET,
    definition=UNSET,
    colour=UNSET,
    parent=UNSET,
) -> Code:
    """Change what is given of a code's name, definition, colour and parent.

    Changing the parent works as move_code. Nothing is written when any
    value is refused.
    """
    new_name = code.name if name is UNSET else clean_name(name)
    new_parent_id = code.parent_id if parent is UNSET else getattr(parent, "pk", None)
    moving = new_parent_id != code.parent_id
    if moving:
        _check_parent(code.project_id, parent)
        if parent is not None and (
            parent.pk == code.pk or parent.pk in descendant_ids(code)
        ):
            raise ServiceError(
                f"“{code.name}” cannot go under itself or one of its own sub-codes."
            )
    if moving or new_name != code.name:
        _check_unique(new_name, _siblings(code.project_id, new_parent_id, exclude=code))
    new_definition = (
        code.definition if definition is UNSET else _clean_definition(definition)
    )
    new_colour = code.colour if colour is UNSET else clean_colour(colour)
    code.name, code.definition, code.colour = new_name, new_definition, new_colour
    if moving:
        old_parent_id = code.parent_id
        code.parent_id = new_parent_id
        code.position = len(_siblings(code.project_id, new_parent_id, exclude=code))
        _save(code)
        _renumber(_siblings(code.project_id, old_parent_id))
    else:
        _save(code)
    return code


def move_code(*, code: Code, parent: Code | None) -> Code:
    """Put `code` (with its sub-codes) last under `parent` (None: top level).

    Refused when `parent` is the code itself or below it, belongs to another
    project, or already has a child of the same name.
    """
    return update_code(code=code, parent=parent)


@transaction.atomic
def reorder_code(*, code: Code, direction: str | None = None, position=None) -> Code:
    """Move a code one step "up"/"down" among its siblings, or to `position`.

    Moving past either end leaves the order as it is; a position past the
    end means last.
    """
    if (direction is None) == (position is None):
        raise ServiceError("Say either which way to move the code or where to.")
    ordered = _siblings(code.project_id, code.parent_id)
    index = next(i for i, sibling in enumerate(ordered) if sibling.pk == code.pk)
    if direction is not None:
        if direction not in ("up", "down"):
            raise ServiceError("A code can move up or down.")
        target = index - 1 if direction == "up" else index + 1
    else:
        target = _clean_position(position)
    target = max(0, min(target, len(ordered) - 1))
    ordered.insert(target, ordered.pop(index))
    _renumber(ordered)
    code.position = target
    return code


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@transaction.atomic
def delete_code(*, code: Code) -> None:
    """Delete a code nothing depends on.

    Refuse, saying what is in the way, when codings, sub-codes or memos
    still use it; merging keeps them instead.
    """
    usage = code.codings.aggregate(
        n=Count("id"), t=Count("transcript_id", distinct=True)
    )
    n_children = code.children.count()
    n_memos = code.memos.count()
    reasons = []
    if usage["n"]:
        reasons.append(
            f"{_plural(usage['n'], 'coding')} in "
            f"{_plural(usage['t'], 'transcript')} use it"
        )
    if n_children:
        reasons.append(f"it has {_plural(n_children, 'sub-code')}")
    if n_memos:
        reasons.append(f"it has {_plural(n_memos, 'memo')}")
    if reasons:
        raise ServiceError(
            f"“{code.name}” was not deleted: {'; '.join(reasons)}. "
            "Merge it into another code to keep them"
            + (", or move its sub-codes elsewhere first." if n_children else ".")
        )
    project_id, parent_id = code.project_id, code.parent_id
    code.delete()
    _renumber(_siblings(project_id, parent_id))


@transaction.atomic
def merge_code(*, source: Code, target: Code) -> MergeResult:
    """Move everything of `source` into `target`, then delete `source`.

    Refused for codes of different projects, into itself, or into one of its
    own sub-codes (the sub-codes are about to move under the target).
    """
    if source.project_id != target.project_id:
        raise ServiceError("Codes can only be merged within one project.")
    if source.pk == target.pk:
        raise ServiceError("A code cannot be merged into itself.")
    if target.pk in descendant_ids(source):
        raise ServiceError(
            f"“{source.name}” cannot be merged into its own sub-code "
            f"“{target.name}”; move that sub-code out first."
        )
    return _merge(source, target)


def _merge(source: Code, target: Code) -> MergeResult:
    duplicates = Coding.objects.filter(code=source).filter(
        Exists(
            Coding.objects.filter(
                code=target,
                coder_id=OuterRef("coder_id"),
                transcript_id=OuterRef("transcript_id"),
                start=OuterRef("start"),
                end=OuterRef("end"),
            )
        )
    )
    for dropped in duplicates.exclude(memo=""):
        kept = Coding.objects.get(
            code=target,
            coder_id=dropped.coder_id,
            transcript_id=dropped.transcript_id,
            start=dropped.start,
            end=dropped.end,
        )
        if dropped.memo not in kept.memo:
            kept.memo = f"{kept.memo}\n\n{dropped.memo}" if kept.memo else dropped.memo
            kept.save(update_fields=["memo", "updated"])
    n_dropped, _ = duplicates.delete()
    n_moved = Coding.objects.filter(code=source).update(code=target)
    n_memos = Memo.objects.filter(code=source).update(code=target)
    result = MergeResult(
        codings_moved=n_moved, duplicates_dropped=n_dropped, memos_moved=n_memos
    )

    # Free the source's name first: when merging into its own parent, a
    # sub-code of the same name may have to take its place. Control
    # characters are refused in real names, so the placeholder collides with
    # nothing.
    Code.objects.filter(pk=source.pk).update(name=f"\x01merging {source.pk}")
    target_children = _siblings(target.project_id, target.pk, exclude=source)
    by_name = {child.name.casefold(): child for child in target_children}
    for child in _siblings(source.project_id, source.pk):
        same_name = by_name.get(child.name.casefold())
        if same_name is not None:
            result = result + _merge(child, same_name)
    # Re-read: the merges above renumbered the remaining children.
    moved = _siblings(source.project_id, source.pk)
    if moved:
        # Moved sub-codes go last under the target, in their own order.
        Code.objects.filter(pk__in=[c.pk for c in moved]).update(parent=target)
        _renumber(target_children + moved)
        result = result + MergeResult(children_moved=len(moved), codes_merged=0)
    project_id, parent_id = source.project_id, source.parent_id
    Code.objects.filter(pk=source.pk).delete()
    _renumber(_siblings(project_id, parent_id))
    return result
