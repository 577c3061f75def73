"""The defects found in the foundations review, each with the test that failed before its fix,
and the pieces added with them: the index queue, apply_changes, settings, cached query vectors."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import apsw
import numpy as np
import pytest

from nearby.core.indexing.queue import IndexQueue, Removal
from nearby.core.library import Library
from nearby.core.progress import CancelToken, IndexProgress, IndexSummary, run_to_end
from nearby.core.search.calibration import BACKGROUND_QUERIES
from nearby.core.search.filters import Filters
from nearby.core.settings import Settings, settings_path
from nearby.core.storage.vectors import PASSAGE_VECTORS
from nearby.models.catalog import EFFICIENTNET_LITE2
from tests.documents import write_notes, write_prose_corpus
from tests.fakes import FakeEmbedder
from tests.staged import ROOT

EVAL = ROOT / "tests" / "data" / "eval"


def index(library: Library, *roots: Path) -> IndexSummary:
    return run_to_end(library.index(list(roots)))


def fake_library(path: Path, embedder: FakeEmbedder | None = None) -> Library:
    return Library(path, embedder or FakeEmbedder(), with_media=False)


def indexed_notes(library: Library, folder: Path, notes: dict[str, str]) -> Path:
    """Write notes into a folder and index it; returns the folder."""
    index(library, write_notes(folder, notes))
    return folder


# -- 1. Ctrl-C during `nearby index` ----------------------------------------------------------------

def count_items(library_path: Path) -> int:
    try:
        conn = apsw.Connection(str(library_path), flags=apsw.SQLITE_OPEN_READONLY)
        return int(conn.execute("SELECT count(*) FROM items").fetchone()[0])
    except apsw.Error:
        return 0


def test_sigint_cancels_index_exits_130_keeps_the_library_and_resumes(tmp_path: Path, models_dir: Path) -> None:
    docs = tmp_path / "docs"
    total = write_prose_corpus(docs, 120)
    library = tmp_path / "lib.sqlite"
    cmd = [sys.executable, "-m", "nearby.core.cli", "--library", str(library), "index", str(docs)]
    env = {**os.environ, "NEARBY_MODELS": str(models_dir)}
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while count_items(library) < 10 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert proc.poll() is None, "the run ended before it could be interrupted: give it more to do"
    proc.send_signal(signal.SIGINT)  # what Ctrl-C in a terminal sends
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "Indexing cancelled" in err
    kept = count_items(library)
    assert 10 <= kept < total
    conn = apsw.Connection(str(library))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0, again.stderr
    counts = dict((name, int(n)) for n, name in re.findall(r"(\d+) (added|unchanged)", again.stderr))
    assert counts == {"added": total - kept, "unchanged": kept}, "finished files are not redone"


# -- 2. a model failure is not the file's fault ----------------------------------------------------

def test_a_broken_picture_model_skips_no_file_and_a_fixed_one_finishes_them(tmp_path: Path, models_dir: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    models = tmp_path / "models"
    models.mkdir()
    for folder in models_dir.iterdir():
        if folder.name != EFFICIENTNET_LITE2.name:
            (models / folder.name).symlink_to(folder, target_is_directory=True)
    broken = models / EFFICIENTNET_LITE2.name
    broken.mkdir()
    for file in (models_dir / EFFICIENTNET_LITE2.name).iterdir():
        (broken / file.name).symlink_to(file)
    (broken / "model.onnx").unlink()
    (broken / "model.onnx").write_bytes(b"not an onnx graph")
    monkeypatch.setenv("NEARBY_MODELS", str(models))
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(EVAL / "images" / "chelsea.jpg", folder / "cat.jpg")
    shutil.copy(EVAL / "images" / "launch.jpg", folder / "rocket.jpg")
    (folder / "note.txt").write_text("The rocket launch was delayed by the weather.")

    first = index(Library(tmp_path / "lib.sqlite"), folder)
    assert first.failures == () and first.added == 1, "only the note; the pictures are not called bad"
    assert len(first.problems) == 1 and "pictures" in first.problems[0] and "model.onnx" in first.problems[0]
    (broken / "model.onnx").unlink()
    (broken / "model.onnx").symlink_to(models_dir / EFFICIENTNET_LITE2.name / "model.onnx")
    fixed = Library(tmp_path / "lib.sqlite")
    second = index(fixed, folder)
    assert (second.added, second.unchanged, second.failures, second.problems) == (2, 1, (), ())
    assert fixed.failures() == []


# -- 3. read connections ------------------------------------------------------------------------------

def test_read_connections_do_not_pile_up_as_threads_come_and_go(tmp_path: Path) -> None:
    library = fake_library(tmp_path / "lib.sqlite")
    indexed_notes(library, tmp_path / "docs", {"a.txt": "A note about the harvest."})
    for _ in range(12):  # threads that search once and expire, as a thread pool's idle ones do
        worker = threading.Thread(target=lambda: library.search("harvest"))
        worker.start()
        worker.join()
    assert library.open_connections <= 2
    library.close()
    assert library.open_connections == 0


def test_closing_while_a_search_runs_closes_its_connection_after_it(tmp_path: Path) -> None:
    embedder = FakeEmbedder(delay_s=0.3)
    library = fake_library(tmp_path / "lib.sqlite", embedder)
    indexed_notes(library, tmp_path / "docs", {"a.txt": "A note about the harvest."})
    found: list[object] = []
    worker = threading.Thread(target=lambda: found.append(library.search("harvest")))
    worker.start()
    time.sleep(0.1)
    library.close()  # the search is still embedding: its connection must stay usable
    worker.join()
    assert found and found[0], "the search finished with results"
    assert library.open_connections == 0


# -- 4. a random calibration sample -------------------------------------------------------------------

def test_the_calibration_sample_is_drawn_from_every_folder(tmp_path: Path) -> None:
    library = fake_library(tmp_path / "lib.sqlite")
    for name, word in (("first", "apple"), ("second", "rocket")):
        folder = tmp_path / name
        folder.mkdir()
        for i in range(30):
            (folder / f"{i}.txt").write_text(f"{word} {word} note number {i}")
        index(library, folder)
    rocket = library.embedder.embed_one("rocket rocket")
    store = library._new_store()  # noqa: SLF001 - looking at the sample itself
    draws = [store.sample_vectors("document", n, PASSAGE_VECTORS) @ rocket for n in (10, 20, 40)]
    assert [len(d) for d in draws] == [10, 20, 40]
    assert all(3 <= int((d > 0.5).sum()) <= len(d) - 3 for d in draws), "both folders are sampled"
    # Seeded by the kind: the same library gives the same sample, so scores do not move between runs.
    again = store.sample_vectors("document", 40, PASSAGE_VECTORS) @ rocket
    assert np.array_equal(np.round(again, 5), np.round(draws[2], 5))
    kept = store.stored_sample("document", PASSAGE_VECTORS)  # what searches read: drawn by the last run
    assert kept is not None and len(kept) == 60 and int((kept @ rocket > 0.5).sum()) == 30


# -- 5. a deleted file named on its own -------------------------------------------------------------

def test_a_deleted_file_named_alone_leaves_the_library(tmp_path: Path) -> None:
    library = fake_library(tmp_path / "lib.sqlite")
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("keep.txt", "gone.txt"):
        (docs / name).write_text(f"{name} holds a few words about gardens")
    index(library, docs)
    (docs / "gone.txt").unlink()
    summary = run_to_end(library.apply_changes(deleted=[docs / "gone.txt"]))
    assert summary.removed == 1
    assert library.status().items == 1
    assert [h.name for h in library.search("gardens")] == ["keep.txt"]


def test_apply_changes_indexes_a_new_and_a_changed_file(tmp_path: Path) -> None:
    library = fake_library(tmp_path / "lib.sqlite")
    docs = indexed_notes(library, tmp_path / "docs", {"a.txt": "tomatoes in the greenhouse"})
    (docs / "a.txt").write_text("violins in the concert hall")
    (docs / "b.txt").write_text("bicycles on the mountain road")
    summary = run_to_end(library.apply_changes(changed=[docs / "a.txt", docs / "b.txt"]))
    assert (summary.added, summary.updated) == (1, 1)
    assert library.search("violins concert")[0].name == "a.txt"


def test_changing_runs_do_not_embed_the_calibration_queries_again(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    library = fake_library(tmp_path / "lib.sqlite", embedder)
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(8):
        (docs / f"{i}.txt").write_text(f"note {i} about a walk")
    index(library, docs)
    (docs / "new.txt").write_text("one more note")
    before = embedder.texts_embedded
    index(library, docs)
    assert embedder.texts_embedded - before == 1, "only the new note's passage, not the 64 queries"
    assert len(BACKGROUND_QUERIES) == 64


# -- 6. score units ----------------------------------------------------------------------------------

def test_similar_scores_are_calibrated_and_keep_the_cosine_apart(tmp_path: Path) -> None:
    library = fake_library(tmp_path / "lib.sqlite", FakeEmbedder(dim=256))  # few hash collisions between topics
    docs = tmp_path / "docs"
    docs.mkdir()
    topics = ("orchard apples autumn", "sailing boats wind", "tax return deadline", "piano concert tickets",
              "mountain bicycle trail", "bread recipe flour", "moon tides ocean", "garden budget committee")
    for i, topic in enumerate(topics):
        (docs / f"{i}.txt").write_text(f"{topic}.")
    (docs / "copy.txt").write_text("orchard apples autumn, again.")
    index(library, docs)
    hits = library.similar(docs / "copy.txt", k=5)
    assert hits[0].name == "0.txt" and hits[0].score > 0.9
    assert all(h.score < 0.5 for h in hits[1:]), [(h.name, h.score) for h in hits]
    assert all(h.similarity != h.score for h in hits), "the raw cosine stays in similarity"


# -- the index queue ---------------------------------------------------------------------------------

def test_requests_made_while_a_run_writes_are_merged_into_one_next_run(tmp_path: Path) -> None:
    runs: list[list[Path]] = []
    started, release = threading.Event(), threading.Event()

    def run(batch: list[Path], removals: list[Removal], cancel: CancelToken):  # type: ignore[no-untyped-def]
        runs.append(batch)
        started.set()
        release.wait(5)
        yield IndexProgress("indexing", 1, 1)
        return IndexSummary(added=len(batch))

    queue = IndexQueue(run)
    queue.submit([tmp_path / "a"])
    result: list[IndexSummary] = []
    writer = threading.Thread(target=lambda: result.append(run_to_end(queue.drain())))
    writer.start()
    started.wait(5)
    queue.submit([tmp_path / "b", tmp_path / "b" / "inner", tmp_path / "c"])
    assert run_to_end(queue.drain()) == IndexSummary(), "a second drain leaves the work to the writer"
    release.set()
    writer.join(5)
    assert runs == [[tmp_path / "a"], [tmp_path / "b", tmp_path / "c"]]
    assert result[0].added == 3 and queue.pending == [] and not queue.busy


def test_a_failed_run_leaves_its_paths_pending(tmp_path: Path) -> None:
    def run(batch: list[Path], removals: list[Removal], cancel: CancelToken):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")
        yield  # a generator

    queue = IndexQueue(run)
    queue.submit([tmp_path / "a"])
    with pytest.raises(RuntimeError):
        run_to_end(queue.drain())
    assert queue.pending == [tmp_path / "a"] and not queue.busy


# -- settings ----------------------------------------------------------------------------------------

def test_settings_start_from_defaults_save_load_and_shrug_off_bad_values(tmp_path: Path) -> None:
    assert Settings.load() == Settings()
    changed = Settings(excluded_names=("build",), result_count=20, min_score=0.3)
    changed.save()
    assert Settings.load() == changed
    settings_path().write_text('{"result_count": "many", "min_score": 1, "unknown": true}')
    assert Settings.load() == Settings(min_score=1.0)
    settings_path().write_text("{ not json")
    assert Settings.load() == Settings()


def test_excluded_folder_names_are_not_indexed(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "build").mkdir(parents=True)
    (docs / "a.txt").write_text("a note on harvests")
    (docs / "build" / "b.txt").write_text("generated output")
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False,
                      settings=Settings(excluded_names=("build",)))
    assert index(library, docs).added == 1


def test_a_folder_removed_while_it_is_indexed_stays_removed(tmp_path: Path) -> None:
    """The removal goes through the index queue's one writer: the run in flight stops reading the
    folder, and what it had written of it leaves with the rest (it came back with 288 items)."""
    big, other = tmp_path / "big", tmp_path / "other"
    for folder, n in ((big, 300), (other, 5)):
        folder.mkdir()
        for i in range(n):
            (folder / f"{i}.txt").write_text(f"note {i} about the harvest and the weather")
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(delay_s=0.002), with_media=False)
    index(library, other)
    seen_indexing = threading.Event()
    results: list[IndexSummary] = []

    def work() -> None:
        results.append(run_to_end(library.index([big]), lambda p: seen_indexing.set() if p.done > 20 else None))

    writer = threading.Thread(target=work)
    writer.start()
    assert seen_indexing.wait(60)
    removed = library.remove_folder(big)
    writer.join(60)
    assert not writer.is_alive() and results
    assert library.browse(Filters(folder=str(big.resolve()))) == [], f"{removed} removed, but some came back"
    assert str(big.resolve()) not in library.folders() and str(other.resolve()) in library.folders()
    assert len(library.browse()) == 5


def test_a_drain_started_while_the_writer_is_held_for_a_map_write_does_its_requests_after(tmp_path: Path) -> None:
    """A map's write (or a switch's swap) holds the writer briefly: a watched change drained then
    waits for it and is done, not left to a drain that is not coming."""
    runs: list[list[Path]] = []

    def run(batch: list[Path], removals: list[Removal], cancel: CancelToken):  # type: ignore[no-untyped-def]
        runs.append(batch)
        yield IndexProgress("indexing", 1, 1)
        return IndexSummary(added=len(batch))

    queue = IndexQueue(run)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with queue.holding():
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(5)
    queue.submit([tmp_path / "changed.txt"])
    result: list[IndexSummary] = []
    drainer = threading.Thread(target=lambda: result.append(run_to_end(queue.drain())))
    drainer.start()
    drainer.join(0.3)
    assert drainer.is_alive() and runs == [], "it waits while the writer is held"
    release.set()
    drainer.join(5)
    holder.join(5)
    assert runs == [[tmp_path / "changed.txt"]] and result[0].added == 1 and not queue.busy
