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
from functools import partial

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
from .picker import MAX, kept_scores, picker_order, ranked_codes
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


def rule_picker_order(matches: Counter, code_order: list[int]) -> list[int]:
    """Return the picker's order if it ranked codes by their rules' matches
    in the selection: the most matched first (at most picker.MAX, ties in
    codebook order), then the rest of the codebook, as for the model."""
    order = {c: i for i, c in enumerate(code_order)}
    matched = sorted(
        (c for c in matches if c in order), key=lambda c: (-matches[c], order[c])
    )
    return picker_order(matched[:MAX], code_order)


def picker_rankings(
    units: list[Unit],
    scores: list[dict[int, float]],
    codings: list[Span],
    code_order: list[int],
) -> list[tuple[int, list[int]]]:
    """Return (code, picker order) for each coding, from its units' scores."""
    per_transcript: dict[int, list] = {}
    for unit, row in zip(units, scores, strict=True):
        per_transcript.setdefault(unit.transcript_id, []).append(
            (unit.start, unit.end, kept_scores(row))
        )
    return [
        (
            c.code_id,
            picker_order(
                ranked_codes(per_transcript.get(c.transcript_id, []), c.start, c.end),
                code_order,
            ),
        )
        for c in codings
    ]


def _above(scores: list[dict[int, float]], threshold: float) -> list[frozenset[int]]:
    return [frozenset(c for c, s in row.items() if s >= threshold) for row in scores]


# The thresholds a scoring system is tried at (0.05, 0.10, ..., 0.95).
THRESHOLD_GRID = tuple(i / 20 for i in range(1, 20))
# Inner folds (over a fold's training transcripts) that choose its threshold.
INNER_FOLDS = 3

Scorer = Callable[[list[str]], list[dict[int, float]]]
Fitter = Callable[[list[str], list[frozenset[int]], list[int]], Scorer]


def best_threshold(
    units: list[Unit],
    scores: list[dict[int, float]],
    gold: list[Span],
    code_ids: list[int],
) -> float:
    """Return the grid threshold at which these units' scores, as suggestions,
    reach the best micro character F1 against `gold`.

    Character F1, not segment F1: a segment counts as found when any
    suggestion overlaps it, so a low threshold that joins a whole transcript
    into one suggestion per code would score a perfect segment F1. Ties (and
    no F1 at all) go to the threshold nearest THRESHOLD.
    """
    chosen = set(code_ids)
    best_key, best = None, THRESHOLD
    for threshold in THRESHOLD_GRID:
        labels = [
            frozenset(c for c, s in row.items() if s >= threshold and c in chosen)
            for row in scores
        ]
        spans = units_to_spans(units, labels)
        value = evaluate_spans(gold, spans, code_ids)["micro"]["char_f1"]
        key = (-1.0 if value is None else value, -abs(threshold - THRESHOLD))
        if best_key is None or key > best_key:
            best_key, best = key, threshold
    return best


def tuned_threshold(
    fit: Fitter,
    units: list[Unit],
    texts: list[str],
    labels: list[frozenset[int]],
    gold: list[Span],
    code_ids: list[int],
    *,
    seed: int,
) -> float:
    """Return the threshold chosen by cross-validation within these units.

    The units' transcripts are split into INNER_FOLDS folds; each is scored
    by the system fitted on the others, and best_threshold is taken over
    the pooled scores. Used on a fold's training data only, so the test
    fold plays no part in choosing its own threshold. With fewer than two
    transcripts there is nothing to hold out: THRESHOLD.
    """
    try:
        inner = assign_folds([u.transcript_id for u in units], INNER_FOLDS, seed=seed)
    except ValueError:
        return THRESHOLD
    scores: list[dict[int, float]] = [{} for _ in units]
    for test_ids in inner:
        test = set(test_ids)
        held = [i for i, u in enumerate(units) if u.transcript_id in test]
        kept = [i for i, u in enumerate(units) if u.transcript_id not in test]
        scorer = fit([texts[i] for i in kept], [labels[i] for i in kept], code_ids)
        for i, row in zip(held, scorer([texts[i] for i in held]), strict=True):
            scores[i] = row
    return best_threshold(units, scores, gold, code_ids)


def _fitters(
    settings: dict, systems: list[str], code_texts: dict[int, str] | None = None
) -> dict[str, Fitter]:
    """Return how to fit each scoring system (the rules need no fitting)."""

    def tfidf(texts, labels, code_ids):
        return TfidfBaseline().fit(texts, labels, code_ids).scores

    def model(texts, labels, code_ids):
        nlp = train(texts, labels, code_ids, settings=settings, code_texts=code_texts)
        return partial(score_texts, nlp)

    def textcat(texts, labels, code_ids):
        return partial(score_texts, train_textcat(texts, labels, code_ids))

    fitters = {"tfidf": tfidf, "model": model, COMPARISON: textcat}
    return {name: fitters[name] for name in systems if name in fitters}


def evaluate(
    *,
    texts: dict[int, str],
    units: list[Unit],
    codings: list[Span],
    rules: list[CodeRule],
    code_order: list[int],
    rules_nlp: Language,
    folds: int = 4,
    threshold: float | None = None,
    settings: dict | None = None,
    unit: str = "sentence",
    context: int = 0,
    compare_textcat: bool = False,
    code_texts: dict[int, str] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> dict:
    """Return the systems' scores, per code, micro and macro, as a dict.

    `settings` name the model's kind (model.train; default: textcat).
    `unit` names what `units` are, for the report; with `context`, the
    models see each unit with that many neighbours on each side (the unit's
    own offsets are still what is suggested). Selection recall@5 ranks the
    codes for each held-out coding as the coding page's picker does, from
    the scores of the units the coding overlaps (picker.py); for the rules,
    by how often they match inside the coding.

    Each scoring system suggests a unit's codes that score at least its
    threshold. With `threshold` None, each system's threshold is chosen for
    each fold by cross-validation within that fold's training transcripts
    (tuned_threshold), so every system is measured at its own best setting
    and no test transcript helps choose it; a number fixes one threshold for
    all. Either way each system also reports "threshold", the one that its
    pooled held-out scores reach their best character F1 at: the one to use with
    the system trained on all the data.

    `code_texts` are each defined code's path and definition, for the model
    (model.train). Only codes with enough codings (model.trainable_codes) are scored;
    NotEnoughCodings is raised when there are too few to train at all.
    Only transcripts with codings in the layer take part, as training and
    as test data.
    """
    settings = settings or dict(TEXTCAT_SETTINGS)
    systems_run = list(SYSTEMS)
    if compare_textcat and settings.get("kind") == "embedding":
        systems_run.append(COMPARISON)
    fitters = _fitters(settings, systems_run, code_texts)
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
    fold_thresholds = {name: [] for name in fitters}
    pooled_units: list[Unit] = []
    pooled_scores = {name: [] for name in fitters}
    gold: list[Span] = []
    for n, test_ids in enumerate(fold_ids):
        test = set(test_ids)
        held_out = [u.transcript_id in test for u in units]
        train_units = [u for u, h in zip(units, held_out, strict=True) if not h]
        train_texts = [t for t, h in zip(all_texts, held_out, strict=True) if not h]
        train_labels = [lab for lab, h in zip(labels, held_out, strict=True) if not h]
        test_units = [u for u, h in zip(units, held_out, strict=True) if h]
        test_texts = [t for t, h in zip(all_texts, held_out, strict=True) if h]
        fold_gold = [c for c in gold_all if c.transcript_id in test]
        train_gold = [c for c in gold_all if c.transcript_id not in test]
        gold.extend(fold_gold)
        pooled_units.extend(test_units)
        selections = [texts[c.transcript_id][c.start : c.end] for c in fold_gold]

        unit_labels = {"rules": rule_labels(rules_nlp, texts, test_units, rules)}
        selection_scores = {
            "rules": [
                Counter(m.code_id for m in match_rules(rules_nlp, s, rules))
                for s in selections
            ]
        }
        for name, fit in fitters.items():
            scorer = fit(train_texts, train_labels, code_ids)
            scores = scorer(test_texts)
            if threshold is None:
                cut = tuned_threshold(
                    fit,
                    train_units,
                    train_texts,
                    train_labels,
                    train_gold,
                    code_ids,
                    seed=n + 1,
                )
            else:
                cut = threshold
            fold_thresholds[name].append(cut)
            pooled_scores[name].extend(scores)
            unit_labels[name] = _above(scores, cut)
            ranked[name].extend(
                picker_rankings(test_units, scores, fold_gold, code_order)
            )
        for coding, scores in zip(fold_gold, selection_scores["rules"], strict=True):
            ranked["rules"].append(
                (coding.code_id, rule_picker_order(scores, code_order))
            )
        for name in systems_run:
            kept = [
                frozenset(c for c in lab if c in chosen) for lab in unit_labels[name]
            ]
            predicted[name].extend(units_to_spans(test_units, kept))
        if on_progress:
            on_progress(100 * (n + 1) // len(fold_ids))
    systems = {}
    for name in systems_run:
        systems[name] = {
            **evaluate_spans(gold, predicted[name], code_ids),
            f"selection_recall_at_{K}": recall_at_k(ranked[name], K),
        }
        if name in fitters:
            systems[name]["fold_thresholds"] = fold_thresholds[name]
            # Each transcript's units are together in one fold, in text
            # order, so the pooled units join into spans as each fold's did.
            systems[name]["threshold"] = (
                best_threshold(pooled_units, pooled_scores[name], gold, code_ids)
                if threshold is None
                else threshold
            )
    per_code = Counter(c.code_id for c in gold_all)
    return {
        "folds": len(fold_ids),
        "fold_transcripts": fold_ids,
        "threshold": "tuned" if threshold is None else threshold,
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
        # The picker lists the whole codebook: with K or fewer codes in it,
        # every code is "in the top K" and recall@K is 1.
        "selection_recall_trivial": len(code_order) <= K,
        "systems": systems,
    }
