"""The coding page in real Chromium: select with the mouse, code, see, edit.

Screenshots go to $SCREENSHOT_DIR when it is set.
"""

import csv
import os

import pytest
from django.urls import reverse

from interviews.models import Coding, Memo
from interviews.services.codings import add_coding
from tests.conftest import DEMO_TEXT, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

ORANGE = "rgb(255, 127, 14)"  # Financial difficulties, #ff7f0e
BLUE = "rgb(31, 119, 180)"  # Information support, #1f77b4

# Where `phrase` is on screen: the centre of its first and last characters.
# It may run over several text nodes once codings have split the text.
PHRASE_BOX_JS = """
(phrase) => {
  for (const el of document.querySelectorAll('#transcript .tx')) {
    const nodes = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let text = '';
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      nodes.push([n, text.length]);
      text += n.data;
    }
    const at = text.indexOf(phrase);
    if (at < 0) continue;
    const locate = (i) => {
      for (let k = nodes.length - 1; k >= 0; k--) {
        if (nodes[k][1] <= i) return [nodes[k][0], i - nodes[k][1]];
      }
    };
    const box = (i) => {
      const r = document.createRange();
      const [node, off] = locate(i);
      r.setStart(node, off);
      r.setEnd(node, off + 1);
      return r.getBoundingClientRect();
    };
    const a = box(at);
    const b = box(at + phrase.length - 1);
    return {x1: a.left + 1, y1: a.top + a.height / 2,
            x2: b.right - 1, y2: b.top + b.height / 2};
  }
  return null;
}
"""

# The text of every painted piece whose marks include `colour`.
CODED_TEXT_JS = """
(colour) => Array.from(document.querySelectorAll('#transcript .cd'))
  .filter((s) => getComputedStyle(s).backgroundImage.includes(colour))
  .map((s) => s.textContent).join('')
"""


def drag_select(page, phrase):
    box = page.evaluate(PHRASE_BOX_JS, phrase)
    assert box, f"{phrase!r} is not on the page"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=12)
    page.mouse.up()
    page.wait_for_selector("#picker:not([hidden])")


def click_phrase(page, phrase):
    box = page.evaluate(PHRASE_BOX_JS, phrase)
    page.mouse.click((box["x1"] + box["x2"]) / 2, box["y1"])


def coded_text(page, colour):
    return page.evaluate(CODED_TEXT_JS, colour)


def screenshot(page, name, selector=None):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder and selector:
        page.locator(selector).screenshot(path=os.path.join(folder, name))
    elif folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def open_transcript(page, live_server, transcript):
    page.goto(live_server.url + transcript.get_absolute_url())
    page.wait_for_selector("#coding[data-ready='1']")


def test_owner_codes_a_phrase_after_cyrillic_and_emoji_with_the_mouse(
    live_server, login, owner, codes, transcript
):
    phrase = "transport corridors"
    start = DEMO_TEXT.index(phrase)  # code points: the emoji counts once
    assert DEMO_TEXT.index("🙂") < start
    page = login(owner, PASSWORD)
    open_transcript(page, live_server, transcript)

    drag_select(page, phrase)
    page.keyboard.type("Financial")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(c) => document.querySelectorAll('#transcript .cd').length > 0", arg=ORANGE
    )

    assert coded_text(page, ORANGE) == phrase
    coding = Coding.objects.get()
    assert (coding.code, coding.coder) == (codes["financial"], owner)
    assert (coding.start, coding.end, coding.text) == (
        start,
        start + len(phrase),
        phrase,
    )
    page.reload()
    page.wait_for_selector("#coding[data-ready='1']")
    assert coded_text(page, ORANGE) == phrase

    # The coding is in the coded-segments table, filtered by its parent code,
    # and its row links back to the place in the transcript.
    page.goto(
        live_server.url
        + reverse("segment_list", args=[transcript.project_id])
        + f"?code={codes['barriers'].pk}"
    )
    row = page.locator("table tbody tr", has_text=phrase)
    assert row.count() == 1
    assert "Barriers/Financial difficulties" in row.inner_text()
    assert f"#c{coding.pk}" in row.locator("a").first.get_attribute("href")

    # And in the CSV export, downloaded through the page's own link, with the
    # exact text and code-point offsets.
    with page.expect_download() as download:
        page.click("a[href*='export.csv']")
    with open(download.value.path(), encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [
        (r["code_path"], r["start"], r["end"], r["text"], r["coder"]) for r in rows
    ] == [
        (
            "Barriers/Financial difficulties",
            str(start),
            str(start + len(phrase)),
            phrase,
            owner.username,
        )
    ]


def test_overlapping_codings_show_two_marks_and_memo_and_remove_work(
    live_server, login, owner, codes, transcript
):
    page = login(owner, PASSWORD)
    open_transcript(page, live_server, transcript)
    drag_select(page, "transport corridors")
    page.keyboard.type("financ")
    page.keyboard.press("Enter")
    page.wait_for_selector("#transcript .cd")

    drag_select(page, "corridors are missing")
    page.click("#picker-list li:has-text('Information support')")
    page.wait_for_function("() => document.querySelector('#picker').hidden")

    assert Coding.objects.count() == 2
    assert coded_text(page, ORANGE) == "transport corridors"
    assert coded_text(page, BLUE) == "corridors are missing"
    both = page.evaluate(
        """([a, b]) => Array.from(document.querySelectorAll('#transcript .cd'))
        .filter((s) => { const bg = getComputedStyle(s).backgroundImage;
                         return bg.includes(a) && bg.includes(b); })
        .map((s) => s.textContent).join('')""",
        [ORANGE, BLUE],
    )
    assert both == "corridors"
    screenshot(page, "coding-overlap.png")
    screenshot(page, "coding-overlap-turn.png", "#transcript .turn >> nth=2")

    # Clicking a piece coded once lists that coding with a memo editor.
    click_phrase(page, "transport")
    page.wait_for_selector("#coding-pop:not([hidden]) textarea")
    assert "Financial difficulties" in page.inner_text("#coding-pop")
    page.fill("#coding-pop textarea", "Money is the first barrier")
    page.click("#coding-pop button:has-text('Save memo')")
    page.wait_for_selector("#coding-pop :text('Saved.')")
    financial = Coding.objects.get(code=codes["financial"])
    assert financial.memo == "Money is the first barrier"
    screenshot(page, "coding-popover.png")

    page.click("#coding-pop button:has-text('Remove coding')")
    page.wait_for_function("() => document.querySelector('#coding-pop').hidden")
    assert list(Coding.objects.values_list("code", flat=True)) == [codes["info"].pk]
    assert coded_text(page, ORANGE) == ""
    assert coded_text(page, BLUE) == "corridors are missing"


def test_number_key_applies_a_recent_code_and_errors_are_shown(
    live_server, login, owner, codes, transcript
):
    page = login(owner, PASSWORD)
    open_transcript(page, live_server, transcript)
    drag_select(page, "regions lack money")
    page.keyboard.type("information")
    page.keyboard.press("Enter")
    page.wait_for_selector("#transcript .cd")

    drag_select(page, "joint projects")
    assert "Information support" in page.inner_text(".picker-recent")
    page.keyboard.press("1")
    page.wait_for_function("() => document.querySelector('#picker').hidden")
    assert set(Coding.objects.values_list("text", "code")) == {
        ("regions lack money", codes["info"].pk),
        ("joint projects", codes["info"].pk),
    }

    # The same text with the same code again: the API refuses, the page says why.
    drag_select(page, "joint projects")
    page.keyboard.press("1")
    page.wait_for_selector("#coding-alert:has-text('already coded')")
    assert Coding.objects.count() == 2


def test_blind_mode_shows_a_coder_only_their_own_codings(
    live_server, login, owner, coder, project, codes, transcript
):
    project.blind_coding = True
    project.save()
    for user, phrase, code in [
        (owner, "regions lack money", codes["financial"]),
        (coder, "transport corridors", codes["info"]),
    ]:
        start = DEMO_TEXT.index(phrase)
        add_coding(
            coder=user,
            transcript=transcript,
            code=code,
            start=start,
            end=start + len(phrase),
        )
    page = login(coder, PASSWORD)
    open_transcript(page, live_server, transcript)

    shipped = page.evaluate(
        "() => JSON.parse(document.getElementById('coding-data').textContent).codings"
    )
    assert [row[2] for row in shipped] == [coder.pk]
    assert coded_text(page, BLUE) == "transport corridors"
    assert coded_text(page, ORANGE) == ""
    assert "Blind mode is on" in page.inner_text(".coding-side")
    assert page.is_disabled("input[name=layer][value=all]")
    screenshot(page, "coding-blind.png")


def test_viewer_sees_codings_but_gets_no_picker(
    live_server, login, owner, viewer, codes, transcript
):
    phrase = "transport corridors"
    start = DEMO_TEXT.index(phrase)
    add_coding(
        coder=owner,
        transcript=transcript,
        code=codes["info"],
        start=start,
        end=start + len(phrase),
        memo="Logistics",
    )
    page = login(viewer, PASSWORD)
    open_transcript(page, live_server, transcript)
    assert coded_text(page, BLUE) == phrase

    box = page.evaluate(PHRASE_BOX_JS, "regions lack money")
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()
    page.wait_for_timeout(300)
    assert page.is_hidden("#picker")

    click_phrase(page, "corridors")
    page.wait_for_selector("#coding-pop:not([hidden]) :text('Logistics')")
    assert page.locator("#coding-pop textarea").count() == 0
    assert Coding.objects.count() == 1


def test_transcript_memo_is_added_through_the_panel(
    live_server, login, owner, transcript
):
    page = login(owner, PASSWORD)
    open_transcript(page, live_server, transcript)
    page.fill("#memo-new", "Compare with the Kazakh interviews")
    page.click("#memos button:has-text('Add memo')")
    page.wait_for_selector("#memos :text('Compare with the Kazakh interviews')")
    memo = Memo.objects.get()
    assert (memo.transcript, memo.author) == (transcript, owner)


def test_shift_enter_marks_several_codes_and_enter_applies_them(
    live_server, login, coder, codes, transcript
):
    phrase = "Информационная поддержка слабая"
    start = DEMO_TEXT.index(phrase)
    page = login(coder, PASSWORD)
    open_transcript(page, live_server, transcript)
    drag_select(page, phrase)
    page.keyboard.type("barr")
    page.keyboard.press("Shift+Enter")  # marks "Barriers"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Shift+Enter")  # marks "Financial difficulties"
    assert page.inner_text(".picker-apply") == "Apply 2 codes"
    screenshot(page, "coding-picker.png")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#picker').hidden")
    rows = set(Coding.objects.values_list("code", "coder", "start", "end", "text"))
    assert rows == {
        (code.pk, coder.pk, start, start + len(phrase), phrase)
        for code in (codes["barriers"], codes["financial"])
    }
    assert coded_text(page, ORANGE) == phrase


def test_a_selection_across_turns_codes_the_text_between_them(
    live_server, login, owner, codes, transcript
):
    page = login(owner, PASSWORD)
    open_transcript(page, live_server, transcript)
    first = page.evaluate(PHRASE_BOX_JS, "joint projects")
    last = page.evaluate(PHRASE_BOX_JS, "Информационная")
    page.mouse.move(first["x1"], first["y1"])
    page.mouse.down()
    page.mouse.move(last["x2"], last["y2"], steps=15)
    page.mouse.up()
    page.wait_for_selector("#picker:not([hidden])")
    page.keyboard.type("information")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#picker').hidden")

    start = DEMO_TEXT.index("joint projects")
    end = DEMO_TEXT.index("Информационная") + len("Информационная")
    coding = Coding.objects.get()
    assert (coding.start, coding.end) == (start, end)
    assert coding.text == DEMO_TEXT[start:end]
    assert "\nExpert 2" in coding.text
    # Painted in both turns, the speaker label included, the line break not.
    assert coded_text(page, BLUE) == DEMO_TEXT[start:end].replace("\n", "")
