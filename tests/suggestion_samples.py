"""A small coded project to train and run suggestions on (several tests).

Five interviews of six sentences each; "Financial difficulties" and
"Information support" each coded on two sentences per interview by the
coder: 20 codings, 10 per code, just enough to train.
"""

from interviews.services.codings import add_coding
from interviews.services.transcripts import create_transcript

SENTENCES = [
    ("Regions lack money for joint projects.", "financial"),
    ("The budget for cooperation is too small.", "financial"),
    ("Nobody knows what the other side is doing.", "info"),
    ("Information about partners is hard to find.", "info"),
    ("The weather was pleasant during the visit.", None),
    ("We met in the spring of that year.", None),
]


def coded_interviews(*, project, owner, coder, codes, n=5):
    """Create `n` coded interviews; return them."""
    transcripts = []
    for t in range(n):
        parts, spans = [], []
        pos = 0
        for k, (sentence, code) in enumerate(SENTENCES):
            sentence = sentence.replace(".", f" (case {t}{k}).")
            if code:
                spans.append((code, pos, pos + len(sentence)))
            parts.append(sentence)
            pos += len(sentence) + 1
        transcript = create_transcript(
            project=project,
            user=owner,
            title=f"Interview {t + 1}",
            text=" ".join(parts),
            turns=[],
            attributes={},
        )
        for code, start, end in spans:
            add_coding(
                coder=coder,
                transcript=transcript,
                code=codes[code],
                start=start,
                end=end,
            )
        transcripts.append(transcript)
    return transcripts
