"""Code suggestions: rules, training, the suggestion job, accept and reject.

Rules are matched with the blank English tokenizer (`spacy.blank("en")`,
no model weights, cached per process) everywhere, so that the preview on
the code page shows exactly what the suggestion job will find. The learned
model is loaded only in worker processes (and the evaluate command), once
per process and model version.
"""

import json
from collections import defaultdict
from datetime import datetime, time, timedelta
from functools import lru_cache
from time import monotonic

import numpy as np
import spacy
from django.conf import settings
from django.db import connection, models, transaction
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
    Suggestion,
    SuggestionModel,
    SuggestionRun,
    Transcript,
    UnitScores,
)
from ..nlp.pipeline import find_sentences, load_pipeline
from ..suggest import encoder, trend_chart
from ..suggest import rules as rulebook
from ..suggest.evaluate import evaluate
from ..suggest.metrics import METRICS
from ..suggest.model import (
    THRESHOLD,
    NotEnoughCodings,
    default_settings,
    describe_settings,
    model_code_ids,
    model_from_bytes,
    model_kind,
    model_to_bytes,
    score_matrix,
    train,
    trainable_codes,
)
from ..suggest.picker import MIN_KEPT_SCORE, kept_scores
from ..suggest.units import Span, Unit, label_units, unit_texts
from ..text.speakers import detect_turns
from . import ServiceError
from .codebook import code_tree
from .codings import add_coding
from .jobs import queue_job
from .vectors import load_unit_vectors

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
# The preview runs in the request: it stops scanning after this long.
PREVIEW_SECONDS = 3.0
DEFAULT_FOLDS = 4


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
    matches = []
    total = Transcript.objects.filter(project_id=code.project_id).count()
    result = {"matches": matches, "more": False, "scanned": 0, "total": total}
    if rule.is_empty():
        return result
    nlp = rules_pipeline()
    deadline = monotonic() + PREVIEW_SECONDS
    transcripts = Transcript.objects.filter(project_id=code.project_id)
    for transcript in transcripts.order_by("title", "pk").iterator(chunk_size=20):
        left = deadline - monotonic()
        if left <= 0:
            # Enough to judge the rules by; the job scans everything.
            return result | {"more": True, "stopped": True}
        result["scanned"] += 1
        text = transcript.text
        for m in match_rules(nlp, text, [rule], seconds=left):
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
                return result | {"more": True}
    return result


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


def match_rules(
    nlp: Language, text: str, rules: list[rulebook.CodeRule], *, seconds=None
) -> list[rulebook.RuleMatch]:
    """rulebook.match_rules, with a rule that runs too long told to the user."""
    try:
        return rulebook.match_rules(nlp, text, rules, seconds=seconds)
    except rulebook.RuleTooSlow as exc:
        raise ServiceError(str(exc)) from None


def coding_spans(codings) -> list[Span]:
    """Return the codings (a queryset) as the pure package's Span values."""
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
    rows = (
        Sentence.objects.filter(transcript_id__in=texts)
        .order_by("transcript_id", "start")  # the index's order: no sort
        .values_list("transcript_id", "start", "end")
    )
    units = [Unit(t, s, e) for t, s, e in rows]
    have = {u.transcript_id for u in units}
    missing = [t for t in texts if t not in have]
    if not missing:
        return units
    nlp = load_pipeline(settings.SPACY_PIPELINE)
    for t in missing:
        units.extend(Unit(t, s.start, s.end) for s in find_sentences(nlp, texts[t]))
    return sorted(units, key=lambda u: (u.transcript_id, u.start, u.end))


UNIT_KINDS = ("sentence", "turn")


def turn_units(texts: dict[int, str]) -> list[Unit]:
    """Return the speaker turns of the transcripts as units.

    A transcript without speaker labels is split at its line breaks
    instead, which is how such texts separate who says what (an answer, a
    comment); blank lines are no units.
    """
    units = []
    for t, text in texts.items():
        turns = detect_turns(text)
        if len(turns) > 1 or (turns and turns[0].speaker):
            units.extend(Unit(t, turn.start, turn.end) for turn in turns)
            continue
        position = 0
        for line in text.split("\n"):
            stripped = line.strip()
            if stripped:
                start = position + line.index(stripped[0])
                units.append(Unit(t, start, start + len(stripped)))
            position += len(line) + 1
    return sorted(units, key=lambda u: (u.transcript_id, u.start, u.end))


def make_units(texts: dict[int, str], unit: str = "sentence") -> list[Unit]:
    """Return the units of kind `unit` ("sentence" or "turn")."""
    if unit == "turn":
        return turn_units(texts)
    if unit == "sentence":
        return sentence_units(texts)
    raise ServiceError(f"Unknown unit {unit!r}: choose sentence or turn.")


def code_order(project: Project) -> list[int]:
    """Return the codes in the order the coding page's picker lists them."""
    return [code.pk for code in code_tree(project)]


def code_texts(project: Project) -> dict[int, str]:
    """Return each defined code's path and definition, as the model reads
    them ("Barriers/Financial difficulties. Lack of funding for ...").

    Codes without a definition are left out: a name alone steered the
    model no better than nothing (SERDIF, GENNOVATE; issue 5's notes)."""
    return {code.pk: _code_text(code) for code in _defined_codes(project)}


def _defined_codes(project: Project) -> list[Code]:
    return [code for code in code_tree(project) if code.definition.strip()]


def _code_text(code: Code) -> str:
    return f"{code.path}. {code.definition.strip()}"


def _definitions_read(project: Project, settings: dict, only=None) -> list[Code]:
    """Return the defined codes (of `only`, when given) that a model with
    `settings` reads. With none to read, set settings["definitions"] to 0:
    the model is then the one without the setting, and its description must
    say so."""
    if not settings.get("definitions"):
        return []
    defined = [c for c in _defined_codes(project) if only is None or c.pk in only]
    if not defined:
        settings["definitions"] = 0
    return defined


def codebook_changes(model: SuggestionModel) -> list[str]:
    """Return what changed in the codebook since `model` was trained.

    Codes deleted (or merged into another, which deletes them) make the
    model's suggestions for them impossible; renamed codes are reported so
    that the owner can judge whether the meaning moved.
    """
    now = {
        pk: (name, definition.strip())
        for pk, name, definition in model.project.codes.values_list(
            "pk", "name", "definition"
        )
    }
    # An embedding model records the definitions it read, or the setting 0
    # when it found none to read. Those trained before the record existed
    # (the setting on, nothing recorded) are not compared; textcat models
    # read no definitions.
    steering = model.settings.get("definitions")
    read_definitions = steering is not None and (
        bool(model.definitions) or not steering
    )
    changes = []
    for code_id, name in model.codebook.items():
        current, definition = now.get(int(code_id), (None, ""))
        if current is None:
            changes.append(f"“{name}” was deleted or merged into another code.")
            continue
        if current != name:
            changes.append(f"“{name}” was renamed to “{current}”.")
        if not read_definitions:
            continue
        read = model.definitions.get(code_id, "")
        if read == definition:
            continue
        if not read:
            changes.append(
                f"“{current}” was given a definition the model has not read."
            )
        elif not definition:
            changes.append(f"The definition of “{current}” was removed.")
        else:
            changes.append(f"The definition of “{current}” was edited.")
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
            settings={
                **default_settings(),
                "unit": "sentence",
                "context": 0,
                "folds": DEFAULT_FOLDS,
            },
        )


def train_model(job: Job, report_progress) -> str:
    """Train (and cross-validate) the model version queued with `job`."""
    model = SuggestionModel.objects.select_related("project").filter(job=job).first()
    if model is None:
        raise ServiceError("The model version was deleted before training.")
    project = model.project
    codings = coding_spans(layer_codings(project, model.layer))
    order = code_order(project)
    try:
        code_ids = trainable_codes([c.code_id for c in codings], order)
    except NotEnoughCodings as exc:
        raise ServiceError(str(exc)) from None
    # Learn only from transcripts this layer coded: elsewhere an uncoded
    # sentence is unread, not a negative (the evaluation does the same).
    texts = _texts({c.transcript_id for c in codings})
    unit = model.settings.get("unit", "sentence")
    context = model.settings.get("context", 0)
    units = make_units(texts, unit)
    chosen = set(code_ids)
    gold = [c for c in codings if c.code_id in chosen]
    _check_extra(model)
    if model.settings.get("kind") == "embedding":
        load_unit_vectors(texts, units, context)
    defined = _definitions_read(project, model.settings, only=chosen)
    descriptions = {code.pk: _code_text(code) for code in defined}
    try:
        evaluation = evaluate(
            texts=texts,
            units=units,
            codings=codings,
            rules=project_rules(project),
            code_order=order,
            rules_nlp=rules_pipeline(),
            folds=model.settings.get("folds", DEFAULT_FOLDS),
            settings=model.settings,
            unit=unit,
            context=context,
            code_texts=descriptions,
            on_progress=lambda p: report_progress(p * 8 // 10),
        )
    except ValueError as exc:
        evaluation = {"error": str(exc)}
    else:
        # Suggest at the score the held-out folds did best at (0.5 when the
        # evaluation could not run).
        model.settings["threshold"] = evaluation["systems"]["model"]["threshold"]
    labels = label_units(units, gold)
    nlp = train(
        unit_texts(texts, units, context),
        labels,
        code_ids,
        settings=model.settings,
        code_texts=descriptions,
        on_progress=lambda p: report_progress(80 + p // 5),
    )
    names = dict(project.codes.values_list("pk", "name"))
    model.data = model_to_bytes(nlp)
    model.n_units = len(units)
    model.n_codings = len(gold)
    # Stored as JSON, code ids become strings: make it so now, for callers.
    model.evaluation = json.loads(json.dumps(evaluation))
    model.codebook = {str(c): names[c] for c in code_ids}
    model.definitions = {str(c.pk): c.definition.strip() for c in defined}
    model.trained_at = timezone.now()
    model.save()
    positives = sum(1 for lab in labels if lab)
    return (
        f"Model v{model.version}: {len(gold)} codings of {len(code_ids)} codes, "
        f"{len(units)} {unit}s ({positives} coded)."
    )


def model_choice(project: Project) -> dict:
    """Return which model training uses on this server, for the page, and
    how many of the project's codes have a definition for it to read."""
    settings = default_settings()
    defined = len(_definitions_read(project, settings))
    return {
        "kind": settings["kind"],
        "description": describe_settings(settings),
        "encoder": encoder.describe(),
        "embeddings": encoder.available(),
        "defined": defined,
    }


def _check_extra(model: SuggestionModel) -> None:
    if model.settings.get("kind") == "embedding" and not encoder.available():
        raise ServiceError(
            f"Model v{model.version} uses sentence embeddings, but this server "
            f"cannot compute them ({encoder.describe()}). Install the optional "
            "extra (requirements-embeddings.txt) or train a new model."
        )


def evaluate_project(
    *,
    project: Project,
    layer: str,
    folds: int = DEFAULT_FOLDS,
    kind: str = "",
    unit: str = "sentence",
    context: int = 0,
    threshold: float | None = None,
    compare_textcat: bool = True,
) -> dict:
    """Cross-validate the systems on a layer (the evaluate command).

    `kind` is the model to measure ("embedding" or "textcat"; default: the
    one training would use here). Raise ServiceError for an unknown layer,
    unit or kind, too few codings or transcripts, and for "embedding"
    without the optional extra.
    """
    settings = default_settings()
    if kind == "textcat":
        settings = {**settings, "kind": "textcat"}
    elif kind == "embedding":
        if not encoder.available():
            raise ServiceError(encoder.describe())
        settings = {**settings, "kind": "embedding"}
    elif kind:
        raise ServiceError(f"Unknown model {kind!r}: choose embedding or textcat.")
    descriptions = {c.pk: _code_text(c) for c in _definitions_read(project, settings)}
    codings = coding_spans(layer_codings(project, layer))
    texts = _texts({c.transcript_id for c in codings})
    units = make_units(texts, unit)
    if settings["kind"] == "embedding":
        load_unit_vectors(texts, units, context)
    try:
        result = evaluate(
            texts=texts,
            units=units,
            codings=codings,
            rules=project_rules(project),
            code_order=code_order(project),
            rules_nlp=rules_pipeline(),
            folds=folds,
            threshold=threshold,
            settings=settings,
            unit=unit,
            context=context,
            compare_textcat=compare_textcat,
            code_texts=descriptions,
        )
    except ValueError as exc:  # NotEnoughCodings included
        raise ServiceError(str(exc)) from None
    names = dict(project.codes.values_list("pk", "name"))
    for code in result["codes"]:
        code["name"] = names[code["id"]]
    return {"project": project.pk, "layer": layer, **result}


_LOADED: dict[int, Language] = {}


def loaded_model(model: SuggestionModel) -> Language:
    """Return the model's pipeline, read from the database once per process.

    Raise ServiceError for an embedding model on a server without the extra.
    """
    _check_extra(model)
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
        SuggestionRun.objects.select_related("project", "model")
        .defer("model__data")  # megabytes, needed once per process (loaded_model)
        .filter(job=job)
        .first()
    )
    if run is None:
        raise ServiceError("The suggestion run was deleted before it ran.")
    project = run.project
    sizes = list(
        Transcript.objects.filter(project=project, pk__in=run.transcript_ids)
        .order_by("pk")
        .values_list("pk", "length")
    )
    transcript_ids = [t for t, _ in sizes]
    if not transcript_ids:
        raise ServiceError("The chosen transcripts were deleted before the job ran.")
    codes = set(code_order(project))
    rules = [r for r in project_rules(project) if r.code_id in codes]
    model = run.model
    if model is not None and not _is_trained(model):
        model = None
    nlp = loaded_model(model) if model is not None else None
    # A few transcripts at a time (CHUNK_CHARACTERS): memory holds their
    # texts and units' scores, and only compact tuples are kept for the end.
    # (t, code, start, end): (score, source, rule, model id)
    candidates: dict[tuple, tuple] = {}
    coded: set[tuple] = set()
    unit_scores: list[tuple] = []  # (t, [[start, end, {code: score}], ...])
    done: list[int] = []
    with_codings = set(
        Coding.objects.filter(transcript_id__in=transcript_ids)
        .order_by()
        .values_list("transcript_id", flat=True)
        .distinct()
    )
    reported, rule = monotonic(), Suggestion.Source.RULE
    for texts in _chunks_of_texts(sizes):
        found = {
            (t, m.code_id, m.start, m.end): (1.0, rule, m.source, None)
            for t, text in texts.items()
            for m in match_rules(rules_pipeline(), text, rules)
        }
        if nlp is not None:
            by_model, kept = _model_candidates(nlp, model, texts, codes)
            for key, value in by_model.items():
                found.setdefault(key, value)  # a rule's match of the span wins
            unit_scores.extend(kept)
        if here := with_codings.intersection(texts):
            coded |= _already_coded(
                {k: v for k, v in found.items() if k[0] in here}, here
            )
        candidates.update(found)
        done.extend(texts)
        if monotonic() - reported >= PROGRESS_SECONDS:
            report_progress(90 * len(done) // len(transcript_ids))
            reported = monotonic()
    if not done:
        raise ServiceError("The chosen transcripts were deleted before the job ran.")
    warning = ""
    if nlp is not None:
        gone = set(model_code_ids(nlp)) - codes
        if gone:
            warning = (
                f" The model knows {len(gone)} code(s) no longer in the "
                "codebook; retrain it."
            )
    with transaction.atomic():
        existing = Suggestion.objects.filter(transcript_id__in=done)
        existing.filter(status=Suggestion.Status.OPEN).delete()
        UnitScores.objects.filter(transcript_id__in=done).delete()
        if model is not None:
            _insert_rows(UnitScores, ("transcript", "units"), unit_scores, model=model)
        decided = set(existing.values_list("transcript_id", "code_id", "start", "end"))
        new = [k for k in sorted(candidates) if k not in decided and k not in coded]
        _insert_rows(
            Suggestion,
            ("transcript", "code", "start", "end", "score", "source", "rule", "model"),
            ((*key, *candidates[key]) for key in new),
        )
    n_decided = len({*candidates} & decided)
    n_coded = len(candidates) - len(new) - n_decided
    plural = "s" if len(done) != 1 else ""
    return (
        f"{len(new)} suggestions in {len(done)} transcript{plural}"
        f" ({n_decided} already decided, {n_coded} already coded).{warning}"
    )


def _is_trained(model: SuggestionModel) -> bool:
    # model.is_trained, without reading the deferred weights.
    return SuggestionModel.objects.filter(pk=model.pk, data__isnull=False).exists()


# The suggestion job reads transcripts in chunks of about this many
# characters (a transcript longer than that makes a chunk of its own): a
# query, and a batch of units to score, for several transcripts at once.
CHUNK_CHARACTERS = 2_000_000


def _chunks_of_texts(sizes: list[tuple[int, int]]):
    """Yield {id: text} of the transcripts in `sizes`, (id, length) pairs,
    a chunk at a time; transcripts deleted meanwhile are left out."""
    chunk, total = [], 0
    for t, length in sizes:
        if chunk and total + length > CHUNK_CHARACTERS:
            yield _texts(chunk)
            chunk, total = [], 0
        chunk.append(t)
        total += length
    if chunk:
        yield _texts(chunk)


def _model_candidates(
    nlp: Language, model: SuggestionModel, texts: dict[int, str], codes: set[int]
) -> tuple[dict[tuple, tuple], list[tuple]]:
    """Return the model's candidates in the transcripts, and their units' scores.

    Candidates are {(t, code, start, end): (score, "model", "", model id)}
    for the codes still in the codebook scoring at least the threshold;
    scores are (t, [[start, end, {code: score}], ...]) per transcript
    (UnitScores.units), for the units with a code at MIN_KEPT_SCORE or
    more, rounded to three places; transcripts with no such unit are left out.
    """
    settings = model.settings
    threshold = settings.get("threshold", THRESHOLD)
    units = make_units(texts, settings.get("unit", "sentence"))
    context = settings.get("context", 0)
    if model_kind(nlp) == "embedding":
        load_unit_vectors(texts, units, context)
    matrix = score_matrix(nlp, unit_texts(texts, units, context))
    code_ids = model_code_ids(nlp)
    low = min(MIN_KEPT_SCORE, threshold)
    found, per_transcript = {}, defaultdict(list)
    suggested = (Suggestion.Source.MODEL, "", model.pk)
    # Most units score low on every code: only the others are looked at.
    for i in np.flatnonzero((matrix >= low).any(axis=1)).tolist():
        unit, row = units[i], matrix[i]
        t, start, end = unit.transcript_id, unit.start, unit.end
        scores = row.tolist()
        high = np.flatnonzero(row >= low).tolist()
        kept = kept_scores({code_ids[j]: scores[j] for j in high})
        if kept:
            per_transcript[t].append([start, end, kept])
        for j in high:
            if scores[j] >= threshold and code_ids[j] in codes:
                key = (t, code_ids[j], start, end)
                found.setdefault(key, (scores[j], *suggested))
    return found, list(per_transcript.items())


def _already_coded(candidates: dict, transcript_ids) -> set[tuple]:
    """Return the candidate keys that codings of their code (by anyone)
    already cover for the most part: no need to suggest those."""
    if not candidates:
        return set()
    keys = sorted(candidates)
    codings = coding_spans(Coding.objects.filter(transcript_id__in=transcript_ids))
    labels = label_units([Unit(t, s, e) for t, _, s, e in keys], codings)
    return {key for key, codes in zip(keys, labels, strict=True) if key[1] in codes}


# The suggestion job reports its progress at most this often: each report
# is a write (a commit), and a transcript takes a fraction of a second.
PROGRESS_SECONDS = 1.0

# Rows sent by one executemany call (SQLite).
INSERT_BATCH = 2000


def _insert_rows(model, fields: tuple[str, ...], rows, /, **shared) -> None:
    """Insert `rows`, tuples of values for `fields`, into `model`'s table.

    What bulk_create does, without a model instance and a conversion of
    every field of every row: for the tens of thousands of rows of a large
    suggestion job those cost more than scoring the text. So values must be
    what the database stores (ids for foreign keys, numbers, text), except
    for JSON fields, converted here. Every other field gets what a new
    instance made with `shared` would save: its default, `auto_now_add`'s
    time, a shared foreign key. Like bulk_create, no signals are sent.

    PostgreSQL gets the rows through COPY (a fifth of the time of
    executemany, which sends a statement per row, or of multi-row INSERTs,
    whose literals psycopg quotes one by one); SQLite, in this process,
    through executemany.
    """
    meta = model._meta
    given = [meta.get_field(name) for name in fields]
    template = model(**shared)
    rest = [f for f in meta.concrete_fields if not f.primary_key and f not in given]
    if any(f.unique for f in rest):
        # Every row would get the one value computed below.
        raise ValueError(f"{model.__name__}: give unique fields row by row")
    fixed = tuple(
        f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in rest
    )
    json_at = [i for i, f in enumerate(given) if isinstance(f, models.JSONField)]

    def prepared():
        for row in rows:
            if json_at:
                row = list(row)
                for i in json_at:
                    row[i] = given[i].get_db_prep_save(row[i], connection)
            yield (*row, *fixed)

    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in [*given, *rest])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in prepared():
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * (len(given) + len(rest)))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        batch = []
        for row in prepared():
            batch.append(row)
            if len(batch) == INSERT_BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


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
    if start < end and not (start < suggestion.end and suggestion.start < end):
        # Adjusting boundaries must not turn into coding some other passage.
        raise ServiceError(
            f"The adjusted boundaries [{start}, {end}) must overlap the "
            f"suggested passage [{suggestion.start}, {suggestion.end})."
        )
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


def decision_trends(project: Project, *, weeks: int = 12, now=None) -> dict:
    """Return accepted and rejected counts per code and week, with charts.

    Weeks run Monday to Sunday in the site's time zone: the `weeks` weeks
    up to the one holding `now`. {"weeks": [Monday dates, oldest first],
    "max_decided": largest weekly total of any code, "codes": [{"code_id",
    "name", "colour", "accepted", "rejected", "points": [{"week",
    "accepted", "rejected", "rate"}], "chart": trend_chart.rate_chart(...)}]}.
    Codes with no decision in those weeks are left out; a week without
    decisions has rate None (undefined, not 0).
    """
    today = timezone.localdate(now or timezone.now())
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    mondays = [first + timedelta(weeks=i) for i in range(weeks)]
    since = timezone.make_aware(datetime.combine(first, time.min))
    rows = (
        Suggestion.objects.filter(
            transcript__project=project,
            decided_at__gte=since,
            status__in=[Suggestion.Status.ACCEPTED, Suggestion.Status.REJECTED],
        )
        .annotate(week=TruncWeek("decided_at"))
        .values("code_id", "code__name", "code__colour", "week")
        .annotate(
            accepted=Count("pk", filter=Q(status=Suggestion.Status.ACCEPTED)),
            rejected=Count("pk", filter=Q(status=Suggestion.Status.REJECTED)),
        )
        .order_by("code__name", "code_id")
    )
    per_code: dict[int, dict] = {}
    for row in rows:
        code = per_code.setdefault(
            row["code_id"],
            {
                "code_id": row["code_id"],
                "name": row["code__name"],
                "colour": row["code__colour"],
                "counts": {},
            },
        )
        week = row["week"]  # midnight starting the week, in the site's zone
        week = timezone.localtime(week) if timezone.is_aware(week) else week
        code["counts"][week.date()] = (row["accepted"], row["rejected"])
    max_decided = max(
        (a + r for c in per_code.values() for a, r in c["counts"].values()), default=0
    )
    labels = [m.isoformat() for m in mondays]
    codes = []
    for code in per_code.values():
        by_week = code.pop("counts")
        counts = [by_week.get(m, (0, 0)) for m in mondays]
        code["accepted"] = sum(a for a, _ in counts)
        code["rejected"] = sum(r for _, r in counts)
        code["points"] = [
            {
                "week": m,
                "accepted": a,
                "rejected": r,
                "rate": a / (a + r) if a + r else None,
            }
            for m, (a, r) in zip(mondays, counts, strict=True)
        ]
        code["chart"] = trend_chart.rate_chart(labels, counts, max_decided=max_decided)
        codes.append(code)
    return {"weeks": mondays, "max_decided": max_decided, "codes": codes}


SYSTEM_LABELS = {
    "rules": "Rules only",
    "tfidf": "TF-IDF + logistic regression (baseline)",
    "model": "spaCy textcat model",
    "textcat": "spaCy textcat from scratch (comparison)",
}


def system_labels(evaluation: dict) -> dict[str, str]:
    """Return {system key: label} for the systems the evaluation holds.

    The model's label says which model it was (stored with the evaluation;
    older evaluations were all of the textcat model).
    """
    labels = {}
    for key, label in SYSTEM_LABELS.items():
        if key not in evaluation.get("systems", {}):
            continue
        if key == "model" and "model" in evaluation:
            label = f"Model: {evaluation['model']['description']}"
        labels[key] = label
    return labels


def _number(entry):
    return entry.get("value") if isinstance(entry, dict) else entry


def quality_warnings(evaluation: dict | None) -> list[str]:
    """Return what a coder should know before trusting a model's
    suggestions, from its cross-validation: that it found none of the
    held-out codings, or that the TF-IDF baseline did better."""
    if not evaluation or "systems" not in evaluation:
        return []
    systems = evaluation["systems"]
    model = _number(systems["model"]["micro"]["segment_f1"]) or 0.0
    baseline = _number(systems["tfidf"]["micro"]["segment_f1"]) or 0.0
    learned = len(evaluation["codes"])
    if not model:
        return [
            "In cross-validation this model found none of the held-out codings "
            f"(it learned {learned} codes from {evaluation['codings']} codings), "
            "so its suggestions are unlikely to help yet: code more passages "
            "and train again."
        ]
    if baseline > model:
        return [
            f"On this coding the TF-IDF baseline did better than this model "
            f"(segment F1 {baseline:.2f} against {model:.2f}): treat its "
            "suggestions with care."
        ]
    return []


def evaluation_rows(evaluation: dict | None, names: dict[int, str]) -> dict:
    """Return a stored evaluation as rows for the page's tables.

    {"overall": [(system label, average, [values...], recall@5, thresholds)],
    "per_code":
    [(code name, codings, [(system label, [values...])])]}; values are floats
    or None (shown as "n/a").
    """
    if not evaluation or "systems" not in evaluation:
        return {}
    systems = evaluation["systems"]
    labels = system_labels(evaluation)
    overall = []
    for key, label in labels.items():
        cuts = systems[key].get("fold_thresholds") or []
        # The score each fold suggested at ("" for the rules, which have none).
        cut = (
            "–".join(f"{c:.2f}" for c in sorted({min(cuts), max(cuts)})) if cuts else ""
        )
        for avg in ("micro", "macro"):
            values = [_number(systems[key][avg][m]) for m in METRICS]
            at5 = _number(systems[key]["selection_recall_at_5"])
            micro = avg == "micro"
            overall.append(
                (label, avg, values, at5 if micro else None, cut if micro else "")
            )
    per_code = []
    for code in evaluation["codes"]:
        cid = str(code["id"])
        rows = [
            (label, [_number(systems[key]["per_code"][cid][m]) for m in METRICS])
            for key, label in labels.items()
            if cid in systems[key]["per_code"]
        ]
        name = names.get(code["id"], f"(deleted code {code['id']})")
        per_code.append((name, code["codings"], rows))
    return {"overall": overall, "per_code": per_code}
