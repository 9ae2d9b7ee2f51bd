"""“More like this” pages: start from a coding, follow the job, see and code
the sentences found (views/similar.py)."""

import pytest
from django.urls import reverse

from interviews.models import Coding, Job, SimilarSearch
from interviews.services.codings import add_coding
from interviews.services.jobs import run_job
from interviews.services.similar import find_similar
from interviews.services.transcripts import create_transcript
from interviews.suggest import similar
from interviews.suggest.similar import TFIDF
from interviews.text.speakers import detect_turns
from tests.services.test_similar import QUERY, SECOND_TEXT, add_sentences

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def tfidf(monkeypatch):
    """Rank with TF-IDF whatever is installed: fast and the same everywhere
    (tests/services/test_similar.py covers the encoder)."""
    monkeypatch.setattr(
        similar, "choose_method", lambda: similar.Method("tfidf", TFIDF)
    )


@pytest.fixture
def coding(transcript, codes, coder):
    add_sentences(transcript)
    start = transcript.text.index(QUERY)
    return add_coding(
        coder=coder,
        transcript=transcript,
        code=codes["financial"],
        start=start,
        end=start + len(QUERY),
    )


def start_url(project, coding):
    return reverse("similar_for_coding", args=[project.pk, coding.pk])


def finished_search(client, project, coding):
    response = client.post(start_url(project, coding))
    search = SimilarSearch.objects.get()
    assert response["Location"] == search.get_absolute_url()
    run_job(job_id=search.job_id, work=find_similar)
    return search


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("coder", 200), ("viewer", 200), ("outsider", 404)],
)
def test_the_start_page_by_role(request, client_for, project, coding, who, status):
    client = client_for(request.getfixturevalue(who))
    response = client.get(start_url(project, coding))
    assert response.status_code == status
    if status == 200:
        assert QUERY in response.content.decode()
        assert "Find similar sentences" in response.content.decode()


@pytest.mark.parametrize("who", ["owner", "coder", "viewer"])
def test_members_start_a_search_and_see_its_results(
    request, client_for, project, coding, who
):
    user = request.getfixturevalue(who)
    client = client_for(user)
    response = client.post(start_url(project, coding))
    search = SimilarSearch.objects.get()
    assert (search.created_by, search.code_id, search.query) == (
        user,
        coding.code_id,
        QUERY,
    )
    assert search.job.kind == Job.Kind.SIMILAR
    page = client.get(response["Location"]).content.decode()
    assert "similar-status" in page and "hx-get" in page  # polls the job
    status_url = reverse("similar_status", args=[project.pk, search.pk])
    assert "HX-Refresh" not in client.get(status_url)

    run_job(job_id=search.job_id, work=find_similar)
    assert client.get(status_url)["HX-Refresh"] == "true"
    page = client.get(search.get_absolute_url()).content.decode()
    assert "Similarity: TF-IDF cosine similarity" in page
    assert "What stands in the way of cooperation between regions?" in page
    assert "INTERVIEWER" in page  # the speaker
    assert f"?at={coding.transcript.text.index('What stands')}" in page
    assert ("Code it" in page) is (who != "viewer")
    # The same GET link now leads to the results.
    assert client.get(start_url(project, coding))["Location"] == (
        search.get_absolute_url()
    )


def test_outsiders_cannot_start_or_see_a_search(
    client_for, project, coding, coder, outsider
):
    search = finished_search(client_for(coder), project, coding)
    client = client_for(outsider)
    assert client.post(start_url(project, coding)).status_code == 404
    for name in ("similar_search", "similar_status"):
        url = reverse(name, args=[project.pk, search.pk])
        assert client.get(url).status_code == 404
    code_url = reverse("similar_code", args=[project.pk, search.pk])
    assert client.post(code_url, {"index": 0}).status_code == 404
    assert SimilarSearch.objects.count() == 1
    assert Coding.objects.count() == 1


def test_a_search_is_private_to_whoever_ran_it(
    client_for, project, coding, coder, owner
):
    search = finished_search(client_for(coder), project, coding)
    client = client_for(owner)
    assert client.get(search.get_absolute_url()).status_code == 404
    code_url = reverse("similar_code", args=[project.pk, search.pk])
    assert client.post(code_url, {"index": 0}).status_code == 404
    assert Coding.objects.count() == 1


def test_blind_mode_hides_other_coders_codings_and_searches_the_own_layer(
    client_for, project, coding, owner
):
    project.blind_coding = True
    project.save()
    client = client_for(owner)  # owners see everyone's codings
    assert client.post(start_url(project, coding)).status_code == 302
    assert SimilarSearch.objects.get().own_layer_only is False
    other = add_coding(
        coder=owner,
        transcript=coding.transcript,
        code=coding.code,
        start=0,
        end=11,
    )
    from tests.conftest import make_user

    second_coder = make_user("second_coder")
    from interviews.models import Membership
    from interviews.services.projects import add_member

    add_member(project=project, user=second_coder, role=Membership.Role.CODER)
    client = client_for(second_coder)
    # Another coder's coding is hidden in blind mode: 404, not 403.
    assert client.post(start_url(project, coding)).status_code == 404
    assert client.post(start_url(project, other)).status_code == 404


def test_code_it_codes_the_sentence_in_the_users_layer(
    client_for, project, coding, coder, owner
):
    client = client_for(owner)
    search = finished_search(client, project, coding)
    first = search.__class__.objects.get().results[0]
    url = reverse("similar_code", args=[project.pk, search.pk])
    response = client.post(url, {"index": "0"})
    assert response["Location"] == search.get_absolute_url() + "#r0"
    new = Coding.objects.get(coder=owner)
    assert (new.transcript_id, new.start, new.end, new.code_id) == (
        first["transcript"],
        first["start"],
        first["end"],
        coding.code_id,
    )
    page = client.get(search.get_absolute_url()).content.decode()
    assert 'id="r0" class="coded"' in page
    # Twice is refused with a message, and nothing changes.
    response = client.post(url, {"index": "0"}, follow=True)
    assert "already coded exactly this text" in response.content.decode()
    assert Coding.objects.filter(coder=owner).count() == 1


@pytest.mark.parametrize("index", ["", "-1", "25", XSS])
def test_code_it_refuses_bad_indexes(client_for, project, coding, owner, index):
    client = client_for(owner)
    search = finished_search(client, project, coding)
    url = reverse("similar_code", args=[project.pk, search.pk])
    response = client.post(url, {"index": index}, follow=True)
    html = response.content.decode()
    assert "Choose one of the listed sentences." in html
    assert XSS not in html
    assert Coding.objects.count() == 1


def test_viewers_cannot_code_results(client_for, project, coding, viewer):
    client = client_for(viewer)
    search = finished_search(client, project, coding)
    url = reverse("similar_code", args=[project.pk, search.pk])
    assert client.post(url, {"index": "0"}).status_code == 403
    assert Coding.objects.count() == 1


def test_a_failed_search_says_why(client_for, project, transcript, codes, coder):
    coding = add_coding(
        coder=coder, transcript=transcript, code=codes["info"], start=0, end=11
    )
    client = client_for(coder)
    client.post(start_url(project, coding))
    search = SimilarSearch.objects.get()
    run_job(job_id=search.job_id, work=find_similar)
    page = client.get(search.get_absolute_url()).content.decode()
    assert "No sentences to compare with yet" in page
    assert "hx-get" not in page  # no polling once failed


def test_the_results_page_query_count_is_fixed(
    client_for, project, coding, coder, owner, django_assert_num_queries
):
    second = create_transcript(
        project=project,
        user=owner,
        title="Second round",
        text=SECOND_TEXT,
        turns=detect_turns(SECOND_TEXT),
        attributes={},
    )
    add_sentences(second)
    client = client_for(coder)
    search = finished_search(client, project, coding)
    assert len({r["transcript"] for r in SimilarSearch.objects.get().results}) == 2
    with django_assert_num_queries(6):
        client.get(search.get_absolute_url())


def test_the_segments_table_links_each_coding_to_its_search(
    client_for, project, coding, viewer
):
    html = client_for(viewer).get(reverse("segment_list", args=[project.pk]))
    assert start_url(project, coding) in html.content.decode()
