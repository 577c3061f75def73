"""Vectors of chosen rows of a vec0 table, read from its own storage: the exact re-score's one copy.

A vec0 table keeps its vectors in chunks: one BLOB of ``chunk_size`` vectors in a shadow table
``<table>_vector_chunks00``, and each row's (chunk, offset) in ``<table>_rowids``. sqlite-vec's
own look-up by id (``WHERE passage_id IN (...)``) took 30-56 ms for 100 rows at 100k passages;
reading the same rows as slices of their chunk's BLOB takes ~0.3-2 ms with 64 KiB pages and a
memory map (new libraries have both: core/storage/connection.py): SQLite walks a BLOB's
overflow pages to reach an offset, 24 pages a 1.5 MB chunk at 64 KiB against 384 at 4 KiB; with
auto-vacuum's map of pages (libraries made since), along the map instead of the pages themselves.

The layout is sqlite-vec's, not a public interface, so each table is checked once against
vec0's own answer for one row; where it differs (another version of sqlite-vec) or a read fails,
the rows come from vec0's look-up instead: slower, never wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
_IDS_PER_QUERY = 500  # ids bound in one IN (...): well under SQLite's limit on parameters
_checked: dict[str, bool] = {}  # table → whether its layout is as read here (sqlite-vec is one per process)


def read(conn: Any, table: str, key: str, ids: Sequence[int] | np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """(ids found, their vectors as float32 rows) of the rows of ``table`` keyed ``key`` in ``ids``.
    Ids with no row are left out; the order is not the order asked."""
    wanted = np.unique(np.asarray(ids, dtype=np.int64))
    if not len(wanted):
        return wanted, np.zeros((0, dim), dtype=np.float32)
    if _layout_known(conn, table, key, dim, int(wanted[0])):
        try:
            return _from_chunks(conn, table, wanted, dim)
        except Exception as exc:  # noqa: BLE001 - apsw's errors, or a chunk shorter than its rows say
            log.warning("reading %s's vectors from its chunks failed (%s); using sqlite-vec's look-up", table, exc)
            _checked[table] = False
    return looked_up(conn, table, key, wanted, dim)


def looked_up(conn: Any, table: str, key: str, wanted: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows by sqlite-vec's own look-up (any vec0 table; ``dim`` shapes an empty answer)."""
    found, rows = [], []
    for start in range(0, len(wanted), _IDS_PER_QUERY):
        chunk = wanted[start : start + _IDS_PER_QUERY].tolist()
        for rowid, blob in conn.execute(
                f"SELECT {key}, embedding FROM {table} WHERE {key} IN ({','.join('?' * len(chunk))})", chunk):
            found.append(rowid)
            rows.append(np.frombuffer(blob, dtype=np.float32))
    matrix = np.stack(rows) if rows else np.zeros((0, dim), dtype=np.float32)
    return np.asarray(found, dtype=np.int64), matrix


def _from_chunks(conn: Any, table: str, wanted: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
    places: list[tuple[int, int, int]] = []
    for start in range(0, len(wanted), _IDS_PER_QUERY):
        chunk = wanted[start : start + _IDS_PER_QUERY].tolist()
        places += conn.execute(f"SELECT chunk_id, chunk_offset, rowid FROM {table}_rowids "
                               f"WHERE rowid IN ({','.join('?' * len(chunk))})", chunk).fetchall()
    places.sort()  # chunk by chunk: one BLOB handle moved from row to row
    out = np.empty((len(places), dim), dtype=np.float32)
    view = memoryview(out.data).cast("B")
    size = 4 * dim
    blob, current = None, None
    try:
        for i, (chunk_id, offset, _) in enumerate(places):
            if blob is None:
                blob = conn.blob_open("main", f"{table}_vector_chunks00", "vectors", chunk_id, False)
            elif chunk_id != current:
                blob.reopen(chunk_id)
            current = chunk_id
            blob.seek(offset * size)
            blob.read_into(view, i * size, size)
    finally:
        if blob is not None:
            blob.close()
    return np.array([p[2] for p in places], dtype=np.int64), out


def _layout_known(conn: Any, table: str, key: str, dim: int, probe: int) -> bool:
    """Whether this connection reads ``table``'s chunks as sqlite-vec wrote them: one row compared
    with vec0's own answer (once a process; an id with no row says nothing yet)."""
    known = _checked.get(table)
    if known is not None:
        return known
    try:
        ours = _from_chunks(conn, table, np.array([probe], dtype=np.int64), dim)
    except Exception:  # noqa: BLE001 - no such shadow tables, or another layout
        _checked[table] = False
        return False
    theirs = looked_up(conn, table, key, np.array([probe], dtype=np.int64), dim)
    if not len(theirs[0]):
        return True  # nothing to compare: the chunks are read, and checked at the next call
    same = len(ours[0]) == 1 and bool(np.array_equal(ours[1], theirs[1]))
    _checked[table] = same
    if not same:
        log.warning("%s's chunks are not laid out as expected; using sqlite-vec's look-up", table)
    return same
