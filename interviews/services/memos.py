from ..models import Code, Memo, Project, Transcript
from . import ServiceError

MEMO_MAX_CHARS = 20_000


def _clean_text(text: str) -> str:
    text = str(text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise ServiceError("A memo needs some text.")
    if len(text) > MEMO_MAX_CHARS:
        raise ServiceError(
            f"A memo can hold {MEMO_MAX_CHARS:,} characters; this one has "
            f"{len(text):,}."
        )
    return text


def add_memo(
    *,
    project: Project,
    author,
    text: str,
    transcript: Transcript | None = None,
    code: Code | None = None,
) -> Memo:
    """Write a memo about one transcript or one code of `project`."""
    if (transcript is None) == (code is None):
        raise ServiceError("A memo is about one transcript or one code.")
    subject = transcript if transcript is not None else code
    if subject.project_id != project.pk:
        raise ServiceError("That belongs to another project.")
    return Memo.objects.create(
        project=project,
        transcript=transcript,
        code=code,
        author=author,
        text=_clean_text(text),
    )


def update_memo(*, memo: Memo, text: str) -> Memo:
    """Replace a memo's text."""
    memo.text = _clean_text(text)
    memo.save(update_fields=["text", "updated"])
    return memo


def delete_memo(*, memo: Memo) -> None:
    """Remove a memo."""
    memo.delete()
