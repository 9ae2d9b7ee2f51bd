"""`manage.py evaluate_suggestions PROJECT --json`: three systems side by side."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.suggestion_samples import coded_interviews

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("evaluate_suggestions", *args, stdout=out)
    return out.getvalue()


def test_json_reports_rules_tfidf_and_the_model_on_the_same_folds(
    project, owner, coder, codes
):
    coded_interviews(project=project, owner=owner, coder=coder, codes=codes)
    result = json.loads(run(str(project.pk), "--json", "--layer", coder.username))
    assert result["layer"] == f"coder:{coder.pk}"
    assert result["folds"] == 4
    assert (result["codings"], result["units"]) == (20, 30)
    assert [c["name"] for c in result["codes"]] == [
        "Financial difficulties",
        "Information support",
    ]
    scored = {"per_code", "micro", "macro", "selection_recall_at_5"}
    assert set(result["systems"]["rules"]) == scored
    for name in ("tfidf", "model"):
        system = result["systems"][name]
        assert set(system) == scored | {"fold_thresholds", "threshold"}
        assert system["micro"]["segment_recall"]["den"] == 20
        # One threshold per fold, each chosen within that fold's training data.
        assert len(system["fold_thresholds"]) == 4
    assert result["systems"]["rules"]["micro"]["segment_recall"]["den"] == 20
    assert result["threshold"] == "tuned"
    table = run(project.name, "--folds", "2", "--model", "textcat")
    assert "20 codings of 2 codes, 30 sentences, 2 folds by transcript." in table
    assert "Model: spaCy textcat_multilabel (bag of words" in table
    assert "Model (textcat) micro" in table
    assert "Thresholds chosen in each fold on its training transcripts" in table


def test_turns_with_context_and_a_threshold(project, owner, coder, codes):
    coded_interviews(project=project, owner=owner, coder=coder, codes=codes)
    result = json.loads(
        run(
            str(project.pk),
            "--json",
            "--model",
            "textcat",
            "--unit",
            "turn",
            "--context",
            "1",
            "--threshold",
            "0.6",
        )
    )
    # No speaker labels in these interviews: each line (here the whole
    # interview) is one turn.
    assert (result["unit"], result["units"], result["context"]) == ("turn", 5, 1)
    assert result["threshold"] == 0.6
    assert (
        result["systems"]["tfidf"]["fold_thresholds"]
        == [0.6, 0.6, 0.6, 0.6][: result["folds"]]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--layer", "nobody"], "There is no user 'nobody'."),
        (["--folds", "1"], "--folds must be at least 2."),
        (["--context", "9"], "--context must be between 0 and 5."),
        (["--threshold", "1"], "--threshold must be between 0 and 1."),
        ([], "Training needs at least 20 codings"),
    ],
)
def test_bad_input_is_a_clear_error(project, args, message):
    with pytest.raises(CommandError, match=message):
        run(str(project.pk), *args)


def test_an_unknown_project_is_a_clear_error(db):
    with pytest.raises(CommandError, match="There is no project 'Nope'."):
        run("Nope")


def test_the_table_warns_of_a_model_that_found_nothing(
    project, owner, coder, codes, monkeypatch
):
    from interviews.management.commands import evaluate_suggestions as command

    coded_interviews(project=project, owner=owner, coder=coder, codes=codes)
    table = run(project.name, "--folds", "2", "--model", "textcat")
    assert "found none of the held-out codings" not in table
    real = command.evaluate_project

    def found_nothing(**options):
        result = real(**options)
        result["systems"]["model"]["micro"]["segment_f1"] = 0.0
        return result

    monkeypatch.setattr(command, "evaluate_project", found_nothing)
    table = run(project.name, "--folds", "2", "--model", "textcat")
    assert (
        "In cross-validation this model found none of the held-out codings "
        "(it learned 2 codes from 20 codings)" in table
    )
