"""Vector tables (sqlite-vec vec0): nearest-neighbour search, samples and calibration rows."""

from __future__ import annotations

import itertools
import logging
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nearby.core.storage import vec0_rows, vector_index
from nearby.core.storage.connection import Connected
from nearby.core.storage.row_filter import OPEN, RowFilter

_log = logging.getLogger(__name__)

# vec0 refuses k above 4096 in sqlite-vec 0.1.9.
MAX_KNN = 4096
PASSAGE_VECTORS = "passage_embeddings"  # passage vectors, partitioned by kind (migration 0007)
TEXT_VECTORS = (PASSAGE_VECTORS, "item_vectors")
NATIVE_TABLES = {"image": "image_vectors", "song": "song_vectors"}  # each media kind's own space
VECTOR_TABLES = (*TEXT_VECTORS, *NATIVE_TABLES.values())
# Row ids bound in one IN (...) query: well under SQLite's limit on bound parameters.
_IDS_PER_QUERY = 500
# Rows read at a time by the exact scan that answers a filtered KNN without the side index.
_SCAN_ROWS = 20_000


@dataclass(frozen=True)
class Neighbour:
    rowid: int
    distance: float
    item_id: int


class Vectors(Connected):
    """Nearest neighbours, vector look-ups and samples; the calibration rows measured from them."""

    text_dim: int
    side_index_enabled = True  # passage KNN through core/storage/vector_index.py; False: vec0's scan
    _side_view: tuple[tuple[int, int], vector_index.View] | None = None  # the last view, and when it was checked

    def after_vectors_changed(self) -> None:
        """Bring the side index level with this commit and trim the log behind it."""
        try:
            vector_index.sync(self, trim=True)
        except OSError as exc:  # the cache is not writable: searches fall back to vec0
            _log.warning("the fast vector index could not be updated (%s)", exc)

    def settle_side_index(self) -> None:
        """Write the side index if it is missing or unusable, else fold the log into it if due:
        what an index run does at its end (a run with nothing to commit syncs nothing otherwise,
        and a command line never waits for a search's background write)."""
        try:
            vector_index.sync(self, trim=True)
        except OSError as exc:  # being written by another (IndexBusy), or an unwritable cache
            _log.info("the fast vector index was not settled (%s)", exc)

    def _side_index(self) -> vector_index.View | None:
        """The passages' side index, or None where sqlite-vec must answer (switched off, being
        written by another, or an unwritable cache). Checked against the library's log once per
        change to the library (a search asks once per kind)."""
        if not self.side_index_enabled:
            return None
        # data_version moves when another connection commits, total_changes when this one writes.
        stamp = (self.conn.execute("PRAGMA data_version").fetchone()[0], self.conn.total_changes())
        if self._side_view is not None and self._side_view[0] == stamp and vector_index.current(self._side_view[1]):
            return self._side_view[1]
        self._side_view = None
        try:
            side = vector_index.view(self)
            self._side_view = (stamp, side)
            return side
        except vector_index.IndexBusy as exc:  # being written: vec0 answers meanwhile
            _log.info("%s; answering without it meanwhile", exc)
        except OSError as exc:  # an unwritable cache
            _log.warning("the fast vector index is unavailable (%s); answering without it", exc)
        return None

    def _passage_floats(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Passages' float32 vectors, read from vec0's chunks (the exact re-score's one copy)."""
        return vec0_rows.read(self.conn, PASSAGE_VECTORS, "passage_id", ids, self.text_dim)

    def passage_vectors(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        return self.vectors_by_ids(PASSAGE_VECTORS, ids)

    def passages_of(self, item_id: int) -> list[tuple[int, str, np.ndarray]]:
        """(passage id, text, vector) of each passage of an item, in order."""
        rows = [(r[0], r[1]) for r in self.conn.execute(
            "SELECT id, text FROM passages WHERE item_id = ? ORDER BY ord", (item_id,))]
        vectors = self.vectors_by_ids(PASSAGE_VECTORS, [i for i, _ in rows])
        return [(i, text, vectors[i]) for i, text in rows if i in vectors]

    def item_embedding(self, item_id: int, table: str = "item_vectors") -> np.ndarray | None:
        if table != "item_vectors" and table not in NATIVE_TABLES.values():
            raise ValueError(f"unknown item vector table {table!r}")
        row = self.conn.execute(f"SELECT embedding FROM {table} WHERE item_id = ?", (item_id,)).fetchone()
        return None if row is None else np.frombuffer(row[0], dtype=np.float32)

    def knn(self, table: str, vector: np.ndarray, k: int, kind: str | None = None,
            only: RowFilter = OPEN) -> list[Neighbour]:
        """Nearest rows of a vector table by cosine distance, optionally of one kind, among the rows
        ``only`` allows (the true nearest k of those, however few it allows)."""
        if table not in VECTOR_TABLES:
            raise ValueError(f"unknown vector table {table!r}")
        if only.is_empty or k < 1:
            return []
        side = self._side_index() if table == PASSAGE_VECTORS else None
        if side is not None:
            hits = side.knn(vector, k, self._passage_floats, kind, only)
            return [Neighbour(h.passage_id, 1.0 - h.cosine, h.item_id) for h in hits]
        if not only.is_open or k > MAX_KNN:  # vec0 cannot filter by our sets, nor go past MAX_KNN
            return self._scan(table, vector, k, kind, only)
        key = "passage_id" if table == PASSAGE_VECTORS else "item_id"
        has_kind = bool(table in TEXT_VECTORS and kind)
        sql = (f"SELECT {key}, distance, {'item_id' if table == PASSAGE_VECTORS else key} FROM {table} "
               "WHERE embedding MATCH ? AND k = ?" + (" AND kind = ?" if has_kind else "") + " ORDER BY distance")
        params: tuple[Any, ...] = (np.asarray(vector, dtype=np.float32).tobytes(), k)
        rows = self.conn.execute(sql, params + ((kind,) if has_kind else ()))
        return [Neighbour(int(r[0]), float(r[1]), int(r[2])) for r in rows]

    def nearest_passage_items(self, vector: np.ndarray, k: int, kind: str | None = None,
                              only: RowFilter = OPEN) -> list[Neighbour] | None:
        """The k items whose passages are nearest a vector, each by its nearest passage, best
        first, through the side index; None where it cannot answer (the caller asks knn for
        passages until they name k items)."""
        if only.is_empty or k < 1:
            return []
        side = self._side_index()
        if side is None:
            return None
        hits = side.nearest_items(vector, k, self._passage_floats, kind, only)
        return [Neighbour(h.passage_id, 1.0 - h.cosine, h.item_id) for h in hits]

    def _scan(self, table: str, vector: np.ndarray, k: int, kind: str | None, only: RowFilter) -> list[Neighbour]:
        """The exact nearest rows by reading them all (in chunks): what a filtered KNN costs when
        the side index cannot answer (switched off, busy, unwritable) or for the media tables."""
        key, item = ("passage_id", "item_id") if table == PASSAGE_VECTORS else ("item_id", "item_id")
        where, args = "", tuple[str, ...]()
        if table in TEXT_VECTORS and kind:
            where, args = " WHERE kind = ?", (kind,)
        elif kind and table in NATIVE_TABLES.values() and table != NATIVE_TABLES.get(kind):
            return []  # a media table holds one kind only
        q = np.asarray(vector, dtype=np.float32).reshape(-1)
        q = q / max(float(np.linalg.norm(q)), 1e-12)
        cursor = self.conn.execute(f"SELECT {key}, {item}, embedding FROM {table}{where}", args)
        best: list[Neighbour] = []
        while rows := list(itertools.islice(cursor, _SCAN_ROWS)):
            keys = np.array([r[0] for r in rows], dtype=np.int64)
            items = np.array([r[1] for r in rows], dtype=np.int64)
            allowed = only.mask(items, keys if table == PASSAGE_VECTORS else None)
            if not allowed.any():
                continue
            chosen = np.nonzero(allowed)[0]
            matrix = np.frombuffer(b"".join(rows[i][2] for i in chosen), dtype=np.float32).reshape(len(chosen), -1)
            norms = np.maximum(np.linalg.norm(matrix, axis=1), 1e-12)
            cosines = (matrix @ q) / norms
            top = np.argpartition(-cosines, k - 1)[:k] if len(cosines) > k else np.arange(len(cosines))
            best += [Neighbour(int(keys[chosen[i]]), 1.0 - float(cosines[i]), int(items[chosen[i]])) for i in top]
            best = sorted(best, key=lambda n: n.distance)[:k]
        return best

    def save_backgrounds(self, rows: Sequence[tuple[str, float, float, int]]) -> None:
        for kind, mean, std, size in rows:
            self.conn.execute("INSERT OR REPLACE INTO calibration (kind, mean, std, measured_at, size) "
                              "VALUES (?, ?, ?, ?, ?)", (kind, mean, std, time.time(), size))

    def backgrounds(self) -> list[tuple[str, float, float, int]]:
        return [(r[0], r[1], r[2], r[3]) for r in self.conn.execute("SELECT kind, mean, std, size FROM calibration")]

    def kind_size(self, kind: str) -> int:
        """Files of a kind (from the kind index: a count at the end of an index run, not per search)."""
        return int(self.conn.execute("SELECT count(*) FROM items WHERE kind = ?", (kind,)).fetchone()[0])

    def kinds_present(self) -> list[str]:
        """The kinds the library holds: one index seek per kind (a loose index scan of items_kind),
        not a pass over every item."""
        return [r[0] for r in self.conn.execute(
            "WITH RECURSIVE k(kind) AS (SELECT min(kind) FROM items UNION ALL "
            "SELECT (SELECT min(kind) FROM items WHERE kind > k.kind) FROM k WHERE k.kind IS NOT NULL) "
            "SELECT kind FROM k WHERE kind IS NOT NULL")]

    def sample_vectors(self, kind: str, limit: int, table: str = PASSAGE_VECTORS) -> np.ndarray:
        """Up to ``limit`` vectors of one kind from a table, drawn at random (for score calibration).

        A true random sample over the whole kind: the first rows would be whatever folder was
        indexed first, and calibrate every later folder against it.
        """
        if table not in VECTOR_TABLES:
            raise ValueError(f"unknown vector table {table!r}")
        ids = self._random_ids(kind, limit, "passages" if table == PASSAGE_VECTORS else "items")
        vectors = list(self.vectors_by_ids(table, ids).values())
        return np.stack(vectors) if vectors else np.zeros((0, self.text_dim), dtype=np.float32)

    def sample_passage_texts(self, kind: str, limit: int) -> list[str]:
        """Texts of up to ``limit`` passages of one kind, drawn at random as the vectors are."""
        ids = self._random_ids(kind, limit, "passages")
        marks = ",".join("?" * len(ids))
        return [r[0] for r in self.conn.execute(f"SELECT text FROM passages WHERE id IN ({marks})", tuple(ids))]

    def save_sample(self, kind: str, table: str, vectors: np.ndarray) -> None:
        """Keep a kind's calibration sample (rows of one vector table). Call in a transaction."""
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        self.conn.execute("INSERT OR REPLACE INTO calibration_samples VALUES (?, ?, ?, ?)",
                          (kind, table, matrix.shape[1] if matrix.ndim == 2 else 0, matrix.tobytes()))

    def stored_sample(self, kind: str, table: str) -> np.ndarray | None:
        """The kept calibration sample of a kind in a table, or None if none was kept."""
        row = self.conn.execute("SELECT dim, vectors FROM calibration_samples WHERE kind = ? AND space = ?",
                                (kind, table)).fetchone()
        if row is None or not row[0]:
            return None
        return np.frombuffer(row[1], dtype=np.float32).reshape(-1, row[0])

    def query_vectors(self, model: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors of fixed query texts kept for a model (see save_query_vectors)."""
        rows = self.conn.execute("SELECT text, vector FROM query_vectors WHERE model = ?", (model,))
        wanted = set(texts)
        return {r[0]: np.frombuffer(r[1], dtype=np.float32) for r in rows if r[0] in wanted}

    def save_query_vectors(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        """Keep vectors of fixed query texts (the calibration queries) for a model. Call in a transaction."""
        for text, vector in vectors.items():
            self.conn.execute("INSERT OR REPLACE INTO query_vectors VALUES (?, ?, ?)",
                              (model, text, np.asarray(vector, dtype=np.float32).tobytes()))

    def _random_ids(self, kind: str, limit: int, rows: str) -> list[int]:
        """Up to ``limit`` ids of passages (or items) of one kind, uniformly at random.

        Drawn as random ids within the table's id range and kept if they exist and are of the kind,
        in rounds of growing size: a few milliseconds at 100k passages, where ORDER BY random()
        over the kind took 70-100 ms a kind (for every CLI search). A kind too rare to be hit that
        way within the rounds falls back to a draw among all its rows.

        The draw is seeded by the kind: the same library gives the same sample, so its scores do
        not move from one run to the next, and a library switched to another model calibrates
        exactly as one indexed afresh with it.
        """
        join = ("passages p JOIN items i ON i.id = p.item_id", "p.id") if rows == "passages" else ("items i", "i.id")
        low, high = self.conn.execute(f"SELECT min(id), max(id) FROM {rows}").fetchone()  # the rowid index: instant
        if low is None:
            return []
        rng = np.random.default_rng(zlib.crc32(kind.encode()))
        found: set[int] = set()
        span = high - low + 1
        if span > 4 * limit:  # a small table is simply shuffled below
            for round_size in (4 * limit, 16 * limit, 64 * limit):
                candidates = np.unique(rng.integers(low, high + 1, size=min(round_size, span)))
                for start in range(0, len(candidates), _IDS_PER_QUERY):
                    chunk = tuple(int(c) for c in candidates[start : start + _IDS_PER_QUERY])
                    found.update(r[0] for r in self.conn.execute(
                        # "+i.kind": look the ids up by key, not every item of the kind by the kind index
                        f"SELECT {join[1]} FROM {join[0]} WHERE +i.kind = ? AND {join[1]} IN "
                        f"({','.join('?' * len(chunk))})", (kind, *chunk)))
                if len(found) >= limit:
                    break
        if len(found) < limit:  # a small table, or a kind too rare to be hit at random
            found = {r[0] for r in self.conn.execute(f"SELECT {join[1]} FROM {join[0]} WHERE i.kind = ?", (kind,))}
        chosen = sorted(found)
        rng.shuffle(chosen)
        return chosen[:limit]

    def vectors_by_ids(self, table: str, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """Vectors of a table by row id (passage ids for passage vectors, item ids otherwise)."""
        if table not in VECTOR_TABLES:
            raise ValueError(f"unknown vector table {table!r}")
        if not ids:
            return {}
        if table == PASSAGE_VECTORS:
            found_ids, matrix = self._passage_floats(np.asarray(ids))
            return dict(zip(found_ids.tolist(), matrix, strict=True))
        found_ids, matrix = vec0_rows.looked_up(self.conn, table, "item_id", np.unique(np.asarray(ids)), 0)
        return dict(zip(found_ids.tolist(), matrix, strict=True))


def item_vector(passage_vectors: np.ndarray) -> np.ndarray:
    """One vector for a whole item: the normalised mean of its passages' vectors."""
    mean = np.asarray(passage_vectors, dtype=np.float32).mean(axis=0)
    return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
