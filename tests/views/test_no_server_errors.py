"""Every route of the app, as every kind of user, with real and bogus ids.

No request may answer 500 or raise: the test client re-raises unhandled
exceptions, so any crash fails here. New routes are picked up automatically
from interviews.urls; ids this fixture does not create are tried as 1 and as
a bogus id, other text arguments as a value no route accepts.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from interviews.models import Coding, Job, Membership, Memo, SimilarSearch
from interviews.services.codings import add_coding

BOGUS_ID = 987_654_321


def interviews_patterns():
    """Yield (name, argument names) of every named route of the app."""

    def walk(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns)
            elif isinstance(entry, URLPattern) and entry.name:
                if entry.callback.__module__.startswith("interviews."):
                    yield entry.name, list(entry.pattern.converters)

    return sorted(set((n, tuple(a)) for n, a in walk(get_resolver().url_patterns)))


@pytest.fixture
def objects(project, transcript, codes, coder, owner):
    coding = add_coding(
        coder=coder, transcript=transcript, code=codes["info"], start=0, end=11
    )
    memo = Memo.objects.create(
        project=project, transcript=transcript, author=coder, text="memo"
    )
    code_memo = Memo.objects.create(
        project=project, code=codes["info"], author=coder, text="code memo"
    )
    # A finished "More like this" search of the coder's (views/similar.py).
    search = SimilarSearch.objects.create(
        project=project,
        coding=coding,
        code=coding.code,
        query=coding.text,
        created_by=coder,
        method="TF-IDF",
        results=[
            {
                "transcript": transcript.pk,
                "start": 13,
                "end": 67,
                "score": 0.5,
                "text": transcript.text[13:67],
                "speaker": "",
            }
        ],
    )
    return {
        "search_id": search.pk,
        "project_id": project.pk,
        "transcript_id": transcript.pk,
        "code_id": codes["info"].pk,
        "coding_id": coding.pk,
        "memo_id": memo.pk,
        "code_memo_id": code_memo.pk,
        "job_id": Job.objects.filter(project=project).first().pk,
        "membership_id": Membership.objects.get(project=project, user=coder).pk,
    }


def fill(name, arguments, objects, *, bogus):
    kwargs = {}
    for argument in arguments:
        if argument == "fmt":
            kwargs[argument] = "csv"
        elif argument == "memo_id" and name.startswith("code_memo"):
            kwargs[argument] = BOGUS_ID if bogus else objects["code_memo_id"]
        elif argument in objects:
            kwargs[argument] = BOGUS_ID if bogus else objects[argument]
        elif argument.endswith("_id"):
            # An id this fixture does not create: the first row, if any.
            kwargs[argument] = BOGUS_ID if bogus else 1
        else:
            kwargs[argument] = "no-such-thing"
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("who", ["owner", "coder", "viewer", "outsider", None])
def test_no_route_answers_500(request, client, objects, who):
    if who:
        client.force_login(request.getfixturevalue(who))
    routes = interviews_patterns()
    assert len(routes) > 20
    for name, arguments in routes:
        for bogus in (False, True):
            url = fill(name, arguments, objects, bogus=bogus)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code < 500, (method, url, who)
            response = client.post(url, "{not json", content_type="application/json")
            assert response.status_code < 500, ("json", url, who)


def test_outsiders_change_nothing(client, objects, outsider):
    """Posting empty and malformed bodies everywhere as an outsider writes
    nothing (the fixture's rows are all still there, unchanged)."""
    client.force_login(outsider)
    before = sorted(Coding.objects.values_list("id", "start", "end", "memo"))
    for name, arguments in interviews_patterns():
        url = fill(name, arguments, objects, bogus=False)
        client.post(url)
        client.post(url, "{}", content_type="application/json")
    assert sorted(Coding.objects.values_list("id", "start", "end", "memo")) == before
    assert Memo.objects.count() == 2
