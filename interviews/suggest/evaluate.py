"""Cross-validate the suggestion systems by transcript, side by side.

Each fold holds out whole transcripts: a model never sees the transcript it
is tested on (sentences of one interview resemble each other far more than
sentences of two). The three systems share the folds, the units and the
gold codings: the rules alone, TF-IDF + logistic regression (one-vs-rest)
and the learned model (whichever kind the settings name; with embeddings,
optionally the textcat model trained from scratch as well, for comparison).
Scores are pooled over the folds.
"""

import random
from collections import Counter
from collections.abc import Callable

from spacy.language import Language

from .metrics import evaluate_spans, recall_at_k
from .model import (
    TEXTCAT_SETTINGS,
    THRESHOLD,
    TfidfBaseline,
    describe_settings,
    score_texts,
    train,
    train_textcat,
    trainable_codes,
)
from .rules import CodeRule, match_rules
from .units import Span, Unit, label_units, unit_texts, units_to_spans

SYSTEMS = ("rules", "tfidf", "model")
# The textcat model from scratch, beside an embedding model (compare_textcat).
COMPARISON = "textcat"
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
    unit: str = "sentence",
    context: int = 0,
    compare_textcat: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> dict:
    """Return the systems' scores, per code, micro and macro, as a dict.

    `settings` name the model's kind (model.train; default: textcat).
    `unit` names what `units` are, for the report; with `context`, the
    models see each unit with that many neighbours on each side (the unit's
    own offsets are still what is suggested). The selections of the ranked
    code picker are scored as they are, without context.

    Only codes with enough codings (model.trainable_codes) are scored;
    NotEnoughCodings is raised when there are too few to train at all.
    Only transcripts with codings in the layer take part, as training and
    as test data.
    """
    settings = settings or dict(TEXTCAT_SETTINGS)
    systems_run = list(SYSTEMS)
    if compare_textcat and settings.get("kind") == "embedding":
        systems_run.append(COMPARISON)
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
    all_texts = unit_texts(texts, units, context)
    predicted = {name: [] for name in systems_run}
    ranked = {name: [] for name in systems_run}
    gold: list[Span] = []
    for n, test_ids in enumerate(fold_ids):
        test = set(test_ids)
        held_out = [u.transcript_id in test for u in units]
        train_texts = [t for t, h in zip(all_texts, held_out, strict=True) if not h]
        train_labels = [lab for lab, h in zip(labels, held_out, strict=True) if not h]
        test_units = [u for u, h in zip(units, held_out, strict=True) if h]
        test_texts = [t for t, h in zip(all_texts, held_out, strict=True) if h]
        fold_gold = [c for c in gold_all if c.transcript_id in test]
        gold.extend(fold_gold)
        selections = [texts[c.transcript_id][c.start : c.end] for c in fold_gold]

        model = train(train_texts, train_labels, code_ids, settings=settings)
        tfidf = TfidfBaseline().fit(train_texts, train_labels, code_ids)
        unit_labels = {
            "rules": rule_labels(rules_nlp, texts, test_units, rules),
            "tfidf": _above(tfidf.scores(test_texts), threshold),
            "model": _above(score_texts(model, test_texts), threshold),
        }
        selection_scores = {
            "rules": [
                Counter(m.code_id for m in match_rules(rules_nlp, s, rules))
                for s in selections
            ],
            "tfidf": tfidf.scores(selections),
            "model": score_texts(model, selections),
        }
        if COMPARISON in systems_run:
            scratch = train_textcat(train_texts, train_labels, code_ids)
            scratch_scores = score_texts(scratch, test_texts)
            unit_labels[COMPARISON] = _above(scratch_scores, threshold)
            selection_scores[COMPARISON] = score_texts(scratch, selections)
        for name in systems_run:
            kept = [
                frozenset(c for c in lab if c in chosen) for lab in unit_labels[name]
            ]
            predicted[name].extend(units_to_spans(test_units, kept))
            for coding, scores in zip(fold_gold, selection_scores[name], strict=True):
                ranked[name].append((coding.code_id, _rank(dict(scores), code_ids)))
        if on_progress:
            on_progress(100 * (n + 1) // len(fold_ids))
    systems = {}
    for name in systems_run:
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
        "unit": unit,
        "context": context,
        "model": {
            "kind": settings.get("kind", "textcat"),
            "description": describe_settings(settings),
        },
        "codings": len(gold_all),
        "codes": [{"id": c, "codings": per_code[c]} for c in code_ids],
        "excluded_codes": sorted({c.code_id for c in codings} - chosen),
        # With K or fewer codes, every code is "in the top K": recall@K is 1.
        "selection_recall_trivial": len(code_ids) <= K,
        "systems": systems,
    }
