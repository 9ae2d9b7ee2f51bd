"""Code suggestions: rules, training, the suggestion job, accept and reject.

Rules are matched with the blank English tokenizer (`spacy.blank("en")`,
no model weights, cached per process) everywhere, so that the preview on
the code page shows exactly what the suggestion job will find. The learned
model is loaded only in worker processes (and the evaluate command), once
per process and model version.
"""

import json
from collections import defaultdict
from datetime import timedelta
from functools import lru_cache

import spacy
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone
from spacy.language import Language

from ..models import (
    Code,
    CodeRule,
    Coding,
    Job,
    Project,
    Sentence,
    SentenceScore,
    Suggestion,
    SuggestionModel,
    SuggestionRun,
    Transcript,
)
from ..nlp.pipeline import find_sentences, load_pipeline
from ..suggest import rules as rulebook
from ..suggest.evaluate import evaluate
from ..suggest.metrics import METRICS
from ..suggest.model import (
    TEXTCAT_SETTINGS,
    NotEnoughCodings,
    model_code_ids,
    model_from_bytes,
    model_to_bytes,
    textcat_scores,
    train_textcat,
    trainable_codes,
)
from ..suggest.units import Span, Unit, label_units
from . import ServiceError
from .codings import add_coding
from .jobs import queue_job

RULE_KINDS = [kind for kind, _ in CodeRule.Kind.choices]
RULE_FIELD_LABELS = {
    "keyword": "Keywords",
    "phrase": "Phrases",
    "pattern": "Token patterns (JSON)",
    "regex": "Regular expressions",
}
MAX_RULES_PER_KIND = 200
PREVIEW_MATCHES = 25
PREVIEW_CONTEXT = 60
DEFAULT_FOLDS = 4
# Sentence scores below this are not kept for the ranked code picker.
MIN_KEPT_SCORE = 0.05


@lru_cache(maxsize=1)
def rules_pipeline() -> Language:
    """Return the tokenizer-only pipeline the rules run on."""
    return spacy.blank("en")


# --- Rules ---------------------------------------------------------------------


def rules_text(code: Code) -> dict[str, str]:
    """Return the code's rules as one text per kind, one rule a line."""
    lines = defaultdict(list)
    for kind, value in code.rules.values_list("kind", "value"):
        lines[kind].append(value)
    return {kind: "\n".join(lines[kind]) for kind in RULE_KINDS}


def parse_rules(texts: dict[str, str]) -> list[tuple[str, str]]:
    """Return (kind, value) for each non-blank line, or raise ServiceError.

    Every invalid line is reported, each with its kind and line number.
    """
    rules, errors = [], []
    labels = dict(CodeRule.Kind.choices)
    for kind in RULE_KINDS:
        text = texts.get(kind) or ""
        if not isinstance(text, str):
            raise ServiceError("Rules must be text.")
        lines = text.replace("\r\n", "\n").split("\n")
        values = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
        if len(values) > MAX_RULES_PER_KIND:
            errors.append(f"{labels[kind]}: at most {MAX_RULES_PER_KIND} rules.")
            continue
        for n, line in values:
            try:
                value = rulebook.validate_rule(kind, line)
            except ValueError as exc:
                errors.append(f"{labels[kind]}, line {n}: {exc}")
            else:
                if (kind, value) not in rules:
                    rules.append((kind, value))
    if errors:
        raise ServiceError(" ".join(errors))
    return rules


def save_rules(*, code: Code, texts: dict[str, str]) -> int:
    """Replace the code's rules with those in `texts`; return how many.

    Nothing is saved when any rule is invalid.
    """
    rules = parse_rules(texts)
    with transaction.atomic():
        CodeRule.objects.filter(code=code).delete()
        CodeRule.objects.bulk_create(
            CodeRule(code=code, kind=kind, value=value) for kind, value in rules
        )
    return len(rules)


def _as_code_rule(code_id: int, rules: list[tuple[str, str]]) -> rulebook.CodeRule:
    by_kind = defaultdict(list)
    for kind, value in rules:
        by_kind[kind].append(value)
    return rulebook.CodeRule(
        code_id=code_id,
        keywords=tuple(by_kind["keyword"]),
        phrases=tuple(by_kind["phrase"]),
        patterns=tuple(by_kind["pattern"]),
        regexes=tuple(by_kind["regex"]),
    )


def project_rules(project: Project) -> list[rulebook.CodeRule]:
    """Return every code's rules as the pure package's CodeRule values."""
    per_code = defaultdict(list)
    rows = CodeRule.objects.filter(code__project=project).values_list(
        "code_id", "kind", "value"
    )
    for code_id, kind, value in rows:
        per_code[code_id].append((kind, value))
    return [_as_code_rule(code_id, rules) for code_id, rules in per_code.items()]


def preview_rules(
    *, code: Code, texts: dict[str, str], limit: int = PREVIEW_MATCHES
) -> dict:
    """Return the first `limit` matches of unsaved rules in the project.

    Raise ServiceError for invalid rules, as saving would. Each match has
    its transcript, offsets, the rule that found it and some context.
    """
    rule = _as_code_rule(code.pk, parse_rules(texts))
    matches, scanned = [], 0
    if not rule.is_empty():
        nlp = rules_pipeline()
        for transcript in Transcript.objects.filter(project_id=code.project_id):
            scanned += 1
            text = transcript.text
            for m in rulebook.match_rules(nlp, text, [rule]):
                before = text[max(0, m.start - PREVIEW_CONTEXT) : m.start]
                matches.append(
                    {
                        "transcript": transcript,
                        "start": m.start,
                        "end": m.end,
                        "source": m.source,
                        "before": before.rsplit("\n", 1)[-1],
                        "match": text[m.start : m.end],
                        "after": text[m.end : m.end + PREVIEW_CONTEXT].split("\n")[0],
                    }
                )
                if len(matches) >= limit:
                    return {"matches": matches, "more": True, "scanned": scanned}
    return {"matches": matches, "more": False, "scanned": scanned}


# --- Layers and units ------------------------------------------------------------


def layer_choices(project: Project) -> list[tuple[str, str]]:
    """Return the coding layers a model can learn from, as (value, label)."""
    choices = [("all", "All coders")]
    if project.consensus_user_id:
        choices.append(("consensus", "Consensus layer"))
    coders = (
        Coding.objects.filter(transcript__project=project)
        .exclude(coder_id=project.consensus_user_id)
        .values_list("coder_id", "coder__username")
        .distinct()
        .order_by("coder__username")
    )
    choices.extend((f"coder:{pk}", f"Coder {name}") for pk, name in coders)
    return choices


def layer_codings(project: Project, layer: str):
    """Return the codings of a layer, or raise ServiceError for an unknown one."""
    labels = dict(layer_choices(project))
    if layer not in labels:
        raise ServiceError(
            "Choose a layer to learn from: all coders, one coder, or the consensus."
        )
    codings = Coding.objects.filter(transcript__project=project)
    if layer == "consensus":
        return codings.filter(coder_id=project.consensus_user_id)
    if layer.startswith("coder:"):
        return codings.filter(coder_id=int(layer.split(":", 1)[1]))
    return (
        codings.exclude(coder_id=project.consensus_user_id)
        if project.consensus_user_id
        else codings
    )


def _spans(codings) -> list[Span]:
    return [
        Span(t, c, s, e)
        for t, c, s, e in codings.values_list(
            "transcript_id", "code_id", "start", "end"
        )
    ]


def _texts(transcript_ids) -> dict[int, str]:
    return dict(
        Transcript.objects.filter(pk__in=transcript_ids).values_list("pk", "text")
    )


def sentence_units(texts: dict[int, str]) -> list[Unit]:
    """Return the sentences of the transcripts as units.

    The stored sentences are used; a transcript whose sentence job has not
    run is split here with the configured pipeline (workers and commands
    only: this loads spaCy).
    """
    units = [
        Unit(t, s, e)
        for t, s, e in Sentence.objects.filter(transcript_id__in=texts).values_list(
            "transcript_id", "start", "end"
        )
    ]
    have = {u.transcript_id for u in units}
    missing = [t for t in texts if t not in have]
    if missing:
        nlp = load_pipeline(settings.SPACY_PIPELINE)
        for t in missing:
            units.extend(Unit(t, s.start, s.end) for s in find_sentences(nlp, texts[t]))
    return sorted(units, key=lambda u: (u.transcript_id, u.start, u.end))


def code_order(project: Project) -> list[int]:
    return list(project.codes.values_list("pk", flat=True))


def codebook_changes(model: SuggestionModel) -> list[str]:
    """Return what changed in the codebook since `model` was trained.

    Codes deleted (or merged into another, which deletes them) make the
    model's suggestions for them impossible; renamed codes are reported so
    that the owner can judge whether the meaning moved.
    """
    now = dict(model.project.codes.values_list("pk", "name"))
    changes = []
    for code_id, name in model.codebook.items():
        current = now.get(int(code_id))
        if current is None:
            changes.append(f"“{name}” was deleted or merged into another code.")
        elif current != name:
            changes.append(f"“{name}” was renamed to “{current}”.")
    return changes


# --- Training ----------------------------------------------------------------------


def start_training(*, project: Project, user, layer: str) -> SuggestionModel:
    """Check there is enough to learn from, then queue the training job.

    Raise ServiceError (and queue nothing) for an unknown layer or too few
    codings, saying how many are needed.
    """
    codings = layer_codings(project, layer)
    try:
        trainable_codes(
            list(codings.values_list("code_id", flat=True)), code_order(project)
        )
    except NotEnoughCodings as exc:
        raise ServiceError(str(exc)) from None
    with transaction.atomic():
        # Lock the project row so that two clicks cannot take one version.
        Project.objects.select_for_update().filter(pk=project.pk).first()
        last = project.suggestion_models.aggregate(v=Max("version"))["v"] or 0
        job = queue_job(project=project, kind=Job.Kind.SUGGEST_TRAIN)
        return SuggestionModel.objects.create(
            project=project,
            version=last + 1,
            layer=layer,
            layer_label=dict(layer_choices(project))[layer],
            trained_by=user,
            job=job,
            settings={**TEXTCAT_SETTINGS, "unit": "sentence", "folds": DEFAULT_FOLDS},
        )


def train_model(job: Job, report_progress) -> str:
    """Train (and cross-validate) the model version queued with `job`."""
    model = SuggestionModel.objects.select_related("project").filter(job=job).first()
    if model is None:
        raise ServiceError("The model version was deleted before training.")
    project = model.project
    codings = _spans(layer_codings(project, model.layer))
    order = code_order(project)
    try:
        code_ids = trainable_codes([c.code_id for c in codings], order)
    except NotEnoughCodings as exc:
        raise ServiceError(str(exc)) from None
    # Learn only from transcripts this layer coded: elsewhere an uncoded
    # sentence is unread, not a negative (the evaluation does the same).
    texts = _texts({c.transcript_id for c in codings})
    units = sentence_units(texts)
    chosen = set(code_ids)
    gold = [c for c in codings if c.code_id in chosen]
    try:
        evaluation = evaluate(
            texts=texts,
            units=units,
            codings=codings,
            rules=project_rules(project),
            code_order=order,
            rules_nlp=rules_pipeline(),
            folds=model.settings.get("folds", DEFAULT_FOLDS),
            on_progress=lambda p: report_progress(p * 8 // 10),
        )
    except ValueError as exc:
        evaluation = {"error": str(exc)}
    labels = label_units(units, gold)
    nlp = train_textcat(
        [texts[u.transcript_id][u.start : u.end] for u in units],
        labels,
        code_ids,
        settings=model.settings,
        on_progress=lambda p: report_progress(80 + p // 5),
    )
    names = dict(project.codes.values_list("pk", "name"))
    model.data = model_to_bytes(nlp)
    model.n_units = len(units)
    model.n_codings = len(gold)
    # Stored as JSON, code ids become strings: make it so now, for callers.
    model.evaluation = json.loads(json.dumps(evaluation))
    model.codebook = {str(c): names[c] for c in code_ids}
    model.trained_at = timezone.now()
    model.save()
    positives = sum(1 for lab in labels if lab)
    return (
        f"Model v{model.version}: {len(gold)} codings of {len(code_ids)} codes, "
        f"{len(units)} sentences ({positives} coded)."
    )


def evaluate_project(
    *, project: Project, layer: str, folds: int = DEFAULT_FOLDS
) -> dict:
    """Cross-validate the three systems on a layer (the evaluate command).

    Raise ServiceError for an unknown layer, too few codings or too few
    transcripts.
    """
    codings = _spans(layer_codings(project, layer))
    texts = _texts({c.transcript_id for c in codings})
    try:
        result = evaluate(
            texts=texts,
            units=sentence_units(texts),
            codings=codings,
            rules=project_rules(project),
            code_order=code_order(project),
            rules_nlp=rules_pipeline(),
            folds=folds,
        )
    except ValueError as exc:  # NotEnoughCodings included
        raise ServiceError(str(exc)) from None
    names = dict(project.codes.values_list("pk", "name"))
    for code in result["codes"]:
        code["name"] = names[code["id"]]
    return {"project": project.pk, "layer": layer, **result}


_LOADED: dict[int, Language] = {}


def loaded_model(model: SuggestionModel) -> Language:
    """Return the model's pipeline, read from the database once per process."""
    if model.pk not in _LOADED:
        _LOADED.clear()  # one model in memory at a time is plenty
        _LOADED[model.pk] = model_from_bytes(bytes(model.data))
    return _LOADED[model.pk]


def latest_model(project: Project, *, weights: bool = True) -> SuggestionModel | None:
    """Return the newest trained model; without `weights`, not its blob."""
    trained = project.suggestion_models.filter(data__isnull=False)
    return (trained if weights else trained.defer("data")).first()


# --- The suggestion job -----------------------------------------------------------


def start_suggestions(
    *, project: Project, user, transcripts: list[Transcript]
) -> SuggestionRun:
    """Queue a suggestion run over `transcripts` with the rules and latest model."""
    if not transcripts:
        raise ServiceError("Choose at least one transcript.")
    model = latest_model(project)
    if model is None and not CodeRule.objects.filter(code__project=project).exists():
        raise ServiceError(
            "There is nothing to suggest with yet: write rules for some codes "
            "or train a model first."
        )
    job = queue_job(project=project, kind=Job.Kind.SUGGEST_RUN)
    return SuggestionRun.objects.create(
        project=project,
        job=job,
        model=model,
        transcript_ids=[t.pk for t in transcripts],
        created_by=user,
    )


def find_suggestions(job: Job, report_progress) -> str:
    """Store the rules' and the model's suggestions for the run's transcripts.

    Open suggestions of those transcripts are replaced; a span already
    accepted or rejected for a code is never suggested again.
    """
    run = (
        SuggestionRun.objects.select_related("project", "model").filter(job=job).first()
    )
    if run is None:
        raise ServiceError("The suggestion run was deleted before it ran.")
    project = run.project
    texts = _texts(
        Transcript.objects.filter(project=project, pk__in=run.transcript_ids).values(
            "pk"
        )
    )
    if not texts:
        raise ServiceError("The chosen transcripts were deleted before the job ran.")
    codes = set(code_order(project))
    candidates: dict[tuple, dict] = {}
    rules = [r for r in project_rules(project) if r.code_id in codes]
    for t, text in texts.items():
        for m in rulebook.match_rules(rules_pipeline(), text, rules):
            candidates[(t, m.code_id, m.start, m.end)] = {
                "score": 1.0,
                "source": Suggestion.Source.RULE,
                "rule": m.source,
            }
    report_progress(30)
    warning = ""
    sentence_scores = []
    if run.model is not None and run.model.is_trained:
        nlp = loaded_model(run.model)
        threshold = run.model.settings.get("threshold", TEXTCAT_SETTINGS["threshold"])
        units = sentence_units(texts)
        scores = textcat_scores(
            nlp, [texts[u.transcript_id][u.start : u.end] for u in units]
        )
        for unit, row in zip(units, scores, strict=True):
            kept = {c: round(v, 3) for c, v in row.items() if v >= MIN_KEPT_SCORE}
            if kept:
                sentence_scores.append(
                    SentenceScore(
                        transcript_id=unit.transcript_id,
                        model=run.model,
                        start=unit.start,
                        end=unit.end,
                        scores=kept,
                    )
                )
            for code_id, score in row.items():
                key = (unit.transcript_id, code_id, unit.start, unit.end)
                if score >= threshold and code_id in codes and key not in candidates:
                    candidates[key] = {
                        "score": score,
                        "source": Suggestion.Source.MODEL,
                        "rule": "",
                    }
        gone = set(model_code_ids(nlp)) - codes
        if gone:
            warning = (
                f" The model knows {len(gone)} code(s) no longer in the "
                "codebook; retrain it."
            )
    report_progress(80)
    coded = _already_coded(candidates, texts)
    with transaction.atomic():
        existing = Suggestion.objects.filter(transcript_id__in=texts)
        existing.filter(status=Suggestion.Status.OPEN).delete()
        SentenceScore.objects.filter(transcript_id__in=texts).delete()
        SentenceScore.objects.bulk_create(sentence_scores, batch_size=1000)
        decided = set(existing.values_list("transcript_id", "code_id", "start", "end"))
        new = [
            Suggestion(
                transcript_id=t,
                code_id=c,
                start=s,
                end=e,
                model=run.model if v["source"] == Suggestion.Source.MODEL else None,
                **v,
            )
            for (t, c, s, e), v in sorted(candidates.items())
            if (t, c, s, e) not in decided and (t, c, s, e) not in coded
        ]
        Suggestion.objects.bulk_create(new, batch_size=1000)
    n_decided = len({*candidates} & decided)
    n_coded = len(candidates) - len(new) - n_decided
    plural = "s" if len(texts) != 1 else ""
    return (
        f"{len(new)} suggestions in {len(texts)} transcript{plural}"
        f" ({n_decided} already decided, {n_coded} already coded).{warning}"
    )


def _already_coded(candidates: dict, texts: dict) -> set[tuple]:
    """Return the candidate keys that codings of their code (by anyone)
    already cover for the most part: no need to suggest those."""
    keys = sorted(candidates)
    codings = _spans(Coding.objects.filter(transcript_id__in=texts))
    labels = label_units([Unit(t, s, e) for t, _, s, e in keys], codings)
    return {key for key, codes in zip(keys, labels, strict=True) if key[1] in codes}


# --- Decisions ---------------------------------------------------------------------


def _check_open(suggestion: Suggestion) -> None:
    if suggestion.status != Suggestion.Status.OPEN:
        raise ServiceError(
            f"This suggestion was already {suggestion.get_status_display().lower()}."
        )


def accept_suggestion(*, suggestion: Suggestion, user, start=None, end=None) -> Coding:
    """Make the suggestion `user`'s coding, at adjusted boundaries if given.

    If the user already has exactly that coding, it is kept and linked.
    """
    _check_open(suggestion)
    start = suggestion.start if start is None else start
    end = suggestion.end if end is None else end
    with transaction.atomic():
        try:
            coding = add_coding(
                coder=user,
                transcript=suggestion.transcript,
                code=suggestion.code,
                start=start,
                end=end,
            )
        except ServiceError:
            coding = Coding.objects.filter(
                coder=user,
                transcript=suggestion.transcript,
                code=suggestion.code,
                start=start,
                end=end,
            ).first()
            if coding is None:
                raise
        updated = Suggestion.objects.filter(
            pk=suggestion.pk, status=Suggestion.Status.OPEN
        ).update(
            status=Suggestion.Status.ACCEPTED,
            decided_by=user,
            decided_at=timezone.now(),
            coding=coding,
        )
        if not updated:  # decided by someone else meanwhile
            raise ServiceError("This suggestion was decided meanwhile.")
    suggestion.refresh_from_db()
    return coding


def reject_suggestion(*, suggestion: Suggestion, user) -> None:
    """Mark the suggestion rejected: it will not be suggested again."""
    _check_open(suggestion)
    Suggestion.objects.filter(pk=suggestion.pk).update(
        status=Suggestion.Status.REJECTED, decided_by=user, decided_at=timezone.now()
    )
    suggestion.refresh_from_db()


def accept_all_above(*, code: Code, user, threshold) -> int:
    """Accept every open suggestion of `code` scoring at least `threshold`."""
    try:
        threshold = float(threshold)
    except (TypeError, ValueError):
        raise ServiceError("The threshold must be a number between 0 and 1.") from None
    if not 0 <= threshold <= 1:
        raise ServiceError("The threshold must be a number between 0 and 1.")
    open_ones = Suggestion.objects.select_related("transcript", "code").filter(
        code=code, status=Suggestion.Status.OPEN, score__gte=threshold
    )
    with transaction.atomic():
        count = 0
        for suggestion in open_ones.defer("transcript__text"):
            try:
                accept_suggestion(suggestion=suggestion, user=user)
            except ServiceError:
                continue
            count += 1
    return count


# --- Reporting ---------------------------------------------------------------------


def decision_rates(project: Project) -> list[dict]:
    """Return per code: open, accepted, rejected and the acceptance rate.

    The rate is accepted / (accepted + rejected), undefined (None) before
    any decision.
    """
    rows = (
        Suggestion.objects.filter(transcript__project=project)
        .values("code_id", "code__name", "code__colour")
        .annotate(
            open=Count("pk", filter=Q(status=Suggestion.Status.OPEN)),
            accepted=Count("pk", filter=Q(status=Suggestion.Status.ACCEPTED)),
            rejected=Count("pk", filter=Q(status=Suggestion.Status.REJECTED)),
        )
        .order_by("code__name")
    )
    out = []
    for row in rows:
        decided = row["accepted"] + row["rejected"]
        out.append({**row, "rate": row["accepted"] / decided if decided else None})
    return out


def weekly_decisions(project: Project, *, weeks: int = 12) -> list[dict]:
    """Return accepted and rejected counts per week (last `weeks` weeks)."""
    since = timezone.now() - timedelta(weeks=weeks)
    rows = (
        Suggestion.objects.filter(transcript__project=project, decided_at__gte=since)
        .annotate(week=TruncWeek("decided_at"))
        .values("week")
        .annotate(
            accepted=Count("pk", filter=Q(status=Suggestion.Status.ACCEPTED)),
            rejected=Count("pk", filter=Q(status=Suggestion.Status.REJECTED)),
        )
        .order_by("week")
    )
    out = []
    for row in rows:
        decided = row["accepted"] + row["rejected"]
        out.append({**row, "rate": row["accepted"] / decided if decided else None})
    return out


SYSTEM_LABELS = {
    "rules": "Rules only",
    "tfidf": "TF-IDF + logistic regression (baseline)",
    "model": "spaCy textcat model",
}


def _number(entry):
    return entry.get("value") if isinstance(entry, dict) else entry


def evaluation_rows(evaluation: dict | None, names: dict[int, str]) -> dict:
    """Return a stored evaluation as rows for the page's tables.

    {"overall": [(system label, average, [values...], recall@5)], "per_code":
    [(code name, codings, [(system label, [values...])])]}; values are floats
    or None (shown as "n/a").
    """
    if not evaluation or "systems" not in evaluation:
        return {}
    systems = evaluation["systems"]
    overall = []
    for key, label in SYSTEM_LABELS.items():
        for avg in ("micro", "macro"):
            values = [_number(systems[key][avg][m]) for m in METRICS]
            at5 = _number(systems[key]["selection_recall_at_5"])
            overall.append((label, avg, values, at5 if avg == "micro" else None))
    per_code = []
    for code in evaluation["codes"]:
        cid = str(code["id"])
        rows = [
            (label, [_number(systems[key]["per_code"][cid][m]) for m in METRICS])
            for key, label in SYSTEM_LABELS.items()
            if cid in systems[key]["per_code"]
        ]
        name = names.get(code["id"], f"(deleted code {code['id']})")
        per_code.append((name, code["codings"], rows))
    return {"overall": overall, "per_code": per_code}
