"""Cross-validate the code-suggestion systems on a project, by transcript."""

import json as jsonlib

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from interviews.models import Project
from interviews.services import ServiceError
from interviews.services.suggestions import DEFAULT_FOLDS, evaluate_project
from interviews.suggest.metrics import METRICS

SYSTEM_LABELS = {
    "rules": "Rules only",
    "tfidf": "TF-IDF + logistic regression",
    "model": "spaCy textcat (BOW)",
}


def _fmt(entry) -> str:
    value = entry["value"] if isinstance(entry, dict) else entry
    return "  n/a" if value is None else f"{value:5.2f}"


class Command(BaseCommand):
    help = (
        "Cross-validate code suggestions by transcript: rules only, TF-IDF + "
        "logistic regression and the spaCy model, side by side."
    )

    def add_arguments(self, parser):
        parser.add_argument("project", help="The project's id, or its exact name.")
        parser.add_argument(
            "--layer",
            default="all",
            help="'all' (all coders, default), 'consensus', or a coder's username.",
        )
        parser.add_argument("--folds", type=int, default=DEFAULT_FOLDS)
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, project, layer, folds, json: bool, **options):
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
        try:
            result = evaluate_project(project=found.get(), layer=layer, folds=folds)
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        if json:
            self.stdout.write(_dumps(result))
        else:
            self.stdout.write(_table(result))


def _dumps(result: dict) -> str:
    return jsonlib.dumps(result, indent=2, ensure_ascii=False)


def _table(result: dict) -> str:
    lines = [
        f"{result['codings']} codings of {len(result['codes'])} codes, "
        f"{result['units']} sentences, {result['folds']} folds by transcript.",
        f"{'':32} seg P  seg R  seg F1  chr P  chr R  chr F1  sel R@5",
    ]
    for name, label in SYSTEM_LABELS.items():
        system = result["systems"][name]
        for avg in ("micro", "macro"):
            m = system[avg]
            lines.append(
                f"{label[:24] + ' ' + avg:32}"
                + "  ".join(_fmt(m[k]) for k in METRICS)
                + "  "
                + _fmt(system["selection_recall_at_5"])
            )
    if result["selection_recall_trivial"]:
        lines.append("Selection recall@5 is trivially 1: there are 5 codes or fewer.")
    return "\n".join(lines)
