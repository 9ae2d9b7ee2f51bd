"""The agreement report and reconciliation on the demo project, in Chromium.

Screenshots go to $SCREENSHOT_DIR when it is set.
"""

import os

import pytest
from django.contrib.auth import get_user_model

from coding_site.celery import app
from interviews.models import AgreementRun, Coding, Decision, Job
from interviews.services.demo import DEMO_PASSWORD, OWNER, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def shoot(page, name, full_page=False):
    if os.environ.get("SCREENSHOT_DIR"):
        path = os.path.join(os.environ["SCREENSHOT_DIR"], name)
        page.screenshot(path=path, full_page=full_page, timeout=90_000)


@pytest.fixture
def run_jobs_eagerly():
    """Return a function after which jobs run in the web request that commits.

    The real worker is covered by tests/integration/test_agreement_job.py.
    """
    before = app.conf.task_always_eager

    def switch_on():
        app.conf.task_always_eager = True

    yield switch_on
    app.conf.task_always_eager = before


def test_demo_coders_get_a_report_disagreements_and_a_consensus_layer(
    live_server, page, login, run_jobs_eagerly
):
    project = load_demo().project
    run_jobs_eagerly()  # after the demo's own sentence jobs were queued
    owner = get_user_model().objects.get(username=OWNER)
    login(owner, DEMO_PASSWORD)

    page.goto(live_server.url + project.get_absolute_url())
    page.click("text=Agreement")
    coders = page.locator("fieldset:has(legend:text('Coders')) input:checked")
    assert coders.count() == 2  # demo_anna and demo_boris, who coded
    page.click("button:text('Compute report')")
    page.wait_for_selector("svg.heatmap", timeout=120_000)

    run = AgreementRun.objects.get(project=project)
    assert run.job.status == Job.Status.DONE
    kappa = run.results["overall"]["pooled"]["pairs"][0]["cohen_kappa"]
    matrix = page.locator("table.matrix td.num:not(.diag)").first
    assert matrix.inner_text() == f"{kappa:.3f}"
    assert page.locator("svg.heatmap g.cell").count() > 10
    assert "Agreement was assessed on" in page.inner_text("#methods")
    shoot(page, "agreement-report.png")
    page.locator("svg.heatmap").screenshot(
        path=os.path.join(os.environ["SCREENSHOT_DIR"], "agreement-heatmap.png")
    ) if os.environ.get("SCREENSHOT_DIR") else None

    page.click("text=Disagreements")
    page.wait_for_selector("article.disagreement")
    shoot(page, "disagreements.png", full_page=True)
    first = page.locator("article.disagreement").nth(0)
    first.locator("textarea[name=note]").fill("Anna's boundary follows the quote.")
    first.locator("button:text-matches('Accept demo_anna')").click()
    page.wait_for_selector("text=Decision recorded")

    second = page.locator("article.disagreement:not(.decided)").nth(0)
    second.locator("textarea[name=note]").fill("Both parts belong together.")
    second.locator("button[value=merge]").click()
    page.wait_for_selector("text=Decision recorded")
    assert page.locator("article.disagreement.decided").count() == 2
    shoot(page, "disagreements-decided.png")

    project.refresh_from_db()
    consensus = project.consensus_user
    decisions = list(Decision.objects.order_by("decided_at"))
    assert [d.action for d in decisions] == ["accept", "merge"]
    assert decisions[0].note == "Anna's boundary follows the quote."
    assert all(d.decided_by == owner for d in decisions)
    layer = Coding.objects.filter(coder=consensus)
    assert layer.count() >= 2

    page.click("a:text-is('Consensus layer')")
    page.wait_for_selector("table")
    body = page.inner_text("main")
    assert consensus.username in body
    for coding in layer:
        assert coding.text[:30].split("\n")[0] in body
    shoot(page, "consensus-segments.png")

    # Each disagreement links to its place in the transcript, where the
    # consensus layer is one more layer to show.
    page.go_back()
    link = page.locator("article.disagreement header a").first
    start = int(link.get_attribute("href").rpartition("at=")[2])
    link.click()
    page.wait_for_selector("#transcript[data-ready='1'], #transcript [data-start]")
    assert page.locator("label:has(input[data-coder]):text('Consensus')").count() == 1
    in_view = page.evaluate(
        """(at) => {
          const el = Array.from(document.querySelectorAll('#transcript .tx'))
            .find((b) => +b.dataset.start <= at && at < +b.dataset.end);
          const r = el.getBoundingClientRect();
          return r.top < window.innerHeight && r.bottom > 0;
        }""",
        start,
    )
    assert in_view
