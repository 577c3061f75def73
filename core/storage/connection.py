"""The library file's connection: apsw + sqlite-vec, WAL, a busy timeout, and write transactions.

apsw is used because the stdlib sqlite3 of many Pythons (this project's CI, macOS's system
Python) cannot load extensions. WAL lets readers search while one writer indexes.
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nearby.core.errors import LibraryError, LibraryPlace, explain_storage_failure
from nearby.core.extract.passages import keyword_text
from nearby.core.privacy import narrow

# Writers wait this long for a lock held by another connection before giving up.
BUSY_TIMEOUT_MS = 10_000
PAGE_SIZE = 65_536
AUTO_VACUUM = 2  # incremental: SQLite keeps a map of each page's parent (see connect); never shrinks by itself
MMAP_BYTES = 1 << 40  # address space, not memory: the OS pages the file in as it is read


def vec0_path() -> str:
    """sqlite-vec's loadable extension (what sqlite_vec.loadable_path() returns), found without
    importing the package: its __init__ imports the standard library's sqlite3, which the bundle
    leaves out with its libsqlite3 (the library is read through apsw and its own SQLite)."""
    spec = importlib.util.find_spec("sqlite_vec")
    if spec is None or not spec.submodule_search_locations:
        raise LibraryError("sqlite-vec is not installed: reinstall Nearby (`pip install nearby` brings it).")
    return os.path.normpath(os.path.join(list(spec.submodule_search_locations)[0], "vec0"))


def connect(path: Path) -> Any:
    import apsw

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = apsw.Connection(str(path))
        conn.set_busy_timeout(BUSY_TIMEOUT_MS)  # another connection may be creating the library now
        _refuse_foreign(conn, path)  # before WAL mode, which would rewrite the file's header
        conn.enable_load_extension(True)
        conn.load_extension(vec0_path())
        conn.enable_load_extension(False)
        # The keyword index's triggers call it (migration 0011): every connection must have it.
        conn.create_scalar_function("nearby_words", _keyword_text, 1, deterministic=True)
        # A new library gets 64 KiB pages (an existing one keeps its own: fixed once written): the
        # re-score reads passage vectors as slices of vec0's 1.5 MB chunks, and SQLite walks a BLOB's
        # overflow pages to reach an offset, 24 of them at 64 KiB against 384 at 4 KiB
        # (core/storage/vec0_rows.py). Then mapped, not copied page by page through the pager.
        # And with auto-vacuum's map of each page's parent (fixed, like the page size, once the
        # first table is made): a walk along a chunk's overflow pages then reads that map, not
        # each page it passes (SQLite checks that the next page in the file is the next in the
        # chain), so a read touches two pages, not a dozen: 66 reads a search at 1M passages,
        # 4.3 → 1.05 ms in a fresh process, 0.7 → 0.27 ms once mapped in. Nothing is moved or
        # shrunk by it (incremental: only `PRAGMA incremental_vacuum` would).
        conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
        conn.execute(f"PRAGMA auto_vacuum={AUTO_VACUUM}")
        _use_wal(conn)
        conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash loses at most the last batch
        for own in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            narrow(own)
    except LibraryError:
        raise
    except apsw.NotADBError as exc:
        raise LibraryPlace(f"{path} is not a Nearby library (not an SQLite file). Choose another file.") from exc
    except (apsw.Error, OSError) as exc:
        explained = explain_storage_failure(exc, path)
        if explained is not None:  # damaged, full, read-only …: said as such
            raise explained from exc
        raise LibraryError(
            f"The library {path} cannot be opened ({exc}). Check that the folder is writable, "
            "or choose another library file with --library."
        ) from exc
    return conn


# Every library records its first migration (core/storage/migrations.py) in its migrations table.
FIRST_MIGRATION = "0001_items_and_passages"


def _refuse_foreign(conn: Any, path: Path) -> None:
    """An SQLite file of another program given as the library is refused untouched, not filled
    with Nearby's tables."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables - {"migrations"}:
        return  # a new library (another connection may be creating it right now)
    ours = "migrations" in tables and conn.execute(
        "SELECT 1 FROM migrations WHERE name = ?", (FIRST_MIGRATION,)).fetchone() is not None
    if not ours:
        conn.close()
        raise LibraryPlace(f"{path} is an SQLite database of another program, not a Nearby library; nothing was "
                           "changed in it. Choose another library file with --library.")


def refuse_empty(path: Path) -> None:
    """An existing, empty library file is not a new library: it is one that a crash or a full disk
    cut short, and opening it would silently start afresh. Checked once, when a library is opened
    (not at each connection: SQLite's own new file is empty until its first write commits)."""
    if path.is_file() and path.stat().st_size == 0 and not Path(f"{path}-wal").is_file():
        raise LibraryError(f"{path} is an empty file, not a Nearby library (one cut short by a crash or a full disk?). "
                           "Delete it to start a new library there, or choose another file with --library.")


def _keyword_text(*values: Any) -> Any:
    return keyword_text(values[0])


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


class Connected:
    """Base of the Store's parts: one open connection and its write transactions."""

    conn: Any
    path: Path
    vectors_changed: bool = False  # passages added or deleted in the open transaction

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
            self.vectors_changed = False
            raise
        self.conn.execute("COMMIT")
        if self.vectors_changed:
            self.vectors_changed = False
            self.after_vectors_changed()

    def after_vectors_changed(self) -> None:
        """Called after a commit that added or deleted passages."""
