from nearby.core.extract import Section
from nearby.core.extract.passages import (
    MAX_PASSAGES_PER_FILE,
    MAX_WORDS,
    normalise,
    sentences,
    split_passages,
    split_section,
)


def test_normalise_unfolds_ligatures_and_collapses_layout_whitespace() -> None:
    text = "The ﬁnal\u00a0 report\t\tis  here.\r\nSecond line of the para-\u00adgraph.\n\n\n  New paragraph.  "
    assert normalise(text) == "The final report is here. Second line of the para-graph.\n\nNew paragraph."


def test_sentences_split_on_terminal_punctuation_only() -> None:
    assert sentences('He said "stop." Then Dr. Smith left at 3.5 km! Why? Because.') == [
        'He said "stop."', "Then Dr. Smith left at 3.5 km!", "Why?", "Because."]


def test_passages_respect_sentence_boundaries_size_and_overlap() -> None:
    body = " ".join(f"Sentence {i} talks about subject {i % 7} at some modest length here." for i in range(60))
    passages = split_section(body)
    assert len(passages) > 3
    for p in passages:
        assert len(p.split()) <= MAX_WORDS
        assert p.startswith("Sentence ") and p.endswith(".")
    for a, b in zip(passages, passages[1:], strict=False):
        last_sentence_of_a = a.rsplit(". ", 1)[-1]
        assert b.startswith(last_sentence_of_a.rstrip(".")), "consecutive passages should share a sentence"
    joined = " ".join(passages)
    for i in range(60):
        assert f"Sentence {i} talks" in joined


def test_overlong_sentence_is_cut_into_bounded_pieces() -> None:
    passages = split_section(" ".join(["word"] * (MAX_WORDS * 3 + 5)))
    assert all(len(p.split()) <= MAX_WORDS for p in passages)
    assert sum(len(p.split()) for p in passages) >= MAX_WORDS * 3 + 5


def test_tiny_trailing_fragment_joins_the_previous_passage() -> None:
    body = " ".join(f"Sentence number {i} says something plain and short." for i in range(15)) + " End."
    assert split_section(body)[-1].endswith("End.")
    assert split_section(body)[-1] != "End."


def test_pages_are_kept_and_passages_are_capped() -> None:
    out = split_passages([Section("Page one text is here.", page=1), Section("Page two text.", page=2)])
    assert [(p.text, p.page) for p in out] == [("Page one text is here.", 1), ("Page two text.", 2)]
    many = [Section(f"Paragraph {i} has enough words to stand alone as a passage here.") for i in range(6000)]
    assert len(split_passages(many)) == MAX_PASSAGES_PER_FILE


def test_a_heading_is_set_off_from_the_sentence_after_it() -> None:
    assert split_section("Sourdough\n\nFeed the starter. Then mix.") == ["Sourdough — Feed the starter. Then mix."]
