"""The weekly acceptance chart per code on the suggestions page, in Chromium.

Screenshots go to $SCREENSHOT_DIR when it is set.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from interviews.models import Suggestion
from tests.browser.test_coding import screenshot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_the_chart_draws_each_codes_weekly_acceptance(
    live_server, login, owner, project, transcript, codes
):
    now = timezone.now()
    A, R = Suggestion.Status.ACCEPTED, Suggestion.Status.REJECTED
    decisions = [
        # Financial: all accepted three weeks ago, all rejected this week.
        (codes["financial"], A, 3),
        (codes["financial"], A, 3),
        (codes["financial"], R, 0),
        # Information support: half and half two weeks ago.
        (codes["info"], A, 2),
        (codes["info"], R, 2),
    ]
    for n, (code, status, weeks_ago) in enumerate(decisions):
        Suggestion.objects.create(
            transcript=transcript,
            code=code,
            start=n,
            end=n + 1,
            score=0.5,
            source=Suggestion.Source.RULE,
            status=status,
            decided_by=owner,
            decided_at=now - timedelta(weeks=weeks_ago),
        )
    page = login(owner, PASSWORD)
    page.goto(live_server.url + f"/projects/{project.pk}/suggestions/")
    panels = page.locator("figure.sg-trend")
    assert panels.count() == 2
    financial = panels.nth(0)
    assert "Financial difficulties" in financial.locator("figcaption").inner_text()
    dots = financial.locator("circle.rate")
    assert dots.count() == 2
    early, late = (dots.nth(i).bounding_box() for i in range(2))
    assert early["x"] < late["x"]  # later weeks to the right
    assert early["y"] < late["y"]  # 100% above 0%
    # Two decided weeks with empty weeks between them: no line joins them.
    assert financial.locator("polyline").count() == 0
    # The bars share one scale: 2 decisions are twice as tall as 1.
    bars = [b.bounding_box()["height"] for b in financial.locator("rect.bar").all()]
    assert bars[0] == pytest.approx(2 * bars[1], abs=0.6)
    info_dot = panels.nth(1).locator("circle.rate").bounding_box()
    assert early["y"] < info_dot["y"] < late["y"]  # 50% in between
    # Accessible name and description, and hover text on each dot.
    svg = financial.locator("svg")
    names = svg.evaluate(
        "(el) => el.getAttribute('aria-labelledby').split(' ')"
        ".map((id) => document.getElementById(id).textContent)"
    )
    assert names[0].startswith("Weekly acceptance rate of suggestions of")
    assert names[1].startswith("2 accepted and 1 rejected in 2 weeks")
    assert "(100% accepted)" in dots.nth(0).locator("title").text_content()
    screenshot(page, "suggestion-trends.png", ".sg-trends")
    # The table fallback opens.
    page.click("details.sg-trend-table summary")
    rows = page.locator("details.sg-trend-table tbody tr")
    assert rows.count() == 3
