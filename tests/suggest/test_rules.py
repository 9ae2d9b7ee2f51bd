"""Rules on text: keywords and phrases on (crude) lemmas, patterns, regexes."""

import pytest
import spacy

from interviews.suggest.rules import (
    CodeRule,
    RuleTooSlow,
    match_rules,
    stem,
    validate_rule,
)


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def found(nlp, text, rule):
    return [
        (m.code_id, text[m.start : m.end], m.source)
        for m in match_rules(nlp, text, [rule])
    ]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Barriers", "barrier"),
        ("barrier", "barrier"),
        ("Barrier's", "barrier"),
        ("financing", "financ"),
        ("finance", "financ"),
        ("countries", "country"),
        ("bus", "bus"),
        ("process", "process"),
        ("is", "is"),
    ],
)
def test_stem_strips_common_english_suffixes(word, expected):
    assert stem(word) == expected


def test_a_keyword_matches_other_forms_and_cases_of_the_word(nlp):
    text = "Barriers everywhere. One barrier. BARRIER'S edge. Embarrassing."
    rule = CodeRule(7, keywords=("barrier",))
    assert [t for _, t, _ in found(nlp, text, rule)] == [
        "Barriers",
        "barrier",
        "BARRIER",  # the tokenizer splits off "'S"
    ]


def test_a_phrase_matches_on_lemmas_with_code_point_offsets(nlp):
    text = "Эксперт 🙂: regions Lack of Money for joint projects."
    matches = match_rules(nlp, text, [CodeRule(3, phrases=("lack of money",))])
    assert [(m.code_id, m.start, m.end, m.source) for m in matches] == [
        (3, 19, 32, "phrase: lack of money")
    ]
    assert text[19:32] == "Lack of Money"


def test_a_token_pattern_and_a_regex_match(nlp):
    text = "Joint projects stall.\nTransport Corridors are missing."
    rule = CodeRule(
        1,
        patterns=('[{"LOWER": "joint"}, {"IS_ALPHA": true}]',),
        regexes=(r"corridors?",),
    )
    assert found(nlp, text, rule) == [
        (1, "Joint projects", 'pattern: [{"LOWER": "joint"}, {"IS_ALPHA": true}]'),
        (1, "Corridors", "regex: corridors?"),
    ]


def test_a_span_found_by_two_rules_of_one_code_is_returned_once(nlp):
    text = "money money"
    rule = CodeRule(1, keywords=("money",), regexes=("money",))
    assert [(t, s) for _, t, s in found(nlp, text, rule)] == [
        ("money", "keyword: money"),
        ("money", "keyword: money"),
    ]


def test_rules_of_two_codes_may_mark_the_same_words(nlp):
    text = "funding gaps"
    rules = [CodeRule(1, keywords=("funding",)), CodeRule(2, phrases=("funding gaps",))]
    assert [(m.code_id, m.start, m.end) for m in match_rules(nlp, text, rules)] == [
        (1, 0, 7),
        (2, 0, 12),
    ]


def test_no_rules_match_nothing(nlp):
    assert match_rules(nlp, "anything", []) == []


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("regex", "(unclosed", "Regular expression '(unclosed' is invalid: missing )"),
        ("regex", "a*", "matches empty text"),
        ("regex", "(a|aa)+b", "takes too long on some texts"),
        ("pattern", "not json", "is not valid JSON"),
        ("pattern", '{"LOWER": "x"}', "must be a JSON list of token objects"),
        ("pattern", "[]", "must be a JSON list of token objects"),
        ("pattern", '[{"NOPE": "x"}]', "is not a valid spaCy token pattern"),
        ("keyword", "two words", "has spaces; write it as a phrase"),
        ("keyword", "   ", "cannot be empty"),
        ("colour", "red", "Unknown rule kind"),
        ("phrase", "x" * 501, "at most 500 characters"),
    ],
)
def test_invalid_rules_are_refused_with_a_clear_message(kind, value, message):
    with pytest.raises(ValueError, match=None) as info:
        validate_rule(kind, value)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("keyword", "  barrier "),
        ("phrase", "lack of money"),
        ("pattern", '[{"LEMMA": "lack"}, {"LOWER": "of"}]'),
        ("regex", r"\bfund(s|ing)\b"),
    ],
)
def test_valid_rules_are_accepted_and_trimmed(kind, value):
    assert validate_rule(kind, value) == value.strip()


def test_python_regex_syntax_still_works(nlp):
    rule = CodeRule(1, regexes=(r"(?P<what>fund)(?:s|ing)\b",))
    assert found(nlp, "Funding and funds.", rule) == [
        (1, "Funding", r"regex: (?P<what>fund)(?:s|ing)\b"),
        (1, "funds", r"regex: (?P<what>fund)(?:s|ing)\b"),
    ]


def test_a_regex_that_runs_too_long_on_a_text_is_stopped(nlp):
    # Saved rules are probed, but a text can still find a slow path: the
    # match is stopped at the time limit instead of holding the worker.
    rule = CodeRule(7, regexes=("(a|aa)+b",))
    with pytest.raises(
        RuleTooSlow, match="“regex: \\(a\\|aa\\)\\+b” ran for more than"
    ):
        match_rules(nlp, "a" * 60 + "!", [rule], seconds=0.05)
