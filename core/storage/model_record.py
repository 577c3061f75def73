"""Which model filled each vector table, and switching a media kind's own space to another model."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from nearby.core.errors import ModelMismatch
from nearby.core.storage.connection import Connected
from nearby.core.storage.migrations import native_vectors
from nearby.core.storage.vectors import NATIVE_TABLES, PASSAGE_VECTORS, TEXT_VECTORS


class ModelRecord(Connected):
    """The model (name, version, dim) recorded for each vector table, enforced and switched."""

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
            elif self.vector_version(NATIVE_TABLES[kind]) != version:
                return self._analyse_again(kind, model, version, dim)
        return 0

    def vector_version(self, table: str) -> str | None:
        row = self.conn.execute("SELECT model_version FROM vector_tables WHERE name = ?", (table,)).fetchone()
        return None if row is None else str(row[0])

    def _analyse_again(self, kind: str, model: str, version: str, dim: int) -> int:
        """Same model, new version (e.g. a picture's text-space vector is made differently now):
        every item of the kind is analysed again, keeping its vectors until then (look-alikes
        still work: the model's own space has not changed)."""
        with self.transaction():
            self._record_model(NATIVE_TABLES[kind], model, version, dim)
            return self._mark_stale(kind)

    def _mark_stale(self, kind: str) -> int:
        """Mark every item of a kind for analysis at its next visit (an empty sha256); returns how
        many. Call in a transaction."""
        self.conn.execute("UPDATE items SET sha256 = '' WHERE kind = ?", (kind,))
        return int(self.conn.execute("SELECT count(*) FROM items WHERE kind = ?", (kind,)).fetchone()[0])

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
            self.conn.execute("DELETE FROM calibration WHERE kind = ?", (kind,))  # measured in the old space
            return self._mark_stale(kind)

    def stale_paths(self, kinds: Sequence[str]) -> list[str]:
        """Items waiting to be analysed again after a model switch, of these kinds."""
        marks = ", ".join("?" * len(kinds))
        return [r[0] for r in self.conn.execute(
            f"SELECT path FROM items WHERE sha256 = '' AND kind IN ({marks}) ORDER BY path", tuple(kinds))]

    def model_info(self) -> tuple[str, str, int] | None:
        row = self.conn.execute(
            "SELECT model, model_version, dim FROM vector_tables WHERE name = ?", (PASSAGE_VECTORS,)).fetchone()
        return None if row is None else (row[0], row[1], row[2])


def recorded_text_model(path: Path) -> tuple[str, int] | None:
    """(model, dim) a library file's text space was made with; None for a new or empty library.

    Read before the library is opened for real, so that it is opened with the right embedder.
    """
    if not path.is_file() or path.stat().st_size == 0:
        return None
    import apsw

    from nearby.core.storage.connection import connect

    conn = connect(path)
    try:
        row = conn.execute("SELECT model, dim FROM vector_tables WHERE name = ?", (PASSAGE_VECTORS,)).fetchone()
    except apsw.SQLError:  # no such table: a library that never recorded a model, or no library at all
        return None
    finally:
        conn.close()
    return None if row is None else (row[0], int(row[1]))
