"""The transcript's coding page: text blocks, compact codings, layers, panels."""

import json
import re

import pytest
from django.urls import reverse

from interviews.formats import Turn
from interviews.models import Code, Coding, Job, Memo
from interviews.services.codings import add_coding
from interviews.services.transcripts import create_transcript
from interviews.views.coding import text_blocks
from tests.conftest import DEMO_TEXT

XSS = "<script>alert(1)</script>"

# Session, user, transcript with the member's role, text, turns, codings,
# coders, codes, attributes, memos, latest job, open suggestions, sentence
# scores: one query each, however much is coded.
PAGE_QUERIES = 13


def code_span(user, transcript, code, phrase, memo=""):
    start = transcript_text(transcript).index(phrase)
    return add_coding(
        coder=user,
        transcript=transcript,
        code=code,
        start=start,
        end=start + len(phrase),
        memo=memo,
    )


def transcript_text(transcript):
    return type(transcript).objects.values_list("text", flat=True).get(pk=transcript.pk)


def page_data(response):
    match = re.search(
        r'<script id="coding-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(match.group(1))


def shown_text(html):
    """Rebuild the transcript from the page's blocks and gaps by offset."""
    pieces = re.findall(
        r'data-start="(\d+)" data-end="(\d+)"[^>]*>(.*?)</(?:div|span)>', html, re.S
    )
    out = []
    for start, end, inner in pieces:
        text = re.sub(r"</?b[^>]*>", "", inner)
        text = (
            text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", '"')
            .replace("&#x27;", "'")
            .replace("&amp;", "&")
        )
        assert len(text) == int(end) - int(start), (start, end, text)
        out.append((int(start), text))
    return "".join(text for _, text in sorted(out))


# --- Access ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "coder", "viewer"])
def test_members_see_the_transcript_text(request, client_for, transcript, who):
    response = client_for(request.getfixturevalue(who)).get(
        transcript.get_absolute_url()
    )
    assert response.status_code == 200
    assert shown_text(response.content.decode()) == DEMO_TEXT


def test_outsider_gets_404(client_for, outsider, transcript):
    response = client_for(outsider).get(transcript.get_absolute_url())
    assert response.status_code == 404
    assert "Информационная" not in response.content.decode()


def test_anonymous_is_sent_to_login(client, transcript):
    response = client.get(transcript.get_absolute_url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_transcript_of_another_project_is_404(client_for, owner, project, transcript):
    from interviews.services.projects import create_project

    other = create_project(owner=owner, name="Other")
    url = reverse("transcript_detail", args=[other.pk, transcript.pk])
    assert client_for(owner).get(url).status_code == 404


# --- Codings on the page -----------------------------------------------------


def test_codings_travel_as_one_compact_array(client_for, owner, codes, transcript):
    coding = code_span(owner, transcript, codes["financial"], "financial", memo="M")
    data = page_data(client_for(owner).get(transcript.get_absolute_url()))
    assert data["codings"] == [
        [coding.pk, codes["financial"].pk, owner.pk, coding.start, coding.end]
    ]
    assert data["codes"][str(codes["financial"].pk)] == [
        "Financial difficulties",
        "#ff7f0e",
        codes["barriers"].pk,
        "Barriers > Financial difficulties",
    ]
    assert data["coders"] == {str(owner.pk): owner.username}
    assert [row[0] for row in data["code_order"]] == [
        codes["barriers"].pk,
        codes["financial"].pk,
        codes["info"].pk,
    ]
    # Memos are loaded on click, not shipped with every coding.
    assert "memo" not in json.dumps(data)


def test_coder_sees_everyones_codings_when_blind_mode_is_off(
    client_for, owner, coder, codes, transcript
):
    code_span(owner, transcript, codes["info"], "regions lack money")
    code_span(coder, transcript, codes["info"], "joint projects")
    data = page_data(client_for(coder).get(transcript.get_absolute_url()))
    assert sorted(row[2] for row in data["codings"]) == sorted([owner.pk, coder.pk])
    assert data["blind"] is False


def test_blind_mode_hides_other_coders_codings_from_a_coder(
    client_for, owner, coder, project, codes, transcript
):
    project.blind_coding = True
    project.save()
    code_span(owner, transcript, codes["info"], "regions lack money")
    mine = code_span(coder, transcript, codes["info"], "joint projects")
    response = client_for(coder).get(transcript.get_absolute_url())
    data = page_data(response)
    assert [row[0] for row in data["codings"]] == [mine.pk]
    assert data["coders"] == {str(coder.pk): coder.username}
    assert data["blind"] is True
    assert "Blind mode is on" in response.content.decode()
    assert owner.username not in response.content.decode().split("<aside")[1]


def test_owner_sees_everyone_in_blind_mode(
    client_for, owner, coder, project, codes, transcript
):
    project.blind_coding = True
    project.save()
    code_span(owner, transcript, codes["info"], "regions lack money")
    code_span(coder, transcript, codes["info"], "joint projects")
    data = page_data(client_for(owner).get(transcript.get_absolute_url()))
    assert len(data["codings"]) == 2
    assert data["blind"] is False


def test_viewer_cannot_code(client_for, viewer, transcript):
    response = client_for(viewer).get(transcript.get_absolute_url())
    assert page_data(response)["can_code"] is False
    html = response.content.decode()
    assert "only owners and coders can code" in html
    assert 'name="text"' not in html  # no memo form either


def test_names_and_text_are_escaped(client_for, owner, project, transcript):
    code = Code.objects.create(project=project, name=XSS)
    code_span(owner, transcript, code, "financial")
    text = f"A: {XSS} & <b>bold</b>\nB: fine\n"
    b_at = text.index("B:")
    tricky = create_transcript(
        project=project,
        user=owner,
        title=XSS,
        text=text,
        turns=[Turn("A", 0, b_at - 1), Turn("B", b_at, len(text) - 1)],
        attributes={XSS: XSS},
    )
    for t in (transcript, tricky):
        html = client_for(owner).get(t.get_absolute_url()).content.decode()
        assert XSS not in html
        assert "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert shown_text(html) == text
    data = page_data(client_for(owner).get(transcript.get_absolute_url()))
    assert data["codes"][str(code.pk)][0] == XSS  # intact once parsed as JSON


# --- Side panels -------------------------------------------------------------


def test_attributes_memos_and_job_are_shown(client_for, owner, coder, transcript):
    Memo.objects.create(
        project=transcript.project,
        transcript=transcript,
        author=coder,
        text="Ask about visas",
    )
    html = client_for(owner).get(transcript.get_absolute_url()).content.decode()
    assert "<dt>country</dt><dd>Russian Federation</dd>" in html
    assert "Ask about visas" in html and coder.username in html
    job = Job.objects.get(transcript=transcript)
    poll = f'hx-get="{reverse("job_status", args=[transcript.project_id, job.pk])}"'
    assert poll in html  # the queued job polls its own status fragment


def test_a_finished_job_stops_polling(client_for, owner, transcript):
    Job.objects.filter(transcript=transcript).update(status=Job.Status.DONE)
    html = client_for(owner).get(transcript.get_absolute_url()).content.decode()
    assert "Done" in html
    assert "every 1s" not in html


# --- Size --------------------------------------------------------------------


def test_page_uses_the_same_number_of_queries_however_much_is_coded(
    client_for, owner, coder, codes, transcript, django_assert_num_queries
):
    client = client_for(owner)
    for phrase in ("financial", "joint projects", "transport"):
        code_span(owner, transcript, codes["info"], phrase)
    client.get(transcript.get_absolute_url())  # warm the session
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(transcript.get_absolute_url())
    assert len(page_data(response)["codings"]) == 3

    text = transcript_text(transcript)
    rows = [
        Coding(
            transcript=transcript,
            code=code,
            coder=user,
            start=start,
            end=start + 7,
            text=text[start : start + 7],
        )
        for start in range(0, 200)
        for code, user in ((codes["financial"], owner), (codes["barriers"], coder))
    ]
    Coding.objects.bulk_create(rows)
    Memo.objects.create(
        project=transcript.project, transcript=transcript, author=coder, text="x"
    )
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(transcript.get_absolute_url())
    assert len(page_data(response)["codings"]) == 403


# --- Blocks (pure) -----------------------------------------------------------


def tiles(text, blocks):
    assert [b["start"] for b in blocks] == sorted(b["start"] for b in blocks)
    pos = 0
    for b in blocks:
        assert b["start"] == pos
        pos = b["end"]
    assert pos == len(text)


def block_text(b):
    return b["text"] if b["gap"] else b["pre"] + b["label"] + b["post"]


def test_blocks_tile_the_text_with_turns_gaps_and_a_preamble():
    text = "Preamble\n\nA: one 🙂\n\nB (00:01): two\n"
    turns = [("A", 10, 17, None), ("B (00:01)", 19, 34, 61_000)]
    blocks = text_blocks(text, turns)
    tiles(text, blocks)
    assert "".join(block_text(b) for b in blocks) == text
    shown = [b for b in blocks if not b["gap"]]
    assert [block_text(b) for b in shown] == ["Preamble", "A: one 🙂", "B (00:01): two"]
    assert [b["label"] for b in shown] == ["", "A", "B (00:01)"]
    assert shown[2]["time"] == "1:01"


def test_a_speaker_missing_from_the_text_is_shown_outside_it():
    blocks = text_blocks("Hello there", [("Anna", 0, 11, None)])
    assert blocks[0]["speaker"] == "Anna"
    assert blocks[0]["label"] == ""
    assert block_text(blocks[0]) == "Hello there"


def test_long_text_without_turns_is_split_at_line_breaks():
    text = "\n".join(f"Line {n} " + "x" * 90 for n in range(200))
    blocks = text_blocks(text, [])
    tiles(text, blocks)
    shown = [b for b in blocks if not b["gap"]]
    assert len(shown) > 3
    assert all(b["end"] - b["start"] <= 3100 for b in shown)
    assert "".join(block_text(b) for b in blocks) == text


def test_an_empty_text_has_no_blocks():
    assert text_blocks("", []) == []
