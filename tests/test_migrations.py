"""Migrations that move data, run on a database in the state before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("interviews", "0009_text_vectors")]
AFTER = [("interviews", "0010_unit_scores")]


@pytest.fixture
def migrate():
    """Return a function that migrates to a target and gives its apps."""
    executor = MigrationExecutor(connection)

    def to(target):
        executor.loader.build_graph()
        executor.migrate(target)
        return executor.loader.project_state(target).apps

    yield to
    to(executor.loader.graph.leaf_nodes("interviews"))


@pytest.mark.django_db(transaction=True)
def test_sentence_scores_become_one_row_per_transcript_in_text_order(migrate):
    apps = migrate(BEFORE)
    project = apps.get_model("interviews", "Project").objects.create(name="p")
    Transcript = apps.get_model("interviews", "Transcript")
    first = Transcript.objects.create(
        project=project, title="a", text="x" * 50, length=50
    )
    second = Transcript.objects.create(
        project=project, title="b", text="y" * 50, length=50
    )
    Transcript.objects.create(project=project, title="unscored", text="z", length=1)
    model = apps.get_model("interviews", "SuggestionModel").objects.create(
        project=project, version=1, layer="all"
    )
    SentenceScore = apps.get_model("interviews", "SentenceScore")
    for transcript, start, scores in [
        (first, 20, {"7": 0.5}),
        (second, 0, {"8": 0.25}),
        (first, 0, {"7": 0.125, "8": 0.75}),
    ]:
        SentenceScore.objects.create(
            transcript=transcript,
            model=model,
            start=start,
            end=start + 10,
            scores=scores,
        )

    apps = migrate(AFTER)

    UnitScores = apps.get_model("interviews", "UnitScores")
    rows = UnitScores.objects.order_by("transcript_id")
    assert [(r.transcript_id, r.model_id, r.units) for r in rows] == [
        (first.pk, model.pk, [[0, 10, {"7": 0.125, "8": 0.75}], [20, 30, {"7": 0.5}]]),
        (second.pk, model.pk, [[0, 10, {"8": 0.25}]]),
    ]
