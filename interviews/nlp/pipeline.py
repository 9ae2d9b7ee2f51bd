"""Load the spaCy pipeline once per process and find sentences in a text.

By default the pipeline is `spacy.blank("en")` with a rule-based sentencizer,
which needs no download. A configured pipeline package (for example
`en_core_web_sm`, if installed) is used instead when named.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language

BLANK = "blank:en"

# spaCy refuses texts over nlp.max_length; we feed it one paragraph at a time,
# and cut paragraphs longer than this at a line or space boundary.
CHUNK_CHARS = 100_000


@dataclass(frozen=True)
class SentenceSpan:
    start: int  # code-point offsets into the whole text
    end: int
    token_count: int


@lru_cache(maxsize=4)
def load_pipeline(name: str = "") -> Language:
    """Return the pipeline named `name` ("" for the blank English one)."""
    if not name or name == BLANK:
        nlp = spacy.blank("en")
    else:
        try:
            nlp = spacy.load(name)
        except OSError as exc:
            raise ValueError(f"spaCy pipeline {name!r} is not installed") from exc
    if not (nlp.has_pipe("parser") or nlp.has_pipe("senter")):
        if not nlp.has_pipe("sentencizer"):
            nlp.add_pipe("sentencizer")
    return nlp


def pipeline_label(name: str = "") -> str:
    """Return a human-readable name for the pipeline, as shown to users."""
    nlp = load_pipeline(name)
    meta = nlp.meta
    if not name or name == BLANK:
        return f"spacy.blank('en') + sentencizer (spaCy {spacy.__version__})"
    return f"{meta.get('lang', '')}_{meta.get('name', '')} {meta.get('version', '')}"


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Yield (offset, chunk) pieces of text that never split a paragraph
    unless it is longer than CHUNK_CHARS."""
    position = 0
    length = len(text)
    while position < length:
        end = min(length, position + CHUNK_CHARS)
        if end < length:
            cut = text.rfind("\n", position, end)
            if cut <= position:
                cut = text.rfind(" ", position, end)
            if cut > position:
                end = cut + 1
        yield position, text[position:end]
        position = end


def _sections(text: str, breaks: Iterable[int]) -> Iterator[tuple[int, str]]:
    """Yield (offset, section) of `text` cut at every offset in `breaks`."""
    cuts = sorted({b for b in breaks if 0 < b < len(text)})
    for start, end in zip([0, *cuts], [*cuts, len(text)], strict=True):
        yield start, text[start:end]


def find_sentences(
    nlp: Language,
    text: str,
    *,
    breaks: Iterable[int] = (),
    on_progress: Callable[[int], None] | None = None,
) -> list[SentenceSpan]:
    """Return the sentences of `text` with code-point offsets.

    Whitespace-only sentences are skipped. A sentence never crosses a
    paragraph break ("\\n\\n") nor an offset in `breaks` (where speaker
    turns start: a turn without a full stop must not run into the next
    speaker's), because each piece between them is a separate doc.
    """
    pieces = []
    for section_start, section in _sections(text, breaks):
        for offset, chunk in _chunks(section):
            start = 0
            for paragraph in chunk.split("\n\n"):
                if paragraph.strip():
                    pieces.append((section_start + offset + start, paragraph))
                start += len(paragraph) + 2
    sentences: list[SentenceSpan] = []
    total = max(1, len(pieces))
    docs = nlp.pipe((p for _, p in pieces), batch_size=64)
    for index, ((offset, _), doc) in enumerate(zip(pieces, docs, strict=True)):
        for sent in doc.sents:
            tokens = [t for t in sent if not t.is_space]
            if not tokens:
                continue
            start = offset + tokens[0].idx
            last = tokens[-1]
            sentences.append(
                SentenceSpan(start, offset + last.idx + len(last.text), len(tokens))
            )
        if on_progress and index % 50 == 0:
            on_progress(100 * index // total)
    return sentences
