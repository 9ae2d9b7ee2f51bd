"""The suggestions page's chart of weekly acceptance per code: shown to the
members who see suggestions, accessible (title, description, a table)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from interviews.models import Code, Suggestion

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"


@pytest.fixture
def decisions(transcript, codes, coder):
    now = timezone.now()
    rows = [
        (codes["financial"], Suggestion.Status.ACCEPTED),
        (codes["financial"], Suggestion.Status.ACCEPTED),
        (codes["financial"], Suggestion.Status.REJECTED),
        (codes["info"], Suggestion.Status.REJECTED),
        (codes["info"], Suggestion.Status.OPEN),
    ]
    for n, (code, status) in enumerate(rows):
        Suggestion.objects.create(
            transcript=transcript,
            code=code,
            start=n,
            end=n + 1,
            score=0.5,
            source=Suggestion.Source.RULE,
            status=status,
            decided_by=None if status == "open" else coder,
            decided_at=None if status == "open" else now,
        )


def page(client, project):
    return client.get(reverse("suggestion_page", args=[project.pk]))


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("coder", 200), ("viewer", 200), ("outsider", 404)],
)
def test_the_chart_by_role(request, client_for, project, decisions, who, status):
    response = page(client_for(request.getfixturevalue(who)), project)
    assert response.status_code == status
    if status != 200:
        assert "sg-trend" not in response.content.decode()
        return
    html = response.content.decode()
    panels = re.findall(r'<figure class="sg-trend">.*?</figure>', html, re.S)
    assert len(panels) == 2  # financial and info; barriers has no decision
    first = panels[0]
    assert "Financial difficulties" in first and "2 accepted, 1 rejected" in first
    assert 'role="img"' in first and "<title id=" in first and "<desc id=" in first
    assert "2 accepted and 1 rejected in 1 week of the 12 shown" in first
    assert "(67% accepted)" in first  # the week's hover text
    assert len(re.findall(r"<circle", first)) == 1
    # Information support: one week, all rejected: the dot sits at 0%.
    assert "weekly acceptance 0%" in panels[1]
    # The table fallback has the same numbers.
    table = html[html.index('<details class="sg-trend-table">') :]
    assert re.search(
        r"<td>Financial difficulties</td><td>[-\d]+</td>"
        r'<td class="num">2</td><td class="num">1</td>'
        r'<td class="num">0.67</td>',
        table,
    )


def test_blind_mode_keeps_the_chart_from_coders(client_for, project, decisions, coder):
    project.blind_coding = True
    project.save()
    assert page(client_for(coder), project).status_code == 403


def test_no_decisions_no_chart(client_for, project, owner, codes):
    html = page(client_for(owner), project).content.decode()
    assert "sg-trend" not in html


def test_code_names_are_escaped_in_the_chart(
    client_for, project, owner, transcript, decisions, codes
):
    Code.objects.filter(pk=codes["info"].pk).update(name=XSS)
    html = page(client_for(owner), project).content.decode()
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
