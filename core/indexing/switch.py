"""Switching a library's text model without a gap in search.

Every vector in the text space changes with the model: passages, the pictures' and songs' bridges,
the calibration samples, the arithmetic vocabulary. So the library is indexed again, into a
*shadow* file beside it (``library.nearby.sqlite.switching``), from the same folders, with the new
model, while the old file keeps answering searches. The shadow is an ordinary library: each batch
is committed as it goes, so an interrupted switch (Ctrl-C, kill, power cut) leaves the old model in
charge and the next `nearby models use NAME` resumes where it stopped, redoing only files not yet
committed. When it is complete its contents replace the library's in one transaction through
SQLite's online backup (readers keep a consistent snapshot; no file is renamed under them), and
the shadow is deleted. What the new library holds is exactly what a fresh index run with the new
model would make, because it is one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from nearby.core.errors import LibraryError
from nearby.core.indexing.sweep import is_offline
from nearby.core.library_file import shadow_path
from nearby.core.storage import vector_index
from nearby.core.storage.connection import AUTO_VACUUM, BUSY_TIMEOUT_MS, connect
from nearby.core.storage.model_record import recorded_text_model
from nearby.core.storage.store import Store

_SIDE_FILES = ("", "-wal", "-shm", "-journal", ".lock")


def pending_switch(library: Path) -> str | None:
    """The model a switch under way (interrupted, or running in another process) is moving to."""
    shadow = shadow_path(library)
    recorded = recorded_text_model(shadow) if shadow.is_file() else None
    return recorded[0] if recorded else None


def prepare_shadow(library: Path) -> None:
    """Make the shadow file, if missing, with the library's page size: SQLite's backup (how
    adopt_shadow copies it in) cannot copy a WAL database into one with other pages, and a library
    made before 64 KiB pages keeps its 4 KiB ones (core/storage/connection.py). Auto-vacuum's map of
    pages, which the backup can bring, is given to every shadow: a library made before it gets it
    with its next model switch, which rewrites every page anyway."""
    import apsw

    shadow = shadow_path(library)
    if shadow.exists():
        return
    source = apsw.Connection(f"file:{library}?mode=ro", flags=apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI)
    try:
        row = source.execute("PRAGMA page_size").fetchone()
        page_size = int(row[0]) if row else 4096
    finally:
        source.close()
    conn = apsw.Connection(str(shadow))
    try:
        conn.execute(f"PRAGMA page_size={page_size}")
        conn.execute(f"PRAGMA auto_vacuum={AUTO_VACUUM}")
        conn.execute("PRAGMA journal_mode=WAL")  # writes the header: the page size is fixed from here
    finally:
        conn.close()


def discard_shadow(library: Path) -> None:
    """Delete a shadow library (a switch to another model, or one given up)."""
    shadow = shadow_path(library)
    for suffix in _SIDE_FILES:
        Path(str(shadow) + suffix).unlink(missing_ok=True)
    vector_index.forget(shadow)


def offline_folders(folders: list[str], store: Store | None = None) -> list[str]:
    """Folders of the library that cannot be reached now (an unplugged drive, a share that is down;
    with ``store``, also an empty mount point whose drive the library holds files of)."""
    return [f for f in folders if not Path(f).exists() or (store is not None and is_offline(store, Path(f)))]


def check_folders_reachable(folders: list[str], store: Store | None = None) -> None:
    """A switch re-reads every file: one from a missing folder would silently leave the library."""
    offline = offline_folders(folders, store)
    if offline:
        raise LibraryError(
            f"Cannot switch the model while {len(offline)} of the library's folders cannot be reached "
            f"({', '.join(offline[:3])}{' …' if len(offline) > 3 else ''}): their files would leave the library. "
            "Reconnect them (or remove them from the library), then switch again."
        )


# Pages copied per backup step before the last one: the copy runs while readers go on reading the
# old library; only the final step, which commits, runs with readers held back.
_PAGES_PER_STEP = 4096


def adopt_shadow(library: Path, commit_guard: Callable[[], AbstractContextManager[Any]] = nullcontext) -> None:
    """Replace the library's contents with the finished shadow's, in one transaction, then delete it.

    SQLite's online backup writes the destination under its own write lock and journal: a reader
    (another window, a CLI search) sees the old library or the new one, never a mix, and a crash
    during the copy leaves the old library whole (the shadow is still there to adopt again).
    ``commit_guard`` is entered for the final step only (the commit): the caller holds its own
    readers back there, and swaps its embedder before letting them in again.
    """
    import apsw

    shadow = shadow_path(library)
    source = connect(shadow)
    target = connect(library)
    try:
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                with target.backup("main", source, "main") as copy:
                    copy.step(1)  # learns the page count
                    while not copy.done and copy.remaining > _PAGES_PER_STEP:
                        copy.step(_PAGES_PER_STEP)
                    with commit_guard():
                        if not copy.done:
                            copy.step(-1)
                        vector_index.adopt(shadow, library)
                break
            except apsw.BusyError:  # an index run is writing the old library: wait for it
                if time.monotonic() > deadline:
                    raise LibraryError(f"{library} stayed busy; close other Nearby windows and switch again.") from None
                time.sleep(0.2)
        target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        source.close()
        target.close()
    discard_shadow(library)
