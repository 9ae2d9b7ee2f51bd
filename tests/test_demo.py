"""The demo project: data files, loader and load_demo command."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from interviews.models import Attribute, Code, Coding, Membership, Project, Transcript
from interviews.services import demo
from interviews.services.agreement import ensure_consensus_user
from interviews.services.demo import (
    DemoDataError,
    ExpertStatement,
    find_quote,
    load_demo,
    parse_expert_statements,
)

COUNTRIES = {
    "Expert 1 (Russian Federation)": "Russian Federation",
    "Expert 2 (Republic of Belarus)": "Republic of Belarus",
    "Expert 3 (Republic of Kazakhstan)": "Republic of Kazakhstan",
    "Expert 4 (Republic of Armenia)": "Republic of Armenia",
}


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Project, Membership, Transcript, Attribute, Code, Coding)
    }


# -- reading the data (no database) -----------------------------------------


def test_it_parses_the_four_expert_statements_from_the_paper():
    text = demo.read_bytes("papers/eaeu_interregional_cooperation.txt").decode()

    statements = parse_expert_statements(text)

    assert [(s.number, s.country) for s in statements] == [
        (1, "Russian Federation"),
        (2, "Republic of Belarus"),
        (3, "Republic of Kazakhstan"),
        (4, "Republic of Armenia"),
    ]
    for statement in statements:
        assert statement.text.startswith(f"Expert {statement.number} (")
        assert "\n" not in statement.text
    # Expert 3's statement crosses a page break and ends before the paper's
    # own next paragraph, which follows without a blank line.
    assert statements[2].text.endswith(
        "Also, there is a low level of information exchange, insufficient "
        "communications between the leaders of the border regions."
    )
    assert statements[3].text.endswith("put an end to such projects.")


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Intro.\n\nExpert 1 (Kyrgyzstan): First line\ncontinues here.\n\nAfter.",
            [
                ExpertStatement(
                    1, "Kyrgyzstan", "Expert 1 (Kyrgyzstan): First line continues here."
                )
            ],
        ),
        (
            "Expert 2 (Armenia): A cross-\nborder view.\n Next paragraph.",
            [ExpertStatement(2, "Armenia", "Expert 2 (Armenia): A cross-border view.")],
        ),
        (
            "Expert 3 (Belarus): Cut by a page\n\nbreak. Then done.\n\nOther.",
            [
                ExpertStatement(
                    3, "Belarus", "Expert 3 (Belarus): Cut by a page break. Then done."
                )
            ],
        ),
        ("No experts here.\nExperts said: nothing.", []),
    ],
)
def test_statement_parser_follows_paragraph_rules(text, expected):
    assert parse_expert_statements(text) == expected


@pytest.mark.parametrize(
    "quote, occurrence, expected",
    [("ab", 1, (0, 2)), ("ab", 2, (3, 5)), ("é", 1, (6, 7)), ("e\u0301", 1, (6, 7))],
)
def test_find_quote_returns_code_point_offsets(quote, occurrence, expected):
    assert find_quote("ab ab é", quote, occurrence) == expected


@pytest.mark.parametrize("quote, occurrence", [("missing", 1), ("ab", 3), ("", 1)])
def test_find_quote_fails_loudly(quote, occurrence):
    with pytest.raises(DemoDataError):
        find_quote("ab ab", quote, occurrence)


# -- loading ----------------------------------------------------------------


@pytest.mark.django_db
def test_loading_twice_does_not_duplicate_anything():
    first = load_demo()
    after_first = counts()
    second = load_demo()

    assert (first.created, second.created) == (True, False)
    assert second.project == first.project
    assert counts() == after_first
    assert after_first["Project"] == 1
    assert after_first["Transcript"] == 6
    assert after_first["Membership"] == 4


@pytest.mark.django_db
def test_reset_reloads_the_same_demo_and_drops_extra_work():
    first = load_demo()
    expected = counts()
    anna = Membership.objects.get(project=first.project, user__username="demo_anna")
    Coding.objects.filter(coder=anna.user).first().delete()
    # Reconciling made the project a consensus account.
    consensus = ensure_consensus_user(project=first.project)

    second = load_demo(reset=True)

    assert second.created
    assert not Project.objects.filter(pk=first.project.pk).exists()
    assert counts() == expected
    assert not get_user_model().objects.filter(pk=consensus.pk).exists()


@pytest.mark.django_db
def test_every_quote_is_coded_at_its_exact_text():
    load_demo()
    rows = demo.read_json("codings.json")["coders"]

    for username, codings in rows.items():
        stored = {
            (c.transcript.title, c.text)
            for c in Coding.objects.filter(coder__username=username).select_related(
                "transcript"
            )
        }
        assert len(stored) == len({(r["transcript"], r["quote"]) for r in codings})
        for coding in Coding.objects.filter(coder__username=username):
            assert coding.transcript.text[coding.start : coding.end] == coding.text
    quotes = {r["quote"] for codings in rows.values() for r in codings}
    assert quotes == set(Coding.objects.values_list("text", flat=True))


@pytest.mark.django_db
def test_both_coders_code_every_statement_and_sometimes_disagree():
    load_demo()
    layers = {}
    for username in ("demo_anna", "demo_boris"):
        codings = Coding.objects.filter(coder__username=username)
        assert 25 <= codings.count() <= 40
        assert codings.values("transcript").distinct().count() == 4
        layers[username] = set(
            codings.values_list("transcript_id", "code_id", "start", "end")
        )
    anna, boris = layers["demo_anna"], layers["demo_boris"]
    # Some agreement, and disagreement of each kind: the same code with
    # different boundaries, and codes only one of them used.
    assert anna & boris
    assert anna - boris and boris - anna
    codes_anna = {code for _, code, _, _ in anna}
    codes_boris = {code for _, code, _, _ in boris}
    assert codes_anna - codes_boris and codes_boris - codes_anna
    same_code_other_bounds = {(t, c) for t, c, s, e in anna - boris} & {
        (t, c) for t, c, s, e in boris - anna
    }
    assert same_code_other_bounds


@pytest.mark.django_db
def test_transcripts_and_documents_are_described():
    project = load_demo().project

    interviews = project.transcripts.filter(kind=Transcript.Kind.INTERVIEW)
    assert set(interviews.values_list("title", flat=True)) == set(COUNTRIES)
    for transcript in interviews:
        attributes = dict(transcript.attributes.values_list("name", "value"))
        assert attributes["country"] == COUNTRIES[transcript.title]
        assert attributes["role"] == "expert"
        assert transcript.turns.get().speaker == transcript.title
    documents = project.transcripts.filter(kind=Transcript.Kind.DOCUMENT)
    assert documents.count() == 2
    assert all(d.attributes.filter(name="source").exists() for d in documents)


@pytest.mark.django_db
def test_every_code_has_a_definition_and_the_papers_categories_are_top_level():
    project = load_demo().project

    top = set(project.codes.filter(parent=None).values_list("name", flat=True))
    assert top == {
        "Barriers",
        "What cooperation facilitates",
        "Types of interaction",
        "Development vectors",
        "Information support",
    }
    assert not project.codes.filter(definition="").exists()
    assert project.codes.filter(parent__name="Development vectors").count() == 3


@pytest.mark.django_db
def test_a_missing_quote_stops_the_load_and_writes_nothing(monkeypatch):
    original = demo.read_json

    def broken(name):
        data = original(name)
        if name == "codings.json":
            data["coders"]["demo_boris"][-1]["quote"] = "words nobody said"
        return data

    monkeypatch.setattr(demo, "read_json", broken)

    with pytest.raises(DemoDataError, match="words nobody said"):
        load_demo()
    assert not Project.objects.exists()
    assert not Coding.objects.exists()


@pytest.mark.django_db
def test_command_refuses_without_debug_unless_forced(settings, capsys):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")
    assert not Project.objects.exists()

    call_command("load_demo", force=True)
    output = capsys.readouterr().out
    assert "demo_anna" in output and demo.DEMO_PASSWORD in output
    assert Project.objects.count() == 1


@pytest.mark.django_db
def test_demo_accounts_log_in_with_the_printed_password(client):
    load_demo()
    for username, _ in demo.DEMO_USERS:
        assert client.login(username=username, password=demo.DEMO_PASSWORD)
