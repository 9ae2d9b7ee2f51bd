"""Adjusting a suggestion's boundaries before accepting it, in Chromium: by
word with the keys and buttons, or with a selection; a live preview in the
popup and the text.

Screenshots go to $SCREENSHOT_DIR when it is set.
"""

import pytest

from interviews.models import Coding, Suggestion
from tests.browser.test_coding import PHRASE_BOX_JS, open_transcript, screenshot
from tests.browser.test_suggestions import FIRST, wait_until
from tests.conftest import DEMO_TEXT, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def suggestion(transcript, codes):
    start = DEMO_TEXT.index(FIRST)
    return Suggestion.objects.create(
        transcript=transcript,
        code=codes["financial"],
        start=start,
        end=start + len(FIRST),
        score=0.91,
        source=Suggestion.Source.MODEL,
    )


def open_suggestion(page, live_server, transcript):
    open_transcript(page, live_server, transcript)
    page.check("#sg-toggle")
    page.locator("#transcript .sg[data-score]").first.click()
    page.wait_for_selector("#sg-pop:not([hidden])")


def marked(page):
    return page.inner_text("#sg-pop .sg-quote mark")


def adjusted_in_text(page):
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('#transcript .sg-adj'))"
        ".map((el) => el.textContent).join('')"
    )


def test_keys_and_buttons_move_the_boundaries_by_a_word(
    live_server, login, coder, transcript, suggestion
):
    page = login(coder, PASSWORD)
    open_suggestion(page, live_server, transcript)
    assert marked(page) == FIRST
    assert page.locator("#sg-pop .sg-reset").is_hidden()

    page.keyboard.press("ArrowRight")  # end: the rest of "financial:"
    page.keyboard.press("ArrowRight")  # end: "regions"
    assert marked(page) == FIRST + ": regions"
    assert adjusted_in_text(page) == FIRST + ": regions"  # live in the text too
    page.keyboard.press("Shift+ArrowRight")  # start: drop "The"
    assert marked(page) == "main barrier is financial: regions"
    page.click("#sg-pop [data-step='end-earlier']")
    assert marked(page) == "main barrier is financial:"
    page.click("#sg-pop [data-step='start-earlier']")
    page.click("#sg-pop [data-step='start-earlier']")  # "...Federation):"
    assert marked(page) == "Federation): The main barrier is financial:"
    assert "regions lack" in page.inner_text("#sg-pop .sg-quote .ctx >> nth=1")
    assert "adjusted passage" in page.inner_text("#sg-pop .sg-adjusted")
    assert page.inner_text("#sg-pop .sg-accept").startswith("Accept adjusted")
    screenshot(page, "suggestion-adjusted.png")

    page.click("#sg-pop .sg-reset")
    assert marked(page) == FIRST
    assert adjusted_in_text(page) == ""
    # It never shrinks to nothing.
    for _ in range(8):
        page.keyboard.press("Shift+ArrowRight")
    assert marked(page) == "financial"
    page.keyboard.press("ArrowLeft")
    assert marked(page) == "financial"
    assert "cannot get any shorter" in page.inner_text("#coding-status")

    page.keyboard.press("ArrowRight")
    page.keyboard.press("a")  # the existing keys still work
    assert wait_until(lambda: Coding.objects.exists())
    coding = Coding.objects.get()
    assert (coding.text, coding.coder) == ("financial:", coder)
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.coding) == ("accepted", coding)
    page.wait_for_function("() => !document.querySelector('#transcript .sg-adj')")


def drag(page, phrase):
    box = page.evaluate(PHRASE_BOX_JS, phrase)
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=12)
    page.mouse.up()


def test_a_selection_over_the_suggestion_sets_its_boundaries(
    live_server, login, coder, transcript, suggestion
):
    page = login(coder, PASSWORD)
    open_suggestion(page, live_server, transcript)
    wanted = "barrier is financial: regions lack money"
    drag(page, wanted)
    page.wait_for_function(
        "(t) => document.querySelector('#sg-pop .sg-quote mark').textContent === t",
        arg=wanted,
    )
    assert page.locator("#picker").is_hidden()  # not a new coding
    assert page.inner_text("#sg-pop .sg-accept").startswith("Accept with my selection")
    assert "Your selection will be coded" in page.inner_text("#sg-pop")
    screenshot(page, "suggestion-selection.png")
    page.click("#sg-pop .sg-accept")
    assert wait_until(lambda: Coding.objects.exists())
    assert Coding.objects.get().text == wanted


def test_a_selection_elsewhere_opens_the_code_picker(
    live_server, login, coder, transcript, suggestion
):
    page = login(coder, PASSWORD)
    open_suggestion(page, live_server, transcript)
    drag(page, "transport corridors")
    page.wait_for_selector("#picker:not([hidden])")
    assert page.locator("#sg-pop").is_hidden()
    assert adjusted_in_text(page) == ""


def test_a_refused_accept_shows_the_servers_message(
    live_server, login, coder, owner, transcript, suggestion
):
    page = login(coder, PASSWORD)
    open_suggestion(page, live_server, transcript)
    page.keyboard.press("ArrowRight")
    # Someone else decides it meanwhile.
    Suggestion.objects.filter(pk=suggestion.pk).update(
        status=Suggestion.Status.REJECTED, decided_by=owner
    )
    page.keyboard.press("a")
    page.wait_for_function(
        "() => document.querySelector('#coding-alert').textContent.length > 0"
    )
    assert page.inner_text("#coding-alert") == "This suggestion was already rejected."
    assert not Coding.objects.exists()
