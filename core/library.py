"""The facade the CLI and the desktop app talk to: one library file plus its embedder.

Widgets and commands never touch SQL or ONNX; they call these methods. Reads borrow a pooled
connection per call; writes go through the index queue's one writer (its own connection per run).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from nearby.core.errors import NotAFolder, NotIndexed
from nearby.core.extract.language import looks_english
from nearby.core.indexing import switch
from nearby.core.indexing.admission import library_folder_of, root_path
from nearby.core.indexing.indexer import index_paths
from nearby.core.indexing.queue import IndexQueue, Removal
from nearby.core.indexing.watch import Batch, FolderWatcher
from nearby.core.inference.text_embedder import Embedder
from nearby.core.library_file import check_library_place, default_library_path, library_text_model
from nearby.core.library_status import LibraryStatus
from nearby.core.mapping.arithmetic_overlay import Overlay, overlay
from nearby.core.mapping.similarity_map import ALL, SimilarityMap, load_map, update_map
from nearby.core.media import decoders
from nearby.core.media.joint import joint_pipeline
from nearby.core.media.pictures import PicturePipeline
from nearby.core.media.pipeline import MediaPipeline
from nearby.core.media.songs import SongPipeline
from nearby.core.progress import CancelToken, IndexProgress, IndexSummary, run_to_end
from nearby.core.search import arithmetic
from nearby.core.search import browse as browsing
from nearby.core.search import rank as search_mod
from nearby.core.search.arithmetic import ArithmeticResult, Comparison
from nearby.core.search.browse import SUBFOLDER_DEPTH, SUBFOLDER_LIMIT, ItemDetails, folder_tree
from nearby.core.search.calibration import QUERY_SAMPLE
from nearby.core.search.duplicates import DuplicateGroup, find_duplicates
from nearby.core.search.filters import Filters
from nearby.core.search.hits import SearchHit
from nearby.core.search.plan import QuerySpace
from nearby.core.search.similar import similar
from nearby.core.search.taste import Suggestion, suggest
from nearby.core.search.words import WordSpace
from nearby.core.settings import Settings
from nearby.core.storage.connection import refuse_empty
from nearby.core.storage.items import ItemRow
from nearby.core.storage.likes import LIKE
from nearby.core.storage.pool import ReaderPool
from nearby.core.storage.store import Store
from nearby.core.storage.vectors import PASSAGE_VECTORS
from nearby.core.storage.writer_lock import writer_lock
from nearby.models.catalog import MODELS
from nearby.models.locate import missing_files, model_dir, models_root
from nearby.models.manifest import find_joint_models
from nearby.models.spec import ModelSpec

log = logging.getLogger(__name__)

T = TypeVar("T")
# While another process indexes the same library, an index run reports this phase and retries.
WAITING_FOR_WRITER = "waiting for another Nearby to finish indexing this library"
WRITER_POLL_S = 0.5
# What a map update reports while it waits for the one already running.
MAP_IN_THE_MAKING = "waiting for the map being made"
# Passages judged for language_hint, and the share not in the model's language that earns advice.
LANGUAGE_SAMPLE = 200
FOREIGN_SHARE_HINT = 0.2


def default_media(text: Embedder) -> list[MediaPipeline]:
    """Picture and song pipelines: a joint model installed by the user for a kind wins over the
    class-name bridge; among several joint models of a kind, the first by name."""
    joint, problems = find_joint_models(models_root())
    for problem in problems:
        log.warning("ignoring a model folder: %s", problem)
    chosen: dict[str, MediaPipeline] = {}
    for model in joint:
        pipeline = joint_pipeline(model, text)
        chosen.setdefault(pipeline.kind, pipeline)
    return [chosen.get("image") or PicturePipeline(text), chosen.get("song") or SongPipeline(text)]


def _sample(store: Store, kind: str, table: str) -> np.ndarray:
    """A kind's calibration sample: the one kept by the last index run that changed something, or
    (a library from before that, say) one drawn now."""
    kept = store.stored_sample(kind, table)
    return kept if kept is not None else store.sample_vectors(kind, QUERY_SAMPLE, table)


class _Missed:
    """Paths indexed and folders removed in a library while a model switch fills its shadow."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.paths: list[Path] = []
        self.removed: list[Path] = []

    def note(self, paths: list[Path], removed: list[Path]) -> None:
        with self._lock:
            self.paths += paths
            self.removed += removed

    def take(self) -> tuple[list[Path], list[Path]]:
        with self._lock:
            taken = (list(dict.fromkeys(self.paths)), list(dict.fromkeys(self.removed)))
            self.paths, self.removed = [], []
            return taken


def _remove_folders(writer: Store, removals: list[Removal]) -> None:
    """The queue's asked removals, each in its transaction; the asker hears the count or the error."""
    for removal in removals:
        if removal.wait(0):
            continue
        try:
            with writer.transaction():
                removed = writer.remove_folder(str(removal.folder))
        except Exception as exc:  # noqa: BLE001 - handed to the asker, who raises it
            removal.finish(error=exc)
        else:
            removal.finish(removed)


def _switching(work: Generator[IndexProgress, None, T]) -> Generator[IndexProgress, None, T]:
    """Relay a step of a model switch, its phases named as part of the switch."""
    while True:
        try:
            p = next(work)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        yield IndexProgress(f"switching: {p.phase}", p.done, p.total, p.path)


def _describe(spec: ModelSpec, library: Library) -> dict[str, Any]:
    installed = not missing_files(spec)
    if spec.kind == "text":
        active = library.embedder.name == spec.name
    elif spec.kind in ("image", "audio"):
        active = any(m.name == spec.name and m.available() for m in library.media.values())
    else:  # text reading and word vectors serve every library once installed
        active = installed
    folder = model_dir(spec)
    size = sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) if installed else spec.disk_mb << 20
    return {
        "name": spec.name, "kind": spec.kind, "languages": list(spec.languages), "dim": spec.dim,
        "size_mb": round(size / (1 << 20), 1), "installed": installed, "active": active,
        "good_at": spec.good_at or spec.notes, "default": spec.installed_by_default,
        "licence": spec.licence, "version": spec.version,
    }


class Library:
    """Index, search and find-similar over one library file: the one facade the CLI and the window use.

    Reads borrow a connection from a small pool for the length of one call (any thread may call);
    every write goes through ``queue``, whose one writer runs one index run at a time.
    """

    def __init__(self, path: Path | str | None = None, embedder: Embedder | None = None,
                 media: list[MediaPipeline] | None = None, with_media: bool = True,
                 settings: Settings | None = None) -> None:
        """Args:
            path: the library file (default: $NEARBY_LIBRARY or the user data folder).
            embedder: the text embedder (default: the installed text model).
            media: how pictures and songs are analysed (default: the installed models).
            with_media: False indexes documents only (tests with a fake text embedder).
            settings: what the person set (default: the saved settings).
        """
        self.path = Path(path) if path else default_library_path()
        check_library_place(self.path)
        refuse_empty(self.path)
        self.embedder: Embedder = embedder or library_text_model(self.path)
        self._with_media = with_media
        if media is None:
            media = default_media(self.embedder) if with_media else []
        self.media: dict[str, MediaPipeline] = {m.kind: m for m in media}
        self.settings = settings or Settings.load()
        self._readers = ReaderPool(self._new_store)
        self.queue = IndexQueue(self._index_run)
        self._samples: dict[str, np.ndarray] | None = None  # per kind, for score calibration
        self._map_lock = threading.Lock()  # one map update at a time (see update_map)
        self._missed: _Missed | None = None  # set while a text-model switch runs (see use_text_model)
        self._words: WordSpace | None = None

    def _new_store(self) -> Store:
        dims = {kind: m.dim for kind, m in self.media.items()}
        return Store(self.path, self.embedder.dim, dims.get("image", 1280), dims.get("song", 200))

    def close(self) -> None:
        """Close the read connections (those in use close when their call returns)."""
        self._readers.close()

    # -- writing: everything goes through the queue's one writer ----------------------------

    def index(self, roots: Iterable[Path | str],
              cancel: CancelToken | None = None) -> Generator[IndexProgress, None, IndexSummary]:
        """Index folders or files incrementally (recursive; unchanged files skipped, moves
        recognised, deleted files dropped). Queued: if another run is writing, it takes these
        roots too and this returns at once. See core.indexing.indexer.index_paths."""
        self.queue.submit(roots)
        return (yield from self.queue.drain(cancel))

    def apply_changes(self, changed: Iterable[Path | str] = (), deleted: Iterable[Path | str] = (),
                      cancel: CancelToken | None = None) -> Generator[IndexProgress, None, IndexSummary]:
        """Bring single files up to date: changed (or new) ones indexed, deleted ones removed.
        What folder watching calls; the same queue and writer as ``index``. Only paths inside the
        library's folders count (a late event from a folder just removed is not a new root), and
        each is admitted as a scan of its folder would admit it (core/indexing/admission.py)."""
        folders = [Path(f) for f in self.folders()]
        inside = [p for p in (*changed, *deleted) if library_folder_of(root_path(p), folders) is not None]
        if not inside:
            return IndexSummary()
        return (yield from self.index(inside, cancel))

    def use_text_model(self, embedder: Embedder, media: list[MediaPipeline] | None = None,
                       cancel: CancelToken | None = None, prepare_words: bool = True,
                       ) -> Generator[IndexProgress, None, IndexSummary | None]:
        """Make ``embedder`` the library's text model: index everything again into its space in a
        shadow library (search keeps answering from this one meanwhile), then take the shadow's
        contents in one transaction. Interrupted, the old model stays in charge and the next call
        resumes. Then, with ``prepare_words``, the arithmetic vocabulary is embedded with the new
        model — last, once the library has switched (minutes for a large model; cancelling it
        leaves it to the first arithmetic). Returns the re-index summary, or None when cancelled
        (or when the library already uses that model).

        Raises:
            LibraryError: a folder of the library cannot be reached (its files would be lost).
            ModelMissing: the new model is not installed.
        """
        if (self.embedder.name, self.embedder.dim) == (embedder.name, embedder.dim):
            switch.discard_shadow(self.path)
            return None
        embedder.check_installed()
        folders = self.folders()
        with self._readers.borrow() as store:
            switch.check_folders_reachable(folders, store)
        shadow_file = switch.shadow_path(self.path)
        if switch.pending_switch(self.path) not in (None, embedder.name) or (
                shadow_file.is_file() and shadow_file.stat().st_size == 0):
            switch.discard_shadow(self.path)  # a switch to another model left unfinished, or cut off at its start
        if media is None:
            media = default_media(embedder) if self._with_media else []
        switch.prepare_shadow(self.path)
        shadow = Library(switch.shadow_path(self.path), embedder, media, settings=self.settings)
        self._missed = _Missed()  # what this library's writer does meanwhile, replayed into the shadow
        self._missed.note(self.queue.running, [])  # a run already in flight (a folder just added) too
        try:
            writer = shadow._new_store()
            try:
                writer.check_model(embedder.name, embedder.version, embedder.dim)  # an empty library too
            finally:
                writer.close()
            summary = (yield from _switching(shadow.index(folders, cancel))) if folders else IndexSummary()
            if summary.cancelled or (cancel is not None and cancel.cancelled):
                return None
            # The last stretch with this library's writer held: no run is in flight across the swap
            # (it would write the old model's vectors into the new library), and none starts. Requests
            # made meanwhile wait in the queue and are done after it, with the new model.
            with self.queue.holding():
                summary += yield from _switching(self._replay_missed(shadow, cancel))
                if cancel is not None and cancel.cancelled:
                    return None
                yield IndexProgress("switching: replacing the library", 0, 1)
                chosen = media

                @contextmanager
                def switch_over() -> Iterator[None]:
                    # The commit of the new contents and the new embedder, with no search in between: a
                    # search embeds its query with the model of the vectors it reads.
                    with self._readers.exclusive():
                        yield
                        self.embedder, self.media = embedder, {m.kind: m for m in chosen}
                        self._samples, self._words = None, None
                        self._readers.drop_idle()

                self._carry_likes(shadow)
                shadow.close()
                switch.adopt_shadow(self.path, switch_over)
        finally:
            self._missed = None
            shadow.close()
        yield IndexProgress("switching: replacing the library", 1, 1)
        yield from _switching(self.queue.drain(cancel))  # what waited for the swap, with the new model
        if prepare_words and self.words.available() and not (cancel is not None and cancel.cancelled):
            yield from self.words.prepare(cancel)
        return summary

    def _carry_likes(self, shadow: Library) -> None:
        """The likes and openings (kept by path) into the new library: a model switch keeps a person's taste."""
        with self._readers.borrow() as store:
            marks, openings = store.all_likes(), store.all_openings()
        if marks or openings:
            writer = shadow._new_store()
            try:
                with writer.transaction():
                    writer.restore_likes(marks)
                    writer.restore_openings(openings)
            finally:
                writer.close()

    def _replay_missed(self, shadow: Library,
                       cancel: CancelToken | None) -> Generator[IndexProgress, None, IndexSummary]:
        """Into the shadow, what this library's writer did since the switch began (files the
        watcher or an update brought, folders added or removed), until nothing more is missed."""
        summary = IndexSummary()
        while self._missed is not None and (self._missed.paths or self._missed.removed):
            paths, removed = self._missed.take()
            for folder in removed:
                if shadow.holds(folder):
                    shadow.remove_folder(folder)
            if paths:
                summary += yield from shadow.index(paths, cancel)
        return summary

    def watcher(self, on_batch: Batch) -> FolderWatcher:
        """A watcher of folders (not started) that hands batches of changed and deleted files to
        ``on_batch``; pass them to ``apply_changes``. See core.indexing.watch."""
        return FolderWatcher(on_batch, frozenset(self.settings.excluded_names))

    def remove_folder(self, folder: Path | str) -> int:
        """Forget a folder of the library (an offline drive given up, a folder no longer wanted, a
        folder gone while it was indexed): its entries leave the library, its files are not
        touched. Done by the queue's one writer (a run indexing it meanwhile stops reading it);
        returns when it is done. Returns the items removed.

        Raises:
            NotAFolder: the library has no such folder and nothing under that path.
        """
        key = str(root_path(folder))  # as the indexer keys it, there or gone
        with self._readers.borrow() as store:
            if key not in store.folders() and not store.paths_under(key) and not self.queue.involves(key):
                raise NotAFolder(f"{key} is not a folder of the library (`nearby status` lists them).")
        removal = self.queue.remove(key)
        while not removal.wait(WRITER_POLL_S):  # another drain writing takes it; if none is left, drain here
            if not self.queue.busy:
                run_to_end(self.queue.drain())
        self._samples = None
        if removal.error is not None:
            raise removal.error
        return removal.removed

    def _index_run(self, roots: list[Path], removals: list[Removal],
                   cancel: CancelToken) -> Generator[IndexProgress, None, IndexSummary]:
        waited = 0.0
        while True:  # another process indexing this library: wait for it, then find its work done
            with writer_lock(self.path) as mine:
                if mine:
                    if self._missed is not None:  # a model switch is under way: its shadow must hear of this
                        self._missed.note(roots, [r.folder for r in removals])
                    writer = self._new_store()
                    try:
                        _remove_folders(writer, removals)
                        if not roots and removals and not self.queue.pending:
                            return IndexSummary()
                        return (yield from index_paths(writer, self.embedder, roots, cancel, self.media.values(),
                                                       self.settings.excluded_names, skip=self.queue.removing))
                    finally:
                        writer.close()
                        self._samples = None  # the library changed: sample again at the next search
            if cancel.cancelled:
                return IndexSummary(cancelled=True)
            yield IndexProgress(WAITING_FOR_WRITER, int(waited), 0)
            time.sleep(WRITER_POLL_S)
            waited += WRITER_POLL_S

    # -- reading ------------------------------------------------------------------------------

    def search(self, query: str, k: int = 10, kind: str | None = None, min_score: float = 0.0,
               filters: Filters | None = None) -> list[SearchHit]:
        """Files by meaning (and keywords), best first: the best k among the files passing
        ``filters`` (folder, file type, dates), however few pass; their kind, when set, wins over
        ``kind``."""
        filters = filters or Filters()
        kind = filters.kind or kind
        with self._readers.borrow() as store:
            spaces = self._query_spaces(store)
            return search_mod.search(store, self.embedder, query, k, kind, min_score,
                                     self._kind_samples(store, spaces), spaces, filters.rows(store))

    def browse(self, filters: Filters | None = None, limit: int = 200, offset: int = 0) -> list[SearchHit]:
        """The library with no query: files passing the filters, newest first (score 0)."""
        with self._readers.borrow() as store:
            return browsing.browse(store, filters or Filters(), limit, offset)

    def details(self, path: Path | str) -> ItemDetails | None:
        """One file as the library holds it: size, dates, metadata, its passages in order."""
        with self._readers.borrow() as store:
            return browsing.details(store, str(path))

    def _query_spaces(self, store: Store) -> dict[str, QuerySpace]:
        """Kinds with a joint model: typed words reach them in that model's own space. A joint
        model installed since the last index run is used once a run has given it the kind's space;
        until then the kind is searched through the text-space vectors it already has."""
        return {kind: QuerySpace(m.native_table, q) for kind, m in self.media.items()
                if (q := m.query_embedder()) is not None and m.available()
                and store.vector_model(m.native_table) == (m.name, m.dim)}

    def _kind_samples(self, store: Store, spaces: dict[str, QuerySpace]) -> dict[str, np.ndarray]:
        samples = self._samples
        if samples is None:
            samples = {kind: _sample(store, kind, spaces[kind].table if kind in spaces else PASSAGE_VECTORS)
                       for kind in store.kinds_present()}
            self._samples = samples
        return samples

    @property
    def words(self) -> WordSpace:
        """The vocabulary concept arithmetic answers in (its files load on first use)."""
        if self._words is None:
            self._words = WordSpace(self.embedder)
        return self._words

    def arithmetic(self, expression: str, k: int = 10, n_words: int = 10, kind: str | None = None,
                   cwd: Path | None = None) -> ArithmeticResult:
        """Concept arithmetic (see core.search.arithmetic.evaluate): words and files for an expression."""
        with self._readers.borrow() as store:
            samples = self._kind_samples(store, self._query_spaces(store))
            return arithmetic.evaluate(store, self.embedder, self.words, expression, k, n_words, kind, cwd, samples)

    def map_arithmetic(self, expression: str, k: int = 10, n_words: int = 10, cwd: Path | None = None,
                       ) -> tuple[SimilarityMap | None, Overlay | None, ArithmeticResult]:
        """An expression worked out (as ``arithmetic``) and placed on the stored map of every kind
        (core/mapping/arithmetic_overlay.py): the map, where its parts lie, and the answers (the
        files among them those that answer it well: scoring at least the search's min_score). No map
        yet: (None, None, answers)."""
        result = self.arithmetic(expression, k, n_words, None, cwd)
        good = replace(result, results=tuple(r for r in result.results if r.hit.score >= self.settings.min_score))
        with self._readers.borrow() as store:
            the_map = load_map(store, ALL)
            if the_map is None:
                return None, None, result
            vectors = store.vectors_by_ids("item_vectors", [p.item_id for p in the_map.points])
        words = [w for w, _ in result.words]
        embedded = self.embedder.embed(words) if words else np.zeros((0, 1), dtype=np.float32)
        return the_map, overlay(the_map, vectors, good, dict(zip(words, embedded, strict=True))), result

    def compare(self, a: str, b: str, cwd: Path | None = None) -> Comparison:
        """How close two words, phrases or files are (see core.search.arithmetic.compare)."""
        with self._readers.borrow() as store:
            return arithmetic.compare(store, self.embedder, a, b, cwd)

    def update_map(self, kind: str | None = None, full: bool = False,
                   cancel: CancelToken | None = None) -> Generator[IndexProgress, None, SimilarityMap | None]:
        """Bring the similarity map (of every kind, or one kind in its own space) up to date and
        return it (None when cancelled); see core.mapping.similarity_map.update_map.

        Single-flight: while one update runs (a change notice each time the library changes, a
        click), another waits for it and returns its map rather than lay the map out again (and
        start another layout process). The layout is made alongside indexing; its write goes
        through the index queue's writer, between runs."""
        if not self._map_lock.acquire(blocking=False):
            waited = 0.0
            while not self._map_lock.acquire(timeout=WRITER_POLL_S):
                if cancel is not None and cancel.cancelled:
                    return None
                waited += WRITER_POLL_S
                yield IndexProgress(MAP_IN_THE_MAKING, int(waited), 0)
            self._map_lock.release()
            if not full:
                return self.load_map(kind)
            self._map_lock.acquire()
        try:
            writer = self._new_store()
            try:
                return (yield from update_map(writer, kind or ALL, self.words, full, cancel, self.queue.holding))
            finally:
                writer.close()
        finally:
            self._map_lock.release()

    def load_map(self, kind: str | None = None) -> SimilarityMap | None:
        """The stored map as it is (None if never made): for drawing without waiting."""
        with self._readers.borrow() as store:
            return load_map(store, kind or ALL)

    def similar(self, path: Path | str | Sequence[Path | str], k: int = 10,
                filters: Filters | None = None) -> list[SearchHit]:
        """The k files most like an indexed one, or like several together (see core.search.similar),
        among those passing ``filters``."""
        filters = filters or Filters()
        with self._readers.borrow() as store:
            return similar(store, path, k, filters.kind, filters.rows(store))

    def like(self, paths: Sequence[Path | str], value: int = LIKE) -> list[str]:
        """Mark indexed files liked (``value`` LESS: "less like this"); returns their library paths.

        Raises:
            NotIndexed: a path is not a file of the library (nothing is marked then).
        """
        keys = self._indexed_paths(paths)
        store = self._new_store()
        try:
            with store.transaction():
                store.set_likes(keys, value)
        finally:
            store.close()
        return keys

    def unlike(self, paths: Sequence[Path | str]) -> None:
        """Take the mark (liked, or less like this) off files; a path never marked is no error."""
        store = self._new_store()
        try:
            with store.transaction():
                store.remove_likes([str(Path(p).expanduser().resolve()) for p in paths])
        finally:
            store.close()

    def note_opened(self, path: Path | str) -> None:
        """A file was opened from Nearby: For you leans toward it a little, and does not call it forgotten."""
        store = self._new_store()
        try:
            with store.transaction():
                store.note_opening(str(path))
        finally:
            store.close()

    def likes(self, value: int = LIKE) -> list[tuple[ItemRow, float]]:
        """The files marked ``value`` (liked by default), newest mark first, with when."""
        with self._readers.borrow() as store:
            return store.liked_items(value)

    def suggest(self, kind: str | None = None, k: int = 10) -> list[Suggestion]:
        """Files close to what was liked and not liked yet (core/search/taste.py)."""
        with self._readers.borrow() as store:
            return suggest(store, kind, k)

    def _indexed_paths(self, paths: Sequence[Path | str]) -> list[str]:
        keys = [str(Path(p).expanduser().resolve()) for p in paths]
        with self._readers.borrow() as store:
            found = store.items_by_paths(keys)
        missing = [k for k in keys if k not in found]
        if missing:
            raise NotIndexed(f"{missing[0]} is not in the library; index its folder first (nearby index FOLDER)"
                             + (f" ({len(missing) - 1} more not indexed)" if len(missing) > 1 else "") + ".")
        return keys

    def duplicates(self, kind: str | None = None) -> list[DuplicateGroup]:
        """Groups of files that are the same thing twice (core/search/duplicates.py)."""
        with self._readers.borrow() as store:
            return find_duplicates(store, kind)

    def folders(self, with_paused: bool = True) -> list[str]:
        """The folders added to the library (``with_paused=False``: those not paused)."""
        with self._readers.borrow() as store:
            folders = store.folders()
        paused = set(self.settings.paused_folders)
        return folders if with_paused else [f for f in folders if f not in paused]

    def subfolders(self, depth: int = SUBFOLDER_DEPTH, limit: int = SUBFOLDER_LIMIT) -> list[tuple[str, int]]:
        """The folders holding the library's files, to filter by: each folder of the library and the
        folders below it down to ``depth`` levels, with how many files each holds (its own and those
        below), in tree order (a folder before its subfolders); at most ``limit``, the fullest kept."""
        with self._readers.borrow() as store:
            roots = store.folders()
            paths = [r[0] for r in store.conn.execute("SELECT path FROM items")]
        return folder_tree(roots, paths, depth, limit)

    def pause_folder(self, folder: str, paused: bool = True) -> None:
        """Pause (or resume) a folder: kept in the library, not updated or watched meanwhile. Saved."""
        others = [f for f in self.settings.paused_folders if f != folder]
        self.settings.paused_folders = tuple(others + [folder] if paused else others)
        self.settings.save()

    def holds(self, path: Path | str) -> bool:
        """Whether the library has entries for a path: a file of it, a folder of it, or a folder
        with files of it inside (what `nearby index PATH` can bring up to date after it is gone)."""
        key = str(root_path(path))
        with self._readers.borrow() as store:
            return store.item_by_path(key) is not None or key in store.folders() or bool(store.paths_under(key))

    def failures(self) -> list[tuple[str, str]]:
        """(path, reason) of every file that was skipped."""
        with self._readers.borrow() as store:
            return store.failures()

    def language_hint(self) -> str | None:
        """Advice when a good share of the documents is not in a language the text model reads:
        which model would find them (a sample of 200 passages is judged; None when all is well)."""
        spec = MODELS.get(self.embedder.name)
        if spec is None or len(spec.languages) > 1:
            return None
        with self._readers.borrow() as store:
            texts = store.sample_passage_texts("document", LANGUAGE_SAMPLE)
        judged = [v for v in map(looks_english, texts) if v is not None]
        foreign = judged.count(False) / len(judged) if len(judged) >= 5 else 0.0
        if foreign < FOREIGN_SHARE_HINT:
            return None
        multilingual = max((s for s in MODELS.values() if s.kind == "text"), key=lambda s: len(s.languages))
        install = "" if not missing_files(multilingual) else f"`nearby models install {multilingual.name}`, then "
        return (f"About {foreign:.0%} of your documents are not in English, which {spec.name} reads best. "
                f"{multilingual.name} finds them from a query in any of {len(multilingual.languages)} languages: "
                f"{install}`nearby models use {multilingual.name}` (or Settings → Models).")

    def models(self) -> list[dict[str, Any]]:
        """Every model Nearby knows, as `nearby models --json` prints it: name, kind, languages,
        dim, size_mb, installed, active (this library uses it), good_at, default, licence, version."""
        return [_describe(spec, self) for spec in MODELS.values()]

    @property
    def open_connections(self) -> int:
        """Read connections open now (for tests and diagnostics)."""
        return self._readers.open_connections

    def _media_models(self) -> dict[str, str]:
        """kind → model for the kinds indexed now; "ocr": the model that reads text in pictures, when
        pictures are indexed and it is installed; "words": concept arithmetic's vocabulary, if installed."""
        models = {kind: m.name for kind, m in self.media.items() if m.available()}
        reader = getattr(self.media.get("image"), "reader", None)
        if "image" in models and reader is not None and reader.is_installed():
            models["ocr"] = reader.name
        if self.words.available():  # concept arithmetic's answer words
            models["words"] = self.words.spec.name
        return models

    def status(self) -> LibraryStatus:
        with self._readers.borrow() as store:
            counts = store.counts()
            info = store.model_info()
            by_kind, folders = store.counts_by_kind(), store.folders()
        return LibraryStatus(
            path=str(self.path), items=counts["items"], passages=counts["passages"],
            skipped=counts["failures"], by_kind=by_kind, folders=folders,
            model=info[0] if info else self.embedder.name, provider=self.embedder.planned_provider,
            media_models=self._media_models(),
            switching_to=switch.pending_switch(self.path), decoders=decoders.summary(),
        )
