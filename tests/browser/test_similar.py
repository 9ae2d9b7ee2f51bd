"""“More like this” in real Chromium: from a coding's popup to the sentences
found by a real worker (the page follows the job and shows them), then
“Code it”. The worker ranks with whichever method this installation has.

Screenshots go to $SCREENSHOT_DIR when it is set.
"""

import pytest

from interviews.models import Coding, Job, SimilarSearch
from interviews.services.codings import add_coding
from interviews.services.transcripts import create_transcript
from interviews.suggest import similar
from interviews.text.speakers import detect_turns
from tests.browser.test_coding import click_phrase, open_transcript, screenshot
from tests.browser.test_suggestions import wait_until
from tests.conftest import PASSWORD
from tests.services.test_similar import QUERY, SECOND_TEXT, add_sentences

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]
BEST = "Regions lack money for joint projects, again and again."
MONEY = [
    BEST,
    "Money is scarce for joint projects across the regions.",
    "Joint projects need money from both regions.",
]


def without_speaker(text):
    # The worker's sentence jobs may replace the hand-made sentences with
    # their own, which start with the speaker's label.
    return text.split(": ", 1)[-1]


def test_more_like_this_lists_similar_sentences_and_codes_one(
    celery_worker, live_server, login, coder, owner, project, transcript, codes
):
    second = create_transcript(
        project=project,
        user=owner,
        title="Second round",
        text=SECOND_TEXT,
        turns=detect_turns(SECOND_TEXT),
        attributes={},
    )
    add_sentences(transcript)
    add_sentences(second)
    start = transcript.text.index(QUERY)
    add_coding(
        coder=coder,
        transcript=transcript,
        code=codes["financial"],
        start=start,
        end=start + len(QUERY),
    )
    page = login(coder, PASSWORD)
    open_transcript(page, live_server, transcript)

    click_phrase(page, "main barrier")
    page.wait_for_selector("#coding-pop:not([hidden])")
    screenshot(page, "more-like-this-popup.png", "#coding-pop")
    page.click("#coding-pop button:text('More like this')")
    page.wait_for_url("**/similar/*/")
    search = SimilarSearch.objects.get()
    # The page polls the job and reloads itself with the results.
    page.wait_for_selector("table.similar-results", timeout=90_000)
    assert Job.objects.get(pk=search.job_id).status == Job.Status.DONE
    method = similar.choose_method().label
    assert f"Similarity: {method}" in page.inner_text("#similar-method")
    rows = page.locator("table.similar-results tbody tr")
    top = [
        without_speaker(rows.nth(i).locator("td").nth(1).inner_text()) for i in range(3)
    ]
    assert set(top) == set(MONEY)
    row = rows.nth(top.index(BEST))
    cells = row.locator("td")
    assert cells.nth(2).inner_text() == "Second round"
    assert cells.nth(3).inner_text() == "Boris"
    assert float(cells.nth(4).inner_text()) > 0
    screenshot(page, "more-like-this-results.png")

    row.locator("button:text('Code it')").click()
    page.wait_for_selector(f"tr#r{top.index(BEST)}.coded")
    assert "Coded with “Financial difficulties”" in page.inner_text("body")
    coding = Coding.objects.get(transcript=second)
    assert (without_speaker(coding.text), coding.coder, coding.code) == (
        BEST,
        coder,
        codes["financial"],
    )

    # The transcript link leads to the place in the transcript.
    page.locator(f"tr#r{top.index(BEST)} a").click()
    page.wait_for_selector("#coding[data-ready='1']")
    assert f"at={coding.start}" in page.url
    assert wait_until(
        lambda: page.evaluate(
            "(t) => { const r = Array.from(document.querySelectorAll('.tx'))"
            ".find((el) => el.textContent.includes(t)).getBoundingClientRect();"
            " return r.top >= 0 && r.bottom <= innerHeight; }",
            BEST,
        )
    )
