from django.db import IntegrityError, transaction
from django.db.models.functions import Substr

from ..models import Code, Coding, Transcript, TranscriptChunk
from . import ServiceError


def _as_offset(value) -> int:
    # Floats, booleans and strings like "1.5" are refused rather than
    # truncated: a silently moved boundary would code the wrong words.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ServiceError("Offsets must be whole numbers.")


def _check_offsets(*, transcript: Transcript, start, end) -> tuple[int, int]:
    start, end = _as_offset(start), _as_offset(end)
    if start < 0 or end <= start:
        raise ServiceError("A coding must start before it ends, at offset 0 or later.")
    if end > transcript.length:
        raise ServiceError(
            f"A coding must end within the transcript "
            f"({transcript.length} characters); this one ends at {end}."
        )
    return start, end


def _text_slice(*, transcript: Transcript, start: int, end: int) -> str:
    """Return transcript.text[start:end] without reading the whole text.

    Read the chunks the slice falls in; a transcript stored without chunks
    is cut by the database instead.
    """
    size = TranscriptChunk.SIZE
    first, last = start // size, (end - 1) // size
    pieces = list(
        TranscriptChunk.objects.filter(
            transcript_id=transcript.pk, index__gte=first, index__lte=last
        )
        .order_by("index")
        .values_list("text", flat=True)
    )
    if len(pieces) == last - first + 1:
        offset = start - first * size
        return "".join(pieces)[offset : offset + end - start]
    return (
        Transcript.objects.filter(pk=transcript.pk)
        .annotate(segment=Substr("text", start + 1, end - start))
        .values_list("segment", flat=True)
        .get()
    )


def add_coding(
    *,
    coder,
    transcript: Transcript,
    code: Code,
    start,
    end,
    memo: str = "",
    expected_text: str | None = None,
) -> Coding:
    """Code `transcript[start:end]` with `code` in `coder`'s layer.

    `expected_text`, when given, must equal the text at those offsets: the
    browser sends what the user selected, so a mismatch in offset
    conversion is refused instead of silently coding the wrong words.
    """
    if code.project_id != transcript.project_id:
        raise ServiceError("That code belongs to another project.")
    start, end = _check_offsets(transcript=transcript, start=start, end=end)
    text = _text_slice(transcript=transcript, start=start, end=end)
    if expected_text is not None and expected_text != text:
        raise ServiceError(
            "The selected text does not match the transcript at those offsets."
        )
    coding = Coding(
        transcript=transcript,
        code=code,
        coder=coder,
        start=start,
        end=end,
        text=text,
        memo=memo,
    )
    try:
        if transaction.get_connection().in_atomic_block:
            # A savepoint keeps the caller's transaction usable after a
            # refused duplicate.
            with transaction.atomic():
                coding.save(force_insert=True)
        else:
            # One INSERT is atomic by itself: no transaction round trips.
            coding.save(force_insert=True)
    except IntegrityError:
        raise ServiceError(
            "You have already coded exactly this text with this code."
        ) from None
    return coding


def update_coding_memo(*, coding: Coding, memo: str) -> Coding:
    """Replace the memo of a coding."""
    coding.memo = memo
    coding.save(update_fields=["memo", "updated"])
    return coding


def delete_coding(*, coding: Coding) -> None:
    """Remove a coding."""
    coding.delete()
