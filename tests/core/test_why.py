"""Every result says why it is there (`why`), and keywords are codes and names — not bare numbers,
not pieces of file names."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.core.search.keywords import is_code, keyword_words
from nearby.core.search.why import query_terms, why_text
from tests.documents import write_notes
from tests.fakes import FakeEmbedder

NOTES = {
    "bread.txt": "Knead the dough for ten minutes, let it prove, then bake the loaf until the crust is golden.",
    "lease.txt": "The tenant pays the rent on the first day of each month; the deposit is returned within 30 days.",
    "invoice.txt": "Invoice INV-2024-0917 for the boiler service, due at the end of March.",
    "zephyr-roadmap.txt": "Milestones for the next quarter: beta in May, release in September.",
    "zephyrine.txt": "A poem about the west wind and a girl named after it.",
    "IMG_2014-notes.txt": "Holiday notes: ferries between the islands, a storm on the third night.",
}


@pytest.fixture()
def library(tmp_path: Path) -> Library:
    write_notes(tmp_path / "notes", NOTES)
    lib = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    run_to_end(lib.index([tmp_path / "notes"]))
    return lib


def test_every_hit_says_how_it_matched_and_which_words_it_holds(library: Library) -> None:
    hits = library.search("when is the deposit returned", k=6)
    assert hits and all(h.why.get("matched") and "source" in h.why and "words" in h.why for h in hits)
    lease = next(h for h in hits if h.name == "lease.txt")
    assert lease.why["matched"][0] == "meaning" and {"deposit", "returned"} <= set(lease.why["words"])
    assert lease.why["source"] == "passage" and "deposit" in lease.why["passage"]
    code = library.search("INV-2024-0917", k=3)[0]
    assert code.name == "invoice.txt" and "keywords" in code.why["matched"]
    assert "inv-2024-0917" in code.why["words"]
    named = library.search("zephyr", k=3)
    assert named[0].name == "zephyr-roadmap.txt" and "file name" in named[0].why["matched"]
    similar = library.similar(Path(lease.path), k=3)
    assert similar and all(h.why["matched"] == ["look-alike"] for h in similar)
    assert why_text(lease.why).startswith("By meaning") and "words found: deposit, returned" in why_text(lease.why)


def test_file_names_match_whole_tokens_and_bare_numbers_are_not_codes(library: Library) -> None:
    """"zephyr" names zephyr-roadmap.txt, not zephyrine.txt; a year in a query does not lift every
    IMG_2014… file; "a purity rate of up to 50%" has no keyword (it lifted every file holding 50%)."""
    store = library._new_store()
    assert [h.name for h in library.search("zephyr", k=6) if "file name" in h.why["matched"]] == ["zephyr-roadmap.txt"]
    assert keyword_words(store, library.embedder, "a purity rate of up to 50%") == []
    assert keyword_words(store, library.embedder, "bread recipe 2014") == []
    lifted = [h.name for h in library.search("bread recipe 2014", k=6) if "file name" in h.why["matched"]]
    assert lifted == [], "IMG_2014-notes.txt is not named by the year"
    for code in ("INV-2024-0917", "v2.3", "192.168.1.1", "2024-01-15", "DS-160", "McAllister", "x86"):
        assert is_code(code), code
    for number in ("2014", "50%", "3.5", "1,000", "$40", "21°C"):
        assert not is_code(number), number


def test_the_line_for_people_names_classes_unless_shown_beside_it() -> None:
    why = {"matched": ["meaning"], "words": ["cat"], "source": "what the picture shows",
           "classes": [["tabby cat", 0.62], ["Egyptian Mau", 0.2]]}
    assert why_text(why) == "By meaning; words found: cat; the picture model sees tabby cat (62%), Egyptian Mau (20%)"
    assert why_text(why, classes=False) == "By meaning; words found: cat"


def test_query_terms_leave_out_stop_words_and_excluded_words() -> None:
    assert query_terms("a photo of the Beach -sunset at night") == ["beach", "night"]


def test_the_cli_json_has_why_on_every_hit(tmp_path: Path, models_dir: Path) -> None:
    write_notes(tmp_path / "notes", NOTES)
    lib = str(tmp_path / "cli.sqlite")
    cli = [sys.executable, "-m", "nearby.core.cli", "--library", lib]
    assert subprocess.run([*cli, "index", str(tmp_path / "notes")], capture_output=True, timeout=600).returncode == 0
    for args in (["search", "rent deposit", "--all", "--json"], ["similar", str(tmp_path / "notes" / "lease.txt"),
                                                                 "--json"]):
        done = subprocess.run([*cli, *args], capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stderr
        hits = json.loads(done.stdout)
        assert hits and all(isinstance(h["why"], dict) and h["why"]["matched"] for h in hits), hits


def test_answer_words_do_not_label_people_unless_asked() -> None:
    from nearby.core.search.answer_words import offered

    assert not offered("black person", ["man", "king", "woman"]) and not offered("dead person", ["queen"])
    assert offered("dead person", ["dead", "king"]), "typed: the person asked about it"
    assert offered("queen", ["king"]) and offered("black", ["white"]) and offered("french", ["paris", "france"])
    assert offered("old man", ["king"]) and not offered("corpse", ["body"])


def test_flipped_arithmetic_offers_no_labels_of_people(tmp_path: Path, models_dir: Path) -> None:
    """`woman - queen + man` answered "dead person", "black person" and "white person" among its words."""
    library = Library(tmp_path / "lib.sqlite", with_media=False)
    for expression in ("woman - queen + man", "man - king + woman"):
        words = [w for w, _ in library.arithmetic(expression, k=0, n_words=10).words]
        assert len(words) == 10 and not {"dead person", "black person", "white person"} & set(words), words
