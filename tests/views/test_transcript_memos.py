"""Memos on a transcript: the panel on the coding page, add, edit, delete.

The forms post with htmx (answer: the panel fragment) and work without
JavaScript (answer: a redirect back to the page with a message).
"""

import pytest
from django.urls import reverse

from interviews.models import Memo
from interviews.services.memos import add_memo
from interviews.services.transcripts import create_transcript

XSS = "<script>alert(1)</script>"
HTMX = {"HTTP_HX_REQUEST": "true"}


def add_url(transcript):
    return reverse("transcript_memo_add", args=[transcript.project_id, transcript.pk])


def edit_url(memo, transcript=None):
    t = transcript or memo.transcript
    return reverse("transcript_memo_edit", args=[t.project_id, t.pk, memo.pk])


def delete_url(memo, transcript=None):
    t = transcript or memo.transcript
    return reverse("transcript_memo_delete", args=[t.project_id, t.pk, memo.pk])


def memo_by(user, transcript, text="First thoughts"):
    return add_memo(
        project=transcript.project, author=user, transcript=transcript, text=text
    )


# --- Add ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "coder"])
def test_members_who_code_add_a_memo(request, client_for, transcript, who):
    user = request.getfixturevalue(who)
    response = client_for(user).post(add_url(transcript), {"text": " Visa issues \r\n"})
    assert response.status_code == 302
    assert response.url == transcript.get_absolute_url() + "#memos"
    memo = Memo.objects.get()
    assert (memo.text, memo.author, memo.transcript, memo.project) == (
        "Visa issues",
        user,
        transcript,
        transcript.project,
    )


def test_htmx_gets_the_panel_back(client_for, owner, transcript):
    response = client_for(owner).post(
        add_url(transcript), {"text": "Line one\nTwo"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="memos"')
    assert "Line one<br>Two" in html
    assert Memo.objects.count() == 1


def test_an_empty_memo_is_refused_with_a_message(client_for, owner, transcript):
    client = client_for(owner)
    response = client.post(add_url(transcript), {"text": "   "}, **HTMX)
    assert response.status_code == 200
    assert "A memo needs some text." in response.content.decode()
    response = client.post(add_url(transcript), {}, follow=True)
    assert "A memo needs some text." in response.content.decode()
    assert not Memo.objects.exists()


def test_viewer_cannot_add_a_memo(client_for, viewer, transcript):
    response = client_for(viewer).post(add_url(transcript), {"text": "Mine"})
    assert response.status_code == 403
    assert not Memo.objects.exists()


def test_outsider_gets_404(client_for, outsider, transcript):
    response = client_for(outsider).post(add_url(transcript), {"text": "Mine"})
    assert response.status_code == 404
    assert not Memo.objects.exists()


def test_anonymous_is_sent_to_login(client, transcript):
    response = client.post(add_url(transcript), {"text": "Mine"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Memo.objects.exists()


def test_only_post_is_accepted(client_for, owner, transcript):
    assert client_for(owner).get(add_url(transcript)).status_code == 405


# --- Edit and delete ---------------------------------------------------------


def test_author_edits_their_memo(client_for, coder, transcript):
    memo = memo_by(coder, transcript)
    response = client_for(coder).post(
        edit_url(memo), {"text": "Second thoughts"}, **HTMX
    )
    assert response.status_code == 200
    assert "Second thoughts" in response.content.decode()
    memo.refresh_from_db()
    assert memo.text == "Second thoughts"


def test_editing_to_nothing_keeps_the_memo(client_for, coder, transcript):
    memo = memo_by(coder, transcript)
    response = client_for(coder).post(edit_url(memo), {"text": ""}, **HTMX)
    assert "A memo needs some text." in response.content.decode()
    memo.refresh_from_db()
    assert memo.text == "First thoughts"


@pytest.mark.parametrize(
    "who, status", [("owner", 403), ("viewer", 403), ("outsider", 404)]
)
def test_others_cannot_edit_or_delete_a_memo(
    request, client_for, coder, transcript, who, status
):
    memo = memo_by(coder, transcript)
    client = client_for(request.getfixturevalue(who))
    assert client.post(edit_url(memo), {"text": "Taken over"}).status_code == status
    assert client.post(delete_url(memo)).status_code == status
    memo.refresh_from_db()
    assert memo.text == "First thoughts"


def test_anonymous_cannot_edit_or_delete(client, coder, transcript):
    memo = memo_by(coder, transcript)
    assert client.post(edit_url(memo), {"text": "x"}).status_code == 302
    assert client.post(delete_url(memo)).status_code == 302
    memo.refresh_from_db()
    assert memo.text == "First thoughts"


def test_author_deletes_their_memo(client_for, coder, transcript):
    memo = memo_by(coder, transcript)
    response = client_for(coder).post(delete_url(memo))
    assert response.status_code == 302
    assert not Memo.objects.exists()


def test_a_memo_through_another_transcripts_url_is_404(
    client_for, owner, project, transcript
):
    memo = memo_by(owner, transcript)
    other = create_transcript(
        project=project, user=owner, title="Other", text="B: x", turns=[], attributes={}
    )
    client = client_for(owner)
    assert client.post(edit_url(memo, other), {"text": "Moved"}).status_code == 404
    assert client.post(delete_url(memo, other)).status_code == 404
    memo.refresh_from_db()
    assert (memo.text, memo.transcript) == ("First thoughts", transcript)


# --- On the page -------------------------------------------------------------


def test_page_lists_memos_with_controls_only_on_my_own(
    client_for, owner, coder, transcript
):
    mine = memo_by(coder, transcript, "Mine")
    theirs = memo_by(owner, transcript, "Theirs")
    html = client_for(coder).get(transcript.get_absolute_url()).content.decode()
    assert "Mine" in html and "Theirs" in html
    assert edit_url(mine) in html and delete_url(mine) in html
    assert edit_url(theirs) not in html and delete_url(theirs) not in html


def test_memo_text_is_escaped(client_for, owner, transcript):
    memo_by(owner, transcript, XSS)
    html = client_for(owner).get(transcript.get_absolute_url()).content.decode()
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_blind_mode_hides_other_members_transcript_memos(
    client_for, project, owner, coder, transcript, codes
):
    mine = memo_by(coder, transcript, "coder's note")
    theirs = memo_by(owner, transcript, "owner's note on how I coded this")
    code_memo = Memo.objects.create(
        project=project, code=codes["info"], author=owner, text="definition note"
    )
    project.blind_coding = True
    project.save()

    page = client_for(coder).get(transcript.get_absolute_url())
    assert [m.pk for m in page.context["memos"]] == [mine.pk]
    assert "owner&#x27;s note" not in page.content.decode()
    # Not editable, and not even known, through its URL.
    response = client_for(coder).post(edit_url(theirs, transcript), {"text": "changed"})
    assert response.status_code == 404
    assert Memo.objects.get(pk=theirs.pk).text == "owner's note on how I coded this"
    # The memo export leaves it out too, but keeps code memos.
    export = client_for(coder).get(reverse("memos_export", args=[project.pk, "csv"]))
    body = export.content.decode("utf-8-sig")
    assert "coder's note" in body and "definition note" in body
    assert "owner's note" not in body
    assert code_memo.pk

    owner_page = client_for(owner).get(transcript.get_absolute_url())
    assert {m.pk for m in owner_page.context["memos"]} == {mine.pk, theirs.pk}
