from django.conf import settings
from django.db import transaction

from ..models import Job, Sentence, SpeakerTurn, Transcript
from ..nlp.pipeline import find_sentences, load_pipeline, pipeline_label
from ..suggest import encoder
from ..suggest.units import Unit
from . import ServiceError
from .vectors import load_unit_vectors


def detect_sentences(job: Job, report_progress) -> str:
    """Store the sentences and token counts of the job's transcript.

    With the sentence-embedding extra, the sentences' vectors are computed
    and stored too (the second half of the progress), so that suggestions
    and "more like this" never wait for the encoder on them.
    """
    transcript = job.transcript
    if transcript is None:
        raise ServiceError("The transcript was deleted before the job ran.")
    try:
        nlp = load_pipeline(settings.SPACY_PIPELINE)
    except ValueError as exc:
        raise ServiceError(str(exc)) from exc
    text = Transcript.objects.values_list("text", flat=True).get(pk=transcript.pk)
    # A sentence stays inside its speaker's turn.
    turns = SpeakerTurn.objects.filter(transcript=transcript).values_list(
        "start", flat=True
    )
    embed = encoder.available()
    spans = find_sentences(
        nlp,
        text,
        breaks=turns,
        on_progress=(lambda p: report_progress(p // 2)) if embed else report_progress,
    )
    with transaction.atomic():
        Sentence.objects.filter(transcript=transcript).delete()
        Sentence.objects.bulk_create(
            (
                Sentence(
                    transcript=transcript,
                    start=s.start,
                    end=s.end,
                    token_count=s.token_count,
                )
                for s in spans
            ),
            batch_size=2000,
        )
        Transcript.objects.filter(pk=transcript.pk).update(
            sentence_count=len(spans),
            token_count=sum(s.token_count for s in spans),
            nlp_pipeline=pipeline_label(settings.SPACY_PIPELINE),
        )
    message = f"{len(spans)} sentences, {sum(s.token_count for s in spans)} tokens."
    if embed and spans:
        units = [Unit(transcript.pk, s.start, s.end) for s in spans]
        load_unit_vectors({transcript.pk: text}, units, replace=True)
        message += f" Sentence vectors stored ({encoder.MODEL_NAME})."
    return message
