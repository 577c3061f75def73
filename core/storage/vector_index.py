"""The passage vectors' side index: an HNSW graph for the first pass, an exact re-score after.

sqlite-vec's vec0 answers a KNN by a full scan (1.0-1.7 s at 1M passages), and any exact scan
grows with the library (~100 ms at 1M even as int8). The side index keeps, in the cache folder,
one HNSW graph per kind (faiss's IndexHNSWSQ: the graph plus each vector as 4-bit codes, ~400
bytes a passage), walked to find ~100 candidates, of which the best by their codes are then
re-scored exactly with their float32 vectors read from the library's own vec0 table
(core/storage/vec0_rows.py): the vectors are stored once at full precision, in the library file.
A search for files (nearest_items) groups the candidates by file first and re-scores only the
best few rows of the files that may be among the best: a long document's passages do not fill
the re-score. A filter or an exclusion
reaches the graph as a bitmap of the rows it allows (faiss's IDSelectorBitmap), so a filtered
search keeps its true top k; an allowed set too small for a graph walk to find is scanned whole
(the 4-bit codes of those rows only), and a part this small is always scanned.

The library file stays the source of truth. Every passage added or deleted is written to its
``vector_log`` in the same transaction (by id: the vector is read from vec0 when taken in); the
side index records the log position it holds. Writing a graph means rewriting its file, so the
log is folded into it in batches (FOLD_MIN-DELTA_MAX rows, ~2% of the library): until then, and
for a writer killed between its commit and its fold, a reader holds the log rows beyond the side
index in memory and scans them exactly (the "delta").

Its position rules, checked both ways by every reader and writer (``_usable``): the side index
names the log row it is level with by (seq, token) — every log row gets a random token — and that
row must be in the library's log, at or past the trimmed position and at or before the head; the
trim keeps that row. Behind (the row is there, more follow): caught up from the log. Ahead (a
restored older copy of the library, a commit lost to a power cut), foreign (another library file
at this path: each has a random epoch, and a model switch brings a new one) or from another copy
of the file (the row at that seq is missing or has another token): rebuilt from the vec0 table —
the only slow path (a graph built afresh: ~1 min at 100k passages on 2 cores), once. A rebuild
also drops the side indexes of library files that no longer exist.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nearby.core.cache import cache_root
from nearby.core.storage import vec0_rows
from nearby.core.storage.row_filter import OPEN, RowFilter
from nearby.core.storage.writer_lock import file_lock

log = logging.getLogger(__name__)
FORMAT = 4  # 4: codes fitted to their sample's quantiles (3: its range, widened); 3: an HNSW graph a kind, the floats
# read from the library (2: int8 + float32 copies)
# The graph: 24 neighbours a node (48 on the bottom layer), built with a candidate list of 120.
# Measured on real MiniLM embeddings (117k WordNet glosses, 300 held-out glosses as queries):
# recall@10 of the exact answer 0.994 walking 128 candidates and re-scoring the best 20, 0.996
# re-scoring 26, 0.998 walking 192 or 256; recall@80 0.989-0.992 walking 256 and re-scoring
# 128-160. 16 neighbours or a list of 40 lose 0.004-0.02.
GRAPH_M = 24
GRAPH_EF_BUILD = 120
# Measured at 1M passages (bench search's vectors, 100 queries; 800k documents, 150k pictures,
# 50k songs, a graph each), CPU ms on 2 cores:
# - a passage search re-scores k and half as many again, at least k + RESCORE_EXTRA, of a walk
#   keeping EF_SEARCH candidates: recall@10 0.997 (0.995 before weak rows were linked; 0.9900
#   re-scoring k + 16), 3.9 ms for the three kinds;
# - a search for files re-scores, of the walk's candidates, up to ITEM_ROWS rows of each of the
#   best files + FILES_EXTRA items by their codes and of any item within CODE_MARGIN of the
#   files-th (the codes err by ~0.006 in cosine, 0.016 at the 99th percentile): the exact best 10
#   files 0.996-0.998 of the time a kind, the product's whole search 4.3 ms (5.4 ms and 0.983 for
#   documents without the margin; 9.3 ms re-scoring 120 passages a kind for 10 files);
# - EF_SEARCH 96 loses 0.001-0.002 of either, 160 gains nothing for 0.8 ms;
# - a walk under a filter passes rows it may not answer with: it keeps FILTERED_EF times more
#   candidates at most (the square root of the part's rows over the allowed ones), and
#   re-scores k + FILTERED_RESCORE_EXTRA: 30% of the files allowed, recall 0.994 → 0.995 (the
#   re-score; a longer walk, to the power 1, gained nothing).
RESCORE_EXTRA = 30
FILES_EXTRA = 5
ITEM_ROWS = 3
CODE_MARGIN = 0.02
EF_SEARCH = 112
FILTERED_EF = 2
FILTERED_RESCORE_EXTRA = 50
# A row at most WEAK_LINKS rows point to is linked from as many of its WEAK_NEIGHBOURS nearest
# (_link_weak_rows): at 1M passages the filtered searches' misses were rows 3 rows pointed to.
WEAK_LINKS = 4
WEAK_NEIGHBOURS = 16
# A part, or an allowed set, this small is scanned whole rather than walked (an exact first pass,
# as fast as a walk below ~10k rows); so is an allowed set under FLAT_SHARE of its part (a walk
# would rarely meet its rows).
FLAT_ROWS = 10_000
FLAT_SHARE = 0.05
# A scan re-scores at least this many rows (all of a small part: exact), its 4-bit codes
# being coarser per row than a walk's many comparisons.
SCAN_RESCORE = 256
# The log is folded into the graph when this many rows follow the side index's position.
FOLD_MIN = 2_000
FOLD_SHARE = 0.02
# A reader that finds more than this many unfolded log rows folds them itself rather than
# holding them in memory.
DELTA_MAX = 20_000
# A part's 4-bit codes are fitted to (up to FIT_SAMPLE of) its rows when its graph is first
# written; once it holds OUTGROWN times the rows it had then (and at least FIT_MIN), it is rebuilt.
FIT_SAMPLE = 20_000
FIT_MIN = 1_000
CLIP = 0.002  # the codes' range: the sample's 0.2% and 99.8% quantiles (_new_graph)
OUTGROWN = 8
_ROWS_PER_READ = 20_000
# A search that finds no usable side index writes it itself up to this many passages (a few
# seconds); above, on a thread, answering without it meanwhile.
INLINE_REBUILD_MAX = 5_000
# A search waits at most this long for another thread's use of the index table (normally µs).
LOCK_WAIT_S = 0.5
_COLUMNS: dict[str, str] = {"ids": "i8", "items": "i8", "alive": "u1"}  # file → dtype, one value a row
_GRAPH = "graph.faiss"
Floats = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]  # passage ids → (ids found, float32 rows)


def _faiss() -> Any:
    """faiss, imported when first needed (0.2 s: not at start-up). Its OpenMP threads sleep when
    idle instead of spinning (the default keeps them busy ~0.2 s after each call, taking the
    cores from the text model while files are indexed)."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import faiss

    return faiss


@dataclass(frozen=True)
class Hit:
    passage_id: int
    item_id: int
    cosine: float


@dataclass
class Delta:
    """Log rows beyond the side index: passages added since (with vectors) and ids gone since."""

    seq: int
    token: str | None  # the token of the log row at seq
    gone: np.ndarray  # passage ids the side index may hold but must not answer with
    ids: np.ndarray
    items: np.ndarray
    kinds: list[str]
    vectors: np.ndarray


@dataclass
class Part:
    """One kind's rows (a kind is searched alone, as vec0's partitions were: songs need not wait
    for a walk through every document)."""

    columns: dict[str, np.ndarray]
    graph: Any = None  # faiss IndexHNSWSQ over the rows, in row order; None when there are none
    _valid: np.ndarray | None = None
    _valid_count: int = 0

    def valid(self, gone: np.ndarray | None) -> np.ndarray:
        """Rows that may answer: alive, and not gone since the side index was written (cached)."""
        if self._valid is None:
            valid = self.columns["alive"] == 1
            if gone is not None and len(gone):
                valid &= ~np.isin(self.columns["ids"], gone)
            self._valid, self._valid_count = valid, int(valid.sum())
        return self._valid

    def _allowed(self, gone: np.ndarray | None, only: RowFilter) -> tuple[np.ndarray, int]:
        valid = self.valid(gone)
        if only.is_open:
            return valid, self._valid_count  # counted once (an 800k-row sum is ~0.1 ms a search)
        valid = valid & only.mask(self.columns["items"], self.columns["ids"])
        return valid, int(valid.sum())

    def _candidates(self, q: np.ndarray, want: int, gone: np.ndarray | None, only: RowFilter,
                    ef: int = 0) -> tuple[np.ndarray, np.ndarray, bool, bool]:
        """Up to ``want`` rows near a unit query among those allowed, best first by their 4-bit
        codes (a walk keeping ``ef`` candidates, at least EF_SEARCH and half as many again as
        wanted): (rows, their cosines by the codes, whether they come from a scan of every allowed
        row, whether they are every allowed row the walk or scan could give)."""
        none = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), True, True
        count = len(self.columns["ids"])
        if not count or self.graph is None:
            return none
        valid, allowed = self._allowed(gone, only)
        if not allowed:
            return none
        scan = allowed <= FLAT_ROWS or allowed < FLAT_SHARE * count
        want = min(allowed, max(want, SCAN_RESCORE if scan else 0))
        faiss = _faiss()
        selector, bitmap = None, None
        if allowed < count:
            bitmap = np.packbits(valid, bitorder="little")  # faiss reads bit i of byte i // 8, low bit first
            selector = faiss.IDSelectorBitmap(count, faiss.swig_ptr(bitmap))
        query = np.ascontiguousarray(q.reshape(1, -1), dtype=np.float32)
        if scan:
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
            approx, found = self.graph.storage.search(query, want, params=params)
        else:
            params = faiss.SearchParametersHNSW()
            params.efSearch = max(ef, want) if ef else max(EF_SEARCH, want + want // 2)
            if allowed < count:  # the walk passes through rows it may not answer with: a longer one
                params.efSearch = int(params.efSearch * min(FILTERED_EF, (count / allowed) ** 0.5))
            if selector is not None:
                params.sel = selector
            approx, found = self.graph.search(query, want, params=params)
        del bitmap  # kept alive until faiss has read it
        kept = found[0] >= 0
        return found[0][kept], approx[0][kept], scan, want >= allowed

    def knn(self, q: np.ndarray, k: int, gone: np.ndarray | None, only: RowFilter, floats: Floats) -> list[Hit]:
        """Nearest rows to a unit query ``q`` among those ``only`` allows: candidates from the
        graph (or a scan of the allowed rows' codes), re-scored with their float32 vectors."""
        extra = RESCORE_EXTRA if only.is_open else FILTERED_RESCORE_EXTRA
        rows, _, _, _ = self._candidates(q, max(k + k // 2, k + extra), gone, only)
        ids, items, exact = self._rescored(q, rows, floats)
        order = np.argsort(-exact)[:k]
        return [Hit(int(ids[i]), int(items[i]), float(exact[i])) for i in order]

    def nearest_items(self, q: np.ndarray, files: int, gone: np.ndarray | None, only: RowFilter,
                      floats: Floats) -> list[Hit]:
        """The ``files`` items nearest a unit query, each by its nearest row, best first: the
        walk's candidates grouped by item by their codes, and only the best ITEM_ROWS rows of the
        best files + FILES_EXTRA items re-scored (a file's passages crowd a passage search: 120
        re-scored for 10 files). A scan's rows are all re-scored, as a passage search's."""
        want = max(EF_SEARCH, 2 * (files + FILES_EXTRA))
        while True:
            rows, approx, scanned, whole = self._candidates(q, want, gone, only, ef=want)  # best first by codes
            if scanned:  # all it found (SCAN_RESCORE at least): a part this small is answered exactly
                chosen = rows
                break
            chosen, enough = self._best_of_each(rows, approx, files)
            if enough or whole:
                break
            want *= 4  # a few files' passages filled the walk: a wider one
        ids, items, exact = self._rescored(q, chosen, floats)
        best: dict[int, Hit] = {}
        for i in np.argsort(-exact).tolist():
            if len(best) == files:
                break
            if int(items[i]) not in best:
                best[int(items[i])] = Hit(int(ids[i]), int(items[i]), float(exact[i]))
        return list(best.values())

    def _best_of_each(self, rows: np.ndarray, approx: np.ndarray, files: int) -> tuple[np.ndarray, bool]:
        """Of rows best first by their codes, those that may be among the best rows of the nearest
        ``files`` items: up to ITEM_ROWS of each item, of the first files + FILES_EXTRA items and
        of any item scoring within CODE_MARGIN of the files-th by its codes (the codes err by
        ~0.006 in cosine: a bunch of files about as near gets all its members re-scored). Also
        whether the rows named enough items for that."""
        items = self.columns["items"][rows].tolist()
        firsts: dict[int, int] = {}  # item → the index of its best row
        for i, item in enumerate(items):
            firsts.setdefault(item, i)
        if len(firsts) < files + FILES_EXTRA:
            return rows, False
        floor = float(approx[list(firsts.values())[files - 1]]) - CODE_MARGIN
        chosen, taken = [], dict[int, int]()
        for i, item in enumerate(items):
            count = taken.get(item, 0)
            if count >= ITEM_ROWS or (approx[i] < floor and (count or len(taken) >= files + FILES_EXTRA)):
                continue
            taken[item] = count + 1
            chosen.append(i)
        return rows[chosen], True

    def _rescored(self, q: np.ndarray, rows: np.ndarray, floats: Floats) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(passage ids, items, exact cosines) of rows, their vectors read from the library."""
        if not len(rows):
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
        ids = np.asarray(self.columns["ids"][rows])
        read_ids, matrix = floats(ids)
        if not len(read_ids):
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
        order = np.argsort(ids)
        items = np.asarray(self.columns["items"][rows])[order][np.searchsorted(ids[order], read_ids)]
        return read_ids, items, matrix @ q


@dataclass
class View:
    """One process's open side index: its graphs and columns, plus the unfolded log rows."""

    folder: Path
    meta: dict[str, Any]
    parts: dict[str, Part]
    delta: Delta | None = None

    @property
    def seq(self) -> int:
        return int(self.meta["seq"])

    def set_delta(self, delta: Delta | None) -> None:
        self.delta = delta
        for part in self.parts.values():
            part._valid = None

    def knn(self, query: np.ndarray, k: int, floats: Floats, kind: str | None = None,
            only: RowFilter = OPEN) -> list[Hit]:
        """The k rows nearest the query by cosine among those ``only`` allows; ``floats`` reads
        passages' float32 vectors from the library (the re-score's one copy)."""
        hits = self._all_hits(query, kind, only, lambda part, q, gone: part.knn(q, k, gone, only, floats))
        return hits[:k]

    def nearest_items(self, query: np.ndarray, files: int, floats: Floats, kind: str | None = None,
                      only: RowFilter = OPEN) -> list[Hit]:
        """The ``files`` items nearest the query, each by its nearest allowed row, best first."""
        hits = self._all_hits(query, kind, only,
                              lambda part, q, gone: part.nearest_items(q, files, gone, only, floats))
        best: dict[int, Hit] = {}
        for hit in hits:
            best.setdefault(hit.item_id, hit)
        return list(best.values())[:files]

    def _all_hits(self, query: np.ndarray, kind: str | None, only: RowFilter,
                  ask: Callable[[Part, np.ndarray, np.ndarray | None], list[Hit]]) -> list[Hit]:
        """Each searched part's hits (``ask``) and the unfolded log rows', best first."""
        q = _unit(query)
        gone = self.delta.gone if self.delta is not None else None
        hits: list[Hit] = []
        for name, part in self.parts.items():
            if kind is None or name == kind:
                hits += ask(part, q, gone)
        hits += self._delta_hits(q, kind, only)
        hits.sort(key=lambda h: -h.cosine)
        return hits

    def _delta_hits(self, q: np.ndarray, kind: str | None, only: RowFilter) -> list[Hit]:
        """The unfolded log rows' exact hits (they are few: scanned whole)."""
        if self.delta is None or not len(self.delta.ids):
            return []
        allowed = only.mask(self.delta.items, self.delta.ids)
        chosen = [i for i, each in enumerate(self.delta.kinds) if (kind is None or each == kind) and allowed[i]]
        scores = self.delta.vectors[chosen] @ q if chosen else np.zeros(0)
        return [Hit(int(self.delta.ids[i]), int(self.delta.items[i]), float(s))
                for i, s in zip(chosen, scores, strict=True)]


def _unit(vector: np.ndarray) -> np.ndarray:
    return _unit_rows(np.asarray(vector, dtype=np.float32).reshape(1, -1))[0]


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero)."""
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


@dataclass
class Reader:
    """What view and sync need of a Store: its path, one connection, its text width."""

    path: Path
    conn: Any
    text_dim: int


def _passages(conn: Any) -> int:
    row = conn.execute("SELECT max(rowid) FROM passages").fetchone()  # the rowid index: instant
    return int(row[0] or 0) if row else 0


def _write_in_background(library: Path, dim: int, folder: Path) -> None:
    """Write a library's side index on a thread of its own (once at a time in a process): the
    search that found it missing answers without it meanwhile (a graph of 100k passages takes ~1
    minute to build on 2 cores). An index run also writes it at its end (Store.settle_side_index),
    so a command line that never waits for this thread still gets it."""
    from nearby.core.storage.connection import connect

    with _lock:
        if folder in _building:
            return
        _building.add(folder)

    def write() -> None:
        try:
            conn = connect(library)
            try:
                sync(Reader(library, conn, dim), wait=False)
            finally:
                conn.close()
        except OSError as exc:  # another is writing it (IndexBusy), or the cache is not writable
            log.info("the vector index of %s was not written in the background (%s)", library, exc)
        except Exception:  # noqa: BLE001 - searches go on without it; the next one tries again
            log.exception("writing the vector index of %s failed", library)
        finally:
            with _lock:
                _building.discard(folder)

    threading.Thread(target=write, name="nearby-vector-index", daemon=True).start()


_building: set[Path] = set()  # folders being written by _write_in_background
_lock = threading.RLock()  # re-entered: a rebuild under view() drops orphaned side indexes (forget)
_views: dict[Path, View] = {}


def folder_for(library: Path) -> Path:
    """The side index of a library file: in the cache folder, named for the file's identity
    (device and file number), so that a library moved or renamed keeps its side index and a copy
    gets its own; a file not made yet, for its path."""
    digest = hashlib.sha1(_identity(Path(library)).encode()).hexdigest()[:16]
    return cache_root() / "vectors" / digest


def _identity(library: Path) -> str:
    try:
        stat = os.stat(library)
    except OSError:
        return str(library.resolve())
    return f"{stat.st_dev}:{stat.st_ino}"


def _note_path(folder: Path, meta: dict[str, Any], library: Path) -> None:
    """Record where the library now is (moved or renamed, the side index followed it): what tells
    an orphan (forget_orphans). Skipped while another writes the side index: it will next time."""
    where = str(Path(library).resolve())
    if meta.get("library") == where:
        return
    with contextlib.suppress(IndexBusy, OSError), _folder_lock(folder, wait=False):
        on_disk = _read_meta(folder)
        if on_disk is not None and on_disk.get("epoch") == meta.get("epoch"):
            on_disk.update(_owner(library))
            meta.update(_owner(library))
            _replace_meta(folder, on_disk)


class IndexBusy(OSError):
    """The side index is being written (rebuilt, or brought level with many changes) by another
    thread or process: this search goes without it rather than wait (~28 s at 1M passages)."""


def view(store: Any) -> View:
    """The side index for searching a library, brought level with its log (see the module doc).

    Raises:
        IndexBusy: it must be written first, and another search or index run is writing it.
    """
    folder = folder_for(store.path)
    if not _lock.acquire(timeout=LOCK_WAIT_S):
        raise IndexBusy(f"the vector index in {folder} is being written by another search")
    try:
        return _view(store, folder)
    finally:
        _lock.release()


def current(side: View) -> bool:
    """Whether a view is still the one this process holds for its side index (not dropped,
    rebuilt or replaced since)."""
    return _views.get(side.folder) is side


def _view(store: Any, folder: Path) -> View:
    with _snapshot(store.conn):  # the rules checked and the delta read against one state of the log
        return _level_view(store, folder)


def _level_view(store: Any, folder: Path) -> View:
    _, _, head = log_state(store.conn)
    current = _views.get(folder)
    if current is None or not _usable(current.meta, store.conn, store.text_dim):
        current = _open(folder)
        if current is None or not _usable(current.meta, store.conn, store.text_dim):
            if _passages(store.conn) > INLINE_REBUILD_MAX:
                _write_in_background(store.path, store.text_dim, folder)
                raise IndexBusy(f"the vector index of {store.path} is being written in the background")
            sync(store, wait=False)
            current = _open(folder)
            if current is None:
                raise OSError(f"the vector index in {folder} could not be written")
        _note_path(folder, current.meta, store.path)
        _views[folder] = current
    if head > current.seq and (current.delta is None or current.delta.seq != head):
        if head - current.seq > DELTA_MAX:
            sync(store, wait=False)
            _views.pop(folder, None)
            current = _open(folder) or current
            _views[folder] = current
        if head > current.seq:
            current.set_delta(_read_delta(store.conn, current.seq, store.text_dim))
    elif head <= current.seq and current.delta is not None:
        current.set_delta(None)
    return current


def log_state(conn: Any) -> tuple[str, int, int]:
    """(epoch, trimmed-to position, head position) of a library's vector log."""
    epoch, trimmed = conn.execute("SELECT epoch, trimmed_to FROM vector_index_state").fetchone()
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'vector_log'").fetchone()
    return str(epoch), int(trimmed), int(row[0]) if row else 0


def sync(store: Any, trim: bool = False, wait: bool = True, fold: bool = False) -> int:
    """Bring the side index level with the library's log where it is due (rebuild it if it cannot
    be): the position it now holds. Log rows are folded into the graphs once FOLD_MIN rows (or
    FOLD_SHARE of the library) follow, or now with ``fold``; readers hold fewer in memory. With
    ``trim``, the log rows it holds are then deleted (writers only: that is a write transaction).
    Without ``wait``, IndexBusy if another is writing it."""
    folder = folder_for(store.path)
    with _folder_lock(folder, wait):
        meta = _read_meta(folder)
        with _snapshot(store.conn):
            epoch, trimmed, head = log_state(store.conn)
            count = sum(p["count"] for p in meta["parts"].values()) if meta else 0
            # Rebuilt (which also compacts the dead rows away and fits the 4-bit codes to the
            # vectors now held) when it cannot be brought level, when half its rows are dead, or
            # when the library has grown eightfold since its codes were fitted.
            if meta is None or not _usable(meta, store.conn, store.text_dim) or _dead_share(meta) > 0.5:
                log.info("writing the vector index of %s afresh (%s rows)", store.path, count or "all")
                meta = _rebuild(store, folder, epoch, head)
            elif head - meta["seq"] >= (1 if fold else fold_rows(count)):
                meta = _apply(folder, meta, _read_delta(store.conn, meta["seq"], store.text_dim), head)
                if _dead_share(meta) > 0.5 or _outgrown(meta):
                    meta = _rebuild(store, folder, epoch, head)
    if trim and meta["seq"] > trimmed:
        with store.transaction():  # the row the side index is level with stays: it names the position
            store.conn.execute("DELETE FROM vector_log WHERE seq < ?", (meta["seq"],))
            store.conn.execute("UPDATE vector_index_state SET trimmed_to = max(trimmed_to, ?)", (meta["seq"],))
    return int(meta["seq"])


def fold_rows(count: int) -> int:
    """How many log rows wait for the next fold into the graphs of a side index of ``count`` rows."""
    return min(DELTA_MAX, max(FOLD_MIN, int(FOLD_SHARE * count)))


def _outgrown(meta: dict[str, Any]) -> bool:
    """Whether a part now holds eight times the rows its 4-bit codes were fitted to (a library
    grown from its first files: rebuilt at ~1k, 8k, 64k … rows, ~1.14x the cost of the last)."""
    return any(p["count"] >= OUTGROWN * max(int(p.get("fitted", 0)), FIT_MIN) for p in meta["parts"].values())


def _dead_share(meta: dict[str, Any]) -> float:
    count = sum(p["count"] for p in meta["parts"].values())
    return sum(p["dead"] for p in meta["parts"].values()) / count if count else 0.0


def forget_orphans() -> None:
    """Drop the side indexes of library files that no longer exist (deleted, or moved away)."""
    root = cache_root() / "vectors"
    for meta_file in root.glob("*/meta.json") if root.is_dir() else ():
        meta = _read_meta(meta_file.parent) or {}
        library, identity = meta.get("library"), meta.get("identity")
        if not isinstance(library, str):
            continue
        # gone, or another file there now (a backup restored as a new file): its own side index
        if not Path(library).exists() or (isinstance(identity, str) and _identity(Path(library)) != identity):
            log.info("dropping a vector index of %s, which no longer exists", library)
            with _lock:
                _views.pop(meta_file.parent, None)
            shutil.rmtree(meta_file.parent, ignore_errors=True)
            Path(f"{meta_file.parent}.lock").unlink(missing_ok=True)


def _private_folder(folder: Path) -> None:
    """The folder (and the cache folders above it) made if missing, readable by its owner only:
    the vectors say what the person's files are about."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        folder.chmod(0o700)


def forget(library: Path) -> None:
    """Drop a library's side index (its file is gone or replaced): the one its file names now,
    and any left by a file that was at its path."""
    folder = folder_for(library)
    with _lock:
        _views.pop(folder, None)
    shutil.rmtree(folder, ignore_errors=True)
    forget_orphans()


def adopt(shadow: Path, library: Path) -> None:
    """A shadow library's side index becomes the library's (the shadow's contents were just copied
    into the library, epoch included): a model switch need not rebuild it."""
    source, target = folder_for(shadow), folder_for(library)
    with _lock, _folder_lock(target):
        _views.pop(target, None)
        _views.pop(source, None)
        if (source / "meta.json").is_file():
            _swap_in(source, target)
            meta = _read_meta(target)
            if meta is not None:  # now the library's: not an orphan once the shadow file is gone
                _replace_meta(target, {**meta, **_owner(library)})


def _usable(meta: dict[str, Any], conn: Any, dim: int) -> bool:
    """Whether a side index may answer for this library, caught up from its log (the module doc's
    position rules): the same file lineage (epoch), width and format, and its position a row of
    this log, with that row's token, between the trimmed position and the head."""
    epoch, trimmed, head = log_state(conn)
    seq = int(meta.get("seq", -1))
    if not (meta.get("format") == FORMAT and meta.get("epoch") == epoch and meta.get("dim") == dim
            and trimmed <= seq <= head):
        return False
    return token_at(conn, seq) == meta.get("token")


def token_at(conn: Any, seq: int) -> str | None:
    """The token of the log row at a position (None where there is no such row: an empty log, or
    one trimmed by a version that kept no row)."""
    row = conn.execute("SELECT token FROM vector_log WHERE seq = ?", (seq,)).fetchone()
    return None if row is None else row[0]


@contextlib.contextmanager
def _snapshot(conn: Any) -> Iterator[None]:
    """One read transaction: the log position and the rows read agree."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


@contextlib.contextmanager
def _folder_lock(folder: Path, wait: bool = True) -> Iterator[None]:
    """One writer of a side index at a time, across processes (the OS drops it if the holder dies)."""
    with file_lock(Path(f"{folder}.lock"), wait=wait) as taken:
        if not taken:
            raise IndexBusy(f"the vector index in {folder} is being written by another Nearby")
        yield


def _read_meta(folder: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _replace_meta(folder: Path, meta: dict[str, Any]) -> None:
    """The meta file written whole beside, then put in place (a reader sees the old or the new)."""
    tmp = folder / "meta.json.tmp"
    tmp.write_text(json.dumps(meta))
    os.replace(tmp, folder / "meta.json")


def _owner(library: Path) -> dict[str, str]:
    """The meta's record of its library: where it is and which file it is (forget_orphans)."""
    return {"library": str(Path(library).resolve()), "identity": _identity(Path(library))}


def _write_meta(folder: Path, meta: dict[str, Any]) -> None:
    for part in meta["parts"].values():  # the rows must be on disk before the meta that counts them
        for name in (*_COLUMNS, part.get("graph")):
            if name:
                with open(folder / part["dir"] / name, "rb+") as handle:
                    os.fsync(handle.fileno())
    _replace_meta(folder, meta)
    for part in meta["parts"].values():  # graphs replaced by this write (or left by a killed one)
        for old in (folder / part["dir"]).glob("graph*.faiss"):
            if old.name != part.get("graph"):
                with contextlib.suppress(OSError):  # mapped by another process (Windows): next time
                    old.unlink()


def _columns(folder: Path, count: int) -> dict[str, np.ndarray]:
    columns: dict[str, np.ndarray] = {}
    for name, dtype in _COLUMNS.items():
        if not count:
            columns[name] = np.zeros(0, dtype=dtype)
        else:
            columns[name] = np.memmap(folder / name, dtype=np.dtype(dtype), mode="r", shape=(count,))  # type: ignore[call-overload]
    return columns


def _read_graph(path: Path, mapped: bool = True) -> Any:
    """A part's graph: its 4-bit codes memory-mapped for searching (shared between processes
    through the page cache), or wholly read for adding to."""
    faiss = _faiss()
    return faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC if mapped else 0)


def _fault_in(graph: Any) -> None:
    """Touch a mapped graph's pages once (one value a page): a walk's first visits to pages not yet
    in this process's page tables cost ~1 µs each, and a fresh process searching 1M passages
    paid 8.7 ms a search over its first hundred (4.8 once warm); touched when opened (17 ms at
    1M passages, the file already in the OS's cache), 5.4."""
    faiss = _faiss()
    for vector in (graph.hnsw.neighbors, graph.hnsw.offsets, graph.hnsw.levels,
                   faiss.downcast_index(graph.storage).codes):
        if vector.size():
            values = faiss.rev_swig_ptr(vector.data(), vector.size())
            int(values[:: max(1, 4096 // values.itemsize)].sum())


def _open(folder: Path) -> View | None:
    meta = _read_meta(folder)
    if meta is None or meta.get("format") != FORMAT:
        return None
    try:
        parts = {}
        for kind, p in meta["parts"].items():
            count = int(p["count"])
            graph = _read_graph(folder / p["dir"] / p["graph"]) if count else None
            if graph is not None and graph.ntotal != count:
                return None  # not the graph the meta counts: rebuilt by the caller's sync
            if graph is not None:
                _fault_in(graph)
            parts[kind] = Part(_columns(folder / p["dir"], count), graph)
    except (OSError, ValueError, KeyError, RuntimeError):
        return None  # files shorter than the meta says, or a damaged graph: rebuilt by the caller's sync
    return View(folder, meta, parts)


def _new_graph(dim: int, sample: np.ndarray) -> Any:
    """An empty graph whose 4-bit codes are fitted to ``sample`` (unit rows): each dimension's
    range from the sample's CLIP and 1 - CLIP quantiles when it is big enough to say (a value beyond
    is coded as the range's end: the re-score is exact anyway), else its whole range widened a fifth
    for the rows to come. Measured on 200k passages (bench search's vectors): the exact best 10
    among the best 20 by the codes 0.993 of the time with quantiles, 0.972 with the widened range."""
    faiss = _faiss()
    graph = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_4bit, GRAPH_M, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = GRAPH_EF_BUILD
    quantiser = faiss.downcast_index(graph.storage).sq
    if len(sample) >= FIT_MIN:
        quantiser.rangestat, quantiser.rangestat_arg = faiss.ScalarQuantizer.RS_quantiles, CLIP
    else:
        quantiser.rangestat, quantiser.rangestat_arg = faiss.ScalarQuantizer.RS_minmax, 0.2
    if len(sample) < 2:  # nothing to measure a range on: the widest a unit vector's component can take
        sample = np.concatenate([np.full((1, dim), -1.0, np.float32), np.full((1, dim), 1.0, np.float32)])
    graph.train(np.ascontiguousarray(sample, dtype=np.float32))
    return graph


def _append(folder: Path, meta: dict[str, Any], ids: np.ndarray, items: np.ndarray, kinds: list[str],
            vectors: np.ndarray, graphs: dict[str, Any] | None = None) -> None:
    """Append rows to their kinds' columns and graphs (beyond what the meta counts: the columns
    are cut back first, in case a writer died mid-append; each graph is written as a new file
    that the meta then names). ``graphs``: graphs being built in memory (a rebuild), written by
    the caller."""
    dim = int(meta["dim"])
    matrix = np.asarray(vectors, dtype=np.float32).reshape(len(ids), dim)
    matrix = _unit_rows(matrix)
    kinds_array = np.array(kinds, dtype=object)
    for kind in dict.fromkeys(kinds):
        rows = np.nonzero(kinds_array == kind)[0]
        if kind not in meta["parts"]:
            meta["parts"][kind] = {"dir": f"p{len(meta['parts'])}", "count": 0, "dead": 0, "graph": None, "fitted": 0}
            (folder / meta["parts"][kind]["dir"]).mkdir(exist_ok=True)
        part = meta["parts"][kind]
        values = {"ids": np.asarray(ids)[rows], "items": np.asarray(items)[rows],
                  "alive": np.ones(len(rows), dtype=np.uint8)}
        for name, dtype in _COLUMNS.items():
            with open(folder / part["dir"] / name, "ab") as handle:
                handle.truncate(part["count"] * np.dtype(dtype).itemsize)
                handle.write(np.ascontiguousarray(values[name], dtype=dtype).tobytes())
        if graphs is not None:
            if kind not in graphs:  # a kind that arrived after the samples were read
                graphs[kind] = _new_graph(dim, matrix[rows])
            graphs[kind].add(np.ascontiguousarray(matrix[rows]))
        else:
            if part["graph"]:
                graph = _read_graph(folder / part["dir"] / part["graph"], mapped=False)
            else:
                graph, part["fitted"] = _new_graph(dim, matrix[rows]), len(rows)  # refitted when outgrown
            graph.add(np.ascontiguousarray(matrix[rows]))
            _link_weak_rows(graph)
            part["graph"] = _write_graph(folder / part["dir"], graph)
        part["count"] += len(rows)


def _bottom_layer(graph: Any) -> tuple[np.ndarray, np.ndarray, int]:
    """A graph's neighbour lists as (every slot, viewed in place: writable; where each row's
    lists start; how many bottom-layer slots a row has, first in its lists; -1 where free)."""
    faiss = _faiss()
    hnsw = graph.hnsw
    slots = faiss.rev_swig_ptr(hnsw.neighbors.data(), hnsw.neighbors.size())
    starts = faiss.vector_to_array(hnsw.offsets).astype(np.int64)[: graph.ntotal]
    return slots, starts, int(faiss.vector_to_array(hnsw.cum_nneighbor_per_level)[1])


def _link_weak_rows(graph: Any) -> int:
    """Rows the walk can hardly reach, linked from their nearest rows: the build prunes each row's
    bottom-layer neighbours to a diverse few, and a row in a tight bunch can end with two
    neighbours and one or no row pointing to it (~0.2% of 800k passages: exact nearest passages a
    walk of any length missed). Each row at most WEAK_LINKS others point to is written into the
    free slots of the lists of its nearest rows (found by the graph itself from its codes), and
    they into its own. An in-memory graph only (a mapped one is read-only). How many were linked."""
    faiss = _faiss()
    count = graph.ntotal
    if count < 3:
        return 0
    slots, starts, width = _bottom_layer(graph)
    pointed = np.zeros(count, dtype=np.int64)
    for first in range(0, count, 50_000):  # in blocks: all the lists at once would be ~0.5 GB of indexes
        block = slots[starts[first : first + 50_000, None] + np.arange(width)]
        pointed += np.bincount(block[block >= 0], minlength=count)
    weak = np.nonzero(pointed <= WEAK_LINKS)[0]
    if not len(weak):
        return 0
    params = faiss.SearchParametersHNSW()
    params.efSearch = 64
    _, near = graph.search(graph.storage.reconstruct_batch(weak), WEAK_NEIGHBOURS, params=params)

    def link(source: int, target: int) -> bool:
        row = slots[starts[source] : starts[source] + width]
        free = np.nonzero(row < 0)[0]
        if not len(free) or (row == target).any():
            return False
        slots[starts[source] + free[0]] = target
        return True

    for row, found in zip(weak.tolist(), near.tolist(), strict=True):
        added = 0
        for other in found:
            if other < 0 or other == row:
                continue
            added += link(other, row)
            link(row, other)
            if added >= WEAK_LINKS:
                break
    return len(weak)


def _walk_order(part_folder: Path, graph: Any, count: int) -> None:
    """Renumber a freshly built part's rows in the order a breadth-first walk of the graph's bottom
    layer meets them (from the entry row; rows it cannot reach after), the graph and the part's
    columns alike: a walk then finds its next rows near the last ones in memory, on fewer pages
    (the 800k-row part of 1M passages: a walk 0.73 → 0.57 ms, mapped; the same answers). Rows
    appended later go at the end."""
    if count < 3:
        return
    slots, starts, width = _bottom_layer(graph)
    order = np.empty(count, dtype=np.int64)
    seen = np.zeros(count, dtype=bool)
    filled, start = 0, int(graph.hnsw.entry_point)
    while filled < count:
        seen[start], order[filled] = True, start
        filled += 1
        frontier = np.array([start], dtype=np.int64)
        while len(frontier):
            found = slots[starts[frontier, None] + np.arange(width)].ravel()
            found = found[found >= 0]
            found = found[~seen[found]]
            _, first = np.unique(found, return_index=True)
            frontier = found[np.sort(first)]  # each row once, in the order its parents listed it
            seen[frontier] = True
            order[filled : filled + len(frontier)] = frontier
            filled += len(frontier)
        if filled < count:
            start = int(np.argmin(seen))  # a row no walk from the entry reaches: the next tree
    graph.permute_entries(order)  # row i is now the row order[i] was
    for name, dtype in _COLUMNS.items():
        path = part_folder / name
        values = np.fromfile(path, dtype=np.dtype(dtype), count=count)
        values[order].tofile(path)


def _write_graph(part_folder: Path, graph: Any) -> str:
    """A graph written to a new file of the part's folder: its name (the meta names it next)."""
    name = f"graph-{os.urandom(4).hex()}.faiss"
    _faiss().write_index(graph, str(part_folder / name))
    return name


def _rebuild(store: Any, folder: Path, epoch: str, head: int) -> dict[str, Any]:
    """The side index written afresh from the vec0 table (in a new folder, then swapped in). Each
    kind's 4-bit codes are fitted to up to FIT_SAMPLE of its rows."""
    fresh = folder.with_name(folder.name + ".new")
    shutil.rmtree(fresh, ignore_errors=True)
    _private_folder(fresh.parent)
    fresh.mkdir(mode=0o700)
    forget_orphans()
    meta: dict[str, Any] = {"format": FORMAT, "epoch": epoch, "seq": head, "dim": store.text_dim, "parts": {},
                            "token": token_at(store.conn, head), **_owner(store.path)}
    graphs: dict[str, Any] = {}
    for (kind,) in store.conn.execute("SELECT DISTINCT kind FROM items").fetchall():
        # Spread over the whole kind (the first rows are one folder's: its range is not the library's).
        ids = [r[0] for r in store.conn.execute(
            "SELECT p.id FROM passages p JOIN items i ON i.id = p.item_id WHERE i.kind = ?", (kind,))]
        _, matrix = vec0_rows.read(store.conn, "passage_embeddings", "passage_id",
                                   ids[:: max(1, len(ids) // FIT_SAMPLE)][:FIT_SAMPLE], store.text_dim)
        if len(matrix):
            graphs[kind] = _new_graph(store.text_dim, _unit_rows(matrix))
    cursor = store.conn.execute("SELECT passage_id, item_id, kind, embedding FROM passage_embeddings")
    while True:
        rows = _take(cursor, _ROWS_PER_READ)
        if not rows:
            break
        _append(fresh, meta, np.array([r[0] for r in rows]), np.array([r[1] for r in rows]),
                [r[2] for r in rows], np.frombuffer(b"".join(r[3] for r in rows), dtype=np.float32), graphs)
    for kind, part in meta["parts"].items():
        _link_weak_rows(graphs[kind])
        _walk_order(fresh / part["dir"], graphs[kind], part["count"])
        part["graph"], part["fitted"] = _write_graph(fresh / part["dir"], graphs[kind]), part["count"]
    _write_meta(fresh, meta)
    _swap_in(fresh, folder)
    return meta


def _swap_in(source: Path, folder: Path) -> None:
    """A finished side index folder takes the place of another (open maps of the old files stay
    valid in other processes: the files are unlinked, not overwritten)."""
    old = folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        os.replace(folder, old)
    os.replace(source, folder)
    shutil.rmtree(old, ignore_errors=True)


def _take(cursor: Any, n: int) -> list[Any]:
    rows = []
    for row in cursor:
        rows.append(row)
        if len(rows) == n:
            break
    return rows


def _read_delta(conn: Any, after: int, dim: int) -> Delta:
    """The log beyond a position, netted per passage id: every id it names is gone from the side
    index; those whose last entry is an add come back, with their vectors read from vec0 (the log
    names them; it does not hold a second copy)."""
    last: dict[int, tuple[int | None, str | None]] = {}
    seq, token = after, token_at(conn, after)
    for s, passage, item, kind, row_token in conn.execute(
            "SELECT seq, passage_id, item_id, kind, token FROM vector_log WHERE seq > ? ORDER BY seq", (after,)):
        last[int(passage)] = (item, kind)  # an add names its item; a delete (by trigger) does not
        seq, token = int(s), row_token
    added = {p: v for p, v in last.items() if v[0] is not None}
    ids, vectors = vec0_rows.read(conn, "passage_embeddings", "passage_id", list(added), dim)
    if len(vectors):
        vectors = _unit_rows(vectors)
    kept = [added[int(p)] for p in ids]
    return Delta(seq, token, np.array(list(last), dtype=np.int64), ids,
                 np.array([v[0] for v in kept], dtype=np.int64), [str(v[1]) for v in kept], vectors)


def _apply(folder: Path, meta: dict[str, Any], delta: Delta, head: int) -> dict[str, Any]:
    """Log rows folded into the side index: the ids they name die, the adds join the graphs."""
    if len(delta.gone):
        for part in meta["parts"].values():
            if not part["count"]:
                continue
            ids = np.memmap(folder / part["dir"] / "ids", dtype=np.int64, mode="r", shape=(part["count"],))
            alive = np.memmap(folder / part["dir"] / "alive", dtype=np.uint8, mode="r+", shape=(part["count"],))
            dead = np.nonzero(np.isin(ids, delta.gone) & (alive == 1))[0]
            if len(dead):
                alive[dead] = 0
                alive.flush()
                part["dead"] += len(dead)
            del ids, alive
    _append(folder, meta, delta.ids, delta.items, delta.kinds, delta.vectors.reshape(len(delta.ids), meta["dim"]))
    meta["seq"], meta["token"] = delta.seq, delta.token
    _write_meta(folder, meta)
    return meta
