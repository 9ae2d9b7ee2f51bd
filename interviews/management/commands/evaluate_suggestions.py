"""Cross-validate the code-suggestion systems on a project, by transcript."""

import json as jsonlib

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from interviews.models import Project
from interviews.services import ServiceError
from interviews.services.suggestions import (
    DEFAULT_FOLDS,
    UNIT_KINDS,
    evaluate_project,
    quality_warnings,
)
from interviews.suggest.metrics import METRICS

SHORT_LABELS = {
    "rules": "Rules only",
    "tfidf": "TF-IDF + logistic regression",
    "model": "Model ({kind})",
    "textcat": "textcat from scratch",
}


def _fmt(entry) -> str:
    value = entry["value"] if isinstance(entry, dict) else entry
    return "  n/a" if value is None else f"{value:5.2f}"


class Command(BaseCommand):
    help = (
        "Cross-validate code suggestions by transcript: rules only, TF-IDF + "
        "logistic regression and the learned model, side by side (with the "
        "sentence-embedding model, the textcat model from scratch as well)."
    )

    def add_arguments(self, parser):
        parser.add_argument("project", help="The project's id, or its exact name.")
        parser.add_argument(
            "--layer",
            default="all",
            help="'all' (all coders, default), 'consensus', or a coder's username.",
        )
        parser.add_argument("--folds", type=int, default=DEFAULT_FOLDS)
        parser.add_argument(
            "--model",
            choices=["embedding", "textcat"],
            default="",
            help="The model to measure (default: the one training uses here).",
        )
        parser.add_argument("--unit", choices=UNIT_KINDS, default="sentence")
        parser.add_argument(
            "--context",
            type=int,
            default=0,
            help="Neighbouring units the models see on each side (default 0).",
        )
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help=(
                "One score threshold for every system. Default: each system's "
                "own, chosen in each fold by cross-validation on that fold's "
                "training transcripts."
            ),
        )
        parser.add_argument(
            "--no-comparison",
            action="store_true",
            help="Skip the textcat-from-scratch comparison beside embeddings.",
        )
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(
        self,
        *args,
        project,
        layer,
        folds,
        model,
        unit,
        context,
        threshold,
        no_comparison,
        json: bool,
        **options,
    ):
        found = Project.objects.filter(pk=int(project)) if project.isdigit() else None
        if not found:
            found = Project.objects.filter(name=project)
        if found.count() != 1:
            raise CommandError(
                f"No single project is called {project!r}; give its id instead."
                if found.count() > 1
                else f"There is no project {project!r}."
            )
        if layer not in ("all", "consensus") and not layer.startswith("coder:"):
            user = get_user_model().objects.filter(username=layer).first()
            if user is None:
                raise CommandError(f"There is no user {layer!r}.")
            layer = f"coder:{user.pk}"
        if folds < 2:
            raise CommandError("--folds must be at least 2.")
        if not 0 <= context <= 5:
            raise CommandError("--context must be between 0 and 5.")
        if threshold is not None and not 0 < threshold < 1:
            raise CommandError("--threshold must be between 0 and 1.")
        try:
            result = evaluate_project(
                project=found.get(),
                layer=layer,
                folds=folds,
                kind=model,
                unit=unit,
                context=context,
                threshold=threshold,
                compare_textcat=not no_comparison,
            )
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        if json:
            self.stdout.write(_dumps(result))
        else:
            self.stdout.write(_table(result))


def _dumps(result: dict) -> str:
    return jsonlib.dumps(result, indent=2, ensure_ascii=False)


def _thresholds(result: dict) -> str:
    if result["threshold"] != "tuned":
        return f"Every system suggests at scores of {result['threshold']} or more."
    chosen = ", ".join(
        f"{name} {'/'.join(f'{t:.2f}' for t in system['fold_thresholds'])}"
        for name, system in result["systems"].items()
        if "fold_thresholds" in system
    )
    return (
        "Thresholds chosen in each fold on its training transcripts "
        f"(fold by fold): {chosen}."
    )


def _table(result: dict) -> str:
    context = f" (+{result['context']} each side)" if result["context"] else ""
    lines = [
        f"{result['codings']} codings of {len(result['codes'])} codes, "
        f"{result['units']} {result['unit']}s{context}, {result['folds']} folds "
        "by transcript.",
        f"Model: {result['model']['description']}.",
        _thresholds(result),
        f"{'':40} seg P  seg R  seg F1  chr P  chr R  chr F1  sel R@5",
    ]
    for name, label in SHORT_LABELS.items():
        if name not in result["systems"]:
            continue
        label = label.format(kind=result["model"]["kind"])
        system = result["systems"][name]
        for avg in ("micro", "macro"):
            m = system[avg]
            lines.append(
                f"{label + ' ' + avg:40}"
                + "  ".join(_fmt(m[k]) for k in METRICS)
                + "  "
                + _fmt(system["selection_recall_at_5"])
            )
    if result["selection_recall_trivial"]:
        lines.append(
            "Selection recall@5 is trivially 1: the codebook has 5 codes or fewer."
        )
    lines.extend(quality_warnings(result))
    return "\n".join(lines)
