"""Incremental indexing: list files, skip the unchanged, recognise moves, embed the rest, sweep.

``index_paths`` is a generator: it yields IndexProgress records, checks the cancel token
between files and batches, and returns an IndexSummary. A bad file is recorded and skipped;
it never stops the run. Work is committed batch by batch, so a cancelled or crashed run keeps
everything done so far and the next run resumes where it stopped.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nearby.core.errors import ModelFailed, ModelMissing, UnsupportedFile
from nearby.core.extract import extract
from nearby.core.extract.passages import split_passages
from nearby.core.indexing.admission import admit, library_folder_of, readable_name, root_path, scanned_within
from nearby.core.indexing.mounts import mount_points
from nearby.core.indexing.scan import DEFAULT_EXCLUDED, file_sha256, list_files, own_folders
from nearby.core.indexing.sweep import is_offline, sweep
from nearby.core.inference.text_embedder import Embedder
from nearby.core.kinds import KIND_PLURALS, kind_of
from nearby.core.media.decoders import worth_retrying
from nearby.core.media.pipeline import MediaPipeline
from nearby.core.progress import CancelToken, FileFailure, IndexProgress, IndexSummary
from nearby.core.search import calibration
from nearby.core.storage.items import ItemRow
from nearby.core.storage.store import Store

log = logging.getLogger(__name__)

# Passages collected before one embedding call and one write transaction: big enough to keep
# the model's batches full, small enough that cancel answers within a second or two.
FLUSH_PASSAGES = 96
# Passages embedded between two looks at the cancel token (~0.5 s of MiniLM on 2 cores).
CANCEL_SLICE = 16
LENGTH_WINDOW = 512  # passages sorted by length together (see _slices_by_length)
# Pictures and songs come with their vectors made, at up to a second each: what is ready is
# written at least this often, so a crash or a cancel loses little work.
FLUSH_SECONDS = 5.0
# How often the file listing reports progress while it walks a large tree.
SCAN_REPORT_EVERY = 500


@dataclass
class _Pending:
    row: ItemRow
    passages: list[tuple[str, int | None]]
    vectors: np.ndarray | None = None  # already made (pictures); documents are embedded at flush
    native: np.ndarray | None = None
    replaces: bool = False  # an item of that path is in the library already


@dataclass
class _Run:
    summary: dict[str, int] = field(default_factory=lambda: dict(added=0, updated=0, moved=0, unchanged=0,
                                                                  removed=0, still_skipped=0, passages=0))
    failures: list[FileFailure] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    pending: list[_Pending] = field(default_factory=list)
    flushed_at: float = field(default_factory=time.monotonic)
    roots: list[Path] = field(default_factory=list)  # resolved: links leading outside are not followed


def index_paths(store: Store, embedder: Embedder, roots: Iterable[Path | str],
                cancel: CancelToken | None = None, media: Iterable[MediaPipeline] = (),
                excluded: Iterable[str] = DEFAULT_EXCLUDED,
                skip: Callable[[Path], bool] | None = None) -> Generator[IndexProgress, None, IndexSummary]:
    """Bring the library up to date with the files under ``roots``.

    Args:
        store: a writable Store (this generator is its only writer while it runs).
        embedder: the text embedder that fills the library's vectors.
        roots: folders (recursive) or single files.
        cancel: checked between files; when set, the run stops and reports ``cancelled``.
        media: pipelines for pictures and songs; each kind whose model is installed is indexed.
            A kind whose model fails to load is left for the next run (IndexSummary.problems),
            its files not marked as bad.
        excluded: folder and file names never indexed (besides hidden ones).
        skip: files not to read after all (a folder asked to leave the library meanwhile).

    Returns:
        An IndexSummary (as the generator's return value).

    Raises:
        ModelMissing, ModelFailed: the model cannot run, so nothing could be indexed.
        ModelMismatch: the library was filled by another model.
    """
    started = time.monotonic()
    cancel = cancel or CancelToken()
    embedder.check_installed()
    store.check_model(embedder.name, embedder.version, embedder.dim)
    pipelines = {p.kind: p for p in media if p.available()}
    for p in pipelines.values():
        _adopt_model(store, p)
    kinds = frozenset({"document", *pipelines})
    library_folders = [Path(f) for f in store.folders()]
    folders = [root_path(r) for r in roots]
    mounts, excluded = mount_points(), frozenset(excluded)
    # A file inside a folder of the library (a watched change, a named file) is admitted as a scan
    # of that folder would admit it; a link among them is judged against the library's folders.
    within = {r: f for r in folders if not r.is_dir() and (f := library_folder_of(r, library_folders))}
    listed_roots = [r for r in folders if r not in within or scanned_within(r, within[r], excluded, mounts)]
    run = _Run(roots=[r for r in folders if r not in within] + library_folders)
    files: list[Path] = []
    unreadable: list[tuple[str, str]] = []
    for path in list_files(listed_roots, kinds, excluded, own_folders(), mounts, unreadable):  # type: ignore[arg-type]
        files.append(path)
        if len(files) % SCAN_REPORT_EVERY == 0:
            yield IndexProgress("scanning", len(files), 0, str(path))
        if cancel.cancelled:
            return _summary(run, True, started)
    run.problems += [f"The folder {folder} could not be read ({why}): its files are left out "
                     "(and those indexed before are kept)." for folder, why in unreadable]
    listed = set(files)  # items still waiting for a new model, wherever they are, come along
    files += [p for p in map(Path, store.stale_paths(sorted(pipelines))) if p not in listed and p.is_file()]
    for done, path in enumerate(files):
        if cancel.cancelled:
            _keep_ready(store, embedder, run)
            return _summary(run, True, started)
        yield IndexProgress("indexing", done, len(files), str(path))
        if skip is not None and skip(path):
            continue
        try:
            _visit(store, path, run, pipelines)
        except (ModelFailed, ModelMissing) as exc:
            _drop_kind(kind_of(path), exc, pipelines, run)
        due = (sum(len(p.passages) for p in run.pending) >= FLUSH_PASSAGES
               or time.monotonic() - run.flushed_at > FLUSH_SECONDS)

        def report(part: int, whole: int, done: int = done, path: Path = path) -> IndexProgress:
            return IndexProgress("indexing", done, len(files), str(path), part, whole)

        if due and not (yield from _flush(store, embedder, run, cancel, report)):
            return _summary(run, True, started)
    if not (yield from _flush(store, embedder, run, cancel,
                              lambda part, whole: IndexProgress("indexing", len(files), len(files), "", part, whole))):
        return _summary(run, True, started)
    yield IndexProgress("sweeping", len(files), len(files))
    offline: list[str] = []
    seen = {readable_name(p) or str(p) for p in files}
    seen |= {p for folder, _ in unreadable for p in store.paths_under(folder)}  # not seen is not gone
    run.summary["removed"] += sweep(store, folders, seen, kinds, offline)
    for folder in offline:
        run.problems.append(f"The folder {folder} cannot be reached or is empty (an unplugged drive, a renamed "
                            "folder or a network share that is down?): its files stay in the library until it is "
                            "back, or until you remove the folder from the library.")
    if run.summary["added"] + run.summary["updated"] + run.summary["removed"]:
        spaces = {k: (p.native_table, q) for k, p in pipelines.items() if (q := p.query_embedder()) is not None}
        measured = calibration.measure(store, embedder, store.kinds_present(), spaces)
        with store.transaction():
            store.save_backgrounds([(b.kind, b.mean, b.std, b.size) for b in measured])
    store.settle_side_index()
    yield IndexProgress("done", len(files), len(files))
    return _summary(run, False, started)


def _summary(run: _Run, cancelled: bool, started: float) -> IndexSummary:
    return IndexSummary(**run.summary, failures=tuple(run.failures), cancelled=cancelled,
                        seconds=time.monotonic() - started, problems=tuple(run.problems))


def _drop_kind(kind: str | None, exc: Exception, pipelines: dict[str, MediaPipeline], run: _Run) -> None:
    """A picture or song model that will not load or run is the model's fault, not the file's:
    leave that kind for this run, record nothing against its files (they are tried again next
    run), and say so once. The text model failing stops the run instead (nothing could be done)."""
    if kind is None or kind not in pipelines:
        raise exc
    del pipelines[kind]
    log.warning("the %s model failed; %s files left for the next run: %s", kind, kind, exc)
    run.problems.append(f"No {KIND_PLURALS.get(kind, kind)} were analysed this time: {exc} "
                        "They will be analysed at the next update once the model works.")


def _visit(store: Store, path: Path, run: _Run, pipelines: dict[str, MediaPipeline]) -> None:
    key = str(path)
    kind = kind_of(path)
    if kind != "document" and kind not in pipelines:
        return  # its model failed earlier in this run (see _drop_kind): left for the next run
    stand_in = readable_name(path)
    if stand_in is not None:
        _fail(store, path, "its name is not valid text (UTF-8): rename it to index it", run, key=stand_in)
        return
    try:
        stat = path.stat()
        old = store.item_by_path(key)
        if old and old.sha256 and (old.size, old.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            run.summary["unchanged"] += 1
            return
        failed = store.failure(key)
        if (failed and (failed[1], failed[2]) == (stat.st_size, stat.st_mtime_ns)
                and not worth_retrying(failed[0], path.suffix)):  # unless a decoder it lacked is there now
            run.summary["still_skipped"] += 1  # the same bad file as before: do not retry it
            return
        admit(path, stat, kind, run.roots)  # type, size and place, before any byte is read
        sha = file_sha256(path)
        if old and old.sha256 == sha:  # touched, not changed
            with store.transaction():
                store.touch_item(old.id, stat.st_size, stat.st_mtime_ns)
            run.summary["unchanged"] += 1
            return
        if old is None and _adopt_moved(store, key, sha, stat.st_mtime_ns, run.roots):
            run.summary["moved"] += 1
            return
        if kind in pipelines:
            seen = pipelines[kind].analyse(path, sha)
            row = ItemRow(0, key, kind, seen.title, stat.st_size, stat.st_mtime_ns, sha, seen.meta)
            texts: list[tuple[str, int | None]] = [(seen.description, None)]
            texts += [(text, None) for text, _ in seen.extra_passages]
            vectors = np.stack([seen.text_vector] + [vector for _, vector in seen.extra_passages])
            if not (np.isfinite(vectors).all() and np.isfinite(seen.native_vector).all()):
                raise UnsupportedFile("its content gave no usable vector (NaN or infinite values)")
            run.pending.append(_Pending(row, texts, vectors, seen.native_vector, old is not None))
        else:
            extracted = extract(path)
            passages = [(p.text, p.page) for p in split_passages(extracted.sections)]
            if not passages:
                raise UnsupportedFile("no text found")
            row = ItemRow(0, key, "document", extracted.title, stat.st_size, stat.st_mtime_ns, sha)
            run.pending.append(_Pending(row, passages, replaces=old is not None))
        run.summary["updated" if old else "added"] += 1
    except (ModelFailed, ModelMissing):
        raise  # the model's fault, not the file's: see _drop_kind
    except UnsupportedFile as exc:
        _fail(store, path, str(exc), run)
    except OSError as exc:
        _fail(store, path, f"cannot be read ({exc.strerror or exc})", run)
    except Exception as exc:  # a reader library choked on this file: skip it, keep the run going
        log.exception("unexpected error reading %s", path)
        _fail(store, path, f"could not be read ({type(exc).__name__}: {exc})", run)


def _adopt_model(store: Store, pipeline: MediaPipeline) -> None:
    """Let a kind's model change: a joint model installed (or removed) since the last run takes
    over that kind's own space, and its items are analysed again, here or in a later run."""
    waiting = store.adopt_model(pipeline.kind, pipeline.name, pipeline.version, pipeline.dim)
    if waiting:
        log.info("the %s model is now %s: %d items will be analysed again", pipeline.kind, pipeline.name, waiting)


def _adopt_moved(store: Store, path: str, sha: str, mtime_ns: int, folders: list[Path]) -> bool:
    """If an item with this content vanished from its old path, move it here without re-embedding.
    Only from a path that is reachable and gone: a file on an unplugged drive has not moved to a
    copy of it elsewhere (both are the person's, and the drive comes back)."""
    for twin in store.items_by_sha(sha):
        if reachable_and_gone(Path(twin.path), folders, store):
            with store.transaction():
                store.move_item(twin.id, path, mtime_ns)
            return True
    return False


def reachable_and_gone(path: Path, folders: list[Path], store: Store) -> bool:
    """Whether a library path is gone from a place that can be seen: its folder of the library is
    there and not offline (see sweep.offline), and the path itself is not (not even as a link)."""
    if os.path.lexists(path):
        return False
    folder = library_folder_of(path, folders) or path.parent
    return folder.is_dir() and not is_offline(store, folder)


def _fail(store: Store, path: Path, reason: str, run: _Run, key: str | None = None) -> None:
    """Record a skipped file (under ``key``, a readable stand-in, when its name is not UTF-8)."""
    key = key or str(path)
    try:
        stat = path.stat()
        size, mtime = stat.st_size, stat.st_mtime_ns
    except OSError:
        size, mtime = -1, -1
    if store.failure(key) == (reason, size, mtime):
        run.summary["still_skipped"] += 1  # e.g. a dangling link: reported once, not every run
        return
    log.warning("skipped %s: %s", key, reason)
    run.failures.append(FileFailure(key, reason))
    with store.transaction():
        store.delete_path(key)  # a file that broke since the last run loses its old passages
        store.record_failure(key, reason, size, mtime)


def _flush(store: Store, embedder: Embedder, run: _Run, cancel: CancelToken | None = None,
           report: Callable[[int, int], IndexProgress] | None = None) -> Generator[IndexProgress, None, bool]:
    """Embed the pending documents' passages and write every pending item in one transaction.

    The passages are embedded a slice at a time with the cancel token checked between slices, so
    Cancel answers within a second even in the middle of a flush; then the documents embedded
    whole are written with the pictures and songs, the rest left for the next run. A flush of more
    than one slice yields ``report(passages embedded, passages)`` after each (a big document's
    thousand passages take a minute: the progress moves with them). Returns False when cancelled."""
    run.flushed_at = time.monotonic()
    if not run.pending:
        return True
    texts = [text for p in run.pending if p.vectors is None for text, _ in p.passages]
    offsets: dict[int, int] = {}
    at = 0
    for p in run.pending:
        if p.vectors is None:
            offsets[id(p)], at = at, at + len(p.passages)
    vectors: np.ndarray | None = None
    embedded = np.zeros(len(texts), dtype=bool)
    committed_at = time.monotonic()
    for idx in _slices_by_length(texts):
        if cancel is not None and cancel.cancelled:
            break
        made = embedder.embed([texts[i] for i in idx])
        if vectors is None:
            vectors = np.zeros((len(texts), made.shape[1]), dtype=np.float32)
        vectors[idx] = made
        embedded[idx] = True
        if report is not None and len(texts) > CANCEL_SLICE:
            yield report(int(embedded.sum()), len(texts))
        if time.monotonic() - committed_at > FLUSH_SECONDS:  # a huge file in the batch: the files
            _write_ready(store, run, vectors, embedded, offsets)  # embedded whole need not wait for it
            committed_at = time.monotonic()
    _write_ready(store, run, vectors, embedded, offsets, last=True)
    return bool(embedded.all())


def _slices_by_length(texts: list[str]) -> list[list[int]]:
    """The texts' indices in slices of CANCEL_SLICE, each slice of similar lengths: a slice in
    file order mixes headings with whole passages and is padded to the longest (measured: 1.8×
    the model's time on e-mail and slides). Sorted within windows of LENGTH_WINDOW texts, so that
    files still finish about in their order (a crash or a cancel loses little)."""
    out: list[list[int]] = []
    for first in range(0, len(texts), LENGTH_WINDOW):
        window = sorted(range(first, min(len(texts), first + LENGTH_WINDOW)), key=lambda i: len(texts[i]))
        out += [window[i : i + CANCEL_SLICE] for i in range(0, len(window), CANCEL_SLICE)]
    return out


def _write_ready(store: Store, run: _Run, vectors: np.ndarray | None, embedded: np.ndarray,
                 offsets: dict[int, int], last: bool = False) -> None:
    """Write the pending items whose passages are all embedded (``vectors`` and ``embedded``: the
    flush's passages, at ``offsets`` by pending document), in one transaction; with ``last``,
    drop (uncount) the others, cut off by a cancel. The items written leave ``run.pending``."""
    written: list[tuple[_Pending, np.ndarray]] = []
    waiting: list[_Pending] = []
    for p in run.pending:
        ready = p.vectors
        if ready is None:
            at = offsets[id(p)]
            if vectors is None or not embedded[at : at + len(p.passages)].all():  # not embedded whole (yet, or ever)
                if last:
                    run.summary["updated" if p.replaces else "added"] -= 1
                else:
                    waiting.append(p)
                continue
            ready = vectors[at : at + len(p.passages)]
        written.append((p, ready))
    if written:
        with store.transaction():
            for p, ready in written:
                store.add_item(p.row, p.passages, ready, p.native)
    run.summary["passages"] += sum(len(p.passages) for p, _ in written)
    run.pending[:] = [] if last else waiting


def _keep_ready(store: Store, embedder: Embedder, run: _Run) -> None:
    """On cancel: write the pictures and songs already analysed; documents still to be embedded
    are left for the next run (embedding them now would keep the user waiting)."""
    ready = [p for p in run.pending if p.vectors is not None]
    for dropped in (p for p in run.pending if p.vectors is None):
        run.summary["updated" if dropped.replaces else "added"] -= 1
    run.pending = ready
    for _ in _flush(store, embedder, run):  # nothing left to embed: no model time
        pass


