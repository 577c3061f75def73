"""The facade the CLI and the desktop app talk to: one library file plus its embedder.

Widgets and commands never touch SQL or ONNX; they call these methods. Each thread gets its
own read connection; ``index`` opens a separate write connection for its whole run.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from platformdirs import user_data_dir

from nearby.core.indexing.indexer import index_paths
from nearby.core.inference.text_embedder import Embedder, TextEmbedder
from nearby.core.media.joint import joint_pipeline
from nearby.core.media.pictures import PicturePipeline
from nearby.core.media.pipeline import MediaPipeline
from nearby.core.media.songs import SongPipeline
from nearby.core.progress import CancelToken, IndexProgress, IndexSummary
from nearby.core.search import rank as search_mod
from nearby.core.search.calibration import QUERY_SAMPLE
from nearby.core.search.rank import QuerySpace, SearchHit
from nearby.core.storage.store import PASSAGE_VECTORS, Store
from nearby.models.locate import models_root
from nearby.models.manifest import find_joint_models

log = logging.getLogger(__name__)

LIBRARY_ENV = "NEARBY_LIBRARY"
LIBRARY_FILE = "library.nearby.sqlite"


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


def default_library_path() -> Path:
    """$NEARBY_LIBRARY, else a library file in the platform's user data folder."""
    env = os.environ.get(LIBRARY_ENV)
    return Path(env).expanduser() if env else Path(user_data_dir("Nearby", appauthor=False)) / LIBRARY_FILE


@dataclass(frozen=True)
class LibraryStatus:
    path: str
    items: int
    passages: int
    skipped: int
    by_kind: dict[str, int]
    folders: list[str]
    model: str
    provider: str
    media_models: dict[str, str] = field(default_factory=dict)  # kind → model, for kinds indexed

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


class Library:
    """Index, search and find-similar over one library file."""

    def __init__(self, path: Path | str | None = None, embedder: Embedder | None = None,
                 media: list[MediaPipeline] | None = None, with_media: bool = True) -> None:
        """Args:
            path: the library file (default: $NEARBY_LIBRARY or the user data folder).
            embedder: the text embedder (default: the installed text model).
            media: how pictures and songs are analysed (default: the installed models).
            with_media: False indexes documents only (tests with a fake text embedder).
        """
        self.path = Path(path) if path else default_library_path()
        self.embedder: Embedder = embedder or TextEmbedder()
        if media is None:
            media = default_media(self.embedder) if with_media else []
        self.media: dict[str, MediaPipeline] = {m.kind: m for m in media}
        self._local = threading.local()
        self._stores: list[Store] = []
        self._stores_lock = threading.Lock()
        self._samples: dict[str, np.ndarray] | None = None  # per kind, for score calibration

    def _new_store(self) -> Store:
        dims = {kind: m.dim for kind, m in self.media.items()}
        return Store(self.path, self.embedder.dim, dims.get("image", 1280), dims.get("song", 200))

    def _store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._new_store()
            self._local.store = store
            with self._stores_lock:
                self._stores.append(store)
        return store

    def close(self) -> None:
        with self._stores_lock:
            for store in self._stores:
                store.close()
            self._stores.clear()
        self._local = threading.local()

    def index(self, roots: Iterable[Path | str],
              cancel: CancelToken | None = None) -> Generator[IndexProgress, None, IndexSummary]:
        """Index folders or files incrementally; see core.indexer.index_paths."""
        writer = self._new_store()
        try:
            return (yield from index_paths(writer, self.embedder, list(roots), cancel, self.media.values()))
        finally:
            writer.close()
            self._samples = None  # the library changed: sample again at the next search

    def search(self, query: str, k: int = 10, kind: str | None = None, min_score: float = 0.0) -> list[SearchHit]:
        return search_mod.search(self._store(), self.embedder, query, k, kind, min_score, self._kind_samples(),
                                 self.query_spaces())

    def query_spaces(self) -> dict[str, QuerySpace]:
        """Kinds with a joint model: typed words reach them in that model's own space. A joint
        model installed since the last index run is used once a run has given it the kind's space;
        until then the kind is searched through the text-space vectors it already has."""
        store = self._store()
        return {kind: QuerySpace(m.native_table, q) for kind, m in self.media.items()
                if (q := m.query_embedder()) is not None and m.available()
                and store.vector_model(m.native_table) == (m.name, m.dim)}

    def _kind_samples(self) -> dict[str, np.ndarray]:
        samples = self._samples
        if samples is None:
            store, spaces = self._store(), self.query_spaces()
            samples = {kind: store.sample_vectors(kind, QUERY_SAMPLE, spaces[kind].table if kind in spaces
                                                  else PASSAGE_VECTORS) for kind in store.kinds_present()}
            self._samples = samples
        return samples

    def similar(self, path: Path | str, k: int = 10) -> list[SearchHit]:
        return search_mod.similar(self._store(), path, k)

    def folders(self) -> list[str]:
        return self._store().folders()

    def failures(self) -> list[tuple[str, str]]:
        """(path, reason) of every file that was skipped."""
        return self._store().failures()

    def status(self) -> LibraryStatus:
        store = self._store()
        counts = store.counts()
        info = store.model_info()
        return LibraryStatus(
            path=str(self.path), items=counts["items"], passages=counts["passages"],
            skipped=counts["failures"], by_kind=store.counts_by_kind(), folders=store.folders(),
            model=info[0] if info else self.embedder.name, provider=self.embedder.provider,
            media_models={kind: m.name for kind, m in self.media.items() if m.available()},
        )
