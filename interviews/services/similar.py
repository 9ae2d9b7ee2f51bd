"""“More like this”: the project's sentences most similar to a coding.

The search runs as a job (the encoder, when installed, is a model: never
loaded in a web request). It ranks the sentences stored by the sentence
job; a sentence already carrying the code in the searcher's layer (codings
of that code cover most of it, as for the suggestion model's units) or
overlapping the coding itself is left out.
"""

from bisect import bisect_right
from collections import defaultdict

from django.db import transaction

from ..models import Coding, Job, Sentence, SimilarSearch, SpeakerTurn, Transcript
from ..suggest.similar import rank_similar
from ..suggest.units import Unit, label_units
from . import ServiceError
from .codings import add_coding
from .jobs import queue_job
from .suggestions import coding_spans
from .vectors import load_vectors

RESULTS = 25
QUERY_CHARS = 5000  # a very long coding is searched by its beginning


def start_similar(*, coding: Coding, user, own_layer_only: bool) -> SimilarSearch:
    """Queue a search for sentences like `coding`, in `user`'s layer."""
    project = coding.transcript.project
    if not coding.text.strip():
        raise ServiceError("This coding has no text to compare with.")
    with transaction.atomic():
        # Earlier finished searches from this coding are superseded.
        SimilarSearch.objects.filter(coding=coding, created_by=user).exclude(
            job__status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
        ).delete()
        job = queue_job(project=project, kind=Job.Kind.SIMILAR)
        return SimilarSearch.objects.create(
            project=project,
            job=job,
            coding=coding,
            code_id=coding.code_id,
            query=coding.text[:QUERY_CHARS],
            created_by=user,
            own_layer_only=own_layer_only,
        )


def layer_codings(search: SimilarSearch):
    """Return the codings of the search's code in the searcher's layer."""
    codings = Coding.objects.filter(
        transcript__project_id=search.project_id, code_id=search.code_id
    )
    if search.own_layer_only:
        codings = codings.filter(coder_id=search.created_by_id)
    return codings


def find_similar(job: Job, report_progress) -> str:
    """Rank the project's sentences by similarity to the search's coding."""
    search = SimilarSearch.objects.filter(job=job).first()
    if search is None:
        raise ServiceError("The search was deleted before it ran.")
    rows = list(
        Sentence.objects.filter(transcript__project_id=search.project_id)
        .order_by("transcript_id", "start")
        .values_list("transcript_id", "start", "end")
    )
    if not rows:
        raise ServiceError(
            "No sentences to compare with yet: run sentence detection on the "
            "transcripts (it runs after each import)."
        )
    units = [Unit(*row) for row in rows]
    texts = dict(
        Transcript.objects.filter(pk__in={u.transcript_id for u in units}).values_list(
            "pk", "text"
        )
    )
    sentences = [texts[u.transcript_id][u.start : u.end].strip() for u in units]
    coded = label_units(units, coding_spans(layer_codings(search)))
    own = search.coding
    exclude = {
        i
        for i, (unit, codes) in enumerate(zip(units, coded, strict=True))
        if search.code_id in codes
        or not sentences[i]
        or (
            own is not None
            and unit.transcript_id == own.transcript_id
            and unit.start < own.end
            and own.start < unit.end
        )
    }
    report_progress(5)
    # Stored by the sentence job when the encoder is installed; what is
    # missing is computed now and kept for the next search.
    by_transcript = defaultdict(list)
    for unit, sentence in zip(units, sentences, strict=True):
        by_transcript[unit.transcript_id].append(sentence)
    for t, passages in by_transcript.items():
        load_vectors(t, passages)
    report_progress(10)
    ranked, method = rank_similar(
        search.query,
        sentences,
        exclude=exclude,
        limit=RESULTS,
        on_progress=lambda p: report_progress(10 + p * 85 // 100),
    )
    speakers = _speakers({units[i].transcript_id for i, _ in ranked})
    search.results = [
        {
            "transcript": units[i].transcript_id,
            "start": units[i].start,
            "end": units[i].end,
            "score": score,
            "text": sentences[i],
            "speaker": speakers(units[i].transcript_id, units[i].start),
        }
        for i, score in ranked
    ]
    search.method = method.label
    search.save(update_fields=["results", "method"])
    without = Transcript.objects.filter(
        project_id=search.project_id, sentences__isnull=True
    ).count()
    note = (
        f" {without} transcript(s) without sentences were not searched."
        if without
        else ""
    )
    compared = len(units) - len(exclude)
    return f"Compared with {compared} sentences; kept the best {len(ranked)}.{note}"


def _speakers(transcript_ids):
    """Return a lookup (transcript id, offset) -> speaker of the turn there."""
    turns = defaultdict(list)
    rows = SpeakerTurn.objects.filter(transcript_id__in=transcript_ids).order_by(
        "transcript_id", "start"
    )
    for t, speaker, start, end in rows.values_list(
        "transcript_id", "speaker", "start", "end"
    ):
        turns[t].append((start, end, speaker))
    starts = {t: [row[0] for row in rows] for t, rows in turns.items()}

    def lookup(transcript_id: int, offset: int) -> str:
        i = bisect_right(starts.get(transcript_id, []), offset) - 1
        if i < 0:
            return ""
        start, end, speaker = turns[transcript_id][i]
        return speaker if offset < max(end, start + 1) else ""

    return lookup


def search_rows(search: SimilarSearch, visible_codings) -> list[dict]:
    """Return the search's results for display, in two queries.

    Each row gets its transcript's title and whether it is coded with the
    search's code now, in the codings the member sees (they may have coded
    it since the search ran, for example with “Code it”).
    """
    results = search.results or []
    ids = {r["transcript"] for r in results}
    titles = dict(Transcript.objects.filter(pk__in=ids).values_list("pk", "title"))
    spans = coding_spans(
        visible_codings.filter(code_id=search.code_id, transcript_id__in=ids)
    )
    units = [Unit(r["transcript"], r["start"], r["end"]) for r in results]
    coded = label_units(units, spans)
    return [
        {
            **r,
            "index": i,
            "title": titles.get(r["transcript"]),
            "coded": search.code_id in codes,
        }
        for i, (r, codes) in enumerate(zip(results, coded, strict=True))
        if r["transcript"] in titles  # a transcript deleted since is skipped
    ]


def code_result(*, search: SimilarSearch, index, user) -> Coding:
    """Code result number `index` of the search with its code, as `user`."""
    results = search.results or []
    try:
        index = int(index)
    except (TypeError, ValueError):
        index = -1
    if not 0 <= index < len(results):
        raise ServiceError("Choose one of the listed sentences.")
    result = results[index]
    transcript = (
        Transcript.objects.defer("text")
        .filter(pk=result["transcript"], project_id=search.project_id)
        .first()
    )
    if transcript is None:
        raise ServiceError("That transcript was deleted.")
    return add_coding(
        coder=user,
        transcript=transcript,
        code=search.code,
        start=result["start"],
        end=result["end"],
        expected_text=None,
    )
