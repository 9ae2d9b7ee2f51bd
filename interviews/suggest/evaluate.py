"""Cross-validate the suggestion systems by transcript, side by side.

Each fold holds out whole transcripts: a model never sees the transcript it
is tested on (sentences of one interview resemble each other far more than
sentences of two). The three systems share the folds, the units and the
gold codings: the rules alone, TF-IDF + logistic regression (one-vs-rest)
and the spaCy textcat model. Scores are pooled over the folds.
"""

import random
from collections import Counter
from collections.abc import Callable

from spacy.language import Language

from .metrics import evaluate_spans, recall_at_k
from .model import (
    THRESHOLD,
    TfidfBaseline,
    textcat_scores,
    train_textcat,
    trainable_codes,
)
from .rules import CodeRule, match_rules
from .units import Span, Unit, label_units, units_to_spans

SYSTEMS = ("rules", "tfidf", "model")
K = 5


def assign_folds(
    transcript_ids: list[int], folds: int, *, seed: int = 0
) -> list[list[int]]:
    """Return `folds` lists of transcript ids, shuffled with `seed`.

    Fewer transcripts than folds: one fold per transcript. Raise ValueError
    with fewer than two transcripts, since nothing could be held out.
    """
    ids = sorted(set(transcript_ids))
    if len(ids) < 2:
        raise ValueError(
            "Cross-validation needs codings in at least 2 transcripts; "
            f"this layer has them in {len(ids)}."
        )
    if folds < 2:
        raise ValueError("Cross-validation needs at least 2 folds.")
    random.Random(seed).shuffle(ids)
    n = min(folds, len(ids))
    return [sorted(ids[i::n]) for i in range(n)]


def rule_labels(
    nlp: Language, texts: dict[int, str], units: list[Unit], rules: list[CodeRule]
) -> list[frozenset[int]]:
    """Label each unit with the codes whose rules match inside it."""
    hits: dict[int, list] = {}
    for transcript_id in {u.transcript_id for u in units}:
        hits[transcript_id] = match_rules(nlp, texts[transcript_id], rules)
    return [
        frozenset(
            m.code_id
            for m in hits[u.transcript_id]
            if m.start < u.end and u.start < m.end
        )
        for u in units
    ]


def _rank(scores: dict[int, float], code_ids: list[int]) -> list[int]:
    order = {c: i for i, c in enumerate(code_ids)}
    return sorted(code_ids, key=lambda c: (-scores.get(c, 0.0), order[c]))


def _above(scores: list[dict[int, float]], threshold: float) -> list[frozenset[int]]:
    return [frozenset(c for c, s in row.items() if s >= threshold) for row in scores]


def evaluate(
    *,
    texts: dict[int, str],
    units: list[Unit],
    codings: list[Span],
    rules: list[CodeRule],
    code_order: list[int],
    rules_nlp: Language,
    folds: int = 4,
    threshold: float = THRESHOLD,
    settings: dict | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> dict:
    """Return the three systems' scores, per code, micro and macro, as a dict.

    Only codes with enough codings (model.trainable_codes) are scored;
    NotEnoughCodings is raised when there are too few to train at all.
    Only transcripts with codings in the layer take part, as training and
    as test data.
    """
    code_ids = trainable_codes([c.code_id for c in codings], code_order)
    chosen = set(code_ids)
    gold_all = [c for c in codings if c.code_id in chosen]
    # Only transcripts the layer coded at all: in the others an uncoded
    # sentence says nothing (nobody read it), so it is no negative.
    coded = {c.transcript_id for c in codings}
    fold_ids = assign_folds(sorted(coded), folds)
    units = sorted(
        (u for u in units if u.transcript_id in coded),
        key=lambda u: (u.transcript_id, u.start, u.end),
    )
    labels = label_units(units, gold_all)
    predicted = {name: [] for name in SYSTEMS}
    ranked = {name: [] for name in SYSTEMS}
    gold: list[Span] = []
    for n, test_ids in enumerate(fold_ids):
        test = set(test_ids)
        train = [
            (u, lab)
            for u, lab in zip(units, labels, strict=True)
            if u.transcript_id not in test
        ]
        test_units = [u for u in units if u.transcript_id in test]
        train_texts = [texts[u.transcript_id][u.start : u.end] for u, _ in train]
        train_labels = [lab for _, lab in train]
        test_texts = [texts[u.transcript_id][u.start : u.end] for u in test_units]
        fold_gold = [c for c in gold_all if c.transcript_id in test]
        gold.extend(fold_gold)
        selections = [texts[c.transcript_id][c.start : c.end] for c in fold_gold]

        model = train_textcat(train_texts, train_labels, code_ids, settings=settings)
        tfidf = TfidfBaseline().fit(train_texts, train_labels, code_ids)
        unit_labels = {
            "rules": rule_labels(rules_nlp, texts, test_units, rules),
            "tfidf": _above(tfidf.scores(test_texts), threshold),
            "model": _above(textcat_scores(model, test_texts), threshold),
        }
        selection_scores = {
            "rules": [
                Counter(m.code_id for m in match_rules(rules_nlp, s, rules))
                for s in selections
            ],
            "tfidf": tfidf.scores(selections),
            "model": textcat_scores(model, selections),
        }
        for name in SYSTEMS:
            kept = [
                frozenset(c for c in lab if c in chosen) for lab in unit_labels[name]
            ]
            predicted[name].extend(units_to_spans(test_units, kept))
            for coding, scores in zip(fold_gold, selection_scores[name], strict=True):
                ranked[name].append((coding.code_id, _rank(dict(scores), code_ids)))
        if on_progress:
            on_progress(100 * (n + 1) // len(fold_ids))
    systems = {}
    for name in SYSTEMS:
        systems[name] = {
            **evaluate_spans(gold, predicted[name], code_ids),
            f"selection_recall_at_{K}": recall_at_k(ranked[name], K),
        }
    per_code = Counter(c.code_id for c in gold_all)
    return {
        "folds": len(fold_ids),
        "fold_transcripts": fold_ids,
        "threshold": threshold,
        "units": len(units),
        "unit": "sentence",
        "codings": len(gold_all),
        "codes": [{"id": c, "codings": per_code[c]} for c in code_ids],
        "excluded_codes": sorted({c.code_id for c in codings} - chosen),
        # With K or fewer codes, every code is "in the top K": recall@K is 1.
        "selection_recall_trivial": len(code_ids) <= K,
        "systems": systems,
    }
