"""Duplicates with the real models: exact copies, a photo resized, turned and re-encoded, a document
re-saved in other formats, a song re-encoded — grouped, each group with its reason and the file to
keep; distinct look-alikes (a burst is a duplicate, two different photos of cats are not) kept apart."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

from nearby.core.cli import main
from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.core.search.duplicates import candidate_pairs, word_grams
from tests.documents import write_docx, write_pdf

EVAL = Path(__file__).resolve().parent.parent / "data" / "eval"
LETTER = ("The landlord will return the deposit within thirty days once the flat has been inspected and the keys "
          "handed back. Any damage beyond normal wear will be deducted, with receipts, and the rest paid to the "
          "account named in the lease.")


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, text_embedder: object) -> tuple[Library, Path]:
    root = tmp_path_factory.mktemp("dupes")
    photos, docs, music = root / "photos", root / "docs", root / "music"
    for folder in (photos, docs, music):
        folder.mkdir()
    for name in ("chelsea.jpg", "launch.jpg", "morning.jpg", "portrait.jpg", "night-sky.jpg"):
        shutil.copy(EVAL / "images" / name, photos / name)
    shutil.copy(EVAL / "images" / "launch.jpg", photos / "launch copy.jpg")  # the same bytes
    with Image.open(EVAL / "images" / "chelsea.jpg") as im:
        im.resize((im.width // 2, im.height // 2)).save(photos / "chelsea-small.jpg", quality=60)
        im.rotate(90, expand=True).save(photos / "chelsea-turned.jpg", quality=85)
    (docs / "deposit.txt").write_text(LETTER)
    write_docx(docs / "deposit.docx", [LETTER])
    write_pdf(docs / "deposit.pdf", [LETTER])
    (docs / "bread.txt").write_text("Knead the dough and bake the bread until the crust is golden and sounds hollow.")
    audio, rate = sf.read(EVAL / "songs" / "evening.ogg")
    shutil.copy(EVAL / "songs" / "evening.ogg", music / "evening.ogg")
    sf.write(music / "evening.flac", audio, rate)
    shutil.copy(EVAL / "songs" / "friday.ogg", music / "friday.ogg")
    sf.write(music / "evening-backwards.ogg", audio[::-1], rate)  # the same sound, another recording
    lib = Library(root / "lib.sqlite", text_embedder)  # type: ignore[arg-type]
    summary = run_to_end(lib.index([root]))
    assert not summary.failures
    return lib, root


def names(group: object) -> set[str]:
    return {Path(f.path).name for f in group.files}  # type: ignore[attr-defined]


def test_copies_are_grouped_with_their_reason_and_the_file_to_keep(library: tuple[Library, Path]) -> None:
    lib, _ = library
    groups = {frozenset(names(g)): g for g in lib.duplicates()}
    assert set(groups) == {frozenset({"launch.jpg", "launch copy.jpg"}),
                           frozenset({"chelsea.jpg", "chelsea-small.jpg", "chelsea-turned.jpg"}),
                           frozenset({"deposit.txt", "deposit.docx", "deposit.pdf"}),
                           frozenset({"evening.ogg", "evening.flac"})}
    same = groups[frozenset({"launch.jpg", "launch copy.jpg"})]
    assert same.reason == "same bytes" and same.kind == "image"
    photo = groups[frozenset({"chelsea.jpg", "chelsea-small.jpg", "chelsea-turned.jpg"})]
    assert photo.reason == "the same picture, resized or edited" and Path(photo.keep).name in {
        "chelsea.jpg", "chelsea-turned.jpg"} and photo.why_keep == "the most pixels (the oldest of equals)"
    document = groups[frozenset({"deposit.txt", "deposit.docx", "deposit.pdf"})]
    assert document.reason.startswith("the same document in several formats") and document.keep.endswith(".docx")
    song = groups[frozenset({"evening.ogg", "evening.flac"})]
    assert song.reason == "the same song in several encodings" and song.keep.endswith(".flac")
    assert [g.kind for g in lib.duplicates("song")] == ["song"]


def test_the_command_line_lists_groups_and_their_json(library: tuple[Library, Path],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    lib, root = library
    assert main(["--library", str(lib.path), "duplicates", "--json"]) == 0
    groups = json.loads(capsys.readouterr().out)["groups"]
    assert len(groups) == 4 and all({"reason", "kind", "keep", "files"} <= set(g) for g in groups)
    assert all({"path", "kind", "size", "modified"} <= set(f) for g in groups for f in g["files"])
    assert main(["--library", str(lib.path), "duplicates", "--kind", "document"]) == 0
    text = capsys.readouterr().out
    assert "keep " + str(root / "docs" / "deposit.docx") in text and "Nearby deletes nothing" in text


def test_candidates_past_the_exact_size_come_from_a_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past SMALL_KIND the neighbours come from an HNSW graph over a projection: the near-copies
    planted among 3,000 random vectors are all found, and nothing else."""
    from nearby.core.search import duplicates

    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(3000, 256)).astype(np.float32)
    copies = {(i, 2000 + i) for i in range(0, 1000, 10)}
    for a, b in copies:
        vectors[b] = vectors[a] + rng.normal(scale=0.05, size=256)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact = {(a, b) for a, b, _ in candidate_pairs(vectors, 0.9)}
    monkeypatch.setattr(duplicates, "SMALL_KIND", 1000)
    graph = {(a, b) for a, b, _ in candidate_pairs(vectors, 0.9)}
    assert exact == copies and graph == copies


def test_shared_text_is_counted_in_word_runs() -> None:
    first = word_grams(LETTER)
    edited = word_grams(LETTER.replace("thirty", "forty"))
    assert 0.7 < len(first & edited) / len(first) < 1.0
    assert not first & word_grams("Knead the dough and bake the bread until the crust is golden.")


def test_a_burst_larger_than_the_neighbours_looked_at_is_one_group() -> None:
    """30 near-identical shots (more than NEIGHBOURS): their pairs chain them into one group."""
    from nearby.core.search import duplicates

    rng = np.random.default_rng(5)
    base = rng.normal(size=128).astype(np.float32)
    vectors = np.stack([base + rng.normal(scale=0.03, size=128) for _ in range(30)]
                       + [rng.normal(size=128) for _ in range(200)]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert duplicates.NEIGHBOURS < 30
    parent = list(range(len(vectors)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for a, b, _ in candidate_pairs(vectors, 0.9):
        parent[root(b)] = root(a)
    assert len({root(i) for i in range(30)}) == 1 and all(root(i) != root(0) for i in range(30, 230))
