"""Agreement reports, the disagreement list and the consensus layer.

The maths is in interviews/analysis (pure); this module loads codings in a
constant number of queries, calls it and stores what it returns.

The consensus layer is the codings of one inactive account per project
(`Project.consensus_user`, username ``consensus-<project id>``, no usable
password, not a member). Nobody can sign in as it, and access.py refuses
non-members, so its codings are written only here, by owners reconciling.
Being a coder's layer, it shows in the segments table and exports and can be
chosen as a coder in an agreement run, to compare it with each coder.

The suggester can be compared too, as one more coder (id SUGGESTER, never a
user's): its segments are what the rules match and the sentences the latest
model scored at or above its threshold, in every chosen transcript, whether
or not anyone had coded them (the stored suggestions leave coded passages
out, so they would not be a fair layer).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from ..analysis.report import (
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    DEFAULT_THRESHOLD,
    Document,
    build_report,
    find_stretches,
)
from ..models import (
    AgreementRun,
    Code,
    CodeRule,
    Coding,
    Decision,
    Job,
    Membership,
    Project,
    SuggestionModel,
    Transcript,
    UnitScores,
)
from ..suggest.model import THRESHOLD
from . import ServiceError
from .codebook import code_paths
from .jobs import queue_job
from .suggestions import latest_model, match_rules, project_rules, rules_pipeline

MODES = ("separate", "rollup")
CONTEXT_CHARS = 80
# The suggester's coder id in a run: user ids start at 1.
SUGGESTER = 0


# -- the consensus account -----------------------------------------------------


def consensus_username(project: Project) -> str:
    return f"consensus-{project.pk}"


def ensure_consensus_user(*, project: Project):
    """Return the project's consensus account, creating it the first time."""
    if project.consensus_user_id:
        return project.consensus_user
    User = get_user_model()
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            username=consensus_username(project), defaults={"is_active": False}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Project.objects.filter(pk=project.pk).update(consensus_user=user)
    project.consensus_user = user
    return user


# -- choosing what to compare --------------------------------------------------


def coder_choices(*, project: Project) -> list[tuple[int, str]]:
    """Return (user id, label) of everyone whose coding can be compared.

    Owners and coders, anyone else with codings in the project, and the
    consensus layer (labelled "Consensus") once it exists.
    """
    User = get_user_model()
    users = User.objects.filter(
        Q(
            memberships__project=project,
            memberships__role__in=[Membership.Role.OWNER, Membership.Role.CODER],
        )
        | Q(codings__transcript__project=project)
    ).distinct()
    choices = []
    for pk, username in users.order_by("username").values_list("id", "username"):
        label = "Consensus" if pk == project.consensus_user_id else username
        choices.append((pk, label))
    return choices


def _ids(values, allowed, what: str) -> list[int]:
    try:
        ids = sorted({int(value) for value in values})
    except (TypeError, ValueError):
        raise ServiceError(f"Unknown {what}.") from None
    if any(value not in allowed for value in ids):
        raise ServiceError(f"Unknown {what}: choose among this project's.")
    return ids


def clean_run_settings(
    *,
    project: Project,
    transcript_ids,
    code_ids,
    coder_ids,
    mode: str = "separate",
    threshold=DEFAULT_THRESHOLD,
    suggester: bool = False,
) -> dict:
    """Return validated settings for a run, or raise ServiceError.

    With ``suggester`` the rules and the latest trained model take part as
    one more coder; the model's id is kept, so the run can be recomputed.
    """
    transcripts = set(project.transcripts.values_list("id", flat=True))
    codes = set(Code.objects.filter(project=project).values_list("id", flat=True))
    coders = {pk for pk, _ in coder_choices(project=project)}
    settings = {
        "transcript_ids": _ids(transcript_ids, transcripts, "transcript"),
        "code_ids": _ids(code_ids, codes, "code"),
        "coder_ids": _ids(coder_ids, coders, "coder"),
    }
    if not settings["transcript_ids"] or not settings["code_ids"]:
        raise ServiceError("Choose at least one transcript and one code.")
    settings["suggester"] = _suggester_settings(project) if suggester else None
    if len(settings["coder_ids"]) + bool(suggester) < 2:
        raise ServiceError("Choose at least two coders to compare.")
    if mode not in MODES:
        raise ServiceError("Choose whether sub-codes count separately or together.")
    try:
        threshold = int(threshold)
    except (TypeError, ValueError):
        raise ServiceError("The overlap threshold must be a whole number.") from None
    if not 1 <= threshold <= 100:
        raise ServiceError("The overlap threshold must be between 1 and 100 %.")
    return settings | {
        "mode": mode,
        "threshold": threshold,
        "seed": DEFAULT_SEED,
        "resamples": DEFAULT_RESAMPLES,
    }


def _suggester_settings(project: Project) -> dict:
    model = latest_model(project, weights=False)
    rules = CodeRule.objects.filter(code__project=project).exists()
    if model is None and not rules:
        raise ServiceError(
            "There is no suggester to compare yet: write rules for some codes "
            "or train a model on the Suggestions page first."
        )
    return {
        "model_id": model.pk if model else None,
        "model_version": model.version if model else None,
        "rules": rules,
    }


def suggester_label(settings: dict) -> str:
    """Return how a report names the suggester, e.g. "Suggester (model v2 + rules)"."""
    parts = []
    if settings.get("model_version"):
        parts.append(f"model v{settings['model_version']}")
    if settings.get("rules"):
        parts.append("rules")
    return f"Suggester ({' + '.join(parts)})"


def suggester_segments(
    *, project: Project, settings: dict, documents: list, counts_for: dict
) -> list[tuple]:
    """Return the suggester's (doc, SUGGESTER, code, start, end, 0) segments.

    Model: every sentence whose stored score (from the suggestion job, three
    decimals) reaches the model's threshold. Rules: matched afresh on the
    texts, since stored suggestions leave out what was already coded.
    """
    doc_ids = [d.id for d in documents]
    segments = []
    model = SuggestionModel.objects.filter(
        pk=settings.get("model_id"), project=project
    ).first()
    if model is not None:
        threshold = model.settings.get("threshold", THRESHOLD)
        rows = UnitScores.objects.filter(
            model=model, transcript_id__in=doc_ids
        ).values_list("transcript_id", "units")
        for doc, units in rows.iterator(chunk_size=20):
            for start, end, scores in units:
                for code, score in scores.items():
                    if score >= threshold:
                        for chosen in counts_for.get(int(code), ()):
                            segments.append((doc, SUGGESTER, chosen, start, end, 0))
    rules = [r for r in project_rules(project) if r.code_id in counts_for]
    if settings.get("rules") and rules:
        nlp = rules_pipeline()
        texts = Transcript.objects.filter(pk__in=doc_ids).values_list("id", "text")
        for doc, text in texts.iterator(chunk_size=20):
            for match in match_rules(nlp, text, rules):
                for chosen in counts_for[match.code_id]:
                    segments.append((doc, SUGGESTER, chosen, match.start, match.end, 0))
    # A span both matched by a rule and scored by the model counts once; 0
    # stands for "no coding" where a human segment carries its coding's id.
    return sorted(set(segments))


def start_agreement_run(*, project: Project, user, settings: dict) -> AgreementRun:
    """Record a run and queue its job (sent once the transaction commits)."""
    with transaction.atomic():
        job = queue_job(project=project, kind=Job.Kind.AGREEMENT)
        return AgreementRun.objects.create(
            project=project, created_by=user, settings=settings, job=job
        )


# -- computing a run -------------------------------------------------------------


@dataclass
class Loaded:
    documents: list[Document]
    coders: list[tuple[int, str]]
    codes: list[tuple[int, str]]
    segments: list[tuple]
    # actual code id -> the chosen code ids it counts for
    counts_for: dict[int, list[int]]


def _counts_for(project: Project, code_ids: list[int], mode: str) -> dict:
    parents = dict(Code.objects.filter(project=project).values_list("id", "parent_id"))
    chosen = set(code_ids)
    counts_for = defaultdict(list)
    for code_id in parents:
        if mode == "separate":
            if code_id in chosen:
                counts_for[code_id].append(code_id)
            continue
        # Roll-up: a coding counts for every chosen code on its path to the root.
        node = code_id
        while node is not None:
            if node in chosen:
                counts_for[code_id].append(node)
            node = parents.get(node)
    return counts_for


def load_run_data(*, run: AgreementRun) -> Loaded:
    """Load what a run compares: five queries whatever the size."""
    project, settings = run.project, run.settings
    documents = [
        Document(pk, title, length)
        for pk, title, length in Transcript.objects.filter(
            project=project, pk__in=settings["transcript_ids"]
        ).values_list("id", "title", "length")
    ]
    if not documents:
        raise ServiceError("The chosen transcripts were deleted.")
    paths = code_paths(project)
    codes = [(pk, paths[pk]) for pk in settings["code_ids"] if pk in paths]
    if not codes:
        raise ServiceError("The chosen codes were deleted.")
    names = dict(
        get_user_model()
        .objects.filter(pk__in=settings["coder_ids"])
        .values_list("id", "username")
    )
    coders = [
        (pk, "Consensus" if pk == project.consensus_user_id else names[pk])
        for pk in settings["coder_ids"]
        if pk in names
    ]
    counts_for = _counts_for(project, [pk for pk, _ in codes], settings["mode"])
    rows = Coding.objects.filter(
        transcript_id__in=[d.id for d in documents],
        coder_id__in=[pk for pk, _ in coders],
        code_id__in=list(counts_for),
    ).values_list("transcript_id", "coder_id", "code_id", "start", "end", "id")
    segments = [
        (doc, coder, chosen, start, end, pk)
        for doc, coder, code, start, end, pk in rows
        for chosen in counts_for[code]
    ]
    if settings.get("suggester"):
        coders.append((SUGGESTER, suggester_label(settings["suggester"])))
        segments += suggester_segments(
            project=project,
            settings=settings["suggester"],
            documents=documents,
            counts_for=counts_for,
        )
    return Loaded(documents, coders, codes, segments, counts_for)


def compute_agreement(job: Job, report_progress) -> str:
    """Compute and store the results of the run whose job this is."""
    run = AgreementRun.objects.select_related("project").filter(job=job).first()
    if run is None:
        raise ServiceError("The agreement report was deleted before it ran.")
    data = load_run_data(run=run)
    if len(data.coders) < 2:
        raise ServiceError("Fewer than two of the chosen coders still exist.")
    report_progress(10)
    settings = run.settings
    results = build_report(
        documents=data.documents,
        coders=[pk for pk, _ in data.coders],
        codes=[pk for pk, _ in data.codes],
        segments=data.segments,
        threshold=settings["threshold"],
        resamples=settings["resamples"],
        seed=settings["seed"],
    )
    results["labels"] = {
        "coders": [[pk, name] for pk, name in data.coders],
        "codes": [[pk, name] for pk, name in data.codes],
        "transcripts": [[d.id, d.title, d.length] for d in data.documents],
    }
    run.results = results
    run.save(update_fields=["results"])
    return (
        f"{len(data.documents)} transcripts, {len(data.codes)} codes, "
        f"{len(data.coders)} coders."
    )


# -- disagreements ---------------------------------------------------------------


def _context(text: str, start: int, end: int) -> dict:
    return {
        "before": text[max(0, start - CONTEXT_CHARS) : start],
        "text": text[start:end],
        "after": text[end : end + CONTEXT_CHARS],
    }


def list_disagreements(*, run: AgreementRun) -> dict:
    """Return the run's disagreements, largest first, from the current codings.

    Each actual code is compared separately (also in roll-up runs, since a
    consensus is written for one code); the consensus layer is left out of
    the comparison and shown as the current decision instead.
    """
    project = run.project
    settings = run.settings
    coder_ids = [pk for pk in settings["coder_ids"] if pk != project.consensus_user_id]
    names = dict(
        get_user_model().objects.filter(pk__in=coder_ids).values_list("id", "username")
    )
    coder_ids = [pk for pk in coder_ids if pk in names]
    if len(coder_ids) < 2:
        return {"items": [], "coders": [], "agreed": 0}
    counts_for = _counts_for(project, settings["code_ids"], settings["mode"])
    paths = code_paths(project)
    wanted = [*coder_ids, project.consensus_user_id]
    rows = Coding.objects.filter(
        transcript_id__in=settings["transcript_ids"],
        coder_id__in=[pk for pk in wanted if pk],
        code_id__in=list(counts_for),
    ).values_list("transcript_id", "code_id", "coder_id", "start", "end", "id")
    by_key = defaultdict(list)
    consensus = defaultdict(list)
    for doc, code, coder, start, end, pk in rows:
        if coder == project.consensus_user_id:
            consensus[(doc, code)].append((start, end, pk))
        else:
            by_key[(doc, code)].append((coder, start, end, pk))
    texts = dict(
        Transcript.objects.filter(pk__in={doc for doc, _ in by_key}).values_list(
            "id", "text"
        )
    )
    titles = dict(
        Transcript.objects.filter(pk__in=settings["transcript_ids"]).values_list(
            "id", "title"
        )
    )
    decisions = {}
    for decision in Decision.objects.filter(
        project=project, transcript_id__in=settings["transcript_ids"]
    ).select_related("decided_by"):
        key = (decision.transcript_id, decision.code_id)
        key += (decision.region_start, decision.region_end)
        decisions.setdefault(key, decision)  # newest first
    items, agreed = [], 0
    for (doc, code), segments in by_key.items():
        text = texts[doc]
        for stretch in find_stretches(segments, coders=coder_ids):
            if stretch.agreed:
                agreed += 1
                continue
            items.append(
                {
                    "transcript_id": doc,
                    "transcript": titles.get(doc, ""),
                    "code_id": code,
                    "code": paths.get(code, ""),
                    "start": stretch.start,
                    "end": stretch.end,
                    "differing": stretch.differing,
                    "context": _context(text, stretch.start, stretch.end),
                    "versions": [
                        {
                            "coder_id": coder,
                            "coder": names[coder],
                            "segments": [
                                {"start": s, "end": e, "id": pk, "text": text[s:e]}
                                for s, e, pk in stretch.versions[coder]
                            ],
                        }
                        for coder in coder_ids
                    ],
                    "consensus": [
                        {"start": s, "end": e, "text": text[s:e]}
                        for s, e, _ in consensus[(doc, code)]
                        if s < stretch.end and e > stretch.start
                    ],
                    "decision": decisions.get((doc, code, stretch.start, stretch.end)),
                }
            )
    items.sort(key=lambda item: (-item["differing"], item["transcript"], item["start"]))
    return {
        "items": items,
        "coders": [(pk, names[pk]) for pk in coder_ids],
        "agreed": agreed,
    }


# -- reconciliation --------------------------------------------------------------


def _region_codings(*, run, transcript_id: int, code_id: int, start: int, end: int):
    coder_ids = [
        pk for pk in run.settings["coder_ids"] if pk != run.project.consensus_user_id
    ]
    return list(
        Coding.objects.filter(
            transcript_id=transcript_id,
            code_id=code_id,
            coder_id__in=coder_ids,
            start__lt=end,
            end__gt=start,
        )
    )


def decide(
    *,
    run: AgreementRun,
    user,
    transcript_id,
    code_id,
    region_start,
    region_end,
    action: str,
    coder_id=None,
    coding_ids=(),
    start=None,
    end=None,
    note: str = "",
) -> Decision:
    """Write an owner's decision on a disagreement into the consensus layer.

    ``accept`` takes coder ``coder_id``'s segments in the region; ``merge``
    one segment spanning the chosen codings (all versions when none are
    chosen); ``new`` the boundary [start, end); ``reject`` leaves the region
    uncoded. The consensus codings of this code overlapping the region (or
    the new boundary) are replaced, and the Decision recorded, atomically.
    """
    project = run.project
    try:
        transcript_id, code_id = int(transcript_id), int(code_id)
        region_start, region_end = int(region_start), int(region_end)
    except (TypeError, ValueError):
        raise ServiceError("That disagreement is not in this report.") from None
    if transcript_id not in run.settings["transcript_ids"]:
        raise ServiceError("That transcript is not in this report.")
    transcript = Transcript.objects.filter(pk=transcript_id, project=project).first()
    code = Code.objects.filter(pk=code_id, project=project).first()
    if transcript is None or code is None:
        raise ServiceError("That disagreement is not in this report.")
    if not 0 <= region_start < region_end <= transcript.length:
        raise ServiceError("That disagreement is not in this report.")
    versions = _region_codings(
        run=run,
        transcript_id=transcript_id,
        code_id=code_id,
        start=region_start,
        end=region_end,
    )
    if not versions:
        raise ServiceError("Nobody coded this stretch any more; reload the list.")
    spans, chosen = _consensus_spans(
        action=action,
        versions=versions,
        coder_id=coder_id,
        coding_ids=coding_ids,
        start=start,
        end=end,
        length=transcript.length,
    )
    note = (note or "").strip()
    if len(note) > 5000:
        raise ServiceError("Keep the note under 5,000 characters.")
    consensus = ensure_consensus_user(project=project)
    low = min([region_start, *(s for s, _ in spans)])
    high = max([region_end, *(e for _, e in spans)])
    with transaction.atomic():
        Coding.objects.filter(
            transcript=transcript,
            code=code,
            coder=consensus,
            start__lt=high,
            end__gt=low,
        ).delete()
        text = Transcript.objects.values_list("text", flat=True).get(pk=transcript.pk)
        Coding.objects.bulk_create(
            Coding(
                transcript=transcript,
                code=code,
                coder=consensus,
                start=s,
                end=e,
                text=text[s:e],
            )
            for s, e in spans
        )
        return Decision.objects.create(
            project=project,
            run=run,
            transcript=transcript,
            code=code,
            region_start=region_start,
            region_end=region_end,
            start=min((s for s, _ in spans), default=None),
            end=max((e for _, e in spans), default=None),
            segments=[[s, e] for s, e in spans],
            action=action,
            chosen_codings=chosen,
            note=note,
            decided_by=user,
        )


def _whole(value, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ServiceError(f"The {what} must be a whole number.") from None


def _consensus_spans(*, action, versions, coder_id, coding_ids, start, end, length):
    """Return the consensus segments and the coding ids they came from."""
    if action == Decision.Action.ACCEPT:
        coder_id = _whole(coder_id, "coder")
        mine = [c for c in versions if c.coder_id == coder_id]
        if coder_id not in {c.coder_id for c in versions}:
            raise ServiceError(
                "That coder has no version here; choose 'not coded' instead."
            )
        merged = []
        for c in sorted(mine, key=lambda c: (c.start, c.end)):
            if merged and c.start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], c.end)
            else:
                merged.append([c.start, c.end])
        return [tuple(span) for span in merged], [c.pk for c in mine]
    if action == Decision.Action.MERGE:
        wanted = {_whole(pk, "coding") for pk in coding_ids}
        chosen = [c for c in versions if c.pk in wanted] if wanted else versions
        if wanted and len(chosen) != len(wanted):
            raise ServiceError("Choose among the versions shown.")
        return [(min(c.start for c in chosen), max(c.end for c in chosen))], [
            c.pk for c in chosen
        ]
    if action == Decision.Action.NEW:
        start, end = _whole(start, "start"), _whole(end, "end")
        if not 0 <= start < end <= length:
            raise ServiceError(
                f"A boundary must start before it ends, within the {length} "
                "characters of the transcript."
            )
        return [(start, end)], []
    if action == Decision.Action.REJECT:
        return [], []
    raise ServiceError("Unknown decision.")


def adopt_agreements(*, run: AgreementRun, user) -> int:
    """Copy every stretch all coders agree on into the consensus layer.

    Stretches that already have consensus codings are left alone. Return
    the number of stretches adopted; each is recorded as a Decision.
    """
    project = run.project
    listing = list_disagreements(run=run)
    coder_ids = [pk for pk, _ in listing["coders"]]
    if len(coder_ids) < 2:
        return 0
    consensus = ensure_consensus_user(project=project)
    counts_for = _counts_for(project, run.settings["code_ids"], run.settings["mode"])
    rows = Coding.objects.filter(
        transcript_id__in=run.settings["transcript_ids"],
        coder_id__in=[*coder_ids, consensus.pk],
        code_id__in=list(counts_for),
    ).values_list("transcript_id", "code_id", "coder_id", "start", "end", "id")
    by_key, taken = defaultdict(list), defaultdict(list)
    for doc, code, coder, start, end, pk in rows:
        if coder == consensus.pk:
            taken[(doc, code)].append((start, end))
        else:
            by_key[(doc, code)].append((coder, start, end, pk))
    texts = dict(
        Transcript.objects.filter(pk__in={doc for doc, _ in by_key}).values_list(
            "id", "text"
        )
    )
    codings, decisions = [], []
    for (doc, code), segments in by_key.items():
        for stretch in find_stretches(segments, coders=coder_ids):
            if not stretch.agreed or any(
                s < stretch.end and e > stretch.start for s, e in taken[(doc, code)]
            ):
                continue
            spans = []
            for s, e, _ in sorted(stretch.versions[coder_ids[0]]):
                if spans and s <= spans[-1][1]:
                    spans[-1][1] = max(spans[-1][1], e)
                else:
                    spans.append([s, e])
            codings += [
                Coding(
                    transcript_id=doc,
                    code_id=code,
                    coder=consensus,
                    start=s,
                    end=e,
                    text=texts[doc][s:e],
                )
                for s, e in spans
            ]
            decisions.append(
                Decision(
                    project=project,
                    run=run,
                    transcript_id=doc,
                    code_id=code,
                    region_start=stretch.start,
                    region_end=stretch.end,
                    start=stretch.start,
                    end=stretch.end,
                    segments=spans,
                    action=Decision.Action.ACCEPT,
                    chosen_codings=[
                        pk for v in stretch.versions.values() for *_, pk in v
                    ],
                    note="All coders agreed.",
                    decided_by=user,
                )
            )
    with transaction.atomic():
        Coding.objects.bulk_create(codings)
        Decision.objects.bulk_create(decisions)
    return len(decisions)
