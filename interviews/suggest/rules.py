"""Keyword, phrase, token-pattern and regular-expression rules for codes.

Keywords and phrases are matched case-insensitively on lemmas. A pipeline
with a lemmatizer (`en_core_web_sm`...) gives real lemmas; `spacy.blank("en")`
has none, so there the "lemma" is the lower-case form with a small English
suffix stripper (`stem`): "barriers", "barrier" and "Barrier's" match each
other, "financing" matches "finance", but irregular forms ("children",
"went") do not. Patterns are spaCy `Matcher` token patterns written as JSON
(one per line, e.g. `[{"LOWER": "lack"}, {"LOWER": "of"}, {}]`); regular
expressions are Python `re` syntax, matched case-insensitively on the text
by the `regex` engine, which can stop a match that runs too long: a rule
that backtracks catastrophically on some text ("(a|aa)+b") is refused when
saved if it does so on a few probes, and stopped with RuleTooSlow if it does
so on a transcript.

Offsets are code points of the text passed in, like codings.
"""

import json
import time
from dataclasses import dataclass, field
from functools import lru_cache

import numpy
import regex
import spacy
from spacy.attrs import NORM, ORTH
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

KINDS = ("keyword", "phrase", "pattern", "regex")
MAX_RULE_CHARS = 500
# Python `re` semantics, case-insensitive.
REGEX_FLAGS = regex.IGNORECASE | regex.VERSION0
# Texts on which a badly nested expression backtracks for ever; a rule must
# get through each within PROBE_SECONDS to be saved.
PROBES = (
    "a" * 64 + "!",
    "aaaa " * 24 + "!",
    "x" * 64 + "\n",
    "0" * 48 + "a",
    "ab" * 40 + "!",
)
PROBE_SECONDS = 0.2
# How long all regular expressions of one match_rules call may run.
REGEX_SECONDS = 10.0


class RuleTooSlow(ValueError):
    """A regular expression ran past its time; str(exc) names it."""


@dataclass(frozen=True)
class CodeRule:
    """The rules of one code: each list holds one rule per entry."""

    code_id: int
    keywords: tuple[str, ...] = field(default=())
    phrases: tuple[str, ...] = field(default=())
    patterns: tuple[str, ...] = field(default=())  # JSON token patterns
    regexes: tuple[str, ...] = field(default=())

    def is_empty(self) -> bool:
        return not (self.keywords or self.phrases or self.patterns or self.regexes)


@dataclass(frozen=True)
class RuleMatch:
    code_id: int
    start: int
    end: int
    source: str  # "keyword: barrier", "regex: lack(s|ed) of", ...


_SUFFIXES = (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""))


def stem(word: str) -> str:
    """Return a crude lower-case English stem of `word` (see the module doc).

    Words of four letters or fewer are only lower-cased, so "bus" and "is"
    stay as they are.
    """
    w = word.lower()
    if w.endswith(("'s", "’s")):
        w = w[:-2]
    if len(w) <= 4:
        return w
    for suffix, replacement in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + replacement
            break
    else:
        if w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


def has_lemmatizer(nlp: Language) -> bool:
    return "lemmatizer" in nlp.pipe_names


@lru_cache(maxsize=2**16)
def _cached_stem(word: str) -> str:
    return stem(word)


def _lemmatise(nlp: Language, doc: Doc) -> Doc:
    # Blank pipelines: write the crude stem into NORM, which the
    # PhraseMatcher then compares (the same is done to the rule's own doc).
    # Through arrays of string ids, not a Token object per token: a fifth
    # less time for matching rules over a long transcript (bench/suggest.py).
    if not has_lemmatizer(nlp) and len(doc):
        strings = nlp.vocab.strings
        orths = doc.to_array(ORTH).tolist()
        norms = [strings.add(_cached_stem(strings[h])) for h in orths]
        doc.from_array([NORM], numpy.array(norms, dtype=numpy.uint64).reshape(-1, 1))
    return doc


def _match_attr(nlp: Language) -> str:
    return "LEMMA" if has_lemmatizer(nlp) else "NORM"


def _rule_doc(nlp: Language, text: str) -> Doc:
    if has_lemmatizer(nlp):
        # Lower-case first so that the lemmatizer sees "barriers", not a
        # proper noun; matching is then on lemmas of lower-cased text.
        return nlp(text.lower())
    return _lemmatise(nlp, nlp.make_doc(text))


def _text_doc(nlp: Language, line: str) -> Doc:
    if not has_lemmatizer(nlp):
        return _lemmatise(nlp, nlp.make_doc(line))
    # Lemmas of the lower-cased line, as for the rules' own docs; lower-casing
    # keeps the offsets of `line`, except for the rare letters whose lower
    # case is longer ("İ"): such lines are read as they are.
    lower = line.lower()
    return nlp(lower if len(lower) == len(line) else line)


def _parse_pattern(value: str) -> list[dict]:
    try:
        pattern = json.loads(value)
    except ValueError as exc:
        raise ValueError(f"Pattern {value!r} is not valid JSON: {exc.msg}.") from None
    if (
        not isinstance(pattern, list)
        or not pattern
        or not all(isinstance(t, dict) for t in pattern)
    ):
        raise ValueError(
            f"Pattern {value!r} must be a JSON list of token objects, "
            'such as [{"LOWER": "lack"}, {"LOWER": "of"}].'
        )
    return pattern


def validate_rule(kind: str, value: str) -> str:
    """Return the rule's value cleaned, or raise ValueError saying what is wrong.

    Empty values, unknown kinds, keywords with spaces, invalid JSON or token
    patterns spaCy refuses, and regular expressions that do not compile (or
    match the empty string, which would code every position) are refused.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown rule kind {kind!r}.")
    value = (value or "").strip()
    if not value:
        raise ValueError("A rule cannot be empty.")
    if len(value) > MAX_RULE_CHARS:
        raise ValueError(f"A rule may be at most {MAX_RULE_CHARS} characters long.")
    if kind == "keyword" and len(value.split()) > 1:
        raise ValueError(f"Keyword {value!r} has spaces; write it as a phrase.")
    if kind == "pattern":
        pattern = _parse_pattern(value)
        try:
            Matcher(_blank_vocab()).add("check", [pattern])
        except Exception as exc:  # spaCy's MatchPatternError and others
            lines = [x.strip() for x in str(exc).splitlines() if x.strip()]
            detail = lines[-1].lstrip("- ") if lines else ""
            raise ValueError(
                f"Pattern {value!r} is not a valid spaCy token pattern: {detail}."
            ) from None
    if kind == "regex":
        try:
            compiled = regex.compile(value, REGEX_FLAGS)
        except regex.error as exc:
            raise ValueError(
                f"Regular expression {value!r} is invalid: {exc.msg} "
                f"at position {exc.pos}."
            ) from None
        if compiled.match(""):
            raise ValueError(
                f"Regular expression {value!r} matches empty text; "
                "it would mark every position."
            )
        try:
            for probe in PROBES:
                for _ in compiled.finditer(probe, timeout=PROBE_SECONDS):
                    pass
        except TimeoutError:
            raise ValueError(
                f"Regular expression {value!r} takes too long on some texts "
                "(it backtracks without end); simplify it, for example "
                "avoid a repeated group that can match the same text in "
                "several ways, such as (a|aa)+."
            ) from None
    return value


@lru_cache(maxsize=1)
def _blank_vocab() -> Vocab:
    # Patterns are checked against a blank vocabulary: validity does not
    # depend on the pipeline they will later run with.
    return spacy.blank("en").vocab


def _lines(text: str):
    """Yield (offset, line) for the non-blank lines: rules never cross a line."""
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            yield offset, line
        offset += len(line) + 1


def match_rules(
    nlp: Language,
    text: str,
    rules: list[CodeRule],
    *,
    seconds: float | None = None,
) -> list[RuleMatch]:
    """Return every match of `rules` in `text`, sorted by start, end, code.

    A span found by several rules of one code is returned once, with the
    first rule's source. Rules are assumed valid (see `validate_rule`).
    Raise RuleTooSlow when the regular expressions together run longer than
    `seconds` (REGEX_SECONDS by default) on `text`.
    """
    if seconds is None:
        seconds = REGEX_SECONDS
    attr = _match_attr(nlp)
    phrase_matcher = PhraseMatcher(nlp.vocab, attr=attr)
    token_matcher = Matcher(nlp.vocab)
    sources: dict[str, tuple[int, str]] = {}
    regexes = []
    for rule in rules:
        for kind, values in (("keyword", rule.keywords), ("phrase", rule.phrases)):
            for value in values:
                key = f"{rule.code_id}|{kind}: {value}"
                sources[key] = (rule.code_id, f"{kind}: {value}")
                phrase_matcher.add(key, [_rule_doc(nlp, value)])
        for value in rule.patterns:
            key = f"{rule.code_id}|pattern: {value}"
            sources[key] = (rule.code_id, f"pattern: {value}")
            token_matcher.add(key, [_parse_pattern(value)])
        for value in rule.regexes:
            regexes.append(
                (rule.code_id, f"regex: {value}", regex.compile(value, REGEX_FLAGS))
            )
    found: dict[tuple[int, int, int], str] = {}
    use_spacy = bool(sources)
    deadline = time.monotonic() + seconds
    for offset, line in _lines(text):
        if use_spacy:
            doc = _text_doc(nlp, line)
            hits = [*phrase_matcher(doc)] if len(phrase_matcher) else []
            if len(token_matcher):
                hits.extend(token_matcher(doc))
            for match_id, s, e in hits:
                code_id, source = sources[nlp.vocab.strings[match_id]]
                span = doc[s:e]
                key = (offset + span.start_char, offset + span.end_char, code_id)
                found.setdefault(key, source)
        for code_id, source, compiled in regexes:
            left = deadline - time.monotonic()
            try:
                for m in compiled.finditer(line, timeout=max(left, 0.001)):
                    if m.end() > m.start():
                        key = (offset + m.start(), offset + m.end(), code_id)
                        found.setdefault(key, source)
            except TimeoutError:
                raise RuleTooSlow(
                    f"The rule “{source}” ran for more than {seconds:g} s on one "
                    "text and was stopped; simplify it."
                ) from None
    return [
        RuleMatch(code_id=k[2], start=k[0], end=k[1], source=v)
        for k, v in sorted(found.items())
    ]
