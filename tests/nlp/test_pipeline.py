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


def test_a_text_longer_than_spacys_limit_is_processed_in_chunks(nlp):
    sentence = "Regions cooperate on transport. "
    text = sentence * (3 * CHUNK_CHARS // len(sentence))
    spans = find_sentences(nlp, text)
    assert len(spans) == text.count(".")
    assert all(text[s.start : s.end] == sentence.strip() for s in spans)


def test_an_uninstalled_pipeline_is_reported(nlp):
    with pytest.raises(ValueError, match="not installed"):
        load_pipeline("no_such_pipeline_pkg")
