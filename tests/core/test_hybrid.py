"""Hybrid ranking: BM25 over the keyword index fused with meaning (core/search/bm25.py, rank.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench import hybrid_eval
from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.core.search.bm25 import TOP_PASSAGES, keyword_matches, query_units, stem
from nearby.core.search.filters import Filters
from tests.fakes import FakeEmbedder


def test_a_query_becomes_words_plurals_and_codes_as_phrases() -> None:
    units = {u.text: u.fts for u in query_units("The tyres of router 192.168.0.1, INV-2024-0917 and the cat")}
    assert units == {"tyre": '"tyre" *', "router": '"router" *', "192 168 0 1": '"192 168 0 1"',
                     "inv 2024 0917": '"inv 2024 0917"', "cat": '"cat"'}
    # a stem is searched as a prefix: "boxe" finds boxes; short words match as they are
    assert [stem(w) for w in ("boxes", "tyres", "cats", "glass", "status", "news", "2024s")] == \
        ["boxe", "tyre", "cats", "glass", "status", "news", "2024s"]


def test_shares_say_how_much_of_the_query_a_passage_holds(tmp_path: Path) -> None:
    notes = {"all.txt": "The zephyr roadmap for the quokka launch.", "half.txt": "The quokka enclosure at the zoo.",
             "none.txt": "Nothing of the kind here at all.",
             **{f"filler{i}.txt": f"An unrelated note number {i} about the weather." for i in range(20)}}
    for name, text in notes.items():
        (tmp_path / name).write_text(text)
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    run_to_end(library.index([tmp_path]))
    with library._readers.borrow() as store:
        found = keyword_matches(store, "zephyr quokka")
        rows = store.items_by_ids(list(found))
        shares = {Path(rows[i].path).name: m.share for i, m in found.items()}
    assert set(shares) == {"all.txt", "half.txt"}
    assert shares["all.txt"] > 0.8 and 0.3 < shares["half.txt"] < 0.7


def test_the_keyword_side_finds_an_allowed_file_past_its_cap(tmp_path: Path) -> None:
    """More files hold the word than the keyword side reads (TOP_PASSAGES): a folder filter that
    allows only the weakest of them still gets it, and never another."""
    for i in range(TOP_PASSAGES + 60):
        folder = tmp_path / ("kept" if i == TOP_PASSAGES + 59 else "other")
        folder.mkdir(exist_ok=True)
        # the kept file is the longest: the lowest BM25 of all
        (folder / f"n{i}.txt").write_text("gondolier " + ("filler words here " * (40 if folder.name == "kept" else 1)))
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    run_to_end(library.index([tmp_path]))
    rows = Filters(folder=str((tmp_path / "kept").resolve()))
    with library._readers.borrow() as store:
        found = keyword_matches(store, "gondolier", only=rows.rows(store))
        assert [Path(store.items_by_ids([i])[i].path).parent.name for i in found] == ["kept"]
    hits = library.search("gondolier", k=5, filters=rows)
    assert [h.name for h in hits] == [f"n{TOP_PASSAGES + 59}.txt"]


@pytest.fixture(scope="module")
def judged_library(tmp_path_factory: pytest.TempPathFactory, text_embedder: object) -> Library:
    """The judged set's documents, their near-copies and notes (bench/hybrid_eval.py), no prose."""
    return hybrid_eval.build(tmp_path_factory.mktemp("hybrid"), prose=0, embedder=text_embedder)


def test_fusion_beats_bm25_and_meaning_alone_on_the_judged_set(judged_library: Library) -> None:
    scores = hybrid_eval.evaluate(judged_library, ("codes", "names", "numbers", "descriptions"))
    every = {m: np.concatenate([scores[c][m] for c in scores]) for m in ("model", "bm25", "product")}
    assert every["product"].mean() >= every["model"].mean() + 0.05, {m: v.mean() for m, v in every.items()}
    assert every["product"].mean() >= every["bm25"].mean() + 0.05, {m: v.mean() for m, v in every.items()}
    assert hybrid_eval.paired_p(every["product"], every["bm25"]) < 0.05
    for cls in ("codes", "names", "numbers"):  # what meaning cannot read, the keyword side finds
        assert scores[cls]["product"].mean() >= 0.95, (cls, scores[cls]["product"].mean())
    descriptions = scores["descriptions"]  # and descriptions lose nothing to it
    assert descriptions["product"].mean() >= descriptions["model"].mean() - 0.01


def test_a_number_is_weighed_in_proportion_not_lifted_above_meaning(judged_library: Library) -> None:
    """"a purity rate of up to 50%" once lifted every file holding 50% above every meaning match; a
    number is one word of the query among the others now."""
    hits = judged_library.search("how much do I pay my pension 5% of", k=3)
    assert hits[0].name.startswith("pension-statement")
    top = judged_library.search("rising oceans threaten island nations 5%", k=1)[0]
    assert top.name.startswith("sea-levels"), top.name


def test_long_queries_and_common_words_are_bounded(tmp_path: Path) -> None:
    """At most MAX_WORDS words of a query are weighed; a word in more than COMMON_SHARE of the
    passages (and at least COMMON_MIN of them) is left out, the rarer words still found."""
    from nearby.core.search import bm25
    from nearby.core.storage.items import ItemRow
    from nearby.core.storage.store import Store

    many = " ".join(f"word{i}" for i in range(bm25.MAX_WORDS + 10))
    assert len(query_units(many)) == bm25.MAX_WORDS
    store = Store(tmp_path / "lib.sqlite", FakeEmbedder().dim)
    vectors = np.eye(FakeEmbedder().dim, dtype=np.float32)[:1]
    with store.transaction():
        for i in range(bm25.COMMON_MIN + 50):
            text = "everywhere " + ("zanzibar" if i == 7 else "plain")
            store.add_item(ItemRow(0, f"/x/n{i}.txt", "document", f"n{i}", 1, 1, str(i)), [(text, None)], vectors)
    assert keyword_matches(store, "everywhere") == {}, "the common word alone reads nothing"
    found = keyword_matches(store, "everywhere zanzibar")
    assert len(found) == 1 and store.items_by_ids(list(found))[next(iter(found))].path == "/x/n7.txt"
    store.close()
