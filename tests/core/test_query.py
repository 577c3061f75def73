from pathlib import Path

import pytest

from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.core.search.query import ParsedQuery, fts_phrase, parse_query


def test_quoted_phrases_and_minus_words_are_pulled_out() -> None:
    assert parse_query('invoice "INV-2024-003" from the plumber -electrician -"late fee"') == ParsedQuery(
        "invoice from the plumber", ("INV-2024-003",), ("electrician", "late fee"))
    assert parse_query('"exact only"').text_for_meaning == "exact only"
    assert parse_query("well-known e-mail").meaning == "well-known e-mail", "hyphens inside words stay"
    assert fts_phrase('say "hi"') == '"say ""hi"""'
    assert parse_query('"" rocket "unclosed').meaning == "rocket unclosed"


@pytest.fixture
def library(tmp_path: Path, text_embedder: object) -> Library:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "plumber.txt").write_text("Invoice INV-2024-003 from the plumber for fixing the kitchen sink.")
    (folder / "electrician.txt").write_text("Invoice INV-2024-004 from the electrician for new wiring.")
    (folder / "cafe.md").write_text("# Café crème\n\nOur favourite café serves a great crème brûlée.")
    (folder / "groceries.txt").write_text("Receipt for groceries: bread, milk and apples.")
    lib = Library(tmp_path / "lib.sqlite", text_embedder, media=[])  # type: ignore[arg-type]
    run_to_end(lib.index([folder]))
    return lib


def test_a_quoted_phrase_must_appear(library: Library) -> None:
    assert [h.name for h in library.search('"INV-2024-003"')] == ["plumber.txt"]
    assert [h.name for h in library.search('bill "INV-2024-004"')] == ["electrician.txt"]
    assert [h.name for h in library.search('"cafe creme"')] == ["cafe.md"], "accents do not matter"
    assert library.search('"no such words anywhere"') == []


def test_minus_excludes_files_that_contain_it(library: Library) -> None:
    names = [h.name for h in library.search("invoice for work on the house -electrician", k=4)]
    assert "plumber.txt" in names and "electrician.txt" not in names
    assert library.search("-invoice") == [], "nothing to look for"


def test_phrases_stay_in_step_with_reindexing(library: Library, tmp_path: Path) -> None:
    (tmp_path / "docs" / "plumber.txt").write_text("Quote Q-77 from the plumber.")
    run_to_end(library.index([tmp_path / "docs"]))
    assert library.search('"INV-2024-003"') == []
    assert [h.name for h in library.search('"Q-77"')] == ["plumber.txt"]
