"""The passage vectors' side index answers exactly as sqlite-vec's scan, and stays in step."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nearby.core.storage import vector_index
from nearby.core.storage.int8_scan import int8_scores, quantise, scan_model_bytes
from nearby.core.storage.items import ItemRow
from nearby.core.storage.store import Store
from nearby.core.storage.vectors import PASSAGE_VECTORS

DIM = 16
KINDS = ("document", "image", "song")


def random_units(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def add_items(store: Store, rng: np.random.Generator, names: range, passages: int = 3) -> None:
    with store.transaction():
        for n in names:
            row = ItemRow(0, f"/x/{n}.txt", KINDS[n % 3], str(n), 1, 1, str(n))
            store.add_item(row, [(f"{n}.{j}", None) for j in range(passages)], random_units(rng, passages))


def same_answers(store: Store, rng: np.random.Generator, k: int = 10) -> None:
    """The side index and vec0's exact scan agree, over every kind and each kind."""
    for query in random_units(rng, 5):
        for kind in (None, *KINDS):
            store.side_index_enabled = True
            fast = store.knn(PASSAGE_VECTORS, query, k, kind)
            store.side_index_enabled = False
            exact = store.knn(PASSAGE_VECTORS, query, k, kind)
            assert [(n.rowid, n.item_id) for n in fast] == [(n.rowid, n.item_id) for n in exact]
            assert [n.distance for n in fast] == pytest.approx([n.distance for n in exact], abs=1e-6)
    store.side_index_enabled = True


def test_the_scan_graph_is_valid_onnx_and_exact() -> None:
    onnx = pytest.importorskip("onnx")
    onnx.checker.check_model(onnx.load_from_string(scan_model_bytes()))
    rng = np.random.default_rng(1)
    codes, scales = quantise(random_units(rng, 300))
    assert np.abs(codes).max() == 127 and scales.shape == (300,)
    assert np.array_equal(int8_scores(codes, codes[0]), codes.astype(np.int32) @ codes[0].astype(np.int32))


def test_answers_match_sqlite_vec_through_adds_replacements_and_deletes(library_path: Path) -> None:
    rng = np.random.default_rng(3)
    store = Store(library_path, DIM)
    add_items(store, rng, range(200))
    same_answers(store, rng)
    add_items(store, rng, range(150, 260))  # 50 replaced (their passages deleted, new ones added), 60 new
    with store.transaction():
        for n in range(0, 40):
            store.delete_path(f"/x/{n}.txt")
        store.delete_path("/x/259.txt")  # the highest passage ids: SQLite gives them out again
    add_items(store, rng, range(300, 305))
    same_answers(store, rng)
    assert store.conn.execute("SELECT count(*) FROM vector_log").fetchone()[0] == 1, \
        "the log is trimmed behind, but for the row that names the side index's position"


def test_a_writer_killed_before_its_sync_is_answered_from_the_log(library_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(4)
    store = Store(library_path, DIM)
    add_items(store, rng, range(100))
    monkeypatch.setattr(store, "after_vectors_changed", lambda: None)  # the commit lands, the sync never runs
    add_items(store, rng, range(80, 130))
    with store.transaction():
        store.delete_path("/x/3.txt")
    assert store.conn.execute("SELECT count(*) FROM vector_log").fetchone()[0] > 0
    reader = Store(library_path, DIM)  # another process, as the window's search would be
    same_answers(reader, rng)
    assert vector_index.sync(reader, trim=True) == vector_index.log_state(reader.conn)[2]
    same_answers(reader, rng)


def test_a_missing_damaged_or_foreign_side_index_is_rebuilt(library_path: Path, tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    store = Store(library_path, DIM)
    add_items(store, rng, range(60))
    folder = vector_index.folder_for(library_path)
    assert (folder / "meta.json").is_file()
    vector_index.forget(library_path)  # a cache cleaner emptied the cache folder
    same_answers(store, rng)
    (folder / "codes").write_bytes(b"\0" * 7)  # cut short
    vector_index._views.clear()
    same_answers(store, rng)
    store.close()
    # another library file at the same path (a restore, a model switch): its own epoch
    for suffix in ("", "-wal", "-shm"):
        Path(f"{library_path}{suffix}").unlink(missing_ok=True)
    other = Store(library_path, DIM)
    add_items(other, rng, range(500, 520))
    same_answers(other, rng)
    assert {n.item_id for n in other.knn(PASSAGE_VECTORS, random_units(rng, 1)[0], 100)} <= {
        r[0] for r in other.conn.execute("SELECT id FROM items")}


def test_deletes_are_applied_in_place_then_compacted_away(library_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vector_index, "DELTA_MAX", 10)
    rng = np.random.default_rng(6)
    store = Store(library_path, DIM)
    add_items(store, rng, range(100))
    with store.transaction():  # 60 of 300 rows: many deletes, applied where they are
        for n in range(80, 100):
            store.delete_path(f"/x/{n}.txt")
    meta = vector_index._read_meta(vector_index.folder_for(library_path))
    parts = meta["parts"].values() if meta else []
    assert sum(p["count"] for p in parts) == 300 and sum(p["dead"] for p in parts) == 60
    same_answers(store, rng)
    with store.transaction():  # past half the rows dead: written afresh
        for n in range(40):
            store.delete_path(f"/x/{n}.txt")
    meta = vector_index._read_meta(vector_index.folder_for(library_path))
    parts = meta["parts"].values() if meta else []
    assert sum(p["count"] for p in parts) == 40 * 3 and sum(p["dead"] for p in parts) == 0
    same_answers(store, rng)


def test_a_search_does_not_wait_while_another_writes_the_index(library_path: Path) -> None:
    import threading

    from nearby.core.storage.vectors import Neighbour
    from nearby.core.storage.writer_lock import file_lock

    rng = np.random.default_rng(7)
    store = Store(library_path, DIM)
    add_items(store, rng, range(50))
    folder = vector_index.folder_for(library_path)
    vector_index.forget(library_path)  # it must be written again …
    query = random_units(rng, 1)[0]
    answers: list[list[Neighbour]] = []
    with file_lock(Path(f"{folder}.lock"), wait=True):  # … and another process is writing it
        search = threading.Thread(target=lambda: answers.append(store.knn(PASSAGE_VECTORS, query, 5)), daemon=True)
        search.start()
        search.join(timeout=10)
        assert answers, "the search waited for the writer"
        assert not (folder / "meta.json").exists()
    meanwhile = answers[0]
    store.side_index_enabled = False
    assert [n.rowid for n in meanwhile] == [n.rowid for n in store.knn(PASSAGE_VECTORS, query, 5)], "vec0 answered"
    store.side_index_enabled = True
    store.knn(PASSAGE_VECTORS, query, 5)
    assert (folder / "meta.json").exists(), "written by the next search once free"


def copy_library(source: Path, target: Path) -> None:
    """A file copy of a closed library (what a backup tool or a person does), its WAL folded in."""
    import shutil

    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(source, target)


def test_a_side_index_ahead_of_its_library_is_never_trusted(library_path: Path, tmp_path: Path) -> None:
    """A restored backup or a commit lost to a power cut (same path and epoch, an older log), then
    more files: the side index, ahead, is rebuilt, and the log rows it never held are not trimmed."""
    rng = np.random.default_rng(9)
    store = Store(library_path, DIM)
    add_items(store, rng, range(40))
    store.close()
    backup = tmp_path / "backup.sqlite"
    copy_library(library_path, backup)
    store = Store(library_path, DIM)
    add_items(store, rng, range(40, 80))  # the side index moves on with the library ...
    same_answers(store, rng)
    store.close()
    copy_library(backup, library_path)  # ... which is rolled back, then gets other files
    store = Store(library_path, DIM)
    same_answers(store, rng)
    for batch in range(6):  # past the position the side index had reached, in several commits
        add_items(store, rng, range(100 + 20 * batch, 120 + 20 * batch))
        same_answers(store, rng)
    for passage, vector in list(store.passage_vectors([int(r[0]) for r in store.conn.execute(
            "SELECT id FROM passages ORDER BY random() LIMIT 20")]).items()):
        assert store.knn(PASSAGE_VECTORS, vector, 1)[0].rowid == passage, "a passage finds itself"
    store.close()


def test_a_library_copied_to_another_path_and_back_answers_right(library_path: Path, tmp_path: Path) -> None:
    rng = np.random.default_rng(10)
    store = Store(library_path, DIM)
    add_items(store, rng, range(30))
    store.close()
    other_path = tmp_path / "copy.sqlite"
    copy_library(library_path, other_path)
    other = Store(other_path, DIM)
    add_items(other, rng, range(30, 90))  # the copy lives on (its own side index) ...
    same_answers(other, rng)
    other.close()
    copy_library(other_path, library_path)  # ... and replaces the original (same epoch, other rows)
    store = Store(library_path, DIM)
    same_answers(store, rng)
    assert store.conn.execute("SELECT count(*) FROM items").fetchone()[0] == 90
    store.close()


def test_side_indexes_are_private_and_those_of_deleted_libraries_are_dropped(library_path: Path,
                                                                           tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    gone_path = tmp_path / "gone.sqlite"
    gone = Store(gone_path, DIM)
    add_items(gone, rng, range(10))
    gone.close()
    gone_folder = vector_index.folder_for(gone_path)
    assert gone_folder.is_dir() and gone_folder.stat().st_mode & 0o077 == 0
    for suffix in ("", "-wal", "-shm"):
        Path(f"{gone_path}{suffix}").unlink(missing_ok=True)
    store = Store(library_path, DIM)
    add_items(store, rng, range(10))  # a rebuild of this library's side index looks around
    assert vector_index.folder_for(library_path).is_dir()
    assert not gone_folder.exists(), "the side index of a deleted library is dropped"
    store.close()


def test_a_search_that_rebuilds_the_side_index_drops_orphans_without_deadlock(library_path: Path,
                                                                           tmp_path: Path) -> None:
    """The rebuild a search starts runs under the side index's lock, and dropping an orphan takes
    it again: it must not wait on itself (it hung a window's worker)."""
    import threading

    rng = np.random.default_rng(12)
    store = Store(library_path, DIM)
    add_items(store, rng, range(5))
    gone_path = tmp_path / "gone.sqlite"
    gone = Store(gone_path, DIM)
    add_items(gone, rng, range(5))
    gone.close()
    Path(gone_path).unlink()
    vector_index.forget(library_path)  # the search's view must write it afresh
    answered: list[int] = []
    query = random_units(rng, 1)[0]
    search = threading.Thread(target=lambda: answered.append(len(store.knn(PASSAGE_VECTORS, query, 3))))
    search.start()
    search.join(30)
    assert not search.is_alive() and answered == [3]
    assert not vector_index.folder_for(gone_path).exists()
    store.close()


class Killed(BaseException):
    """The process dies here (nothing after this point of the side index's write happens)."""


def _dies(after: bool, real: object):  # type: ignore[no-untyped-def]
    def step(*args, **kwargs):  # type: ignore[no-untyped-def]
        if after:
            real(*args, **kwargs)  # type: ignore[operator]
        raise Killed

    return step


@pytest.mark.parametrize(("step", "after"), [
    ("_append", False),  # deletes marked dead in place, no rows appended
    ("_write_meta", False),  # rows appended past what the meta counts
    ("_write_meta", True),  # meta written, the log not trimmed behind it
    ("_swap_in", False),  # a rebuild written beside the old side index, not swapped in
    ("_swap_in", True),  # a rebuild swapped in, the log not trimmed
])
def test_a_kill_at_every_step_of_a_side_index_write_leaves_right_answers(
        library_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, after: bool) -> None:
    rng = np.random.default_rng(13)
    store = Store(library_path, DIM)
    add_items(store, rng, range(60))
    if step == "_swap_in":
        vector_index.forget(library_path)  # the next write is a rebuild
    real = getattr(vector_index, step)
    monkeypatch.setattr(vector_index, step, _dies(after, real))
    with pytest.raises(Killed):
        add_items(store, rng, range(40, 90))  # 20 replaced (deletes and adds), 30 new
    monkeypatch.setattr(vector_index, step, real)
    store.close()
    vector_index._views.clear()  # the next process
    store = Store(library_path, DIM)
    same_answers(store, rng)
    add_items(store, rng, range(100, 120))
    vector_index._views.clear()
    same_answers(store, rng)
    store.close()
