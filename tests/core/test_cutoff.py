"""The good-match cut-off in a small library of short notes: a clear answer is shown, nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.core.settings import Settings

EVAL = Path(__file__).resolve().parent.parent / "data" / "eval"


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory, text_embedder: object) -> Library:
    folder = tmp_path_factory.mktemp("notes")
    for name, text in json.loads((EVAL / "hybrid.json").read_text())["documents"].items():
        (folder / name).write_text(text, encoding="utf-8")
    library = Library(folder / "lib.sqlite", text_embedder, with_media=False)  # type: ignore[arg-type]
    run_to_end(library.index([folder]))
    return library


def test_a_clear_answer_is_shown_in_a_small_library(notes: Library) -> None:
    """45 short notes, each a little like every everyday query: the journal entry about a terrier
    on Camber Sands scored 0.19 for "a dog on the beach" (hidden); standing far above the other
    notes, it is a good match."""
    cut = Settings().min_score
    for query, wanted in (("a dog on the beach", "journal-2021-08-14.md"),
                          ("how the brain stores memories", "lecture-5.md"),
                          ("speeding up slow code", "report-script.md")):
        hit = notes.search(query, k=3)[0]
        assert hit.name == wanted and hit.score >= cut, (query, hit.name, hit.score)


def test_queries_about_nothing_here_still_find_nothing(notes: Library) -> None:
    cut = Settings().min_score
    for query in ("quantum chromodynamics lattice simulation", "medieval siege warfare tactics",
                  "the rules of cricket", "knitting a woollen scarf", "learning to ski"):
        hits = notes.search(query, k=3)
        assert not hits or hits[0].score < cut, (query, hits[0].name, hits[0].score)
