"""Browsing with no query, filters on searches, and one file's details."""

from __future__ import annotations

import os
import time
from pathlib import Path

from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.core.search.filters import Filters, is_under
from tests.fakes import FakeEmbedder

DAY = 86_400


def make_library(tmp_path: Path) -> tuple[Library, Path]:
    root = tmp_path / "files"
    (root / "work").mkdir(parents=True)
    (root / "home").mkdir()
    now = time.time()
    files = {"work/report.md": ("Quarterly report on sales in the north.", 1),
             "work/old-plan.txt": ("A plan for the office move, long done.", 500),
             "home/garden.txt": ("Tomatoes and beans along the fence; sales of seedlings at the market.", 3),
             "home/long.txt": ("\n\n".join(f"Paragraph {i} about the garden shed and its roof." * 8
                                           for i in range(12)), 10)}
    for name, (text, age_days) in files.items():
        path = root / name
        path.write_text(text)
        os.utime(path, (now - age_days * DAY, now - age_days * DAY))
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    run_to_end(library.index([root]))
    return library, root


def test_browsing_lists_newest_first_through_filters(tmp_path: Path) -> None:
    library, root = make_library(tmp_path)
    assert [Path(h.path).name for h in library.browse()] == ["report.md", "garden.txt", "long.txt", "old-plan.txt"]
    now = time.time()
    assert [Path(h.path).name for h in library.browse(Filters(since=now - 30 * DAY))] == \
        ["report.md", "garden.txt", "long.txt"]
    assert [Path(h.path).name for h in library.browse(Filters(until=now - 365 * DAY))] == ["old-plan.txt"]
    assert [Path(h.path).name for h in library.browse(Filters(folder=str(root / "home")))] == \
        ["garden.txt", "long.txt"]
    assert library.browse(Filters(folder=str(root / "hom"))) == [], "a folder holds its files, not a sibling's"
    assert [Path(h.path).name for h in library.browse(Filters(extensions=(".md",)))] == ["report.md"]
    assert library.browse(Filters(kind="image")) == []
    hit = library.browse(limit=1)[0]
    assert hit.score == 0.0 and hit.snippet.startswith("Quarterly") and hit.meta["modified"] > now - 2 * DAY
    assert len(library.browse(limit=2, offset=1)) == 2


def test_a_search_keeps_only_what_passes_its_filters(tmp_path: Path) -> None:
    library, root = make_library(tmp_path)
    everything = {Path(h.path).name for h in library.search("sales", k=10)}
    assert {"report.md", "garden.txt"} <= everything
    home = library.search("sales", k=10, filters=Filters(folder=str(root / "home")))
    assert {Path(h.path).name for h in home} <= {"garden.txt", "long.txt"} and home
    assert not library.search("sales", k=10, filters=Filters(extensions=(".pdf",)))


def test_details_give_a_files_facts_and_passages_in_order(tmp_path: Path) -> None:
    library, root = make_library(tmp_path)
    details = library.details(root / "home" / "long.txt")
    assert details is not None and details.kind == "document" and details.size > 1000
    assert len(details.passages) > 1 and details.passages[0][0].startswith("Paragraph 0")
    assert abs(details.modified - (time.time() - 10 * DAY)) < 60
    assert library.details(root / "nowhere.txt") is None


def test_paused_folders_are_kept_but_not_updated(tmp_path: Path) -> None:
    library, root = make_library(tmp_path)
    home = str((root / "home").resolve())
    folders = library.folders()
    library.pause_folder(folders[0])
    assert library.folders(with_paused=False) == folders[1:]
    library.pause_folder(folders[0], False)
    assert library.folders(with_paused=False) == folders
    assert is_under(home + "/a/b.txt", home) and is_under(home, home) and not is_under(home + "x/y", home)


def test_a_selective_filter_finds_its_few_files_among_many_better_ones(tmp_path: Path) -> None:
    """400 garden notes in big/, 3 in small/: the folder's search finds all 3 (it asked the
    vectors for ~200 files and filtered them: 0)."""
    root = tmp_path / "files"
    (root / "big").mkdir(parents=True)
    (root / "small").mkdir()
    for i in range(400):
        (root / "big" / f"note{i}.txt").write_text(f"garden garden notes {i}: the garden in spring.")
    for i in range(3):
        (root / "small" / f"far{i}.txt").write_text(f"A long letter about taxes, trains and, once, a garden {i}.")
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    run_to_end(library.index([root]))
    small = str((root / "small").resolve())
    assert len(library.browse(Filters(folder=small))) == 3
    assert sorted(Path(h.path).name for h in library.search("garden", k=10, filters=Filters(folder=small))) == \
        ["far0.txt", "far1.txt", "far2.txt"]
    assert len(library.search("garden", k=10, filters=Filters(extensions=(".txt",), folder=small))) == 3


def test_exclusions_and_phrases_read_every_match_not_the_best_4096(tmp_path: Path) -> None:
    """4,300 notes hold "draft": `garden -draft` shows none of them (the exclusion read the best
    4,096 passages only, and the rest came back), and a phrase finds its files among them all."""
    root = tmp_path / "files"
    root.mkdir()
    for i in range(4300):
        (root / f"draft{i}.txt").write_text(f"garden garden plan {i}, draft.")
    for i in range(30):
        (root / f"clean{i}.txt").write_text(f"A garden among other things: letters, trains, taxes {i}.")
    (root / "rare.txt").write_text("Taxes and trains, and the one garden plan with a sundial draft.")
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    run_to_end(library.index([root]))
    hits = library.search("garden -draft", k=50)
    assert len(hits) == 30 and all(Path(h.path).name.startswith("clean") for h in hits)
    assert [Path(h.path).name for h in library.search('garden "sundial"', k=10)] == ["rare.txt"]
    phrase = library.search('"garden plan" taxes trains', k=5)
    assert Path(phrase[0].path).name == "rare.txt"


def test_the_folder_tree_past_its_depth_and_its_limit() -> None:
    """The folder filter's subfolders: counts include what lies below, depth is cut at its levels,
    and past the limit the fullest folders are kept (the roots always), in tree order."""
    from nearby.core.search.browse import folder_tree

    root = "/home/p/Photos"
    paths = [f"{root}/{year}/{day:03}/img{n}.jpg" for year in (2023, 2024) for day in range(300)
             for n in range(1 + day % 7)]
    paths.append(f"{root}/2024/001/deep/er/still/img.jpg")  # deeper than 3 levels: counted at level 3
    tree = folder_tree([root], paths, depth=3, limit=400)
    folders = dict(tree)
    assert len(tree) == 401 and folders[root] == len(paths)
    assert folders[f"{root}/2024"] == sum(1 + d % 7 for d in range(300)) + 1
    whole = dict(folder_tree([root], paths, depth=3, limit=10_000))
    assert f"{root}/2024/001/deep" in whole and f"{root}/2024/001/deep/er" not in whole and len(whole) == 604
    assert f"{root}/2024/001/deep" not in folders  # one file: among the emptiest, left out past the limit
    kept_days = [f for f in folders if f.count("/") == 5]
    assert min(folders[f] for f in kept_days) >= 3  # the fullest day folders were kept
    assert [f for f, _ in tree] == sorted((f for f, _ in tree), key=lambda f: f.split("/"))
    assert folder_tree([root], [], depth=3, limit=400) == [(root, 0)]
