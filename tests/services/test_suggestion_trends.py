"""Acceptance and rejection per code and week, from decisions at known dates
(services/suggestions.py: decision_trends)."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from interviews.models import Suggestion
from interviews.services.suggestions import decision_trends

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture
def decide(transcript):
    counter = iter(range(1000))

    def make(code, status, when):
        n = next(counter)
        return Suggestion.objects.create(
            transcript=transcript,
            code=code,
            start=n,
            end=n + 1,
            score=0.5,
            source=Suggestion.Source.MODEL,
            status=status,
            decided_at=when,
        )

    return make


def at(day, hour=12, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_counts_and_rates_per_code_and_week(decide, project, codes):
    A, R = Suggestion.Status.ACCEPTED, Suggestion.Status.REJECTED
    fin, info = codes["financial"], codes["info"]
    decide(fin, A, at(10))  # week of Monday 9 November
    decide(fin, A, at(11))
    decide(fin, R, at(15, 23, 59))  # Sunday: still that week
    decide(fin, R, at(16, 0, 1))  # Monday 16: the next week
    decide(info, A, at(25))
    decide(info, Suggestion.Status.OPEN, None)
    decide(info, R, datetime(2026, 8, 3, tzinfo=UTC))  # before the 4 weeks
    decide(codes["barriers"], Suggestion.Status.OPEN, None)  # never decided

    trends = decision_trends(project, weeks=4, now=NOW)

    assert trends["weeks"] == [
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
    ]
    assert [c["name"] for c in trends["codes"]] == [
        "Financial difficulties",
        "Information support",
    ]
    fin_row, info_row = trends["codes"]
    assert [(p["accepted"], p["rejected"]) for p in fin_row["points"]] == [
        (0, 0),
        (2, 1),
        (0, 1),
        (0, 0),
    ]
    assert [p["rate"] for p in fin_row["points"]] == [None, 2 / 3, 0.0, None]
    assert (fin_row["accepted"], fin_row["rejected"]) == (2, 2)
    assert [p["rate"] for p in info_row["points"]] == [None, None, None, 1.0]
    assert (info_row["accepted"], info_row["rejected"]) == (1, 0)
    assert trends["max_decided"] == 3
    assert fin_row["colour"] == "#ff7f0e"
    assert len(fin_row["chart"]["dots"]) == 2
    assert fin_row["chart"]["summary"].startswith("2 accepted and 2 rejected")


def test_weeks_follow_the_sites_time_zone(decide, project, codes):
    # 23:30 UTC on Sunday 15 November is 02:30 on Monday 16 in Moscow.
    decide(codes["info"], Suggestion.Status.ACCEPTED, at(15, 23, 30))
    with timezone.override("Europe/Moscow"):
        moscow = decision_trends(project, weeks=2, now=NOW)
    utc = decision_trends(project, weeks=2, now=NOW)
    assert [p["accepted"] for p in moscow["codes"][0]["points"]] == [1, 0]
    assert moscow["weeks"] == [date(2026, 11, 16), date(2026, 11, 23)]
    assert utc["codes"] == []  # week of 9 November: before the two weeks


def test_no_decisions_no_codes(project, codes):
    trends = decision_trends(project, weeks=3, now=NOW)
    assert trends["codes"] == [] and trends["max_decided"] == 0
    assert len(trends["weeks"]) == 3
