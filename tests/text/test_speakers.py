import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviews.formats import Turn
from interviews.text.speakers import detect_turns, parse_label


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Expert 1 (Russian Federation): If we talk",
            ("Expert 1 (Russian Federation)", None),
        ),
        (
            " Expert 2 (Republic of Belarus): Interregional",
            ("Expert 2 (Republic of Belarus)", None),
        ),
        ("INTERVIEWER: So tell me", ("INTERVIEWER", None)),
        ("Interviewer: So tell me", ("Interviewer", None)),
        ("Interviewer:\tSo tell me", ("Interviewer", None)),
        ("INTERVIEWER:", ("INTERVIEWER", None)),
        ("P1: Yes.", ("P1", None)),
        ("Q: Why?", ("Q", None)),
        ("Dr. Smith: Good morning.", ("Dr. Smith", None)),
        ("Prof. J. van der Berg: Yes.", ("Prof. J. van der Berg", None)),
        ("Head of the Department: We agree.", ("Head of the Department", None)),
        ("Smith, John: Right.", ("Smith, John", None)),
        ("Интервьюер: Расскажите, пожалуйста.", ("Интервьюер", None)),
        (
            "Эксперт 1 (Российская Федерация): Да.",
            ("Эксперт 1 (Российская Федерация)", None),
        ),
        ("采访者：你好", ("采访者", None)),
        # Timestamps, before or after the name.
        ("[00:01:02] Anna: Hello", ("Anna", 62_000)),
        ("(00:01:02) Anna: Hello", ("Anna", 62_000)),
        ("00:01:02 Anna: Hello", ("Anna", 62_000)),
        ("[01:02] Anna: Hello", ("Anna", 62_000)),
        ("[1:00:00.5] Anna: Hello", ("Anna", 3_600_500)),
        ("00:00:01,250 Anna: Hello", ("Anna", 1_250)),
        ("Anna (00:01:02): Hello", ("Anna", 62_000)),
        ("Anna [00:01:02]: Hello", ("Anna", 62_000)),
        ("Expert 3 (Kazakhstan) (00:10:00): Hello", ("Expert 3 (Kazakhstan)", 600_000)),
        # A line of its own: name, two spaces or a tab, time (Otter.ai).
        ("Speaker 1  0:03", ("Speaker 1", 3_000)),
        ("Jane Doe  1:02:03  ", ("Jane Doe", 3_723_000)),
        ("Unknown Speaker\t12:30", ("Unknown Speaker", 750_000)),
        ("Speaker 1 0:03", None),
        ("Anna  0:05 and then some", None),
        ("[00:00:01] Anna  0:05", None),
        ("Results  1:02", None),
        ("We met at  10:30", None),
        # Prose, not labels.
        ("The main barrier is the following: regulation.", None),
        ("The options were: a, b and c.", None),
        ("Three main options were identified: “Vertical interaction”", None),
        ("According to the scales, respondents rated the level as follows:", None),
        ("interviewer: lower-case labels are not recognised", None),
        ("Note: this is not a speaker.", None),
        ("Keywords: integration, cooperation", None),
        ("Figure 2: Distribution of answers", None),
        ("Table 1: Results", None),
        ("Date: 12 May 2021", None),
        ("Yes: I agree.", None),
        (". Russia — Belarus: 8.5;", None),
        ("10. Armenia — Kyrgyzstan: 4.1.", None),
        ("- Item: value", None),
        ("He left. Then: nothing.", None),
        ("Really?: no", None),
        ("http://example.org: a link", None),
        ("See https://example.org/page for more", None),
        ("Meeting at 10:30 sharp", None),
        ("10:30 the meeting began: late", None),
        ("Label without a space after the colon:text", None),
        ("One Two Three Four Five Six Seven: too many words", None),
        ("A" * 61 + ": too long", None),
        ("", None),
        ("   ", None),
    ],
)
def test_it_parses_speaker_labels(line, expected):
    assert parse_label(line) == expected


# Lines 263-278 and 320-321 of the demo seed (shared/seeds/002_*.txt), two
# lines cut short, with the "Keywords:" line of seed 000 between them: an
# article quoting interviews, with prose that starts "Experts ...", a label
# indented by a space, and a quote that runs on after a blank line.
DEMO = (
    "of regions. Besides, according to experts, the establishment of "
    "useful economic ties between regions can\n"
    "affect the general level of socio-economic development of countries "
    "of the Eurasian Economic Union.\n"
    "\n"
    "Expert 1 (Russian Federation): If we talk about inter-regional "
    "cooperation as a whole, then it\n"
    "certainly has more opportunities for economic cooperation. We can say "
    "that if cooperation is established,\n"
    "then this is, first of all, the economic aspect, mutual interest in "
    "certain groups of goods, services that are in\n"
    "some areas but are poorly represented in others.\n"
    "\n"
    "Experts also noted education, humanitarian cooperation, and the "
    "establishment of socio-cultural\n"
    "ties as promising areas for which cross-border and inter-regional "
    "cooperation has significant potential.\n"
    "Respondents also highlighted the development of transport and "
    "near-customs infrastructure as positive\n"
    "\n"
    "changes from establishing cross-border cooperation.\n"
    " Expert 2 (Republic of Belarus): Interregional interaction is, first "
    "of all, the creation of cultural\n"
    "exchange, exchange in the educational and academic sphere, views, "
    "ideas in the youth sphere in order to\n"
    "intensively form an innovative substrate in the border region.\n"
    "Keywords: integration, interregional cooperation, political decisions\n"
    "Expert 3 (Republic of Kazakhstan): The main barrier is the regulatory "
    "framework, which\n"
    "contributed to the strengthening of interregional and cross-border "
    "cooperation.\n"
)


def test_it_finds_the_demo_seeds_expert_turns():
    turns = detect_turns(DEMO)

    assert [turn.speaker for turn in turns] == [
        "",
        "Expert 1 (Russian Federation)",
        "Expert 2 (Republic of Belarus)",
        "Expert 3 (Republic of Kazakhstan)",
    ]
    texts = [DEMO[turn.start : turn.end] for turn in turns]
    assert texts[0].startswith("of regions.")
    assert texts[0].endswith("Eurasian Economic Union.\n")
    assert texts[1].startswith("Expert 1 (Russian Federation): If we talk")
    assert texts[1].endswith("changes from establishing cross-border cooperation.")
    assert texts[2].startswith(" Expert 2 (Republic of Belarus): Interregional")
    assert texts[2].endswith(
        "Keywords: integration, interregional cooperation, political decisions"
    )
    assert texts[3].startswith("Expert 3 (Republic of Kazakhstan): The main barrier")
    assert turns[-1].end == len(DEMO)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("  \n\n ", []),
        ("No labels here at all.", [Turn("", 0, 22)]),
        ("A: hi\nB: yo", [Turn("A", 0, 5), Turn("B", 6, 11)]),
        ("A: hi\n\nB: yo", [Turn("A", 0, 6), Turn("B", 7, 12)]),
        ("Intro.\nA: hi", [Turn("", 0, 6), Turn("A", 7, 12)]),
        ("\n\nA: hi", [Turn("A", 2, 7)]),
        ("A:\nhi\nthere", [Turn("A", 0, 11)]),
        ("A: hi\nB:", [Turn("A", 0, 5), Turn("B", 6, 8)]),
        (
            "[00:00:05] A: hi\n[00:00:09] B: yo\n[00:01:02] A: bye",
            [
                Turn("A", 0, 16, 5_000, 9_000),
                Turn("B", 17, 33, 9_000, 62_000),
                Turn("A", 34, 51, 62_000, None),
            ],
        ),
        # An untimed turn between timed ones: the timed one ends at the next time.
        (
            "[00:00:05] A: hi\nB: yo\n[00:00:10] A: bye",
            [
                Turn("A", 0, 16, 5_000, 10_000),
                Turn("B", 17, 22),
                Turn("A", 23, 40, 10_000, None),
            ],
        ),
        # Otter.ai's text export: a heading line per turn, the words below.
        (
            "Speaker 1  0:03\nHello, thanks.\n\nJane Doe  1:02\nHi.\nYes.\n",
            [
                Turn("Speaker 1", 0, 31, 3_000, 62_000),
                Turn("Jane Doe", 32, 56, 62_000, None),
            ],
        ),
        # One such line alone is a heading, not a turn.
        ("Meeting  10:30\nWe met.", [Turn("", 0, 22)]),
        # Astral characters count as one code point each.
        ("👋🏽 hi\nАнна: 🇷🇺 да", [Turn("", 0, 5), Turn("Анна", 6, 17)]),
    ],
)
def test_it_splits_text_into_turns(text, expected):
    assert detect_turns(text) == expected


@given(
    st.lists(
        st.one_of(
            st.sampled_from(["A: x", "Interviewer: yes", "[00:00:01] B: y", "", " "]),
            st.text(alphabet=st.characters(exclude_characters="\n"), max_size=30),
        ),
        max_size=20,
    )
)
def test_turns_are_ordered_disjoint_and_start_at_line_starts(lines):
    text = "\n".join(lines)
    turns = detect_turns(text)

    for turn in turns:
        assert 0 <= turn.start <= turn.end <= len(text)
        assert turn.start == 0 or text[turn.start - 1] == "\n"
    for before, after in zip(turns, turns[1:], strict=False):
        assert before.end + 1 == after.start
        assert text[before.end] == "\n"
    if turns:
        assert turns[-1].end == len(text)
        assert not text[: turns[0].start].strip()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # Only a line's head can hold a label, however long the line.
        ("Anna: " + "x" * 1_000_000, ("Anna", None)),
        ("Speaker 1  0:03" + " " * 1_000_000, ("Speaker 1", 3_000)),
        # A million spaces: no label (and no seconds of regex backtracking).
        ("A" + " " * 1_000_000 + "x", None),
        ("A" + " " * 1_000_000 + ": text", None),
        ("A" + " " * 1_000 + "0:03", None),
    ],
)
def test_long_lines(line, expected):
    assert parse_label(line) == expected
