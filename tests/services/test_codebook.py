import pytest

from interviews.models import Code, Coding, Memo
from interviews.services import ServiceError
from interviews.services.codebook import (
    PALETTE,
    code_paths,
    code_tree,
    create_code,
    delete_code,
    merge_code,
    move_code,
    reorder_code,
    update_code,
)
from interviews.services.codings import add_coding
from interviews.services.memos import add_memo
from interviews.services.projects import create_project


def names(parent, project):
    return list(
        Code.objects.filter(project=project, parent=parent).values_list(
            "name", "position"
        )
    )


def coding_rows():
    return set(
        Coding.objects.values_list(
            "code__name", "coder__username", "start", "end", "memo"
        )
    )


# -- create -------------------------------------------------------------------


def test_it_creates_codes_at_any_depth(project):
    a = create_code(project=project, name="Development vectors")
    b = create_code(project=project, name="Public diplomacy", parent=a)
    c = create_code(project=project, name="Media", parent=b)
    d = create_code(project=project, name="Television", parent=c, definition=" TV ")
    d.refresh_from_db()
    assert (d.parent, d.definition) == (c, "TV")
    assert (
        code_paths(project)[d.pk]
        == "Development vectors/Public diplomacy/Media/Television"
    )


def test_code_tree_is_depth_first_in_codebook_order_in_one_query(
    project, codes, django_assert_num_queries
):
    create_code(project=project, name="Aardvark", parent=codes["barriers"], position=0)
    with django_assert_num_queries(1):
        tree = code_tree(project)
    assert [(c.path, c.depth) for c in tree] == [
        ("Barriers", 0),
        ("Barriers/Aardvark", 1),
        ("Barriers/Financial difficulties", 1),
        ("Information support", 0),
    ]


def test_names_are_unique_among_siblings_ignoring_case(project, codes):
    with pytest.raises(ServiceError, match="already a code “Barriers”"):
        create_code(project=project, name="  barriers ")
    with pytest.raises(ServiceError):
        create_code(
            project=project, name="Financial difficulties", parent=codes["barriers"]
        )
    assert Code.objects.count() == 3


def test_the_same_name_is_allowed_under_different_parents(project, codes):
    create_code(project=project, name="Financial difficulties", parent=codes["info"])
    create_code(project=project, name="Financial difficulties")
    assert Code.objects.filter(name="Financial difficulties").count() == 3


def test_the_same_name_is_allowed_in_another_project(project, codes, owner):
    other = create_project(owner=owner, name="Other")
    create_code(project=other, name="Barriers")
    assert Code.objects.filter(name="Barriers").count() == 2


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "needs a name"),
        ("   ", "needs a name"),
        ("x" * 201, "at most 200"),
        ("two\nlines", "single line"),
    ],
)
def test_it_refuses_bad_names(project, name, message):
    with pytest.raises(ServiceError, match=message):
        create_code(project=project, name=name)
    assert not Code.objects.exists()


def test_a_slash_is_allowed_in_a_name_and_paths_still_join_with_it(project):
    top = create_code(project=project, name="Political/legal barriers")
    child = create_code(project=project, name="Courts", parent=top)
    assert code_paths(project)[child.pk] == "Political/legal barriers/Courts"


def test_names_are_stored_stripped_and_nfc(project):
    code = create_code(project=project, name="  Cafe\u0301 ")
    assert code.name == "Café"


@pytest.mark.parametrize(
    "colour", ["red", "#12345", "#1234567", "#12345g", "1f77b4", "#1f77b", "#", None]
)
def test_it_refuses_colours_other_than_hex(project, codes, colour):
    with pytest.raises(ServiceError, match="#1f77b4"):
        update_code(code=codes["info"], colour=colour)
    codes["info"].refresh_from_db()
    assert codes["info"].colour == "#1f77b4"


def test_colours_are_stored_lower_case(project, codes):
    update_code(code=codes["info"], colour="#ABCDEF")
    codes["info"].refresh_from_db()
    assert codes["info"].colour == "#abcdef"


def test_default_colours_differ_among_siblings_and_from_the_parent(project):
    tops = [create_code(project=project, name=f"Top {i}") for i in range(4)]
    assert [c.colour for c in tops] == list(PALETTE[:4])
    child = create_code(project=project, name="Child", parent=tops[0])
    assert child.colour != tops[0].colour
    assert child.colour in PALETTE


def test_insert_at_a_position_shifts_the_siblings_after_it(project, codes):
    create_code(project=project, name="First", position=0)
    assert names(None, project) == [
        ("First", 0),
        ("Barriers", 1),
        ("Information support", 2),
    ]


# -- rename, recolour, define ---------------------------------------------------


def test_rename_to_a_sibling_name_is_refused_and_changes_nothing(project, codes):
    with pytest.raises(ServiceError, match="already a code"):
        update_code(code=codes["info"], name="BARRIERS", definition="changed")
    codes["info"].refresh_from_db()
    assert (codes["info"].name, codes["info"].definition) == ("Information support", "")


def test_rename_changing_only_case_is_allowed(project, codes):
    update_code(code=codes["info"], name="information Support")
    assert Code.objects.get(pk=codes["info"].pk).name == "information Support"


def test_update_changes_only_what_is_given(project, codes):
    update_code(code=codes["info"], definition="Help with information.")
    info = Code.objects.get(pk=codes["info"].pk)
    assert (info.name, info.colour, info.definition) == (
        "Information support",
        "#1f77b4",
        "Help with information.",
    )


# -- move ---------------------------------------------------------------------


def test_move_under_another_parent_goes_last_and_closes_the_gap(project, codes):
    extra = create_code(project=project, name="Zeta", parent=codes["info"])
    move_code(code=codes["barriers"], parent=codes["info"])
    assert names(None, project) == [("Information support", 0)]
    assert names(codes["info"], project) == [("Zeta", 0), ("Barriers", 1)]
    assert Code.objects.get(pk=codes["financial"].pk).parent == codes["barriers"]
    assert code_paths(project)[codes["financial"].pk] == (
        "Information support/Barriers/Financial difficulties"
    )
    move_code(code=extra, parent=None)
    assert names(None, project) == [("Information support", 0), ("Zeta", 1)]


@pytest.mark.parametrize("onto", ["barriers", "financial"])
def test_move_under_itself_or_a_descendant_is_refused(project, codes, onto):
    with pytest.raises(ServiceError, match="under itself or one of its own"):
        move_code(code=codes["barriers"], parent=codes[onto])
    assert Code.objects.get(pk=codes["barriers"].pk).parent is None


def test_move_under_another_projects_code_is_refused(project, codes, owner):
    foreign = create_code(project=create_project(owner=owner, name="O"), name="F")
    with pytest.raises(ServiceError, match="another project"):
        move_code(code=codes["info"], parent=foreign)
    assert Code.objects.get(pk=codes["info"].pk).parent is None


def test_move_next_to_a_same_named_code_is_refused(project, codes):
    create_code(project=project, name="Financial difficulties")
    with pytest.raises(ServiceError, match="already a code"):
        move_code(code=codes["financial"], parent=None)
    assert Code.objects.get(pk=codes["financial"].pk).parent == codes["barriers"]


# -- reorder --------------------------------------------------------------------


def test_reorder_up_down_and_to_a_position(project):
    a, b, c = (create_code(project=project, name=n) for n in "ABC")
    reorder_code(code=c, direction="up")
    assert names(None, project) == [("A", 0), ("C", 1), ("B", 2)]
    reorder_code(code=a, direction="down")
    assert names(None, project) == [("C", 0), ("A", 1), ("B", 2)]
    reorder_code(code=c, direction="up")  # already first: nothing moves
    assert names(None, project) == [("C", 0), ("A", 1), ("B", 2)]
    reorder_code(code=c, position=99)
    assert names(None, project) == [("A", 0), ("B", 1), ("C", 2)]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"direction": "left"},
        {"position": -1},
        {"position": "x"},
        {"direction": "up", "position": 1},
    ],
)
def test_reorder_refuses_bad_requests(project, codes, kwargs):
    before = names(None, project)
    with pytest.raises(ServiceError):
        reorder_code(code=codes["info"], **kwargs)
    assert names(None, project) == before


def test_positions_are_renumbered_when_they_had_gaps(project, codes):
    Code.objects.filter(pk=codes["info"].pk).update(position=7)
    extra = create_code(project=project, name="Extra")
    reorder_code(code=extra, direction="up")
    assert names(None, project) == [
        ("Barriers", 0),
        ("Extra", 1),
        ("Information support", 2),
    ]


# -- delete ---------------------------------------------------------------------


def test_delete_an_unused_code(project, codes):
    delete_code(code=codes["financial"])
    delete_code(code=codes["barriers"])
    assert names(None, project) == [("Information support", 0)]


def test_delete_refuses_a_code_in_use_and_says_why(project, codes, transcript, coder):
    add_coding(
        coder=coder, transcript=transcript, code=codes["barriers"], start=0, end=5
    )
    add_coding(
        coder=coder, transcript=transcript, code=codes["barriers"], start=6, end=9
    )
    with pytest.raises(ServiceError) as exc:
        delete_code(code=codes["barriers"])
    assert str(exc.value) == (
        "“Barriers” was not deleted: 2 codings in 1 transcript use it; "
        "it has 1 sub-code. Merge it into another code to keep them, "
        "or move its sub-codes elsewhere first."
    )
    assert Code.objects.count() == 3 and Coding.objects.count() == 2


def test_delete_refuses_a_code_with_memos(project, codes, coder):
    add_memo(project=project, author=coder, text="Think again", code=codes["info"])
    with pytest.raises(ServiceError, match="it has 1 memo"):
        delete_code(code=codes["info"])
    assert Memo.objects.count() == 1 and Code.objects.count() == 3


# -- merge ----------------------------------------------------------------------


def test_merge_moves_codings_and_drops_duplicates(
    project, codes, transcript, owner, coder
):
    barriers, info = codes["barriers"], codes["info"]

    def code(c, who, start, end, memo=""):
        add_coding(
            coder=who, transcript=transcript, code=c, start=start, end=end, memo=memo
        )

    code(info, coder, 0, 5)  # same as below: a duplicate
    code(barriers, coder, 0, 5, memo="kept memo")
    code(info, coder, 10, 20, memo="dropped memo")  # duplicate, memo is kept
    code(barriers, coder, 10, 20)
    code(info, owner, 0, 5)  # another coder: not a duplicate
    code(info, coder, 0, 6)  # other offsets: not a duplicate
    add_memo(project=project, author=owner, text="About info", code=info)

    result = merge_code(source=info, target=barriers)

    assert (result.codings_moved, result.duplicates_dropped, result.memos_moved) == (
        2,
        2,
        1,
    )
    assert coding_rows() == {
        ("Barriers", "carl_coder", 0, 5, "kept memo"),
        ("Barriers", "carl_coder", 10, 20, "dropped memo"),
        ("Barriers", "olga_owner", 0, 5, ""),
        ("Barriers", "carl_coder", 0, 6, ""),
    }
    assert not Code.objects.filter(pk=info.pk).exists()
    assert Memo.objects.get().code == barriers
    assert names(None, project) == [("Barriers", 0)]


def test_merge_moves_children_and_merges_same_named_ones(
    project, codes, transcript, coder
):
    obstacles = create_code(project=project, name="Obstacles")
    money = create_code(
        project=project, name="financial DIFFICULTIES", parent=obstacles
    )
    create_code(project=project, name="Banks", parent=money)
    create_code(project=project, name="Transport", parent=obstacles)
    add_coding(coder=coder, transcript=transcript, code=money, start=0, end=5)

    result = merge_code(source=obstacles, target=codes["barriers"])

    assert (result.codes_merged, result.children_moved, result.codings_moved) == (
        2,
        2,
        1,
    )
    assert sorted(code_paths(project).values()) == [
        "Barriers",
        "Barriers/Financial difficulties",
        "Barriers/Financial difficulties/Banks",
        "Barriers/Transport",
        "Information support",
    ]
    assert Coding.objects.get().code == codes["financial"]
    assert names(codes["barriers"], project) == [
        ("Financial difficulties", 0),
        ("Transport", 1),
    ]


def test_merge_into_the_parent_keeps_a_same_named_grandchild(project, codes):
    fin = codes["financial"]
    create_code(project=project, name="Financial difficulties", parent=fin)
    merge_code(source=fin, target=codes["barriers"])
    assert sorted(code_paths(project).values()) == [
        "Barriers",
        "Barriers/Financial difficulties",
        "Information support",
    ]


@pytest.mark.parametrize("onto", ["barriers", "financial"])
def test_merge_into_itself_or_a_descendant_is_refused(
    project, codes, transcript, coder, onto
):
    add_coding(
        coder=coder, transcript=transcript, code=codes["barriers"], start=0, end=5
    )
    with pytest.raises(ServiceError, match="cannot be merged into"):
        merge_code(source=codes["barriers"], target=codes[onto])
    assert Code.objects.count() == 3
    assert Coding.objects.get().code == codes["barriers"]


def test_merge_across_projects_is_refused(project, codes, owner):
    foreign = create_code(project=create_project(owner=owner, name="O"), name="F")
    with pytest.raises(ServiceError, match="within one project"):
        merge_code(source=codes["info"], target=foreign)
    assert Code.objects.count() == 4
