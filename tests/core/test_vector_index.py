"""The passage vectors' side index answers exactly as sqlite-vec's scan, and stays in step."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from nearby.core.search.rank import nearest_files
from nearby.core.storage import vec0_rows, vector_index
from nearby.core.storage.items import ItemRow
from nearby.core.storage.store import Store
from nearby.core.storage.vectors import PASSAGE_VECTORS

DIM = 16
KINDS = ("document", "image", "song")


@pytest.fixture(autouse=True)
def fold_every_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each commit's log rows folded into the graphs at once (the product waits for FOLD_MIN
    rows): every test then writes the graphs as often as it can. test_unfolded_log_rows_* not."""
    monkeypatch.setattr(vector_index, "FOLD_MIN", 1)
    monkeypatch.setattr(vector_index, "FOLD_SHARE", 0.0)


def random_units(rng: np.random.Generator, n: int, dim: int = DIM) -> np.ndarray:
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def add_items(store: Store, rng: np.random.Generator, names: range, passages: int = 3) -> None:
    with store.transaction():
        for n in names:
            row = ItemRow(0, f"/x/{n}.txt", KINDS[n % 3], str(n), 1, 1, str(n))
            vectors = random_units(rng, passages, store.text_dim)
            store.add_item(row, [(f"{n}.{j}", None) for j in range(passages)], vectors)


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
            fast = nearest_files(store, PASSAGE_VECTORS, query, k, kind)
            store.side_index_enabled = False
            exact = nearest_files(store, PASSAGE_VECTORS, query, k, kind)
            assert [(n.rowid, n.item_id) for n in fast] == [(n.rowid, n.item_id) for n in exact]
    store.side_index_enabled = True


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


def test_unfolded_log_rows_are_answered_from_the_log_until_folded(library_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The product's pace: log rows wait in the library until FOLD_MIN of them (or FOLD_SHARE of
    the side index) follow; searches hold them in memory meanwhile."""
    monkeypatch.setattr(vector_index, "FOLD_MIN", 200)
    rng = np.random.default_rng(14)
    store = Store(library_path, DIM)
    add_items(store, rng, range(100))  # the first sync writes the side index from vec0
    add_items(store, rng, range(90, 120))  # 10 replaced, 20 new: 90 log rows, under FOLD_MIN
    with store.transaction():
        store.delete_path("/x/5.txt")
    waiting = store.conn.execute("SELECT count(*) FROM vector_log").fetchone()[0]
    assert 90 < waiting < 200
    same_answers(store, rng)
    add_items(store, rng, range(200, 250))  # past FOLD_MIN: folded, and the log trimmed behind
    assert store.conn.execute("SELECT count(*) FROM vector_log").fetchone()[0] == 1
    meta = vector_index._read_meta(vector_index.folder_for(library_path))
    assert meta is not None and sum(p["count"] for p in meta["parts"].values()) == 3 * (100 + 30 + 50)
    same_answers(store, rng)
    vector_index._views.clear()  # a fresh process reads the folded graphs
    same_answers(store, rng)


def test_a_reader_sees_every_commit_of_another_connection_at_its_next_search(library_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A search reuses its side index while the library is unchanged: a commit by another
    connection (the indexer, another process) is seen by the very next search."""
    monkeypatch.setattr(vector_index, "FOLD_MIN", 10_000)  # the writer's rows stay in the log
    rng = np.random.default_rng(31)
    writer = Store(library_path, DIM)
    add_items(writer, rng, range(60))
    reader = Store(library_path, DIM)
    query = random_units(rng, 1)[0]
    reader.knn(PASSAGE_VECTORS, query, 5)
    with writer.transaction():
        writer.add_item(ItemRow(0, "/x/new.txt", "document", "new", 1, 1, "n"), [("new", None)], query[None, :])
    new = writer.conn.execute("SELECT id FROM items WHERE path = '/x/new.txt'").fetchone()[0]
    assert reader.knn(PASSAGE_VECTORS, query, 5)[0].item_id == new
    assert nearest_files(reader, PASSAGE_VECTORS, query, 3, "document")[0].item_id == new
    with writer.transaction():
        writer.delete_path("/x/new.txt")
    assert all(n.item_id != new for n in reader.knn(PASSAGE_VECTORS, query, 5))
    same_answers(reader, rng)


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
    next((folder / "p0").glob("graph-*.faiss")).write_bytes(b"\0" * 7)  # cut short
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
    store = Store(library_path, DIM)  # made first: it cannot be given the deleted file's number
    for suffix in ("", "-wal", "-shm"):
        Path(f"{gone_path}{suffix}").unlink(missing_ok=True)
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
    gone_folder = vector_index.folder_for(gone_path)
    Path(gone_path).unlink()
    shutil.rmtree(vector_index.folder_for(library_path))  # the search's view must write it afresh
    vector_index._views.clear()
    answered: list[int] = []
    query = random_units(rng, 1)[0]
    search = threading.Thread(target=lambda: answered.append(len(store.knn(PASSAGE_VECTORS, query, 3))))
    search.start()
    search.join(30)
    assert not search.is_alive() and answered == [3]
    assert gone_folder.is_relative_to(vector_index.cache_root()) and not gone_folder.exists()
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


def oracle(store: Store, query: np.ndarray, k: int, kind: str | None = None,
           allowed: np.ndarray | None = None) -> list[int]:
    """The exact nearest passages by brute force over every row of the library."""
    rows = store.conn.execute(
        "SELECT p.id, p.item_id, i.kind FROM passages p JOIN items i ON i.id = p.item_id").fetchall()
    rows = [r for r in rows if (kind is None or r[2] == kind) and (allowed is None or r[1] in set(allowed.tolist()))]
    vectors = store.passage_vectors([r[0] for r in rows])
    ranked = sorted(rows, key=lambda r: -float(vectors[r[0]] @ query))
    return [r[0] for r in ranked[:k]]


def test_the_graph_walk_and_the_scan_of_a_few_allowed_rows_match_brute_force(
        library_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past FLAT_ROWS a part is walked as a graph, with a filter reaching the walk as a bitmap;
    under FLAT_SHARE of a part the allowed rows are scanned. Both against a brute-force oracle."""
    from nearby.core.storage.row_filter import RowFilter

    monkeypatch.setattr(vector_index, "FLAT_ROWS", 50)  # every part here is past it: walked
    rng = np.random.default_rng(21)
    store = Store(library_path, DIM)
    for first in range(0, 900, 300):
        add_items(store, rng, range(first, first + 300), passages=4)  # 3,600 rows, 1,200 a kind
    items = np.array([r[0] for r in store.conn.execute("SELECT id FROM items")])
    wide = RowFilter(items=np.sort(rng.choice(items, 300, replace=False)))  # a third of the files: walked
    narrow = RowFilter(items=np.sort(rng.choice(items, 12, replace=False)))  # under 5% of a part: scanned
    found, wanted = 0, 0
    for query in random_units(rng, 12):
        for kind in (None, "song"):
            for only in (None, wide, narrow):
                hits = store.knn(PASSAGE_VECTORS, query, 10, kind, only if only is not None else RowFilter())
                truth = oracle(store, query, 10, kind, None if only is None else only.items)
                assert [h.rowid for h in hits][:1] == truth[:1], "the nearest allowed row always comes first"
                assert all(only is None or only.allows_item(h.item_id) for h in hits)
                found += len({h.rowid for h in hits} & set(truth))
                wanted += len(truth)
    assert found / wanted >= 0.98


def file_oracle(store: Store, query: np.ndarray, k: int, kind: str | None = None,
                allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
    """The exact nearest files (item, cosine of its nearest passage) by brute force."""
    rows = store.conn.execute(
        "SELECT p.id, p.item_id, i.kind FROM passages p JOIN items i ON i.id = p.item_id").fetchall()
    rows = [r for r in rows if (kind is None or r[2] == kind) and (allowed is None or r[1] in set(allowed.tolist()))]
    vectors = store.passage_vectors([r[0] for r in rows])
    best: dict[int, float] = {}
    for passage, item, _ in rows:
        best[item] = max(best.get(item, -2.0), float(vectors[passage] @ query))
    return sorted(best.items(), key=lambda pair: -pair[1])[:k]


def test_the_nearest_files_through_the_graph_match_brute_force(library_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A search for files groups the walk's candidates by file and re-scores only the best few
    files' best rows: the files and their scores against a brute-force oracle, with files of one
    passage and of 40 (which crowd the walk until it widens), with and without filters."""
    from nearby.core.storage.row_filter import RowFilter

    monkeypatch.setattr(vector_index, "FLAT_ROWS", 50)  # walked
    monkeypatch.setattr(vector_index, "EF_SEARCH", 40)  # a walk the long files can fill
    rng = np.random.default_rng(5)
    dim = 128  # the codes' error in cosine shrinks with the width (MiniLM's 384: ~0.006); at 16 it is many times that
    store = Store(library_path, dim)
    topics = random_units(rng, 150, dim)  # passages about topics, as a person's are (not spread evenly)

    def about(n: int) -> np.ndarray:
        near = topics[rng.integers(0, len(topics), n)] + 0.6 * random_units(rng, n, dim)
        return (near / np.linalg.norm(near, axis=1, keepdims=True)).astype(np.float32)

    with store.transaction():
        for n in range(900):
            store.add_item(ItemRow(0, f"/x/{n}.txt", KINDS[n % 3], str(n), 1, 1, str(n)),
                           [(f"{n}.{j}", None) for j in range(2)], about(2))
    centre = random_units(rng, 1, dim)[0]
    with store.transaction():  # six long files whose passages all lie about one direction
        for n in range(900, 906):
            vectors = centre + 0.15 * random_units(rng, 40, dim)
            store.add_item(ItemRow(0, f"/x/{n}.txt", "document", str(n), 1, 1, str(n)),
                           [(f"{n}.{j}", None) for j in range(40)], vectors / np.linalg.norm(vectors, axis=1)[:, None])
    items = np.array([r[0] for r in store.conn.execute("SELECT id FROM items")])
    wide = RowFilter(items=np.sort(rng.choice(items, 400, replace=False)))
    found, wanted = 0, 0
    for query in [centre, *about(10)]:
        for kind in (None, "document", "song"):
            for only in (None, wide):
                hits = nearest_files(store, PASSAGE_VECTORS, query, 10, kind, only if only is not None else RowFilter())
                truth = file_oracle(store, query, 10, kind, None if only is None else only.items)
                assert len({h.item_id for h in hits}) == len(hits) == len(truth), "each file once, as many as asked"
                # first, or a hair from it (the long files' passages lie within the codes' step of each other)
                assert hits[0].item_id == truth[0][0] or 1.0 - hits[0].distance >= truth[0][1] - 0.01
                exact = dict(file_oracle(store, query, 10_000, kind))
                for h in hits:  # scores are exact, and the nearest passage of its file the walk found
                    cosine = 1.0 - h.distance
                    assert cosine == pytest.approx(exact[h.item_id], abs=1e-5) or cosine < exact[h.item_id]
                    assert only is None or only.allows_item(h.item_id)
                found += len({h.item_id for h in hits} & {item for item, _ in truth})
                wanted += len(truth)
    assert found / wanted >= 0.98


def test_a_part_grown_eightfold_is_refitted(library_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vector_index, "FIT_MIN", 10)
    rng = np.random.default_rng(22)
    store = Store(library_path, DIM)
    add_items(store, rng, range(15))  # 15 rows a kind... (5 files of each kind, 3 passages)
    meta = vector_index._read_meta(vector_index.folder_for(library_path))
    assert meta is not None and {p["fitted"] for p in meta["parts"].values()} == {15}
    add_items(store, rng, range(15, 60))  # ... 60: four times as many, not refitted
    meta = vector_index._read_meta(vector_index.folder_for(library_path))
    assert meta is not None and {p["fitted"] for p in meta["parts"].values()} == {15}
    add_items(store, rng, range(60, 150))  # 150: ten times: written afresh, fitted to every row
    meta = vector_index._read_meta(vector_index.folder_for(library_path))
    assert meta is not None and {(p["fitted"], p["count"]) for p in meta["parts"].values()} == {(150, 150)}
    same_answers(store, rng)


def test_vectors_are_read_from_vec0s_chunks_or_else_from_vec0(library_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The re-score's one copy: the library's vec0 table, read as slices of its chunks; where the
    layout is not as expected, through sqlite-vec's own look-up. Both past the ids bound a query."""
    rng = np.random.default_rng(23)
    store = Store(library_path, DIM)
    for first in range(0, 600, 200):
        add_items(store, rng, range(first, first + 200))  # 1,800 passages: past 500 ids a query
    ids = [int(r[0]) for r in store.conn.execute("SELECT id FROM passages")] + [10**9]  # and one that is not
    via_vec0 = vec0_rows.looked_up(store.conn, PASSAGE_VECTORS, "passage_id", np.array(sorted(ids)), DIM)
    assert len(via_vec0[0]) == len(ids) - 1
    chunks = store.passage_vectors(ids)
    assert len(chunks) == len(ids) - 1
    assert all(np.array_equal(chunks[i], v) for i, v in zip(via_vec0[0].tolist(), via_vec0[1], strict=True))
    monkeypatch.setitem(vec0_rows._checked, PASSAGE_VECTORS, False)  # another sqlite-vec's layout
    again = store.passage_vectors(ids)
    assert again.keys() == chunks.keys() and all(np.array_equal(again[i], chunks[i]) for i in chunks)
    same_answers(store, rng)


def test_new_libraries_get_64k_pages_and_auto_vacuum_and_older_ones_keep_theirs(
        library_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nearby.core.storage import connection

    rng = np.random.default_rng(24)
    store = Store(library_path, DIM)
    assert store.conn.execute("PRAGMA page_size").fetchone()[0] == 65536
    assert store.conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental
    add_items(store, rng, range(0, 1200))  # chunks of 1,024 rows: more than one, over many pages
    same_answers(store, rng)
    ids = [int(r[0]) for r in store.conn.execute("SELECT id FROM passages")]
    via_vec0 = vec0_rows.looked_up(store.conn, PASSAGE_VECTORS, "passage_id", np.array(sorted(ids)), DIM)
    chunks = store.passage_vectors(ids)  # read along the chunks' pages by auto-vacuum's map
    assert all(np.array_equal(chunks[i], v) for i, v in zip(via_vec0[0].tolist(), via_vec0[1], strict=True))
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.close()
    older = tmp_path / "older.sqlite"
    monkeypatch.setattr(connection, "PAGE_SIZE", 4096)  # as every library made before
    monkeypatch.setattr(connection, "AUTO_VACUUM", 0)
    add_items(Store(older, DIM), rng, range(40))
    monkeypatch.setattr(connection, "PAGE_SIZE", 65536)
    monkeypatch.setattr(connection, "AUTO_VACUUM", 2)
    store = Store(older, DIM)
    assert store.conn.execute("PRAGMA page_size").fetchone()[0] == 4096
    assert store.conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    add_items(store, rng, range(40, 80))
    same_answers(store, rng)
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_moved_library_keeps_its_side_index_and_a_replaced_one_gets_its_own(library_path: Path,
                                                                             tmp_path: Path) -> None:
    """Side indexes follow their library file (device and file number), not its path: moved or
    renamed, nothing is rebuilt; another file put at its path gets its own, and the old one goes."""
    rng = np.random.default_rng(25)
    store = Store(library_path, DIM)
    add_items(store, rng, range(60))
    store.close()
    folder = vector_index.folder_for(library_path)
    graphs = sorted(p.name for p in folder.glob("p*/graph-*.faiss"))
    moved = tmp_path / "elsewhere" / "moved.sqlite"
    moved.parent.mkdir()
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{library_path}{suffix}").exists():
            Path(f"{library_path}{suffix}").rename(f"{moved}{suffix}")
    vector_index._views.clear()  # the next process
    store = Store(moved, DIM)
    same_answers(store, rng)
    assert vector_index.folder_for(moved) == folder
    assert sorted(p.name for p in folder.glob("p*/graph-*.faiss")) == graphs, "nothing rebuilt"
    meta = vector_index._read_meta(folder)
    assert meta is not None and meta["library"] == str(moved.resolve()), "the side index knows where its library went"
    store.close()
    copy_library(moved, tmp_path / "copy.sqlite")  # a copy is another file: its own side index
    copy = Store(tmp_path / "copy.sqlite", DIM)
    same_answers(copy, rng)
    assert vector_index.folder_for(tmp_path / "copy.sqlite") != folder and folder.is_dir()
    copy.close()
    for suffix in ("", "-wal", "-shm"):  # another library put at the moved one's path
        Path(f"{moved}{suffix}").unlink(missing_ok=True)
    other = Store(moved, DIM)
    add_items(other, rng, range(500, 530))
    same_answers(other, rng)
    now = vector_index.folder_for(moved)  # the new file may have been given the old one's number
    meta = vector_index._read_meta(now)
    assert meta is not None and meta["epoch"] == vector_index.log_state(other.conn)[0]
    assert now == folder or not folder.exists(), "the side index of the file that was there is dropped"


def test_a_large_library_without_its_side_index_is_answered_while_it_is_written_in_the_background(
        library_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setattr(vector_index, "INLINE_REBUILD_MAX", 50)  # this library is past it
    rng = np.random.default_rng(26)
    store = Store(library_path, DIM)
    add_items(store, rng, range(60))
    folder = vector_index.folder_for(library_path)
    vector_index.forget(library_path)  # a cache cleaner emptied the cache folder
    query = random_units(rng, 1)[0]
    store.side_index_enabled = False
    exact = [n.rowid for n in store.knn(PASSAGE_VECTORS, query, 5)]
    store.side_index_enabled = True
    assert [n.rowid for n in store.knn(PASSAGE_VECTORS, query, 5)] == exact, "answered meanwhile (by vec0)"
    deadline = time.monotonic() + 60
    while not (folder / "meta.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (folder / "meta.json").exists(), "written on a thread of its own"
    same_answers(store, rng)
    vector_index.forget(library_path)
    store.settle_side_index()  # what an index run does at its end
    assert (folder / "meta.json").exists()
    store.close()


def test_rows_the_walk_can_hardly_reach_are_linked_from_their_nearest() -> None:
    """Bunches leave rows with one or no row pointing to them after the build's pruning: each gets
    rows pointing to it (at 1M passages this lifted recall@10 from 0.995 to 0.997)."""
    import faiss

    rng = np.random.default_rng(8)
    centres = random_units(rng, 600)
    rows = centres[rng.integers(0, 600, 6_000)] + 0.1 * random_units(rng, 6_000)
    rows = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    graph = vector_index._new_graph(DIM, rows)
    graph.add(rows)

    def pointed_to() -> np.ndarray:  # on the bottom layer
        slots = faiss.vector_to_array(graph.hnsw.neighbors)
        starts = faiss.vector_to_array(graph.hnsw.offsets).astype(np.int64)[: len(rows)]
        width = int(faiss.vector_to_array(graph.hnsw.cum_nneighbor_per_level)[1])
        bottom = slots[starts[:, None] + np.arange(width)]
        return np.bincount(bottom[bottom >= 0], minlength=len(rows))

    def found_from_itself(which: np.ndarray) -> float:
        params = faiss.SearchParametersHNSW()
        params.efSearch = 16
        _, found = graph.search(rows[which], 10, params=params)  # among the 10 its codes put nearest
        return float(np.mean((found == which[:, None]).any(axis=1)))

    weak = np.nonzero(pointed_to() <= vector_index.WEAK_LINKS)[0]
    assert len(weak) >= 10, "the bunches leave weakly linked rows to mend"
    before, links = found_from_itself(weak), pointed_to()[weak]
    assert vector_index._link_weak_rows(graph) == len(weak)
    after = pointed_to()[weak]
    assert (after > 0).all(), "every weak row has a row pointing to it"
    gained = after >= np.minimum(links + 2, vector_index.WEAK_LINKS + 1)
    assert np.mean(gained) >= 0.9, "nearly all gain rows pointing to them"
    assert found_from_itself(weak) >= before - 0.02, "and the walk finds them no worse"


def test_a_rebuilt_part_is_renumbered_in_walk_order_and_still_answers_right(
        library_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild renumbers each part's rows in the order a breadth-first walk of its graph meets
    them (_walk_order): the graph and the columns together, so every row keeps its own passage,
    file and code; walked answers against brute force, before and after rows are added and deleted."""
    from nearby.core.storage.row_filter import RowFilter

    monkeypatch.setattr(vector_index, "FLAT_ROWS", 50)  # walked
    rng = np.random.default_rng(29)
    store = Store(library_path, DIM)
    add_items(store, rng, range(900), passages=2)  # 600 rows a kind
    vector_index.forget(library_path)
    vector_index.sync(store)  # written afresh
    view = vector_index.view(store)
    for part in view.parts.values():
        ids = np.asarray(part.columns["ids"])
        assert sorted(ids.tolist()) == sorted(set(ids.tolist())) and not bool(np.all(np.diff(ids) > 0))
        exact = store.passage_vectors(ids.tolist())
        codes = part.graph.storage.reconstruct_batch(np.arange(len(ids)))  # each row's code is its own passage's
        nearest = np.argmax(codes @ np.stack([exact[int(i)] for i in ids]).T, axis=1)
        assert np.array_equal(nearest, np.arange(len(ids)))
        items = dict(store.conn.execute("SELECT id, item_id FROM passages").fetchall())
        assert [items[int(i)] for i in ids] == np.asarray(part.columns["items"]).tolist()

    def check() -> None:
        found = wanted = 0
        for query in random_units(rng, 10):
            for kind in (None, "image"):
                hits = store.knn(PASSAGE_VECTORS, query, 10, kind)
                truth = oracle(store, query, 10, kind)
                assert [h.rowid for h in hits][:1] == truth[:1]
                found += len({h.rowid for h in hits} & set(truth))
                wanted += len(truth)
                files = nearest_files(store, PASSAGE_VECTORS, query, 10, kind)
                assert [f.item_id for f in files][:1] == [file_oracle(store, query, 10, kind)[0][0]]
        assert found / wanted >= 0.98

    check()
    add_items(store, rng, range(850, 1000), passages=2)  # 50 replaced, 100 new: appended after the walk order
    with store.transaction():
        for n in range(0, 300, 3):
            store.delete_path(f"/x/{n}.txt")
    check()
    allowed = np.array(sorted(r[0] for r in store.conn.execute("SELECT id FROM items LIMIT 200")))
    hits = store.knn(PASSAGE_VECTORS, random_units(rng, 1)[0], 10, only=RowFilter(items=allowed))
    assert {h.item_id for h in hits} <= set(allowed.tolist())


def test_the_walk_order_keeps_rows_no_walk_from_the_entry_reaches(tmp_path: Path) -> None:
    """Rows cut off from the entry row (every link to them gone) are numbered after the walk from
    the entry, each with its own columns; the renumbered graph gives the same answers."""
    rng = np.random.default_rng(30)
    rows = random_units(rng, 400)
    graph = vector_index._new_graph(DIM, rows)
    graph.add(rows)
    slots, starts, width = vector_index._bottom_layer(graph)
    cut = np.array([5, 77, 300])
    bottom = slots[starts[:, None] + np.arange(width)]
    for row in range(len(rows)):  # no row points to the cut ones, and they point nowhere
        listed = starts[row] + np.arange(width)
        slots[listed[np.isin(bottom[row], cut)]] = -1
    for row in cut:
        slots[starts[row] + np.arange(width)] = -1
    assert int(graph.hnsw.entry_point) not in cut.tolist()
    ids = np.arange(1000, 1000 + len(rows), dtype=np.int64)
    ids.tofile(tmp_path / "ids")
    (ids * 10).tofile(tmp_path / "items")
    np.ones(len(rows), dtype=np.uint8).tofile(tmp_path / "alive")
    before = graph.search(rows[:20], 5)[1]
    vector_index._walk_order(tmp_path, graph, len(rows))
    moved = np.fromfile(tmp_path / "ids", dtype=np.int64)
    assert sorted(moved.tolist()) == ids.tolist()
    assert set(moved[-len(cut):].tolist()) == set((1000 + cut).tolist())  # after every row the walk met
    assert np.array_equal(np.fromfile(tmp_path / "items", dtype=np.int64), moved * 10)
    after = graph.search(rows[:20], 5)[1]
    assert np.array_equal(moved[after] - 1000, before)  # the same rows, by their new numbers
