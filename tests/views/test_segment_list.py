import pytest
from django.urls import reverse

from interviews.models import Code, Coding
from interviews.services.codings import add_coding
from interviews.tables import SEGMENTS_PER_PAGE
from tests.conftest import DEMO_TEXT

XSS = "<script>alert(1)</script>"
FINANCIAL = "The main barrier is financial"


def url(project, **params):
    from urllib.parse import urlencode

    base = reverse("segment_list", args=[project.pk])
    return f"{base}?{urlencode(params)}" if params else base


def code_phrase(*, coder, transcript, code, phrase, memo=""):
    start = DEMO_TEXT.index(phrase)
    return add_coding(
        coder=coder,
        transcript=transcript,
        code=code,
        start=start,
        end=start + len(phrase),
        memo=memo,
    )


@pytest.fixture
def sample(transcript, codes, owner, coder):
    return {
        "coders": code_phrase(
            coder=coder,
            transcript=transcript,
            code=codes["financial"],
            phrase=FINANCIAL,
        ),
        "owners": code_phrase(
            coder=owner,
            transcript=transcript,
            code=codes["info"],
            phrase="Информационная поддержка",
            memo="Check the translation",
        ),
    }


def row_ids(response):
    return [row.record.pk for row in response.context["table"].paginated_rows]


def many_codings(transcript, code, coder, n):
    Coding.objects.bulk_create(
        Coding(
            transcript=transcript,
            code=code,
            coder=coder,
            start=i,
            end=i + 1,
            text=DEMO_TEXT[i],
        )
        for i in range(n)
    )


def test_anonymous_is_sent_to_login(client, project):
    response = client.get(url(project))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_outsider_gets_404(client_for, project, outsider, sample):
    assert client_for(outsider).get(url(project)).status_code == 404


@pytest.mark.parametrize("who", ["owner", "coder", "viewer"])
def test_members_see_every_coding_when_blind_mode_is_off(
    request, client_for, project, sample, who
):
    response = client_for(request.getfixturevalue(who)).get(url(project))
    assert response.status_code == 200
    assert set(row_ids(response)) == {sample["coders"].pk, sample["owners"].pk}


def test_blind_mode_shows_coders_only_their_own_rows(
    client_for, project, sample, owner, coder
):
    project.blind_coding = True
    project.save()
    response = client_for(coder).get(url(project))
    assert row_ids(response) == [sample["coders"].pk]
    assert "only your own codings" in response.content.decode()
    assert set(row_ids(client_for(owner).get(url(project)))) == {
        sample["coders"].pk,
        sample["owners"].pk,
    }
    assert Coding.objects.count() == 2


def test_a_row_shows_speaker_code_path_and_links_to_the_coding(
    client_for, project, transcript, sample, owner
):
    coding = sample["coders"]
    html = client_for(owner).get(url(project)).content.decode()
    link = reverse("transcript_detail", args=[project.pk, transcript.pk])
    assert f'href="{link}?at={coding.start}#c{coding.pk}"' in html
    assert "Expert 1 (Russian Federation)" in html
    assert "Barriers/Financial difficulties" in html
    assert 'style="background: #ff7f0e"' in html
    assert "carl_coder" in html and "Check the translation" in html


def test_long_text_is_truncated_with_the_full_text_in_the_title(
    client_for, project, transcript, codes, owner
):
    add_coding(
        coder=owner,
        transcript=transcript,
        code=codes["info"],
        start=0,
        end=len(DEMO_TEXT),
    )
    html = client_for(owner).get(url(project)).content.decode()
    assert "…" in html
    assert 'title="INTERVIEWER: What stands' in html


def test_filtering_by_a_parent_code_includes_its_sub_codes(
    client_for, project, sample, codes, owner
):
    client = client_for(owner)
    assert row_ids(client.get(url(project, code=codes["barriers"].pk))) == [
        sample["coders"].pk
    ]
    exact = client.get(url(project, code=codes["barriers"].pk, exact="on"))
    assert row_ids(exact) == []
    assert row_ids(client.get(url(project, coder=owner.pk))) == [sample["owners"].pk]


def test_filters_by_transcript_and_attribute(
    client_for, project, transcript, sample, owner
):
    client = client_for(owner)
    assert len(row_ids(client.get(url(project, transcript=transcript.pk)))) == 2
    matching = client.get(url(project, attribute="country", value="Russian Federation"))
    assert len(row_ids(matching)) == 2
    assert row_ids(client.get(url(project, attribute="country", value="Chile"))) == []


def test_export_links_carry_the_filters(client_for, project, sample, codes, owner):
    html = client_for(owner).get(url(project, code=codes["info"].pk)).content.decode()
    export = reverse("segment_export", args=[project.pk, "csv"])
    assert f'href="{export}?code={codes["info"].pk}"' in html


@pytest.mark.parametrize(
    "params",
    [
        {"code": "abc"},
        {"code": "999999"},
        {"coder": "-1"},
        {"transcript": "1e9"},
        {"attribute": "no such attribute"},
        {"value": "orphan value"},
        {"page": "abc"},
        {"page": "0"},
        {"page": "99999999999999999999999"},
        {"sort": "nonsense"},
        {"sort": "-text"},
    ],
)
def test_odd_query_strings_never_fail(client_for, project, sample, owner, params):
    response = client_for(owner).get(url(project, **params))
    assert response.status_code == 200
    assert len(row_ids(response)) <= 2


def test_a_bad_filter_is_shown_and_ignored(client_for, project, sample, owner):
    response = client_for(owner).get(url(project, code="999999"))
    html = response.content.decode()
    assert "not understood" in html
    assert "Select a valid choice" in html
    assert len(row_ids(response)) == 2


def test_pages_hold_fifty_rows_whatever_per_page_asks(
    client_for, project, transcript, codes, owner
):
    many_codings(transcript, codes["info"], owner, 60)
    client = client_for(owner)
    assert len(row_ids(client.get(url(project, per_page=100_000)))) == SEGMENTS_PER_PAGE
    second = client.get(url(project, page=2))
    assert len(row_ids(second)) == 60 - SEGMENTS_PER_PAGE
    assert "page 2 of 2" in second.content.decode()


def test_default_order_is_transcript_then_start_and_sorting_by_coder_works(
    client_for, project, sample, owner
):
    client = client_for(owner)
    by_start = [sample["coders"].pk, sample["owners"].pk]
    assert row_ids(client.get(url(project))) == by_start
    assert row_ids(client.get(url(project, sort="coder"))) == by_start  # carl < olga
    assert row_ids(client.get(url(project, sort="-coder"))) == by_start[::-1]
    assert row_ids(client.get(url(project, sort="-code"))) == by_start[::-1]


def test_names_and_text_are_escaped(client_for, project, transcript, codes, owner):
    Code.objects.filter(pk=codes["info"].pk).update(name=XSS)
    transcript.title = XSS
    transcript.save()
    add_coding(
        coder=owner, transcript=transcript, code=codes["info"], start=0, end=5, memo=XSS
    )
    html = client_for(owner).get(url(project)).content.decode()
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_query_count_does_not_grow_with_codings(
    client_for, project, transcript, codes, owner, django_assert_num_queries
):
    client = client_for(owner)
    many_codings(transcript, codes["info"], owner, 5)
    # session, user, membership, codebook, coders, transcripts, attributes,
    # count, page
    with django_assert_num_queries(9):
        assert len(row_ids(client.get(url(project)))) == 5
    many_codings(transcript, codes["financial"], owner, 60)
    with django_assert_num_queries(9):
        assert len(row_ids(client.get(url(project)))) == SEGMENTS_PER_PAGE
    with django_assert_num_queries(9):
        response = client.get(url(project, code=codes["barriers"].pk, sort="-created"))
        assert response.context["table"].paginator.count == 60
