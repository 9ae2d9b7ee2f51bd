import pytest
from django.urls import reverse

from interviews.models import Code, Coding, Memo
from interviews.services.codebook import create_code
from interviews.services.codings import add_coding
from interviews.services.memos import add_memo
from interviews.services.projects import create_project

XSS = "<script>alert(1)</script>"


def url(name, project, *args):
    return reverse(name, args=[project.pk, *[a.pk for a in args]])


def snapshot():
    """Everything the codebook views may change, to compare before and after."""
    return (
        set(
            Code.objects.values_list(
                "pk", "parent_id", "name", "definition", "colour", "position"
            )
        ),
        set(Coding.objects.values_list("pk", "code_id")),
        set(Memo.objects.values_list("pk", "code_id", "text")),
    )


def edit_data(code, **changes):
    data = {
        "name": code.name,
        "definition": code.definition,
        "colour": code.colour,
        "parent": code.parent_id or "",
    }
    return data | changes


@pytest.fixture
def used(codes, transcript, coder, owner):
    """Two codings with Barriers, one with Information support."""
    add_coding(
        coder=coder, transcript=transcript, code=codes["barriers"], start=0, end=5
    )
    add_coding(
        coder=owner, transcript=transcript, code=codes["barriers"], start=0, end=5
    )
    add_coding(coder=coder, transcript=transcript, code=codes["info"], start=6, end=9)
    return codes


def write_requests(project, codes):
    """(url, data) of every structure-changing request, all of them valid."""
    b, f, i = codes["barriers"], codes["financial"], codes["info"]
    return [
        (url("codebook", project), {"name": "New code", "parent": ""}),
        (url("code_detail", project, i), edit_data(i, name="Renamed")),
        (url("code_move", project, i), {"direction": "up"}),
        (url("code_delete", project, f), {}),
        (url("code_merge", project, i), {"target": b.pk}),
    ]


# -- reading ------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, project, codes):
    for u in (url("codebook", project), url("code_detail", project, codes["info"])):
        response = client.get(u)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    before = snapshot()
    for u, data in write_requests(project, codes):
        response = client.post(u, data)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert snapshot() == before


@pytest.mark.parametrize("who", ["owner", "coder", "viewer"])
def test_members_see_the_tree_with_usage_counts(
    request, client_for, project, used, who
):
    response = client_for(request.getfixturevalue(who)).get(url("codebook", project))
    assert response.status_code == 200
    rows = {c.name: c for c in response.context["tree"]}
    assert [c.name for c in response.context["tree"]] == [
        "Barriers",
        "Financial difficulties",
        "Information support",
    ]
    assert rows["Financial difficulties"].depth == 1
    assert (
        rows["Barriers"].n_codings,
        rows["Barriers"].n_transcripts,
        rows["Barriers"].n_coders,
    ) == (2, 1, 2)
    assert rows["Financial difficulties"].n_codings == 0
    html = response.content.decode()
    assert "Financial difficulties" in html and "#ff7f0e" in html


def test_only_the_owner_sees_editing_controls(client_for, project, codes, owner, coder):
    owner_html = client_for(owner).get(url("codebook", project)).content.decode()
    assert "Add a code" in owner_html and url("code_move", project, codes["info"]) in (
        owner_html
    )
    coder_html = client_for(coder).get(url("codebook", project)).content.decode()
    assert "Add a code" not in coder_html
    assert "code_move" not in coder_html and "/move/" not in coder_html
    detail = client_for(coder).get(url("code_detail", project, codes["info"]))
    assert "Merge into" not in detail.content.decode()
    assert "Add memo" in detail.content.decode()


def test_viewer_cannot_write_memos_on_the_page(client_for, project, codes, viewer):
    html = client_for(viewer).get(url("code_detail", project, codes["info"])).content
    assert b"Add memo" not in html


def test_blind_mode_counts_only_my_own_codings(client_for, project, used, coder):
    project.blind_coding = True
    project.save()
    response = client_for(coder).get(url("codebook", project))
    barriers = response.context["tree"][0]
    assert (barriers.n_codings, barriers.n_coders) == (1, 1)


def test_outsider_gets_404(client_for, project, codes, outsider):
    client = client_for(outsider)
    assert client.get(url("codebook", project)).status_code == 404
    assert client.get(url("code_detail", project, codes["info"])).status_code == 404
    before = snapshot()
    for u, data in write_requests(project, codes):
        assert client.post(u, data).status_code == 404
    response = client.post(url("code_memo_add", project, codes["info"]), {"text": "x"})
    assert response.status_code == 404
    assert snapshot() == before


def test_a_code_of_another_project_is_404(client_for, project, codes, owner):
    foreign = create_code(project=create_project(owner=owner, name="O"), name="F")
    client = client_for(owner)
    assert client.get(url("code_detail", project, foreign)).status_code == 404
    response = client.post(reverse("code_delete", args=[project.pk, foreign.pk]), {})
    assert response.status_code == 404
    assert Code.objects.filter(pk=foreign.pk).exists()


def test_names_are_escaped(client_for, project, owner):
    code = create_code(project=project, name=XSS, definition=XSS)
    for u in (url("codebook", project), url("code_detail", project, code)):
        html = client_for(owner).get(u).content.decode()
        assert XSS not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_codebook_page_query_count_is_constant(
    client_for, project, owner, used, transcript, coder, django_assert_num_queries
):
    client = client_for(owner)
    client.get(url("codebook", project))  # warm the session
    with django_assert_num_queries(5):
        client.get(url("codebook", project))
    parent = used["financial"]
    for n in range(12):
        parent = create_code(project=project, name=f"Level {n}", parent=parent)
        add_coding(coder=coder, transcript=transcript, code=parent, start=n, end=n + 3)
        add_memo(project=project, author=coder, code=parent, text="m")
    with django_assert_num_queries(5):
        response = client.get(url("codebook", project))
    assert len(response.context["tree"]) == 15


def test_code_page_query_count_is_constant(
    client_for, project, owner, used, coder, django_assert_num_queries
):
    client = client_for(owner)
    code = used["barriers"]
    client.get(url("code_detail", project, code))
    with django_assert_num_queries(9) as first:  # 8 + the code's suggestion rules
        client.get(url("code_detail", project, code))
    for n in range(6):
        create_code(project=project, name=f"Child {n}", parent=code)
        add_memo(project=project, author=coder, code=code, text=f"memo {n}")
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url("code_detail", project, code))
    assert len(response.context["memos"]) == 6


# -- permissions on writes ------------------------------------------------------


@pytest.mark.parametrize("who", ["coder", "viewer"])
def test_coders_and_viewers_cannot_change_the_structure(
    request, client_for, project, codes, who
):
    client = client_for(request.getfixturevalue(who))
    before = snapshot()
    for u, data in write_requests(project, codes):
        assert client.post(u, data).status_code == 403, u
    assert snapshot() == before


def test_every_write_request_works_for_the_owner(client_for, project, codes, owner):
    client = client_for(owner)
    for u, data in write_requests(project, codes):
        assert client.post(u, data).status_code == 302, u
    assert sorted(Code.objects.values_list("name", flat=True)) == [
        "Barriers",
        "New code",
    ]


# -- adding -----------------------------------------------------------------------


def test_owner_adds_a_top_level_code_and_a_child(client_for, project, codes, owner):
    client = client_for(owner)
    response = client.post(url("codebook", project), {"name": " Development vectors "})
    top = Code.objects.get(name="Development vectors")
    assert response.status_code == 302
    assert response.url.endswith(f"#code-{top.pk}")
    client.post(
        url("codebook", project),
        {"name": "Public diplomacy", "parent": top.pk, "definition": "Soft power"},
    )
    child = Code.objects.get(name="Public diplomacy")
    assert (child.parent, child.definition, child.project) == (
        top,
        "Soft power",
        project,
    )


def test_adding_a_sibling_name_twice_is_refused(client_for, project, codes, owner):
    before = snapshot()
    response = client_for(owner).post(
        url("codebook", project),
        {"name": "financial difficulties", "parent": codes["barriers"].pk},
    )
    assert response.status_code == 200
    assert "already a code" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("parent", ["abc", "99999999999999999999999", "-1"])
def test_adding_with_a_bad_parent_is_a_form_error(client_for, project, owner, parent):
    response = client_for(owner).post(
        url("codebook", project), {"name": "X", "parent": parent}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    assert not Code.objects.exists()


def test_adding_under_another_projects_code_is_404(client_for, project, owner):
    foreign = create_code(project=create_project(owner=owner, name="O"), name="F")
    response = client_for(owner).post(
        url("codebook", project), {"name": "X", "parent": foreign.pk}
    )
    assert response.status_code == 404
    assert Code.objects.count() == 1


def test_a_name_on_two_lines_is_explained(client_for, project, owner):
    response = client_for(owner).post(url("codebook", project), {"name": "A\nB"})
    assert "single line" in response.content.decode()
    assert not Code.objects.exists()


# -- editing ------------------------------------------------------------------------


def test_owner_renames_recolours_defines_and_moves(client_for, project, codes, owner):
    info = codes["info"]
    response = client_for(owner).post(
        url("code_detail", project, info),
        edit_data(
            info,
            name="Information",
            colour="#00AA00",
            definition="Help with information.",
            parent=codes["barriers"].pk,
        ),
    )
    assert response.status_code == 302
    info.refresh_from_db()
    assert (info.name, info.colour, info.definition, info.parent) == (
        "Information",
        "#00aa00",
        "Help with information.",
        codes["barriers"],
    )


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": "Barriers"}, "already a code"),
        ({"colour": "red"}, "#1f77b4"),
        ({"name": ""}, "required"),
        ({"parent": "self"}, "under itself"),
        ({"parent": "financial"}, "under itself or one of its own"),
    ],
)
def test_bad_edits_change_nothing(client_for, project, codes, owner, changes, message):
    target = codes["barriers"] if "parent" in changes else codes["info"]
    if "parent" in changes:
        changes = {"parent": codes.get(changes["parent"], target).pk}
    before = snapshot()
    response = client_for(owner).post(
        url("code_detail", project, target), edit_data(target, **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_moving_under_another_projects_code_is_404(client_for, project, codes, owner):
    foreign = create_code(project=create_project(owner=owner, name="O"), name="F")
    before = snapshot()
    response = client_for(owner).post(
        url("code_detail", project, codes["info"]),
        edit_data(codes["info"], parent=foreign.pk),
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_owner_moves_codes_up_and_down(client_for, project, owner):
    a, b, c = (create_code(project=project, name=n) for n in "ABC")
    client = client_for(owner)
    response = client.post(url("code_move", project, c), {"direction": "up"})
    assert response.url.endswith(f"#code-{c.pk}")
    client.post(url("code_move", project, a), {"direction": "down"})
    order = Code.objects.filter(project=project).values_list("name", "position")
    assert list(order) == [("C", 0), ("A", 1), ("B", 2)]


def test_a_bad_direction_is_a_message(client_for, project, codes, owner):
    before = snapshot()
    response = client_for(owner).post(
        url("code_move", project, codes["info"]), {"direction": "sideways"}, follow=True
    )
    assert "up or down" in response.content.decode()
    assert snapshot() == before


# -- deleting and merging -----------------------------------------------------------


def test_owner_deletes_an_unused_code(client_for, project, codes, owner):
    response = client_for(owner).post(url("code_delete", project, codes["financial"]))
    assert response.status_code == 302
    assert not Code.objects.filter(pk=codes["financial"].pk).exists()


def test_deleting_a_code_in_use_is_refused_with_the_reason(
    client_for, project, used, owner
):
    before = snapshot()
    response = client_for(owner).post(
        url("code_delete", project, used["barriers"]), follow=True
    )
    html = response.content.decode()
    assert "2 codings in 1 transcript use it" in html
    assert "1 sub-code" in html
    assert "Merge into" in html  # landed on the code page with the merge form
    assert snapshot() == before


def test_the_merge_form_lists_only_possible_targets(client_for, project, codes, owner):
    response = client_for(owner).get(url("code_detail", project, codes["barriers"]))
    choices = response.context["merge_form"].fields["target"].widget.choices
    assert [pk for pk, _ in choices] == [codes["info"].pk]


def test_owner_merges_a_code_in_use(client_for, project, used, owner):
    response = client_for(owner).post(
        url("code_merge", project, used["info"]),
        {"target": used["barriers"].pk},
        follow=True,
    )
    assert "Merged “Information support” into “Barriers”: 1 coding moved" in (
        response.content.decode()
    )
    assert not Code.objects.filter(pk=used["info"].pk).exists()
    assert set(Coding.objects.values_list("code__name", flat=True)) == {"Barriers"}
    assert Coding.objects.count() == 3


def test_merging_into_a_descendant_is_refused(client_for, project, used, owner):
    before = snapshot()
    response = client_for(owner).post(
        url("code_merge", project, used["barriers"]),
        {"target": used["financial"].pk},
        follow=True,
    )
    assert "cannot be merged into its own sub-code" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("target", ["", "abc", "99999999999999999999999"])
def test_merging_without_a_valid_target_is_a_message(
    client_for, project, used, owner, target
):
    before = snapshot()
    response = client_for(owner).post(
        url("code_merge", project, used["info"]), {"target": target}, follow=True
    )
    assert response.status_code == 200
    assert "Choose the code to merge into" in response.content.decode()
    assert snapshot() == before


def test_merging_into_another_projects_code_is_404(client_for, project, used, owner):
    foreign = create_code(project=create_project(owner=owner, name="O"), name="F")
    before = snapshot()
    response = client_for(owner).post(
        url("code_merge", project, used["info"]), {"target": foreign.pk}
    )
    assert response.status_code == 404
    assert snapshot() == before


# -- memos on codes -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "coder"])
def test_owner_and_coder_add_memos_to_codes(request, client_for, project, codes, who):
    user = request.getfixturevalue(who)
    response = client_for(user).post(
        url("code_memo_add", project, codes["info"]), {"text": f" {XSS} "}
    )
    assert response.status_code == 302
    memo = Memo.objects.get()
    assert (memo.code, memo.transcript, memo.author, memo.text) == (
        codes["info"],
        None,
        user,
        XSS,
    )
    html = client_for(user).get(url("code_detail", project, codes["info"])).content
    assert XSS.encode() not in html and b"&lt;script&gt;" in html


def test_viewer_cannot_add_a_memo(client_for, project, codes, viewer):
    response = client_for(viewer).post(
        url("code_memo_add", project, codes["info"]), {"text": "note"}
    )
    assert response.status_code == 403
    assert not Memo.objects.exists()


def test_an_empty_memo_is_refused(client_for, project, codes, coder):
    response = client_for(coder).post(
        url("code_memo_add", project, codes["info"]), {"text": "  "}, follow=True
    )
    assert "A memo needs some text." in response.content.decode()
    assert not Memo.objects.exists()


def test_authors_edit_and_delete_their_own_memos(client_for, project, codes, coder):
    memo = add_memo(project=project, author=coder, code=codes["info"], text="old")
    client = client_for(coder)
    client.post(url("code_memo_edit", project, codes["info"], memo), {"text": "new"})
    assert Memo.objects.get().text == "new"
    client.post(url("code_memo_delete", project, codes["info"], memo))
    assert not Memo.objects.exists()


@pytest.mark.parametrize("who", ["owner", "viewer"])
def test_others_cannot_change_a_memo(request, client_for, project, codes, coder, who):
    memo = add_memo(project=project, author=coder, code=codes["info"], text="mine")
    client = client_for(request.getfixturevalue(who))
    for name in ("code_memo_edit", "code_memo_delete"):
        response = client.post(url(name, project, codes["info"], memo), {"text": "x"})
        assert response.status_code == 403
    assert Memo.objects.get().text == "mine"


def test_a_memo_of_another_code_is_404(client_for, project, codes, coder):
    memo = add_memo(project=project, author=coder, code=codes["info"], text="mine")
    response = client_for(coder).post(
        url("code_memo_edit", project, codes["barriers"], memo), {"text": "x"}
    )
    assert response.status_code == 404
    assert Memo.objects.get().text == "mine"


def test_memos_move_with_a_merge(client_for, project, codes, owner, coder):
    add_memo(project=project, author=coder, code=codes["info"], text="keep me")
    client_for(owner).post(
        url("code_merge", project, codes["info"]), {"target": codes["barriers"].pk}
    )
    assert Memo.objects.get().code == codes["barriers"]
