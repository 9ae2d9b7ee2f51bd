from django.conf import settings
from django.db import transaction

from ..formats import ImportRefused, parse_upload
from ..models import (
    Attribute,
    Job,
    Project,
    SpeakerTurn,
    Transcript,
    TranscriptChunk,
)
from . import ServiceError
from .jobs import queue_job

ATTRIBUTE_NAME_MAX = Attribute._meta.get_field("name").max_length
ATTRIBUTE_VALUE_MAX = Attribute._meta.get_field("value").max_length


def clean_attributes(attributes: dict[str, str]) -> dict[str, str]:
    """Return attributes with names and values stripped, or raise ServiceError."""
    cleaned = {}
    for name, value in attributes.items():
        name, value = str(name).strip(), str(value).strip()
        if not name:
            raise ServiceError("An attribute needs a name.")
        if len(name) > ATTRIBUTE_NAME_MAX or len(value) > ATTRIBUTE_VALUE_MAX:
            raise ServiceError(f"The attribute {name[:40]!r} is too long.")
        cleaned[name] = value
    return cleaned


def import_transcript(
    *,
    project: Project,
    user,
    filename: str,
    data: bytes,
    title: str = "",
    attributes: dict[str, str] | None = None,
    kind: str = Transcript.Kind.INTERVIEW,
) -> Transcript:
    """Parse an uploaded file and store it as a transcript with its turns.

    Queue the sentence job once the transaction commits. Raise ServiceError,
    writing nothing, when the file cannot be imported.
    """
    attributes = clean_attributes(attributes or {})
    try:
        parsed = parse_upload(filename, data, max_bytes=settings.UPLOAD_MAX_BYTES)
    except ImportRefused as exc:
        raise ServiceError(f"{filename}: {exc}") from exc
    if not parsed.text.strip():
        raise ServiceError(f"{filename}: the file contains no text.")
    return create_transcript(
        project=project,
        user=user,
        title=title.strip() or _title_from_filename(filename),
        text=parsed.text,
        turns=parsed.turns,
        attributes=attributes,
        kind=kind,
        original_filename=filename,
        source_format=parsed.source_format,
    )


@transaction.atomic
def create_transcript(
    *,
    project: Project,
    user,
    title: str,
    text: str,
    turns,
    attributes: dict[str, str],
    kind: str = Transcript.Kind.INTERVIEW,
    original_filename: str = "",
    source_format: str = "",
) -> Transcript:
    """Store an already normalised text, its turns and attributes."""
    transcript = Transcript.objects.create(
        project=project,
        title=title[: Transcript._meta.get_field("title").max_length],
        kind=kind,
        text=text,
        length=len(text),
        original_filename=original_filename[:300],
        source_format=source_format,
        imported_by=user,
    )
    size = TranscriptChunk.SIZE
    TranscriptChunk.objects.bulk_create(
        TranscriptChunk(transcript=transcript, index=index, text=text[at : at + size])
        for index, at in enumerate(range(0, len(text), size))
    )
    SpeakerTurn.objects.bulk_create(
        SpeakerTurn(
            transcript=transcript,
            speaker=turn.speaker[:200],
            start=turn.start,
            end=turn.end,
            start_ms=turn.start_ms,
            end_ms=turn.end_ms,
        )
        for turn in turns
    )
    Attribute.objects.bulk_create(
        Attribute(transcript=transcript, name=name, value=value)
        for name, value in attributes.items()
    )
    queue_job(project=project, transcript=transcript, kind=Job.Kind.SENTENCES)
    return transcript


@transaction.atomic
def set_attributes(*, transcript: Transcript, attributes: dict[str, str]) -> None:
    """Replace a transcript's attributes; an empty value removes one."""
    attributes = clean_attributes(attributes)
    transcript.attributes.all().delete()
    Attribute.objects.bulk_create(
        Attribute(transcript=transcript, name=name, value=value)
        for name, value in attributes.items()
        if value
    )


def _title_from_filename(filename: str) -> str:
    stem = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return stem.rsplit(".", 1)[0] or stem or "Untitled"
