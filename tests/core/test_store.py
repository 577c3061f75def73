from pathlib import Path

import numpy as np
import pytest

from nearby.core.errors import LibraryError, LibraryTooNew, ModelMismatch
from nearby.core.storage import items as items_module
from nearby.core.storage import model_record as model_record_module
from nearby.core.storage import store as store_module
from nearby.core.storage import vectors as vectors_module
from nearby.core.storage.items import ItemRow
from nearby.core.storage.migrations import migrations
from nearby.core.storage.store import Store
from nearby.core.storage.vectors import PASSAGE_VECTORS


def unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_new_library_applies_every_migration_once_and_uses_wal(library_path: Path) -> None:
    store = Store(library_path, 4)
    names = [r[0] for r in store.conn.execute("SELECT name FROM migrations ORDER BY name")]
    assert names == [m.name for m in migrations(4)]
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    again = Store(library_path, 4)  # reopening migrates nothing and loses nothing
    assert again.conn.execute("SELECT count(*) FROM migrations").fetchone()[0] == len(names)


def test_library_from_a_newer_nearby_is_refused(library_path: Path) -> None:
    store = Store(library_path, 4)
    store.conn.execute("INSERT INTO migrations VALUES ('9999_from_the_future', 0)")
    store.close()
    with pytest.raises(LibraryTooNew, match="newer Nearby"):
        Store(library_path, 4)


def test_a_file_that_is_not_a_library_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.sqlite"
    bogus.write_bytes(b"hello, this is plainly not SQLite" * 200)
    with pytest.raises(LibraryError, match="not a Nearby library"):
        Store(bogus, 4)


def test_the_model_that_filled_the_vectors_is_recorded_and_enforced(library_path: Path) -> None:
    store = Store(library_path, 4)
    store.check_model("model-a", "1", 4)
    store.check_model("model-a", "1", 4)
    assert store.model_info() == ("model-a", "1", 4)
    with pytest.raises(ModelMismatch, match="model-a"):
        store.check_model("model-b", "1", 4)


def test_vectors_use_cosine_distance_and_kind_metadata(library_path: Path) -> None:
    store = Store(library_path, 4)
    vectors = {"east": unit(1, 0, 0, 0), "north": unit(0, 1, 0, 0), "north-east": unit(1, 1, 0, 0)}
    with store.transaction():
        for name, v in vectors.items():
            row = ItemRow(0, f"/x/{name}.txt", "document", name, 1, 1, name)
            store.add_item(row, [(name, None)], v[None, :])
    near = store.knn(PASSAGE_VECTORS, unit(1, 0, 0, 0), 3)
    assert [round(n.distance, 4) for n in near] == [0.0, round(1 - 2**-0.5, 4), 1.0]
    assert store.knn(PASSAGE_VECTORS, unit(1, 0, 0, 0), 3, kind="image") == []


def test_replacing_and_deleting_items_leaves_no_orphans(library_path: Path) -> None:
    store = Store(library_path, 4)
    row = ItemRow(0, "/x/a.txt", "document", "a", 1, 1, "sha-a")
    with store.transaction():
        store.add_item(row, [("one", None), ("two", None)], np.stack([unit(1, 0, 0, 0), unit(0, 1, 0, 0)]))
        store.add_item(row, [("three", 2)], unit(0, 0, 1, 0)[None, :])
    assert store.counts()["passages"] == 1
    assert len(store.knn(PASSAGE_VECTORS, unit(0, 0, 1, 0), 10)) == 1
    with store.transaction():
        assert store.delete_path("/x/a.txt")
    assert store.counts() == {"items": 0, "passages": 0, "failures": 0, "folders": 0}
    assert store.knn(PASSAGE_VECTORS, unit(0, 0, 1, 0), 10) == []
    assert store.knn("item_vectors", unit(0, 0, 1, 0), 10) == []


def test_paths_under_a_folder_do_not_match_sibling_prefixes(library_path: Path) -> None:
    store = Store(library_path, 4)
    with store.transaction():
        for path in ("/data/docs/a.txt", "/data/docs-old/b.txt", "/data/docs/sub/c.txt"):
            store.add_item(ItemRow(0, path, "document", "", 1, 1, path), [("t", None)], unit(1, 0, 0, 0)[None, :])
    assert sorted(store.paths_under("/data/docs")) == ["/data/docs/a.txt", "/data/docs/sub/c.txt"]


def test_many_connections_opening_a_new_library_at_once_migrate_it_once(library_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        stores = list(pool.map(lambda _: Store(library_path, 4), range(8)))
    assert stores[0].conn.execute("SELECT count(*) FROM migrations").fetchone()[0] == len(migrations(4))


def test_a_write_that_reads_first_waits_for_another_writer_instead_of_failing(library_path: Path) -> None:
    """The indexer deletes a broken file's old rows (a read, then writes) while another connection
    writes: it must wait for the lock, not fail with "database is locked"."""
    import threading

    writer, other = Store(library_path, 4), Store(library_path, 4)
    writer.record_failure("/d/broken.docx", "damaged", 1, 1)
    locked, release = threading.Event(), threading.Event()

    def hold_write_lock() -> None:
        with other.transaction():
            other.add_folder("/elsewhere")
            locked.set()
            release.wait(5)

    holder = threading.Thread(target=hold_write_lock)
    holder.start()
    locked.wait(5)
    threading.Timer(0.3, release.set).start()
    with writer.transaction():
        assert writer.item_by_path("/d/broken.docx") is None  # a read first …
        writer.delete_path("/d/broken.docx")  # … then the write waits for the other writer
    holder.join()
    assert writer.failure("/d/broken.docx") is None and "/elsewhere" in writer.folders()


def test_a_failed_transaction_leaves_nothing_behind(library_path: Path) -> None:
    store = Store(library_path, 4)
    with pytest.raises(RuntimeError), store.transaction():
        store.add_folder("/kept-out")
        raise RuntimeError("boom")
    with store.transaction():
        store.add_folder("/kept")
        with pytest.raises(RuntimeError), store.transaction():  # nested: only the inner part is undone
            store.add_folder("/inner")
            raise RuntimeError("boom")
    assert store.folders() == ["/kept"]


def test_a_library_from_before_a_migration_keeps_its_vectors(library_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:

    full = migrations
    monkeypatch.setattr(store_module, "migrations", lambda *dims: full(*dims)[:6])  # as the previous release
    for module in (items_module, vectors_module, model_record_module):  # the table's name in the previous release
        monkeypatch.setattr(module, "PASSAGE_VECTORS", "passage_vectors")
    old = Store(library_path, 4)
    # … which had no vector log and no side index
    monkeypatch.setattr(old, "log_vector", lambda *args: None)
    monkeypatch.setattr(old, "after_vectors_changed", lambda: None)
    old.side_index_enabled = False
    old.check_model("model-a", "1", 4, ("passage_vectors", "item_vectors"))
    with old.transaction():
        for name, vector, kind in (("east", unit(1, 0, 0, 0), "document"), ("north", unit(0, 1, 0, 0), "image")):
            old.add_item(ItemRow(0, f"/x/{name}", kind, name, 1, 1, name), [(name, None)], vector[None, :])
    old.close()
    monkeypatch.setattr(store_module, "migrations", full)
    for module in (items_module, vectors_module, model_record_module):
        monkeypatch.setattr(module, "PASSAGE_VECTORS", PASSAGE_VECTORS)
    new = Store(library_path, 4)
    assert [n.distance for n in new.knn(PASSAGE_VECTORS, unit(1, 0, 0, 0), 5, "document")] == [0.0]
    assert len(new.knn(PASSAGE_VECTORS, unit(1, 0, 0, 0), 5)) == 2, "a KNN over every kind still works"
    assert new.model_info() == ("model-a", "1", 4), "the record of which model filled it moved along"
