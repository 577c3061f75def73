"""Concept arithmetic with the real text model and word vectors: words, files, compare, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.core.settings import Settings
from nearby.models.catalog import GLOVE_WORDS
from nearby.models.locate import missing_files

DATA = Path(__file__).resolve().parent.parent / "data" / "arithmetic"


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("notes")
    for name, text in json.loads((DATA / "notes.json").read_text()).items():
        (folder / name).write_text(text)
    return folder


@pytest.fixture
def library(tmp_path: Path, models_dir: Path, text_embedder: object) -> Library:
    assert not missing_files(GLOVE_WORDS, models_dir), "run `python -m nearby.models.install` (the README's test does)"
    library = Library(tmp_path / "lib.sqlite", text_embedder, with_media=False)  # type: ignore[arg-type]
    run_to_end(library.words.prepare())  # done once by the install step; kept in the models folder
    return library


@pytest.mark.parametrize(("expression", "answer"), [
    ("king - man + woman", "queen"), ("Paris - France + Italy", "rome"), ("walking - walk + swim", "swimming"),
])
def test_word_analogies_answer_with_the_expected_word(library: Library, expression: str, answer: str) -> None:
    result = library.arithmetic(expression, k=0, n_words=5)
    assert result.words[0][0] == answer
    assert not {"king", "man", "woman", "paris", "france", "italy", "walking", "walk", "swim"} & {
        w for w, _ in result.words}, "the expression's own words are never answers"


def test_item_arithmetic_finds_the_analogous_file_and_never_a_named_one(library: Library, notes: Path) -> None:
    run_to_end(library.index([notes]))
    cases = json.loads((DATA / "items.json").read_text())
    first = []
    for case in cases:
        result = library.arithmetic(case["expression"], k=5, n_words=0, cwd=notes)
        named = {t.item.path for t in result.terms if t.item is not None}
        assert not named & {r.hit.path for r in result.results}
        first.append(Path(result.results[0].hit.path).name == case["expected"])
        assert [c[0] for c in result.results[0].contributions] == [t.term.text for t in result.terms]
    assert sum(first) >= 7, first


def test_files_are_scored_as_a_search_would_and_none_when_nothing_answers(library: Library, notes: Path) -> None:
    """A combination's files carry search's calibrated scores (a flat 0.41 list said nothing): the
    right file above the cut-off, a combination nothing answers under it ("nothing matches well")."""
    run_to_end(library.index([notes]))
    cut = Settings().min_score
    for expression, expected in (("Tokyo - Japan + Germany", "berlin.txt"),
                                 ("./paris.txt - France + Spain", "madrid.txt"),
                                 ('"bread-recipe.txt" - bread + cake', "cake-recipe.txt")):
        hits = library.arithmetic(expression, k=5, n_words=0, cwd=notes).results
        assert Path(hits[0].hit.path).name == expected and hits[0].hit.score >= cut, (expression, hits[0].hit.score)
        scores = [h.hit.score for h in hits]
        assert scores == sorted(scores, reverse=True) and scores[1] < scores[0]
    for expression in ("quantum - physics + knitting", "guitar - music + cooking"):
        hits = library.arithmetic(expression, k=5, n_words=0).results
        assert hits and all(h.hit.score < cut for h in hits), [(h.hit.name, h.hit.score) for h in hits]


def test_a_subtracted_aspect_really_counts(library: Library, notes: Path) -> None:
    run_to_end(library.index([notes]))
    hits = library.arithmetic("Paris - France + Italy", k=3, n_words=0).results
    assert Path(hits[0].hit.path).name == "rome.txt"
    assert "paris.txt" not in [Path(h.hit.path).name for h in hits[:1]]


def test_compare_scores_closeness_and_shows_agreeing_passages(library: Library, notes: Path) -> None:
    assert library.compare("cat", "dog").score > library.compare("cat", "airplane").score
    run_to_end(library.index([notes]))
    both = library.compare(str(notes / "rome.txt"), str(notes / "paris.txt"))
    assert 0 <= both.score <= 1 and both.agreements and "capital" in both.agreements[0][0]


def nearby(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nearby.core.cli", "--library", str(tmp_path / "cli.sqlite"), *args],
                          input=stdin, capture_output=True, text=True, timeout=120, check=False)


def test_cli_arithmetic_json_contract_on_an_empty_library(tmp_path: Path, library: Library) -> None:
    done = nearby(tmp_path, "arithmetic", "king - man + woman", "--json", "--words", "3")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["expression"] == "king - man + woman" and out["results"] == []
    assert out["terms"][1] == {"text": "man", "weight": 1.0, "sign": "-", "file": None}
    assert out["words"][0]["word"] == "queen" and set(out["words"][0]) == {"word", "score"}


def test_cli_reads_many_expressions_and_pairs_from_stdin(tmp_path: Path, library: Library) -> None:
    many = "king - man + woman\nking - \n\nrome - italy + japan\n"
    done = nearby(tmp_path, "arithmetic", "-", "--words", "1", stdin=many)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 0 and len(lines) == 3
    assert lines[0]["words"][0]["word"] == "queen" and "ends with" in lines[1]["error"]
    assert lines[2]["words"][0]["word"] == "tokyo"
    done = nearby(tmp_path, "compare", "-", stdin="cat\tdog\nonly one\n")
    pairs = [json.loads(line) for line in done.stdout.splitlines()]
    assert pairs[0]["a"] == "cat" and 0 < pairs[0]["score"] <= 1 and "error" in pairs[1]


@pytest.mark.parametrize("expression", ["", "king -", "snow + 1e309:ice", "snow - -3:ice", "x + " * 3000 + "y",
                                        "./not-there.jpg + snow"])
def test_cli_bad_expressions_get_a_message_not_a_traceback(tmp_path: Path, library: Library, expression: str) -> None:
    done = nearby(tmp_path, "arithmetic", expression)  # what was asked cannot be done as given: usage, 2
    assert done.returncode == 2 and done.stderr.startswith("nearby: ") and "Traceback" not in done.stderr


def test_the_vocabulary_holds_50k_words_and_common_phrases(library: Library) -> None:
    entries, vectors = library.words._load_static()  # noqa: SLF001 - what the install step wrote
    assert len(entries) >= 55_000 and vectors.shape == (len(entries), 100)
    assert {"ice cream", "new york", "queen"} <= set(entries)
    assert np.allclose(np.linalg.norm(vectors[:100], axis=1), 1.0, atol=1e-2)
