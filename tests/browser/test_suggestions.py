"""Suggestions on the coding page in real Chromium: shown, accepted, rejected.

Screenshots go to $SCREENSHOT_DIR when it is set.
"""

import time

import pytest

from interviews.models import Coding, Suggestion, SuggestionModel, UnitScores
from tests.browser.test_coding import drag_select, open_transcript, screenshot
from tests.conftest import DEMO_TEXT, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

FIRST = "The main barrier is financial"
SECOND = "transport corridors are missing"


def wait_until(check, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def suggestions(transcript, codes):
    rows = []
    for phrase, code, score in ((FIRST, "financial", 0.91), (SECOND, "info", 0.64)):
        start = DEMO_TEXT.index(phrase)
        rows.append(
            Suggestion.objects.create(
                transcript=transcript,
                code=codes[code],
                start=start,
                end=start + len(phrase),
                score=score,
                source=Suggestion.Source.MODEL,
            )
        )
    return rows


def test_coder_sees_accepts_and_rejects_suggestions(
    live_server, login, coder, transcript, suggestions
):
    page = login(coder, PASSWORD)
    open_transcript(page, live_server, transcript)
    assert page.locator("#transcript .sg").count() == 0  # a layer, off by default

    page.check("#sg-toggle")
    first = page.locator("#transcript .sg[data-score]").first
    first.wait_for()
    assert first.get_attribute("data-score") == "0.91"
    style = first.evaluate(
        "(el) => { const s = getComputedStyle(el);"
        " return [s.outlineStyle, s.outlineColor]; }"
    )
    assert style == ["dashed", "rgb(255, 127, 14)"]  # Financial difficulties
    shown = page.evaluate(
        "() => Array.from(document.querySelectorAll('#transcript .sg'))"
        ".map((el) => el.textContent).join('|')"
    )
    assert shown == f"{FIRST}|{SECOND}"
    screenshot(page, "suggestions-layer.png", "#coding")

    first.click()
    page.wait_for_selector("#sg-pop:not([hidden])")
    assert "Financial difficulties" in page.inner_text("#sg-pop")
    assert FIRST in page.inner_text("#sg-pop .sg-quote")
    screenshot(page, "suggestions-popup.png")
    page.keyboard.press("a")

    assert wait_until(lambda: Coding.objects.filter(coder=coder).exists())
    coding = Coding.objects.get()
    assert (coding.text, coding.code_id) == (FIRST, suggestions[0].code_id)
    suggestions[0].refresh_from_db()
    assert suggestions[0].status == Suggestion.Status.ACCEPTED
    # The accepted passage is now a coding, and the next suggestion is current.
    page.wait_for_function(
        "() => document.querySelectorAll('#transcript .sg').length === 1"
    )
    assert FIRST in page.evaluate(
        "() => Array.from(document.querySelectorAll('#transcript .cd'))"
        ".map((el) => el.textContent).join('')"
    )
    page.wait_for_selector("#transcript .sg.sg-current")

    page.keyboard.press("r")
    assert wait_until(
        lambda: Suggestion.objects.filter(
            pk=suggestions[1].pk, status=Suggestion.Status.REJECTED
        ).exists()
    )
    page.wait_for_function("() => !document.querySelector('#transcript .sg')")
    assert page.inner_text("#sg-count") == "0"
    assert Coding.objects.count() == 1
    suggestions[1].refresh_from_db()
    assert suggestions[1].decided_by == coder


def test_the_code_picker_lists_the_likeliest_codes_first(
    live_server, login, coder, project, transcript, codes
):
    model = SuggestionModel.objects.create(project=project, version=1, layer="all")
    sentence = (
        "Информационная поддержка слабая 🙂, and transport corridors are missing."
    )
    start = DEMO_TEXT.index(sentence)
    scores = {str(codes["info"].pk): 0.83, str(codes["financial"].pk): 0.31}
    UnitScores.objects.create(
        transcript=transcript,
        model=model,
        units=[[start, start + len(sentence), scores]],
    )
    page = login(coder, PASSWORD)
    open_transcript(page, live_server, transcript)

    drag_select(page, "transport corridors")
    options = page.locator("#picker-list .picker-option")
    assert options.nth(0).inner_text().split() == ["Information", "support", "0.83"]
    assert "Barriers > Financial difficulties" in options.nth(1).inner_text()
    assert "ranked" not in (options.nth(2).get_attribute("class") or "")
    screenshot(page, "ranked-picker.png", "#picker")
    page.keyboard.press("Enter")  # the likeliest code is one key away

    assert wait_until(lambda: Coding.objects.exists())
    coding = Coding.objects.get()
    assert (coding.code, coding.text) == (codes["info"], "transport corridors")
