"""The passage vectors' side index: a fast first pass and a float re-score, memory-mapped.

sqlite-vec's vec0 answers a KNN by a full scan that copies every page and runs its own distance
loop: 1.0-1.7 s at 1M passages, 6-10x a numpy scan of the same vectors. The side index keeps,
in the cache folder, every passage vector twice: as int8 (one scale a row) for a first pass over
all rows (onnxruntime's int8 kernels, a quarter of float32's bytes), and as float32 for an exact re-score of
the few thousand best candidates. Both are memory maps: a search touches the int8 rows and a few
pages of the float32 ones, and the page cache shares them between processes.

The library file stays the source of truth. Every passage added or deleted is written to its
``vector_log`` in the same transaction (adds with their vector); the side index records the log
position it holds, and a writer brings it up to date after each commit (``sync``) and trims the
log behind it. A reader adds whatever the log holds beyond the side index (a writer killed between
its commit and its sync) in memory.

Its position rules, checked both ways by every reader and writer (``_usable``): the side index
names the log row it is level with by (seq, token) — every log row gets a random token — and that
row must be in the library's log, at or past the trimmed position and at or before the head; the
trim keeps that row. Behind (the row is there, more follow): caught up from the log. Ahead (a
restored older copy of the library, a commit lost to a power cut), foreign (another library file
at this path: each has a random epoch, and a model switch brings a new one) or from another copy
of the file (the row at that seq is missing or has another token): rebuilt from the vec0 table —
the only slow path (~20 s at 1M passages, ~2 s at 100k), once. A rebuild also drops the side
indexes of library files that no longer exist.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nearby.core.cache import cache_root
from nearby.core.storage.int8_scan import int8_scores, quantise
from nearby.core.storage.row_filter import OPEN, RowFilter
from nearby.core.storage.writer_lock import file_lock

log = logging.getLogger(__name__)
FORMAT = 2  # 2: the position names its log row by (seq, token)
# The first pass keeps this many candidates per wanted row (at least CANDIDATES_MIN) for the
# float re-score. int8 rounding moves a cosine by ~1e-3, far less than the gap between the 10th and
# the 100th nearest even on random unit vectors (no structure): recall@10 1.0 at 100k and 1M with
# 128 candidates (bench/search_speed.py); twice that is kept.
CANDIDATES_PER_ROW = 4
CANDIDATES_MIN = 256
# A reader that finds more than this many unsynced log rows brings the side index up to date
# itself rather than holding them in memory.
DELTA_MAX = 20_000
_ROWS_PER_READ = 20_000
# A search waits at most this long for another thread's use of the index table (normally µs).
LOCK_WAIT_S = 0.5
_COLUMNS: dict[str, tuple[str, int]] = {  # file → (dtype, values per row; 0 means the dim)
    "codes": ("i1", 0), "floats": ("f4", 0), "scales": ("f4", 1), "ids": ("i8", 1), "items": ("i8", 1),
    "alive": ("u1", 1)}


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
    for a scan of every document)."""

    columns: dict[str, np.ndarray]
    floats: _RowReader | None = None  # the re-score rows, when there are any
    _valid: np.ndarray | None = None

    def valid(self, gone: np.ndarray | None) -> np.ndarray:
        """Rows that may answer: alive, and not gone since the side index was written (cached)."""
        if self._valid is None:
            valid = self.columns["alive"] == 1
            if gone is not None and len(gone):
                valid &= ~np.isin(self.columns["ids"], gone)
            self._valid = valid
        return self._valid

    def knn(self, q: np.ndarray, q8: np.ndarray, k: int, gone: np.ndarray | None, only: RowFilter = OPEN) -> list[Hit]:
        """Nearest rows to a unit query ``q`` (``q8``: the same, as int8) among those ``only`` allows."""
        if not len(self.columns["ids"]):
            return []
        valid = self.valid(gone)
        if not only.is_open:
            valid = valid & only.mask(self.columns["items"], self.columns["ids"])
        approx = int8_scores(self.columns["codes"], q8).astype(np.float32)
        approx /= self.columns["scales"]
        approx[~valid] = -np.inf
        want = min(int(valid.sum()), max(CANDIDATES_MIN, CANDIDATES_PER_ROW * k))
        if not want:
            return []
        candidates = np.sort(np.argpartition(-approx, want - 1)[:want]) if want < len(approx) else np.nonzero(valid)[0]
        if self.floats is None:  # no rows: answered above
            return []
        exact = self.floats.take(candidates) @ q
        order = np.argsort(-exact)[:k]
        ids, items = self.columns["ids"], self.columns["items"]
        return [Hit(int(ids[candidates[i]]), int(items[candidates[i]]), float(exact[i])) for i in order]


@dataclass
class View:
    """One process's open side index: its memory maps, plus the unsynced log rows."""

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

    def prefault(self) -> None:
        """Touch every page of the first-pass rows, so the first search does not fault them in
        one by one (run on a thread while the text model loads; numpy lets go of the interpreter)."""
        for part in self.parts.values():
            codes = part.columns["codes"]
            if len(codes):
                step = max(1, 4096 // codes.shape[1])  # one row a page
                int(codes[::step, 0].sum())

    def vectors(self, ids: np.ndarray) -> dict[int, np.ndarray]:
        """The vectors of these passage ids (those it holds): one pass over the id columns,
        where vec0 takes ~1-2 ms an id at 1M passages."""
        wanted = np.unique(np.asarray(ids, dtype=np.int64))
        gone = self.delta.gone if self.delta is not None else None
        found: dict[int, np.ndarray] = {}
        for part in self.parts.values():
            if part.floats is None:
                continue
            rows = np.nonzero(np.isin(part.columns["ids"], wanted) & part.valid(gone))[0]
            if len(rows):
                found.update(zip(part.columns["ids"][rows].tolist(), part.floats.take(rows), strict=True))
        if self.delta is not None:
            found.update((int(i), v) for i, v in zip(self.delta.ids, self.delta.vectors, strict=True) if i in wanted)
        return found

    def knn(self, query: np.ndarray, k: int, kind: str | None = None, only: RowFilter = OPEN) -> list[Hit]:
        """The k rows nearest the query by cosine among those ``only`` allows: int8 first pass,
        exact float32 re-score."""
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        q = q / max(float(np.linalg.norm(q)), 1e-12)
        gone = self.delta.gone if self.delta is not None else None
        q8 = quantise(q)[0][0]
        hits: list[Hit] = []
        for name, part in self.parts.items():
            if kind is None or name == kind:
                hits += part.knn(q, q8, k, gone, only)
        if self.delta is not None and len(self.delta.ids):
            allowed = only.mask(self.delta.items, self.delta.ids)
            chosen = [i for i, each in enumerate(self.delta.kinds) if (kind is None or each == kind) and allowed[i]]
            scores = self.delta.vectors[chosen] @ q if chosen else np.zeros(0)
            hits += [Hit(int(self.delta.ids[i]), int(self.delta.items[i]), float(s))
                     for i, s in zip(chosen, scores, strict=True)]
        hits.sort(key=lambda h: -h.cosine)
        return hits[:k]


_lock = threading.RLock()  # re-entered: a rebuild under view() drops orphaned side indexes (forget)
_views: dict[Path, View] = {}


def folder_for(library: Path) -> Path:
    """The side index of a library file: in the cache folder, named for the file's path."""
    digest = hashlib.sha1(str(Path(library).resolve()).encode()).hexdigest()[:16]
    return cache_root() / "vectors" / digest


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


def _view(store: Any, folder: Path) -> View:
    with _snapshot(store.conn):  # the rules checked and the delta read against one state of the log
        return _level_view(store, folder)


def _level_view(store: Any, folder: Path) -> View:
    _, _, head = log_state(store.conn)
    current = _views.get(folder)
    if current is None or not _usable(current.meta, store.conn, store.text_dim):
        current = _open(folder)
        if current is None or not _usable(current.meta, store.conn, store.text_dim):
            sync(store, wait=False)
            current = _open(folder)
            if current is None:
                raise OSError(f"the vector index in {folder} could not be written")
        _views[folder] = current
    if head > current.seq and (current.delta is None or current.delta.seq != head):
        if head - current.seq > DELTA_MAX:
            sync(store, wait=False)
            _views.pop(folder, None)
            current = _open(folder) or current
            _views[folder] = current
        if head > current.seq:
            current.set_delta(_read_delta(store.conn, current.seq))
    elif head <= current.seq and current.delta is not None:
        current.set_delta(None)
    return current


def log_state(conn: Any) -> tuple[str, int, int]:
    """(epoch, trimmed-to position, head position) of a library's vector log."""
    epoch, trimmed = conn.execute("SELECT epoch, trimmed_to FROM vector_index_state").fetchone()
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'vector_log'").fetchone()
    return str(epoch), int(trimmed), int(row[0]) if row else 0


def sync(store: Any, trim: bool = False, wait: bool = True) -> int:
    """Bring the side index level with the library's log (rebuild it if it cannot be): the
    position it now holds. With ``trim``, the log rows it holds are then deleted (writers only:
    that is a write transaction). Without ``wait``, IndexBusy if another is writing it."""
    folder = folder_for(store.path)
    with _folder_lock(folder, wait):
        meta = _read_meta(folder)
        with _snapshot(store.conn):
            epoch, trimmed, head = log_state(store.conn)
            count = sum(p["count"] for p in meta["parts"].values()) if meta else 0
            # Rebuilt (which also compacts the dead rows away) when it cannot be brought level, when
            # more vectors arrived than one delta should hold, or when half its rows are dead; a
            # removed folder's deletes alone are applied in place, however many.
            if (meta is None or not _usable(meta, store.conn, store.text_dim)
                    or (head - meta["seq"] > DELTA_MAX and _adds_since(store.conn, meta["seq"]) > DELTA_MAX)
                    or _dead_share(meta) > 0.5):
                log.info("writing the vector index of %s afresh (%s rows)", store.path, count or "all")
                meta = _rebuild(store, folder, epoch, head)
            elif head > meta["seq"]:
                meta = _apply(folder, meta, _read_delta(store.conn, meta["seq"]), head)
                if _dead_share(meta) > 0.5:
                    meta = _rebuild(store, folder, epoch, head)
    if trim and meta["seq"] > trimmed:
        with store.transaction():  # the row the side index is level with stays: it names the position
            store.conn.execute("DELETE FROM vector_log WHERE seq < ?", (meta["seq"],))
            store.conn.execute("UPDATE vector_index_state SET trimmed_to = max(trimmed_to, ?)", (meta["seq"],))
    return int(meta["seq"])


def _dead_share(meta: dict[str, Any]) -> float:
    count = sum(p["count"] for p in meta["parts"].values())
    return sum(p["dead"] for p in meta["parts"].values()) / count if count else 0.0


def _adds_since(conn: Any, seq: int) -> int:
    row = conn.execute("SELECT count(*) FROM vector_log WHERE seq > ? AND vector IS NOT NULL", (seq,)).fetchone()
    return int(row[0])


def forget_orphans() -> None:
    """Drop the side indexes of library files that no longer exist (deleted, or moved away)."""
    root = cache_root() / "vectors"
    for meta_file in root.glob("*/meta.json") if root.is_dir() else ():
        library = (_read_meta(meta_file.parent) or {}).get("library")
        if isinstance(library, str) and not Path(library).exists():
            log.info("dropping the vector index of %s, which no longer exists", library)
            forget(Path(library))
            Path(f"{meta_file.parent}.lock").unlink(missing_ok=True)


def _private_folder(folder: Path) -> None:
    """The folder (and the cache folders above it) made if missing, readable by its owner only:
    the vectors say what the person's files are about."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        folder.chmod(0o700)


def forget(library: Path) -> None:
    """Drop a library's side index (its file is gone or replaced)."""
    folder = folder_for(library)
    with _lock:
        _views.pop(folder, None)
    shutil.rmtree(folder, ignore_errors=True)


def adopt(shadow: Path, library: Path) -> None:
    """A shadow library's side index becomes the library's (the shadow's contents were just copied
    into the library, epoch included): a model switch need not rebuild it."""
    source, target = folder_for(shadow), folder_for(library)
    with _lock, _folder_lock(target):
        _views.pop(target, None)
        _views.pop(source, None)
        if (source / "meta.json").is_file():
            _swap_in(source, target)


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


def _write_meta(folder: Path, meta: dict[str, Any]) -> None:
    for part in meta["parts"].values():  # the rows must be on disk before the meta that counts them
        for name in _COLUMNS:
            with open(folder / part["dir"] / name, "rb+") as handle:
                os.fsync(handle.fileno())
    tmp = folder / "meta.json.tmp"
    tmp.write_text(json.dumps(meta))
    os.replace(tmp, folder / "meta.json")


def _columns(folder: Path, count: int, dim: int, skip: str = "") -> dict[str, np.ndarray]:
    columns: dict[str, np.ndarray] = {}
    for name, (dtype, width) in _COLUMNS.items():
        if name == skip:
            continue
        shape = (count, dim) if not width else (count,)
        if not count:
            columns[name] = np.zeros(shape, dtype=dtype)
        else:
            columns[name] = np.memmap(folder / name, dtype=np.dtype(dtype), mode="r", shape=shape)  # type: ignore[call-overload]
    return columns


class _RowReader:
    """Reads chosen rows of a float32 column with positional reads, not a memory map.

    The re-score wants a few thousand scattered rows a search. Mapped, each row's page fault
    brings its neighbours along (the kernel's fault-around): 640 rows left 260 MB resident in the
    process, growing search after search. Read, they cost ~1 µs each and nothing stays.
    """

    def __init__(self, path: Path, dim: int) -> None:
        self._handle = open(path, "rb")  # noqa: SIM115 - held open for the view's life
        self._row_bytes = 4 * dim
        self._dim = dim
        self._lock = threading.Lock()  # for the seek-and-read fallback (no os.pread on Windows)

    def take(self, rows: np.ndarray) -> np.ndarray:
        size = self._row_bytes
        if hasattr(os, "pread"):
            fd, pread = self._handle.fileno(), os.pread
            data = b"".join([pread(fd, size, offset) for offset in (np.asarray(rows, dtype=np.int64) * size).tolist()])
        else:
            with self._lock:
                chunks = []
                for r in rows:
                    self._handle.seek(int(r) * size)
                    chunks.append(self._handle.read(size))
                data = b"".join(chunks)
        return np.frombuffer(data, dtype=np.float32).reshape(len(rows), self._dim)

    def close(self) -> None:
        self._handle.close()


def _open(folder: Path) -> View | None:
    meta = _read_meta(folder)
    if meta is None or meta.get("format") != FORMAT:
        return None
    try:
        parts = {}
        for kind, p in meta["parts"].items():
            count, dim = int(p["count"]), int(meta["dim"])
            floats = _RowReader(folder / p["dir"] / "floats", dim) if count else None
            parts[kind] = Part(_columns(folder / p["dir"], count, dim, skip="floats"), floats)
    except (OSError, ValueError, KeyError):
        return None  # files shorter than the meta says: rebuilt by the caller's sync
    return View(folder, meta, parts)


def _append(folder: Path, meta: dict[str, Any], ids: np.ndarray, items: np.ndarray, kinds: list[str],
            vectors: np.ndarray) -> None:
    """Append rows to their kinds' column files (beyond what the meta counts: cut back first, in
    case a writer died mid-append)."""
    dim = int(meta["dim"])
    matrix = np.asarray(vectors, dtype=np.float32).reshape(len(ids), dim)
    matrix = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    kinds_array = np.array(kinds, dtype=object)
    for kind in dict.fromkeys(kinds):
        rows = np.nonzero(kinds_array == kind)[0]
        if kind not in meta["parts"]:
            meta["parts"][kind] = {"dir": f"p{len(meta['parts'])}", "count": 0, "dead": 0}
            (folder / meta["parts"][kind]["dir"]).mkdir(exist_ok=True)
        part = meta["parts"][kind]
        codes, scales = quantise(matrix[rows])
        values = {"codes": codes, "floats": matrix[rows], "scales": scales,
                  "ids": np.asarray(ids)[rows], "items": np.asarray(items)[rows],
                  "alive": np.ones(len(rows), dtype=np.uint8)}
        for name, (dtype, width) in _COLUMNS.items():
            row_bytes = np.dtype(dtype).itemsize * (width or dim)
            with open(folder / part["dir"] / name, "ab") as handle:
                handle.truncate(part["count"] * row_bytes)
                handle.write(np.ascontiguousarray(values[name], dtype=dtype).tobytes())
        part["count"] += len(rows)


def _rebuild(store: Any, folder: Path, epoch: str, head: int) -> dict[str, Any]:
    """The side index written afresh from the vec0 table (in a new folder, then swapped in)."""
    fresh = folder.with_name(folder.name + ".new")
    shutil.rmtree(fresh, ignore_errors=True)
    _private_folder(fresh.parent)
    fresh.mkdir(mode=0o700)
    forget_orphans()
    meta: dict[str, Any] = {"format": FORMAT, "epoch": epoch, "seq": head, "dim": store.text_dim, "parts": {},
                            "token": token_at(store.conn, head), "library": str(Path(store.path).resolve())}
    cursor = store.conn.execute("SELECT passage_id, item_id, kind, embedding FROM passage_embeddings")
    while True:
        rows = _take(cursor, _ROWS_PER_READ)
        if not rows:
            break
        _append(fresh, meta, np.array([r[0] for r in rows]), np.array([r[1] for r in rows]),
                [r[2] for r in rows], np.frombuffer(b"".join(r[3] for r in rows), dtype=np.float32))
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


def _read_delta(conn: Any, after: int) -> Delta:
    """The log beyond a position, netted per passage id: every id it names is gone from the side
    index; those whose last entry is an add come back with that entry's vector."""
    last: dict[int, tuple[int | None, str | None, bytes | None]] = {}
    seq, token = after, token_at(conn, after)
    for s, passage, item, kind, vector, row_token in conn.execute(
            "SELECT seq, passage_id, item_id, kind, vector, token FROM vector_log WHERE seq > ? ORDER BY seq",
            (after,)):
        last[int(passage)] = (item, kind, vector)
        seq, token = int(s), row_token
    added = [(p, v) for p, v in last.items() if v[2] is not None]
    dim_vectors = [np.frombuffer(v[2], dtype=np.float32) for _, v in added]  # type: ignore[arg-type]
    vectors = np.stack(dim_vectors) if dim_vectors else np.zeros((0, 0), dtype=np.float32)
    if len(vectors):
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return Delta(seq, token, np.array(list(last), dtype=np.int64), np.array([p for p, _ in added], dtype=np.int64),
                 np.array([v[0] for _, v in added], dtype=np.int64), [str(v[1]) for _, v in added], vectors)


def _apply(folder: Path, meta: dict[str, Any], delta: Delta, head: int) -> dict[str, Any]:
    """Log rows written into the side index: the ids they name die, the adds are appended."""
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
