"""Codebook report, coded transcript and memo exports through their URLs."""

import csv
import io

import docx
import pytest
from django.urls import reverse

from interviews.models import Project
from interviews.services.codings import add_coding
from interviews.services.memos import add_memo
from tests.conftest import DEMO_TEXT

EVIL = "<script>alert(1)</script>"
PART = "The main barrier is financial"


@pytest.fixture
def sample(project, transcript, codes, owner, coder):
    codes["info"].name = EVIL
    codes["info"].save()
    start = DEMO_TEXT.index(PART)
    add_coding(coder=owner, transcript=transcript, code=codes["financial"],
               start=start, end=start + len(PART), memo="owner memo")  # fmt: skip
    add_coding(coder=coder, transcript=transcript, code=codes["info"],
               start=0, end=11, memo=f"coder memo {EVIL}")  # fmt: skip
    add_memo(project=project, author=owner, transcript=transcript, text="T memo")
    add_memo(project=project, author=coder, code=codes["barriers"], text="C memo")
    return transcript


def report_url(project, fmt):
    return reverse("codebook_report", args=[project.pk, fmt])


def transcript_url(project, transcript, fmt):
    return reverse("transcript_export", args=[project.pk, transcript.pk, fmt])


def memos_url(project, fmt):
    return reverse("memos_export", args=[project.pk, fmt])


def _word(response) -> docx.document.Document:
    return docx.Document(io.BytesIO(response.content))


# -- codebook report --------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "coder", "viewer"])
def test_members_download_the_codebook_report(
    client_for, project, sample, who, request
):
    client = client_for(request.getfixturevalue(who))

    markdown = client.get(report_url(project, "md"))
    word = client.get(report_url(project, "docx"))

    assert markdown.status_code == word.status_code == 200
    assert markdown["Content-Type"] == "text/markdown; charset=utf-8"
    assert markdown["Content-Disposition"] == (
        'attachment; filename="eurasian-cooperation-codebook.md"'
    )
    text = markdown.content.decode()
    assert "## Barriers" in text and PART in text
    assert "\\<script\\>" in text and EVIL not in text
    headings = [
        p.text for p in _word(word).paragraphs if p.style.name.startswith("Head")
    ]
    # Codebook order (position, then name): "<" sorts before "B".
    assert headings == [
        "Codebook: Eurasian cooperation",
        EVIL,
        "Barriers",
        "Financial difficulties",
    ]


def test_in_blind_mode_a_coders_report_counts_only_their_codings(
    client_for, project, sample, coder
):
    Project.objects.filter(pk=project.pk).update(blind_coding=True)

    text = client_for(coder).get(report_url(project, "md")).content.decode()

    assert "Blind coding is on" in text
    assert PART not in text
    assert "| Barriers / Financial difficulties | 0 | 0 | 0 |" in text


@pytest.mark.parametrize(
    "url",
    [
        lambda p, t: report_url(p, "md"),
        lambda p, t: transcript_url(p, t, "html"),
        lambda p, t: memos_url(p, "csv"),
    ],
    ids=["report", "transcript", "memos"],
)
def test_outsiders_get_404_and_anonymous_users_the_login(
    client, client_for, project, sample, outsider, url
):
    target = url(project, sample)

    anonymous = client.get(target)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("login"))
    assert client_for(outsider).get(target).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        lambda p, t: report_url(p, "pdf"),
        lambda p, t: transcript_url(p, t, "md"),
        lambda p, t: memos_url(p, "xlsx"),
    ],
)
def test_unknown_formats_are_404(client_for, project, sample, owner, url):
    assert client_for(owner).get(url(project, sample)).status_code == 404


def test_a_transcript_of_another_project_is_404(client_for, project, sample, owner):
    from interviews.services.projects import create_project

    other = create_project(owner=owner, name="Other")
    url = reverse("transcript_export", args=[other.pk, sample.pk, "html"])

    assert client_for(owner).get(url).status_code == 404


# -- coded transcript -------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "coder", "viewer"])
def test_members_download_a_coded_transcript(client_for, project, sample, who, request):
    client = client_for(request.getfixturevalue(who))

    page = client.get(transcript_url(project, sample, "html"))
    word = client.get(transcript_url(project, sample, "docx"))

    assert page.status_code == word.status_code == 200
    assert page["Content-Type"] == "text/html; charset=utf-8"
    assert page["Content-Disposition"].startswith("attachment;")
    html = page.content.decode()
    assert EVIL not in html and "&lt;script&gt;" in html
    assert "1 · Information support" not in html  # renamed to EVIL
    comments = sorted(c.text for c in _word(word).comments)
    assert comments == [
        "1. " + EVIL + f"\nMemo: coder memo {EVIL}",
        "2. Barriers/Financial difficulties\nMemo: owner memo",
    ]


def test_in_blind_mode_a_coder_exports_only_their_codings(
    client_for, project, sample, coder, owner
):
    Project.objects.filter(pk=project.pk).update(blind_coding=True)

    coders_copy = client_for(coder).get(transcript_url(project, sample, "docx"))
    owners_copy = client_for(owner).get(transcript_url(project, sample, "docx"))

    assert [c.author for c in _word(coders_copy).comments] == ["carl_coder"]
    assert sorted(c.author for c in _word(owners_copy).comments) == [
        "carl_coder",
        "olga_owner",
    ]


def test_the_transcript_page_links_its_exports(client_for, project, sample, viewer):
    page = client_for(viewer).get(sample.get_absolute_url()).content.decode()

    assert transcript_url(project, sample, "docx") in page
    assert transcript_url(project, sample, "html") in page


# -- memos ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "coder", "viewer"])
def test_members_download_all_memos(client_for, project, sample, who, request):
    client = client_for(request.getfixturevalue(who))

    table = client.get(memos_url(project, "csv"))
    markdown = client.get(memos_url(project, "md"))

    assert table.status_code == markdown.status_code == 200
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert [(row[0], row[-1]) for row in rows[1:]] == [
        ("transcript", "T memo"),
        ("code", "C memo"),
        ("coding", f"coder memo {EVIL}"),
        ("coding", "owner memo"),
    ]
    text = markdown.content.decode()
    assert "## Coding memos" in text and EVIL not in text


def test_in_blind_mode_others_transcript_and_coding_memos_are_left_out(
    client_for, project, sample, coder
):
    Project.objects.filter(pk=project.pk).update(blind_coding=True)

    table = client_for(coder).get(memos_url(project, "csv"))

    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    # The owner's transcript memo is a note on coding, hidden like codings;
    # the code memo is codebook discussion, shared.
    assert [row[-1] for row in rows[1:]] == ["C memo", f"coder memo {EVIL}"]


def test_the_project_page_links_the_exports(client_for, project, viewer):
    page = client_for(viewer).get(project.get_absolute_url()).content.decode()

    for url in [report_url(project, "docx"), report_url(project, "md"),
                memos_url(project, "csv"), memos_url(project, "md")]:  # fmt: skip
        assert url in page
    assert reverse("attribute_import", args=[project.pk]) not in page
