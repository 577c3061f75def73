"""Likes and suggestions with the real text model: tastes from likes, suggestions in the liked
topics, "because you liked", less like this, and likes kept across re-indexing, moves and the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nearby.core.cli import main
from nearby.core.errors import NotIndexed
from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.core.search.taste import LESS
from tests.topics import write_topic_notes


@pytest.fixture
def topics(tmp_path: Path, text_embedder: object) -> tuple[Library, Path, dict[str, str]]:
    folder = tmp_path / "notes"
    truth = write_topic_notes(folder)
    library = Library(tmp_path / "lib.sqlite", text_embedder, with_media=False)  # type: ignore[arg-type]
    assert run_to_end(library.index([folder])).added == len(truth)
    return library, folder, truth


def test_three_likes_of_one_topic_bring_that_topic(topics: tuple[Library, Path, dict[str, str]]) -> None:
    library, folder, truth = topics
    liked = [folder / "garden-00.txt", folder / "garden-01.txt", folder / "garden-02.txt"]
    library.like(liked)
    suggestions = library.suggest(k=10)
    # The 9 other garden notes; weak matches of other topics are cut rather than filling ten places.
    assert len(suggestions) == 9 and not {s.name for s in suggestions} & {p.name for p in liked}
    assert sum(truth[s.name] == "garden" for s in suggestions) == 9, [s.name for s in suggestions]
    assert all(Path(s.because) in liked for s in suggestions)


def test_two_liked_topics_both_appear(topics: tuple[Library, Path, dict[str, str]]) -> None:
    library, folder, truth = topics
    library.like([folder / "stars-00.txt", folder / "stars-01.txt", folder / "money-00.txt", folder / "money-01.txt"])
    found = [truth[s.name] for s in library.suggest(k=10)]
    assert found.count("stars") >= 3 and found.count("money") >= 3, found
    because = {Path(s.because).name.split("-")[0] for s in library.suggest(k=10) if truth[s.name] == "stars"}
    assert because == {"stars"}  # each suggestion is explained by the like it is closest to


def test_less_like_this_leaves_a_file_and_its_near_copies_out(topics: tuple[Library, Path, dict[str, str]]) -> None:
    library, folder, _ = topics
    library.like([folder / "kitchen-00.txt", folder / "kitchen-01.txt"])
    first = library.suggest(k=3)[0]
    library.like([first.path], LESS)
    assert first.path not in {s.path for s in library.suggest(k=10)}
    assert [row.path for row, _ in library.likes(LESS)] == [first.path]


def test_likes_survive_a_changed_file_and_a_move(topics: tuple[Library, Path, dict[str, str]]) -> None:
    library, folder, _ = topics
    library.like([folder / "football-00.txt"])
    (folder / "football-00.txt").write_text("The striker scored twice and the goalkeeper saved a penalty.")
    run_to_end(library.index([folder]))
    assert [Path(r.path).name for r, _ in library.likes()] == ["football-00.txt"]
    shutil.move(folder / "football-00.txt", folder / "match-report.txt")
    run_to_end(library.index([folder]))
    assert [Path(r.path).name for r, _ in library.likes()] == ["match-report.txt"]
    with pytest.raises(NotIndexed):
        library.like([folder / "not-there.txt"])


def test_the_command_line_likes_and_suggests(topics: tuple[Library, Path, dict[str, str]],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    library, folder, truth = topics
    lib = ["--library", str(library.path)]
    assert main([*lib, "like", str(folder / "garden-00.txt"), str(folder / "garden-03.txt")]) == 0
    assert "liked: 2 files" in capsys.readouterr().out
    assert main([*lib, "likes", "--json"]) == 0
    assert {Path(m["path"]).name for m in json.loads(capsys.readouterr().out)} == {"garden-00.txt", "garden-03.txt"}
    assert main([*lib, "suggest", "-k", "5", "--json"]) == 0
    suggestions = json.loads(capsys.readouterr().out)
    assert len(suggestions) == 5 and all(set(s) >= {"path", "kind", "score", "because"} for s in suggestions)
    assert sum(truth[Path(s["path"]).name] == "garden" for s in suggestions) >= 4
    assert main([*lib, "unlike", str(folder / "garden-00.txt"), str(folder / "garden-03.txt")]) == 0
    assert main([*lib, "suggest"]) == 0
    assert "like a few files first" in capsys.readouterr().out
    assert main([*lib, "like", str(folder / "nowhere.txt")]) == 1


def test_a_file_long_forgotten_is_brought_back_and_what_was_opened_leans_the_taste(
        tmp_path: Path, text_embedder: object) -> None:
    """A garden note untouched for two years comes back as a rediscovery ("Not opened for 2 years"),
    even where ten fresher notes would fill the list; opening it from Nearby makes it no longer
    forgotten. A file opened lately leans its taste toward it (a quarter of a like)."""
    import os
    import time

    from nearby.core.search.taste import tastes

    folder = tmp_path / "notes"
    truth = write_topic_notes(folder, per_topic=16)
    old = time.time() - 800 * 86400
    os.utime(folder / "garden-15.txt", (old, old))
    library = Library(tmp_path / "lib.sqlite", text_embedder, with_media=False)  # type: ignore[arg-type]
    run_to_end(library.index([folder]))
    library.like([folder / f"garden-{i:02}.txt" for i in range(3)])
    suggestions = library.suggest(k=5)
    back = [s for s in suggestions if s.forgotten_days]
    assert [s.name for s in back] == ["garden-15.txt"] and back[0].forgotten_days >= 730
    assert back[0].hit is not None and back[0].hit.snippet.startswith("Not opened for 2 years — because you liked")
    assert back[0].to_json()["rediscover"] is True
    library.note_opened(folder / "garden-15.txt")
    assert not any(s.forgotten_days for s in library.suggest(k=5))
    with library._readers.borrow() as store:  # noqa: SLF001 - the taste itself
        before = tastes(store, "document")[0].vector
    library.note_opened(folder / "garden-09.txt")
    with library._readers.borrow() as store:  # noqa: SLF001
        after = tastes(store, "document")[0].vector
        opened = store.vectors_by_ids("item_vectors", [store.item_by_path(str(folder / "garden-09.txt")).id])
    towards = next(iter(opened.values()))
    assert float(after @ towards) > float(before @ towards)
    assert truth["garden-09.txt"] == "garden"
