"""Sentence embeddings stored per transcript, so that each is computed once.

With the optional extra installed, the sentence job embeds a transcript's
sentences right after detecting them (in the background, after import); the
suggestion job, training and "more like this" then read the stored vectors
instead of running the encoder again. Whatever they need that is not stored
yet (turn units, units with context) is computed and added.
"""

from collections import defaultdict

from ..models import TextVectors
from ..suggest import encoder
from ..suggest.units import Unit, unit_texts


def load_vectors(transcript_id: int, texts: list[str], *, replace: bool = False) -> int:
    """Make `encoder.encode(texts)` cheap in this process; return how many
    vectors had to be computed.

    Stored vectors of the transcript go into the encoder's cache; the
    missing ones are computed and stored. With `replace`, what is stored
    afterwards is exactly `texts` (the sentence job, whose sentences are
    new); otherwise they are added to what was there. Does nothing without
    the extra.
    """
    if not encoder.available() or not texts:
        return 0
    wanted = {encoder.digest(text): text for text in dict.fromkeys(texts)}
    row = TextVectors.objects.filter(
        transcript_id=transcript_id, encoder=encoder.MODEL_NAME
    ).first()
    stored = {}
    if row is not None:
        try:
            stored = encoder.unpack(row.digests, row.vectors)
        except ValueError:
            stored = {}  # unreadable: computed again below, and overwritten
    known = [d for d in wanted if d in stored]
    encoder.remember([wanted[d] for d in known], [stored[d] for d in known])
    missing = [d for d in wanted if d not in stored]
    if missing:
        fresh = encoder.encode([wanted[d] for d in missing])
        stored.update(zip(missing, fresh, strict=True))
    if replace:
        stored = {d: stored[d] for d in wanted}
    elif not missing:
        return 0
    digests = list(stored)
    blob_digests, blob_vectors = encoder.pack(digests, [stored[d] for d in digests])
    TextVectors.objects.update_or_create(
        transcript_id=transcript_id,
        encoder=encoder.MODEL_NAME,
        defaults={
            "count": len(digests),
            "digests": blob_digests,
            "vectors": blob_vectors,
        },
    )
    return len(missing)


def load_unit_vectors(
    texts: dict[int, str], units: list[Unit], context: int = 0, *, replace=False
) -> int:
    """Run `load_vectors` for the texts of `units` (see units.unit_texts),
    transcript by transcript; return how many vectors were computed."""
    by_transcript: dict[int, list[str]] = defaultdict(list)
    for unit, text in zip(units, unit_texts(texts, units, context), strict=True):
        by_transcript[unit.transcript_id].append(text)
    return sum(
        load_vectors(t, passages, replace=replace)
        for t, passages in by_transcript.items()
    )
