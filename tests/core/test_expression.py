"""The arithmetic grammar: what reads as an expression, and clear messages for what cannot."""

import pytest

from nearby.core.search.expression import ExpressionError, Term, is_expression, parse_expression


@pytest.mark.parametrize(("text", "terms"), [
    ("king - man + woman", [Term("king"), Term("man", sign=-1), Term("woman")]),
    ("Paris − France + Italy", [Term("Paris"), Term("France", sign=-1), Term("Italy")]),
    ('"beach.jpg" + snow - 2:summer', [Term("beach.jpg", quoted=True), Term("snow"), Term("summer", 2.0, -1)]),
    ("0.5:./holiday/beach.jpg + ice cream", [Term("./holiday/beach.jpg", 0.5), Term("ice cream")]),
    ("- summer + winter", [Term("summer", sign=-1), Term("winter")]),
])
def test_expressions_read_into_terms(text: str, terms: list[Term]) -> None:
    assert is_expression(text)
    assert parse_expression(text) == terms


def test_a_glued_minus_keeps_its_plain_search_meaning() -> None:
    assert not is_expression("invoice -draft")
    assert not is_expression("well-known t-shirt")
    assert is_expression("invoice - draft")


@pytest.mark.parametrize(("text", "says"), [
    ("", "empty"),
    ("king - ", "ends with '-'"),
    ("+ + snow", "found nothing"),
    ("snow + 1e309:ice", "above 0"),
    ("snow - -3:ice", "above 0"),
    ("snow + 0:ice", "above 0"),
    ("snow + abc:ice", "not a number"),
    ('snow + "ice', "not closed"),
    ('snow + ""', "Empty quotes"),
    ("snow + " + "x" * 10_000, "at most 1,000"),
    (" + ".join(["w"] * 30), "at most 24"),
])
def test_bad_expressions_say_what_was_expected_where(text: str, says: str) -> None:
    with pytest.raises(ExpressionError, match=says):
        parse_expression(text)
