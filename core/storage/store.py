"""The Store: one connection to a library file, with the schema brought up to date on open.

Its parts live beside it, one concept each: the connection and transactions (connection.py),
items and passages (items.py), vector tables and sampling (vectors.py), the model record
(model_record.py), migrations (migrations.py). Every statement is parameterised.
"""

from __future__ import annotations

import time
from pathlib import Path

from nearby.core.errors import LibraryTooNew
from nearby.core.storage.connection import connect
from nearby.core.storage.items import Items
from nearby.core.storage.likes import Likes
from nearby.core.storage.map_record import MapRecord
from nearby.core.storage.migrations import Migration, migrations
from nearby.core.storage.model_record import ModelRecord
from nearby.core.storage.vectors import Vectors


class Store(Items, Vectors, ModelRecord, MapRecord, Likes):
    """A connection to one library file, with the schema brought up to date on open."""

    def __init__(self, path: Path | str, text_dim: int, image_dim: int = 1280, song_dim: int = 200) -> None:
        self.path = Path(path)
        self.text_dim = text_dim
        self.image_dim = image_dim
        self.song_dim = song_dim
        self.conn = connect(self.path)
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
