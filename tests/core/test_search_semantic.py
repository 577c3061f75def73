"""Search with the real text model: meaning, not shared words, decides the ranking."""

import re
from pathlib import Path

import pytest

from nearby.core.errors import NotIndexed
from nearby.core.library import Library

DOCS = {
    "recipe.txt": "Preheat the oven. Whisk eggs with sugar, fold in flour and bake the sponge for forty minutes.",
    "finance.md": "# Q3\n\nQuarterly revenue rose twelve percent; operating margins improved on lower costs.",
    "pets.html": "<p>Our puppy chews slippers and barks at the mailman every single morning.</p>",
    "space.txt": "The probe entered orbit around Jupiter and photographed its icy moons.",
    "health.txt": "Regular exercise and enough sleep lower blood pressure and improve mood.",
}
# Each query shares no word with the document it must find.
QUERIES = {
    "a young dog that makes noise": "pets.html",
    "how to make a cake": "recipe.txt",
    "company earnings grew": "finance.md",
    "spacecraft visiting a giant planet": "space.txt",
    "staying fit keeps you well": "health.txt",
}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, text_embedder: object) -> Library:
    folder = tmp_path_factory.mktemp("docs")
    for name, text in DOCS.items():
        (folder / name).write_text(text)
    lib = Library(folder.parent / "lib.sqlite", text_embedder)  # type: ignore[arg-type]
    for _ in lib.index([folder]):
        pass
    return lib


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


@pytest.mark.parametrize(("query", "expected"), QUERIES.items())
def test_query_finds_the_document_that_means_the_same(library: Library, query: str, expected: str) -> None:
    assert not words(query) & words(DOCS[expected]), "the test must not rely on shared words"
    hits = library.search(query, k=5)
    assert Path(hits[0].path).name == expected
    assert 0.0 <= hits[-1].score <= hits[0].score <= 1.0
    assert hits[0].score - hits[1].score > 0.05, "the right document should stand clearly apart"


def test_hits_carry_snippet_kind_and_title(library: Library) -> None:
    hit = library.search("earnings", k=1)[0]
    assert (hit.kind, hit.title) == ("document", "Q3")
    assert "Quarterly revenue rose twelve percent" in hit.snippet


def test_min_score_drops_unrelated_files(library: Library) -> None:
    hits = library.search("a young dog that makes noise", k=5, min_score=0.3)
    assert [Path(h.path).name for h in hits] == ["pets.html"]


def test_similar_excludes_the_file_itself_and_ranks_by_meaning(library: Library, tmp_path: Path) -> None:
    pets = next(h.path for h in library.search("dog", k=5) if h.path.endswith("pets.html"))
    hits = library.similar(pets, k=3)
    assert pets not in [h.path for h in hits] and len(hits) == 3
    with pytest.raises(NotIndexed, match="index its folder"):
        library.similar(tmp_path / "never-indexed.txt")


def test_status_reports_model_and_provider(library: Library) -> None:
    status = library.status()
    assert (status.items, status.model) == (5, "all-MiniLM-L6-v2")
    assert status.provider.endswith("ExecutionProvider")
