"""The similarity map: a real small library laid out, stored, brought up to date, drawn."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nearby.core.library import Library
from nearby.core.mapping.clusters import BOILERPLATE, FILE_NAME_TOKENS, STOPWORDS, VERBS
from nearby.core.progress import run_to_end

TOPICS = {
    "cooking": ["Simmer the onions and garlic in olive oil before adding the tomatoes.",
                "Knead the bread dough and let it rise in a warm kitchen.",
                "Roast the chicken with lemon, thyme and potatoes for an hour.",
                "Whisk eggs, sugar and butter for the sponge cake batter.",
                "A slow-cooked beef stew with carrots, red wine and bay leaves.",
                "Fry the rice with vegetables, soy sauce and a little ginger.",
                "Bake the apple pie until the crust is golden brown.",
                "Season the soup with salt, pepper and fresh parsley."],
    "space": ["The rocket launched the satellite into orbit around the Earth.",
              "Astronauts on the space station repaired a solar panel.",
              "The telescope photographed a distant spiral galaxy.",
              "A probe landed on Mars and sent back pictures of red dust.",
              "The moon's craters were mapped by an orbiting spacecraft.",
              "Jupiter's storms are larger than our whole planet.",
              "The comet's tail glowed as it passed near the sun.",
              "Engineers tested the engines of the new launch vehicle."],
    "football": ["The striker scored twice in the second half of the match.",
                 "The goalkeeper saved a penalty in the final minute.",
                 "Fans sang in the stadium as their team won the league.",
                 "The coach changed tactics after the first goal.",
                 "The referee showed a red card to the defender.",
                 "The midfielder passed the ball across the pitch.",
                 "The club signed a young winger before the season.",
                 "Extra time ended level, so the cup final went to penalties."],
}


@pytest.fixture
def library(tmp_path: Path, text_embedder: object) -> tuple[Library, Path]:
    notes = tmp_path / "notes"
    notes.mkdir()
    for topic, lines in TOPICS.items():
        for i, line in enumerate(lines):
            (notes / f"{topic}-{i}.txt").write_text(line)
    library = Library(tmp_path / "lib.sqlite", text_embedder, with_media=False)  # type: ignore[arg-type]
    run_to_end(library.index([notes]))
    return library, notes


def topic_of(path: str) -> str:
    return Path(path).name.split("-")[0]


def test_different_topics_lie_apart_and_groups_are_named(library: tuple[Library, Path]) -> None:
    lib, _ = library
    the_map = run_to_end(lib.update_map())
    assert the_map is not None and len(the_map.points) == 24
    xy = np.array([[p.x, p.y] for p in the_map.points])
    d = ((xy[:, None] - xy[None]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    same = [topic_of(the_map.points[i].path) == topic_of(the_map.points[int(j)].path)
            for i, j in enumerate(d.argmin(1))]
    assert sum(same) >= 22, "a point's nearest point on the map is of its own topic"
    assert 2 <= len(the_map.clusters) <= 4 and all(c.label for c in the_map.clusters)
    assert sum(c.size for c in the_map.clusters) == 24


def test_the_layout_survives_reopening_and_new_files_are_placed_without_moving_others(
        library: tuple[Library, Path], text_embedder: object) -> None:
    lib, notes = library
    first = run_to_end(lib.update_map())
    assert first is not None
    again = Library(lib.path, text_embedder, with_media=False).load_map()  # type: ignore[arg-type]
    assert again is not None
    assert {(p.path, p.x, p.y) for p in again.points} == {(p.path, p.x, p.y) for p in first.points}
    (notes / "space-new.txt").write_text("The astronaut floated outside the orbiting space station.")
    (notes / "cooking-0.txt").unlink()
    run_to_end(lib.index([notes]))
    placed = run_to_end(lib.update_map())
    assert placed is not None
    before = {p.path: (p.x, p.y) for p in first.points}
    after = {p.path: (p.x, p.y) for p in placed.points}
    assert str(notes / "cooking-0.txt") not in after, "a removed file leaves the map"
    assert all(after[path] == before[path] for path in after if path in before), "nobody moved"
    new = np.array(after[str(notes / "space-new.txt")])
    nearest = min((path for path in after if not path.endswith("space-new.txt")),
                  key=lambda path: ((np.array(after[path]) - new) ** 2).sum())
    assert topic_of(nearest) == "space"


def test_cli_map_json_and_png(library: tuple[Library, Path], models_dir: Path) -> None:
    lib, _ = library
    png = lib.path.parent / "map.png"
    done = subprocess.run([sys.executable, "-m", "nearby.core.cli", "--library", str(lib.path), "map", "--json",
                           "--png", str(png), "--size", "800x600"], capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert set(out) == {"points", "clusters"} and len(out["points"]) == 24
    assert set(out["points"][0]) == {"path", "kind", "x", "y", "cluster"}
    assert set(out["clusters"][0]) == {"id", "label", "size", "x", "y"}
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    assert Image.open(png).size == (800, 600)


def test_cli_map_arithmetic_places_the_expression_on_the_map(library: tuple[Library, Path], models_dir: Path) -> None:
    """`nearby map --arithmetic EXPR --json`: the terms, the result point, the answer words and files
    on the map; queen nearer the result than king, man and woman; the parallelogram closes (the result
    is king + (woman - man) on the points); answer files where the map has them."""
    import math

    lib, _ = library
    done = subprocess.run([sys.executable, "-m", "nearby.core.cli", "--library", str(lib.path), "map",
                           "--arithmetic", "king - man + woman", "--json"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    placed = out["arithmetic"]
    assert set(placed) == {"terms", "result", "words", "files"} and len(out["points"]) == 24
    assert [(t["text"], t["weight"]) for t in placed["terms"]] == [("king", 1.0), ("man", -1.0), ("woman", 1.0)]
    assert set(placed["terms"][0]) == {"text", "weight", "x", "y"} and set(placed["result"]) == {"x", "y"}
    at = {t["text"]: (t["x"], t["y"]) for t in placed["terms"]}
    result = (placed["result"]["x"], placed["result"]["y"])
    parallelogram = (at["king"][0] + at["woman"][0] - at["man"][0], at["king"][1] + at["woman"][1] - at["man"][1])
    assert math.dist(result, parallelogram) < 0.01
    words = {w["text"]: (w["x"], w["y"]) for w in placed["words"]}
    assert "queen" in words and all(math.dist(words["queen"], result) < math.dist(at[t], result) for t in at)
    points = {p["path"]: (p["x"], p["y"]) for p in out["points"]}
    assert all(points[f["path"]] == (f["x"], f["y"]) for f in placed["files"])
    refused = subprocess.run([sys.executable, "-m", "nearby.core.cli", "--library", str(lib.path), "map", "--kind",
                              "image", "--arithmetic", "king - man + woman"], capture_output=True, text=True,
                             timeout=300, check=False)
    assert refused.returncode == 2 and "every kind" in refused.stderr


def test_map_updates_are_single_flight_and_skip_files_removed_meanwhile(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A change notice each time the library changes starts a map update: while one lays the map
    out, the others wait for it and return its map (one layout, not one per notice); a file
    removed by an index run during the layout is not written into it."""
    import threading

    from nearby.core.mapping import similarity_map
    from tests.fakes import FakeEmbedder

    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(12):
        (docs / f"{i}.txt").write_text(f"note {i} on {'gardens' if i % 2 else 'engines'} and more")
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    run_to_end(library.index([docs]))
    laid_out, inside, release = [], threading.Event(), threading.Event()
    real_layout = similarity_map.layout

    def slow_layout(vectors, cancel=None, start=None):  # type: ignore[no-untyped-def]
        laid_out.append(len(vectors))
        inside.set()
        release.wait(30)
        return (yield from real_layout(vectors, cancel, start))

    monkeypatch.setattr(similarity_map, "layout", slow_layout)
    maps: list[object] = []
    first = threading.Thread(target=lambda: maps.append(run_to_end(library.update_map())))
    first.start()
    assert inside.wait(30)
    (docs / "0.txt").unlink()
    run_to_end(library.index([docs]))  # removed while the layout runs
    others = [threading.Thread(target=lambda: maps.append(run_to_end(library.update_map()))) for _ in range(3)]
    for t in others:
        t.start()
    release.set()
    for t in (first, *others):
        t.join(60)
    assert laid_out == [12], "one layout for four requests"
    assert len(maps) == 4 and all(m is not None and len(m.points) == 11 for m in maps)  # type: ignore[attr-defined]


BAD_IN_NAMES = FILE_NAME_TOKENS | BOILERPLATE | STOPWORDS | VERBS


def bad_names(labels: list[str]) -> list[str]:
    """Group names holding a file-name token, boilerplate, a stop word, a bare verb or digits."""
    return [label for label in labels
            if any(w in BAD_IN_NAMES or any(ch.isdigit() for ch in w) for w in label.lower().replace(":", " ")
                   .replace("·", " ").split() if w not in ("photos", "songs"))]


def test_group_names_are_words_a_person_would_write(tmp_path: Path, text_embedder: object) -> None:
    """Files named by a camera or a scanner, text under a licence header, a web page's footer: the
    groups are still named by their topics (no "img · black · camera", "org · copyright · gnu")."""
    folder = tmp_path / "files"
    folder.mkdir()
    header = ("Copyright (C) 2019 Free Software Foundation, Inc. This program is free software under the "
              "GNU General Public License; see http://www.gnu.org/licenses for details. ")
    footer = " Subscribe to our newsletter at www.example.com. Privacy policy. Cookies. All rights reserved."
    n = 0
    for topic, lines in TOPICS.items():
        for line in lines:
            n += 1
            name = f"IMG_{2014 + n}.txt" if topic == "space" else f"scan_{n:04}.txt" if topic == "cooking" else \
                f"DSC{n:05}.txt"
            (folder / name).write_text((header if topic != "football" else "") + line + footer)
    library = Library(tmp_path / "lib.sqlite", text_embedder, with_media=False)  # type: ignore[arg-type]
    run_to_end(library.index([folder]))
    the_map = run_to_end(library.update_map())
    assert the_map is not None and len(the_map.points) == 24
    labels = [c.label for c in the_map.clusters]
    assert labels and not bad_names(labels), labels


def test_the_sample_collections_groups_are_named_cleanly(tmp_path: Path, models_dir: Path) -> None:
    """Photos, songs and notes with the real models: photo and song groups named by what their models
    saw ("Photos: …", "Songs: …"), none by a file-name token, boilerplate or digits."""
    import shutil

    from nearby.desktop.sample_collection import shipped_sample

    shutil.copytree(shipped_sample(), tmp_path / "sample")
    library = Library(tmp_path / "lib.sqlite")
    run_to_end(library.index([tmp_path / "sample"]))
    the_map = run_to_end(library.update_map())
    assert the_map is not None
    labels = [c.label for c in the_map.clusters]
    assert not bad_names(labels), labels
    assert not [label for label in labels if label.startswith("group ")], labels


def test_a_big_map_shows_a_first_picture_then_refines_it(tmp_path: Path) -> None:
    """Past SMALL_MAP files the layout process takes a while: a first picture (a sample laid out, the
    rest placed) is stored and announced within seconds, marked so that a stopped run lays out again;
    the finished map keeps its files and replaces it."""
    from nearby.core.mapping.similarity_map import FIRST_PICTURE, FIRST_PICTURE_MARK
    from nearby.core.mapping.small_tsne import SMALL_MAP
    from tests.fakes import FakeEmbedder

    folder = tmp_path / "notes"
    folder.mkdir()
    words = [w for lines in TOPICS.values() for line in lines for w in line.lower().rstrip(".").split()]
    rng = np.random.default_rng(3)
    for i in range(SMALL_MAP + 50):
        (folder / f"n{i}.txt").write_text(" ".join(rng.choice(words, size=12)))
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    run_to_end(library.index([folder]))
    updating = library.update_map()
    first = None
    try:
        while True:
            step = next(updating)
            if step.path == FIRST_PICTURE and first is None:
                first = library.load_map()
    except StopIteration as done:
        final = done.value
    assert first is not None and len(first.points) == SMALL_MAP + 50 and first.model.endswith(FIRST_PICTURE_MARK)
    assert final is not None and len(final.points) == SMALL_MAP + 50 and not final.model.endswith(FIRST_PICTURE_MARK)
    # A first picture left behind (the refinement stopped) is not taken for a finished map.
    with library._readers.borrow() as store:  # noqa: SLF001
        info = store.map_info("all")
    assert info is not None and FIRST_PICTURE_MARK not in info.model
