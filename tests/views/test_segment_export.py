import csv
import io
from urllib.parse import quote, urlencode

import openpyxl
import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse

from interviews.models import Coding
from interviews.services.codings import add_coding
from interviews.services.transcripts import create_transcript

# Cyrillic, an emoji, a comma, a line break and quotes in one coded segment.
AWKWARD_TEXT = 'Эксперт 4: Денег нет 🙂, совсем.\nОн сказал: "не знаю".\n'
SEGMENT = 'Денег нет 🙂, совсем.\nОн сказал: "не знаю".'
MEMO = 'Памятка 🙂\n"quoted", =1+1'
HEADER = [
    "project", "transcript_id", "transcript_title", "speaker", "attr:country",
    "code_path", "code_id", "coder", "start", "end", "text", "memo", "created",
]  # fmt: skip


def url(project, fmt="csv", **params):
    base = reverse("segment_export", args=[project.pk, fmt])
    return f"{base}?{urlencode(params)}" if params else base


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.fixture
def awkward(project, owner):
    return create_transcript(
        project=project,
        user=owner,
        title="Интервью «4»",
        text=AWKWARD_TEXT,
        turns=[],
        attributes={"country": "Беларусь"},
    )


@pytest.fixture
def sample(project, awkward, transcript, codes, owner, coder):
    start = AWKWARD_TEXT.index(SEGMENT)
    return {
        "coders": add_coding(
            coder=coder,
            transcript=awkward,
            code=codes["financial"],
            start=start,
            end=start + len(SEGMENT),
            memo=MEMO,
        ),
        "owners": add_coding(
            coder=owner, transcript=transcript, code=codes["info"], start=0, end=11
        ),
    }


def test_anonymous_is_sent_to_login(client, project):
    response = client.get(url(project))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_outsider_gets_404_for_every_format(client_for, project, sample, outsider, fmt):
    assert client_for(outsider).get(url(project, fmt)).status_code == 404


def test_an_unknown_format_is_404(client_for, project, sample, owner):
    assert client_for(owner).get(url(project, "json")).status_code == 404
    assert client_for(owner).get(url(project, "CSV")).status_code == 404


def test_csv_is_tidy_and_round_trips_awkward_text_exactly(
    client_for, project, awkward, sample, codes, coder
):
    response = client_for(coder).get(url(project, code=codes["barriers"].pk))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    coding = sample["coders"]
    assert rows[0] == HEADER
    assert rows[1][:-1] == [
        "Eurasian cooperation",
        str(awkward.pk),
        "Интервью «4»",
        "",
        "Беларусь",
        "Barriers/Financial difficulties",
        str(codes["financial"].pk),
        "carl_coder",
        str(coding.start),
        str(coding.end),
        SEGMENT,
        MEMO,
    ]
    assert rows[1][-1] == coding.created.isoformat()
    assert len(rows) == 2


@pytest.mark.parametrize("who", ["owner", "coder", "viewer"])
def test_members_export_everything_when_blind_mode_is_off(
    request, client_for, project, sample, who
):
    rows = csv_rows(client_for(request.getfixturevalue(who)).get(url(project)))
    assert len(rows) == 3


def test_blind_mode_exports_only_the_coders_own_rows(
    client_for, project, sample, owner, coder, viewer
):
    project.blind_coding = True
    project.save()
    rows = csv_rows(client_for(coder).get(url(project)))
    assert [row[7] for row in rows[1:]] == ["carl_coder"]
    assert len(csv_rows(client_for(viewer).get(url(project)))) == 1  # header only
    owners = csv_rows(client_for(owner).get(url(project)))
    assert sorted(row[7] for row in owners[1:]) == ["carl_coder", "olga_owner"]
    assert Coding.objects.count() == 2


def test_xlsx_holds_the_same_rows_as_strings_and_numbers(
    client_for, project, awkward, sample, codes, owner
):
    response = client_for(owner).get(
        url(project, "xlsx", coder=sample["coders"].coder_id)
    )
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content))
    ).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HEADER
    assert list(values[1][:12]) == [
        "Eurasian cooperation",
        awkward.pk,
        "Интервью «4»",
        None,
        "Беларусь",
        "Barriers/Financial difficulties",
        codes["financial"].pk,
        "carl_coder",
        sample["coders"].start,
        sample["coders"].end,
        SEGMENT,
        MEMO,
    ]
    assert sheet["L2"].data_type == "s"  # "=1+1" inside the memo is no formula
    assert len(values) == 2


def test_file_name_is_the_project_slug(client_for, project, sample, owner):
    response = client_for(owner).get(url(project))
    assert response["Content-Disposition"] == (
        'attachment; filename="eurasian-cooperation-segments.csv"'
    )


def test_file_name_is_safe_for_cyrillic_and_quotes(client_for, project, sample, owner):
    project.name = 'Проект "Евразия"'
    project.save()
    response = client_for(owner).get(url(project, "xlsx"))
    disposition = response["Content-Disposition"]
    assert disposition == "attachment; filename*=utf-8''" + quote(
        "проект-евразия-segments.xlsx"
    )
    project.name = '"; evil="1'
    project.save()
    response = client_for(owner).get(url(project))
    assert (
        response["Content-Disposition"] == 'attachment; filename="evil1-segments.csv"'
    )
    project.name = "🙂"
    project.save()
    response = client_for(owner).get(url(project))
    assert (
        response["Content-Disposition"] == 'attachment; filename="project-segments.csv"'
    )


@pytest.mark.parametrize(
    "params",
    [
        {"code": "abc"},
        {"code": "999999"},
        {"coder": "x"},
        {"attribute": "nope"},
        {"value": "orphan"},
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_bad_filters_answer_400_with_a_message(
    client_for, project, sample, owner, params, fmt
):
    response = client_for(owner).get(url(project, fmt, **params))
    assert response.status_code == 400
    assert "Nothing was exported" in response.content.decode()
    assert "Content-Disposition" not in response


def test_sort_and_page_params_from_the_table_are_ignored(
    client_for, project, sample, owner
):
    rows = csv_rows(client_for(owner).get(url(project, page="abc", sort="-coder")))
    assert len(rows) == 3


def test_export_query_count_does_not_grow_with_codings(
    client_for, project, transcript, codes, owner, django_assert_num_queries
):
    def make(n, code):
        Coding.objects.bulk_create(
            Coding(
                transcript=transcript,
                code=code,
                coder=owner,
                start=i,
                end=i + 1,
                text="x",
            )
            for i in range(n)
        )

    client = client_for(owner)
    make(5, codes["info"])
    # session, user, membership, codebook, coders, transcripts, attribute
    # pairs, codebook again in the export, attributes, rows
    with django_assert_num_queries(10):
        assert len(csv_rows(client.get(url(project)))) == 6
    make(60, codes["financial"])
    with django_assert_num_queries(10):
        assert len(csv_rows(client.get(url(project)))) == 66
