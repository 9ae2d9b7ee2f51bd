import pytest

from interviews.nlp.pipeline import CHUNK_CHARS, find_sentences, load_pipeline


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline("")


def test_sentences_have_code_point_offsets(nlp):
    text = "Привет 🙂 мир. Second one here!\n\nThird paragraph."
    spans = find_sentences(nlp, text)
    assert [text[s.start : s.end] for s in spans] == [
        "Привет 🙂 мир.",
        "Second one here!",
        "Third paragraph.",
    ]
    assert [s.token_count for s in spans] == [4, 4, 3]


def test_a_sentence_never_crosses_into_the_next_speakers_turn(nlp):
    text = (
        "INTERVIEWER: What helps cooperation\n"
        "Expert 1 (Kazakhstan): Joint universities. Transport too\n"
        "Expert 2: Yes"
    )
    turns = [0, text.index("Expert 1"), text.index("Expert 2")]
    spans = find_sentences(nlp, text, breaks=turns)
    assert [text[s.start : s.end] for s in spans] == [
        "INTERVIEWER: What helps cooperation",
        "Expert 1 (Kazakhstan): Joint universities.",
        "Transport too",
        "Expert 2: Yes",
    ]
    # Without the turns, the unpunctuated ends run into the next turn.
    assert len(find_sentences(nlp, text)) == 2


def test_breaks_outside_the_text_are_ignored(nlp):
    text = "One. Two."
    assert find_sentences(nlp, text, breaks=[-1, 0, 9, 99]) == find_sentences(nlp, text)


def test_a_text_longer_than_spacys_limit_is_processed_in_chunks(nlp):
    sentence = "Regions cooperate on transport. "
    text = sentence * (3 * CHUNK_CHARS // len(sentence))
    spans = find_sentences(nlp, text)
    assert len(spans) == text.count(".")
    assert all(text[s.start : s.end] == sentence.strip() for s in spans)


def test_an_uninstalled_pipeline_is_reported(nlp):
    with pytest.raises(ValueError, match="not installed"):
        load_pipeline("no_such_pipeline_pkg")
