"""The one module that owns the library's SQLite connection (apsw + sqlite-vec).

apsw is used because the stdlib sqlite3 of many Pythons (this project's CI, macOS's system
Python) cannot load extensions. Each thread opens its own Store; WAL lets readers search while
one writer indexes. Every statement is parameterised.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nearby.core.errors import LibraryError, LibraryTooNew, ModelMismatch
from nearby.core.storage.migrations import Migration, migrations, native_vectors

# Writers wait this long for a lock held by another connection before giving up.
BUSY_TIMEOUT_MS = 10_000
# vec0 refuses k above 4096 in sqlite-vec 0.1.9.
MAX_KNN = 4096
PASSAGE_VECTORS = "passage_embeddings"  # passage vectors, partitioned by kind (migration 0007)
TEXT_VECTORS = (PASSAGE_VECTORS, "item_vectors")
NATIVE_TABLES = {"image": "image_vectors", "song": "song_vectors"}  # each media kind's own space
VECTOR_TABLES = (*TEXT_VECTORS, *NATIVE_TABLES.values())


@dataclass(frozen=True)
class ItemRow:
    id: int
    path: str
    kind: str
    title: str
    size: int
    mtime_ns: int
    sha256: str
    meta: str = "{}"  # JSON: EXIF date, camera, pixel size … whatever the file told

_ITEM_COLUMNS = "id, path, kind, title, size, mtime_ns, sha256, meta"


@dataclass(frozen=True)
class Neighbour:
    rowid: int
    distance: float
    item_id: int


def _connect(path: Path) -> Any:
    import apsw
    import sqlite_vec

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = apsw.Connection(str(path))
        conn.enable_load_extension(True)
        conn.load_extension(sqlite_vec.loadable_path())
        conn.enable_load_extension(False)
        conn.set_busy_timeout(BUSY_TIMEOUT_MS)
        _use_wal(conn)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash loses at most the last batch
    except apsw.NotADBError as exc:
        raise LibraryError(f"{path} is not a Nearby library (not an SQLite file). Choose another file.") from exc
    except (apsw.Error, OSError) as exc:
        raise LibraryError(
            f"The library {path} cannot be opened ({exc}). Check that the folder is writable, "
            "or choose another library file with --library."
        ) from exc
    return conn


def _use_wal(conn: Any) -> None:
    """Switch a library to WAL once. Changing the journal mode needs the database to itself and
    SQLite does not wait for that, so a second connection opening a brand-new library while the
    first creates it retries for a while instead of failing."""
    import apsw

    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except apsw.BusyError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Store:
    """A connection to one library file, with the schema brought up to date on open."""

    def __init__(self, path: Path | str, text_dim: int, image_dim: int = 1280, song_dim: int = 200) -> None:
        self.path = Path(path)
        self.text_dim = text_dim
        self.image_dim = image_dim
        self.song_dim = song_dim
        self.conn = _connect(self.path)
        self._migrate()

    def close(self) -> None:
        self.conn.close()

    # -- schema -------------------------------------------------------------------------------

    def _migrate(self) -> None:
        known = migrations(self.text_dim, self.image_dim, self.song_dim)
        if self._applied() >= {m.name for m in known}:
            self._refuse_unknown(self._applied(), known)
            return
        # Another connection (a search thread, another process) may be migrating the same new
        # file right now: take the write lock first, then look again at what is applied.
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            applied = self._applied()
            self._refuse_unknown(applied, known)
            for m in known:
                if m.name not in applied:
                    self.conn.execute(m.sql)
                    self.conn.execute("INSERT INTO migrations VALUES (?, ?)", (m.name, time.time()))
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def _applied(self) -> set[str]:
        self.conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at REAL)")
        return {r[0] for r in self.conn.execute("SELECT name FROM migrations")}

    def _refuse_unknown(self, applied: set[str], known: list[Migration]) -> None:
        unknown = applied - {m.name for m in known}
        if unknown:
            raise LibraryTooNew(
                f"The library {self.path} was written by a newer Nearby (it has {sorted(unknown)}). "
                "Update Nearby to open it, or choose another library file."
            )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction that takes the write lock first (BEGIN IMMEDIATE). A deferred one
        that reads before it writes cannot wait for another writer: SQLite fails its upgrade at
        once with "database is locked", as it did under a search thread. Nested, it is a savepoint."""
        if self.conn.in_transaction:
            with self.conn:
                yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def check_model(self, model: str, version: str, dim: int, tables: tuple[str, ...] = TEXT_VECTORS) -> None:
        """Record which model fills these vector tables, or refuse a library filled by another."""
        for table in tables:
            with self.transaction():  # looked at and recorded under the write lock: two runs may start at once
                recorded = self.vector_model(table)
                if recorded is None:
                    self._record_model(table, model, version, dim)
            if recorded is not None and recorded != (model, dim):
                raise ModelMismatch(
                    f"The library {self.path} was indexed with {recorded[0]} ({recorded[1]}-d), not {model}. "
                    "Index into a new library file (--library), or switch back to that model."
                )

    def adopt_model(self, kind: str, model: str, version: str, dim: int) -> int:
        """Record the model of a media kind's own space, switching to it (see switch_model) if
        another one filled it. Returns how many items now wait to be analysed again."""
        with self.transaction():  # decided under the write lock: two runs must not both switch
            recorded = self.vector_model(NATIVE_TABLES[kind])
            if recorded is None:
                self._record_model(NATIVE_TABLES[kind], model, version, dim)
            elif recorded != (model, dim):
                return self.switch_model(kind, model, version, dim)
        return 0

    def _record_model(self, table: str, model: str, version: str, dim: int) -> None:
        self.conn.execute("INSERT OR REPLACE INTO vector_tables VALUES (?, ?, ?, ?, ?)",
                          (table, model, version, dim, time.time()))

    def vector_model(self, table: str) -> tuple[str, int] | None:
        """(model, dim) that filled a vector table, or None before anything was recorded."""
        row = self.conn.execute("SELECT model, dim FROM vector_tables WHERE name = ?", (table,)).fetchone()
        return None if row is None else (row[0], row[1])

    def switch_model(self, kind: str, model: str, version: str, dim: int) -> int:
        """Give a media kind's own space to another model (a joint model installed or removed).

        Its vector table is made again at the new width, and every item of the kind is marked
        stale (an empty sha256) so that the next visit analyses it again; until then it keeps its
        text-space vectors. Returns how many items wait for that.
        """
        table = NATIVE_TABLES[kind]
        with self.transaction():
            self.conn.execute(f"DROP TABLE IF EXISTS {table}")
            self.conn.execute(native_vectors(table, dim))
            self._record_model(table, model, version, dim)
            self.conn.execute("UPDATE items SET sha256 = '' WHERE kind = ?", (kind,))
            self.conn.execute("DELETE FROM calibration WHERE kind = ?", (kind,))  # measured in the old space
            return int(self.conn.execute("SELECT count(*) FROM items WHERE kind = ?", (kind,)).fetchone()[0])

    def stale_paths(self, kinds: Sequence[str]) -> list[str]:
        """Items waiting to be analysed again after a model switch, of these kinds."""
        marks = ", ".join("?" * len(kinds))
        return [r[0] for r in self.conn.execute(
            f"SELECT path FROM items WHERE sha256 = '' AND kind IN ({marks}) ORDER BY path", tuple(kinds))]

    def model_info(self) -> tuple[str, str, int] | None:
        row = self.conn.execute(
            "SELECT model, model_version, dim FROM vector_tables WHERE name = ?", (PASSAGE_VECTORS,)).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    # -- items --------------------------------------------------------------------------------

    def item_by_path(self, path: str) -> ItemRow | None:
        row = self.conn.execute(
            f"SELECT {_ITEM_COLUMNS} FROM items WHERE path = ?", (path,)).fetchone()
        return ItemRow(*row) if row else None

    def items_by_sha(self, sha256: str) -> list[ItemRow]:
        rows = self.conn.execute(
            f"SELECT {_ITEM_COLUMNS} FROM items WHERE sha256 = ?", (sha256,))
        return [ItemRow(*r) for r in rows]

    def items_by_ids(self, ids: Sequence[int]) -> dict[int, ItemRow]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT {_ITEM_COLUMNS} FROM items WHERE id IN ({marks})", tuple(ids))
        return {r[0]: ItemRow(*r) for r in rows}

    def paths_under(self, folder: str) -> list[str]:
        prefix = folder.rstrip("/\\") + ("\\" if "\\" in folder and "/" not in folder else "/")
        rows = self.conn.execute(
            "SELECT path FROM items WHERE substr(path, 1, ?) = ? UNION "
            "SELECT path FROM failures WHERE substr(path, 1, ?) = ?",
            (len(prefix), prefix, len(prefix), prefix))
        return [r[0] for r in rows]

    def add_item(self, row: ItemRow, passages: Sequence[tuple[str, int | None]], vectors: np.ndarray,
                 native: np.ndarray | None = None) -> int:
        """Insert (or replace) an item with its passages, their text-space vectors and, for
        pictures, the vector in the image model's own space. Call in a transaction."""
        old = self.item_by_path(row.path)
        if old is not None:
            self.delete_item(old.id)
        self.conn.execute(
            "INSERT INTO items (path, kind, title, size, mtime_ns, sha256, indexed_at, meta) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (row.path, row.kind, row.title, row.size, row.mtime_ns, row.sha256, time.time(), row.meta))
        item_id = int(self.conn.last_insert_rowid())
        for order, ((text, page), vector) in enumerate(zip(passages, vectors, strict=True)):
            self.conn.execute("INSERT INTO passages (item_id, ord, page, text) VALUES (?, ?, ?, ?)",
                              (item_id, order, page, text))
            self.conn.execute(f"INSERT INTO {PASSAGE_VECTORS} VALUES (?, ?, ?, ?)",
                              (self.conn.last_insert_rowid(), vector.astype(np.float32).tobytes(), row.kind, item_id))
        self.conn.execute("INSERT INTO item_vectors VALUES (?, ?, ?)",
                          (item_id, item_vector(vectors).tobytes(), row.kind))
        if native is not None:
            self.conn.execute(f"INSERT INTO {NATIVE_TABLES[row.kind]} VALUES (?, ?)",
                              (item_id, np.asarray(native, dtype=np.float32).tobytes()))
        self.conn.execute("DELETE FROM failures WHERE path = ?", (row.path,))
        return item_id

    def delete_item(self, item_id: int) -> None:
        self.conn.execute(f"DELETE FROM {PASSAGE_VECTORS} WHERE passage_id IN "
                          "(SELECT id FROM passages WHERE item_id = ?)", (item_id,))
        self.conn.execute("DELETE FROM item_vectors WHERE item_id = ?", (item_id,))
        for table in NATIVE_TABLES.values():
            self.conn.execute(f"DELETE FROM {table} WHERE item_id = ?", (item_id,))
        self.conn.execute("DELETE FROM items WHERE id = ?", (item_id,))

    def delete_path(self, path: str) -> bool:
        old = self.item_by_path(path)
        self.conn.execute("DELETE FROM failures WHERE path = ?", (path,))
        if old is not None:
            self.delete_item(old.id)
        return old is not None

    def move_item(self, item_id: int, new_path: str, mtime_ns: int) -> None:
        self.conn.execute("UPDATE items SET path = ?, mtime_ns = ? WHERE id = ?", (new_path, mtime_ns, item_id))

    def touch_item(self, item_id: int, size: int, mtime_ns: int) -> None:
        self.conn.execute("UPDATE items SET size = ?, mtime_ns = ? WHERE id = ?", (size, mtime_ns, item_id))

    # -- failures and folders -----------------------------------------------------------------

    def record_failure(self, path: str, reason: str, size: int, mtime_ns: int) -> None:
        self.conn.execute("INSERT OR REPLACE INTO failures VALUES (?, ?, ?, ?, ?)",
                          (path, reason, size, mtime_ns, time.time()))

    def failure(self, path: str) -> tuple[str, int, int] | None:
        row = self.conn.execute("SELECT reason, size, mtime_ns FROM failures WHERE path = ?", (path,)).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def failures(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.conn.execute("SELECT path, reason FROM failures ORDER BY path")]

    def add_folder(self, folder: str) -> None:
        self.conn.execute("INSERT OR IGNORE INTO folders VALUES (?, ?)", (folder, time.time()))

    def folders(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT path FROM folders ORDER BY path")]

    # -- reading ------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        one = self.conn.execute
        return {
            "items": one("SELECT count(*) FROM items").fetchone()[0],
            "passages": one("SELECT count(*) FROM passages").fetchone()[0],
            "failures": one("SELECT count(*) FROM failures").fetchone()[0],
            "folders": one("SELECT count(*) FROM folders").fetchone()[0],
        }

    def counts_by_kind(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT kind, count(*) FROM items GROUP BY kind").fetchall())

    def passages_by_ids(self, ids: Sequence[int]) -> dict[int, tuple[str, int | None]]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(f"SELECT id, text, page FROM passages WHERE id IN ({marks})", tuple(ids))
        return {r[0]: (r[1], r[2]) for r in rows}

    def first_passage(self, item_id: int) -> tuple[str, int | None]:
        row = self.conn.execute("SELECT text, page FROM passages WHERE item_id = ? ORDER BY ord LIMIT 1",
                                (item_id,)).fetchone()
        return ("", None) if row is None else (row[0], row[1])

    def passages_containing(self, fts_query: str, limit: int = MAX_KNN) -> list[tuple[int, int, str]]:
        """(passage id, item id, kind) of passages matching an FTS5 query, best matches first."""
        rows = self.conn.execute(
            "SELECT p.id, p.item_id, i.kind FROM passage_words w JOIN passages p ON p.id = w.rowid "
            "JOIN items i ON i.id = p.item_id WHERE passage_words MATCH ? ORDER BY w.rank LIMIT ?",
            (fts_query, limit))
        return [(r[0], r[1], r[2]) for r in rows]

    def passage_vectors(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(f"SELECT passage_id, embedding FROM {PASSAGE_VECTORS} WHERE passage_id IN ({marks})",
                                 tuple(ids))
        return {r[0]: np.frombuffer(r[1], dtype=np.float32) for r in rows}

    def item_embedding(self, item_id: int, table: str = "item_vectors") -> np.ndarray | None:
        if table != "item_vectors" and table not in NATIVE_TABLES.values():
            raise ValueError(f"unknown item vector table {table!r}")
        row = self.conn.execute(f"SELECT embedding FROM {table} WHERE item_id = ?", (item_id,)).fetchone()
        return None if row is None else np.frombuffer(row[0], dtype=np.float32)

    def knn(self, table: str, vector: np.ndarray, k: int, kind: str | None = None) -> list[Neighbour]:
        """Nearest rows of a vector table by cosine distance, optionally of one kind."""
        if table not in VECTOR_TABLES:
            raise ValueError(f"unknown vector table {table!r}")
        key = "passage_id" if table == PASSAGE_VECTORS else "item_id"
        has_kind = bool(table in TEXT_VECTORS and kind)
        sql = (f"SELECT {key}, distance, {'item_id' if table == PASSAGE_VECTORS else key} FROM {table} "
               "WHERE embedding MATCH ? AND k = ?" + (" AND kind = ?" if has_kind else "") + " ORDER BY distance")
        params: tuple[Any, ...] = (np.asarray(vector, dtype=np.float32).tobytes(), min(k, MAX_KNN))
        rows = self.conn.execute(sql, params + ((kind,) if has_kind else ()))
        return [Neighbour(int(r[0]), float(r[1]), int(r[2])) for r in rows]

    def save_backgrounds(self, rows: Sequence[tuple[str, float, float]]) -> None:
        for kind, mean, std in rows:
            self.conn.execute("INSERT OR REPLACE INTO calibration VALUES (?, ?, ?, ?)", (kind, mean, std, time.time()))

    def backgrounds(self) -> list[tuple[str, float, float]]:
        return [(r[0], r[1], r[2]) for r in self.conn.execute("SELECT kind, mean, std FROM calibration")]

    def kinds_present(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT kind FROM items ORDER BY kind")]

    def sample_vectors(self, kind: str, limit: int, table: str = PASSAGE_VECTORS) -> np.ndarray:
        """Up to ``limit`` vectors of one kind from a table (for score calibration)."""
        if table not in VECTOR_TABLES:
            raise ValueError(f"unknown vector table {table!r}")
        if table == PASSAGE_VECTORS:
            rows = self.conn.execute(f"SELECT embedding FROM {PASSAGE_VECTORS} WHERE kind = ? LIMIT ?", (kind, limit))
        else:
            rows = self.conn.execute(f"SELECT embedding FROM {table} LIMIT ?", (limit,))
        vectors = [np.frombuffer(r[0], dtype=np.float32) for r in rows]
        return np.stack(vectors) if vectors else np.zeros((0, self.text_dim), dtype=np.float32)


def item_vector(passage_vectors: np.ndarray) -> np.ndarray:
    """One vector for a whole item: the normalised mean of its passages' vectors."""
    mean = np.asarray(passage_vectors, dtype=np.float32).mean(axis=0)
    return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
