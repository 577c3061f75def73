"""Search by meaning and find-similar, over the library's text vectors."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import NotIndexed
from core.store import MAX_KNN, Store
from core.text_embedder import Embedder

# Passages fetched per wanted file: several passages of one document often rank together, and
# the result list is one line per file, so ask for more passages than files.
PASSAGES_PER_HIT = 8
MIN_PASSAGES = 64
SNIPPET_CHARS = 300


@dataclass(frozen=True)
class SearchHit:
    """One file in a result list, with the passage that matched best."""

    path: str
    kind: str
    title: str
    score: float  # in [0, 1]: the cosine similarity, clipped at 0; higher is closer
    snippet: str = ""
    page: int | None = None

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def folder(self) -> str:
        return str(Path(self.path).parent)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def score_of(distance: float) -> float:
    """Cosine distance (0..2) → score in [0, 1]. Opposite-meaning texts are as useless as unrelated."""
    return float(min(1.0, max(0.0, 1.0 - distance)))


def snippet_of(text: str, limit: int = SNIPPET_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"


def search_vector(store: Store, query: np.ndarray, k: int = 10, kind: str | None = None,
                  exclude: frozenset[int] = frozenset(), min_score: float = 0.0) -> list[SearchHit]:
    """Files whose passages are nearest to a query vector, best passage per file.

    Files whose best passage scores under ``min_score`` are left out.
    """
    wanted = min(MAX_KNN, max(MIN_PASSAGES, (k + len(exclude)) * PASSAGES_PER_HIT))
    best: dict[int, tuple[float, int]] = {}
    for n in store.knn("passage_vectors", query, wanted, kind):
        if score_of(n.distance) < min_score:
            break  # neighbours come nearest first: every later one scores lower still
        if n.item_id not in exclude and n.item_id not in best:
            best[n.item_id] = (n.distance, n.rowid)
            if len(best) == k:
                break
    items = store.items_by_ids(list(best))
    passages = store.passages_by_ids([rowid for _, rowid in best.values()])
    hits = []
    for item_id, (distance, rowid) in best.items():
        item, (text, page) = items[item_id], passages[rowid]
        hits.append(SearchHit(item.path, item.kind, item.title, score_of(distance), snippet_of(text), page))
    return hits


def search(store: Store, embedder: Embedder, query: str, k: int = 10,
           kind: str | None = None, min_score: float = 0.0) -> list[SearchHit]:
    """Rank indexed files by how close their best passage is in meaning to ``query``.

    Args:
        query: words; an empty query gives no results.
        k: at most this many files.
        kind: only files of this kind ("document").
        min_score: leave out files scoring under this (0 keeps every file).
    """
    if not query.strip():
        return []
    return search_vector(store, embedder.embed_one(query), k, kind, min_score=min_score)


def similar(store: Store, path: Path | str, k: int = 10, kind: str | None = None) -> list[SearchHit]:
    """Files nearest to an indexed file as a whole, the file itself left out.

    Raises:
        NotIndexed: the file is not in the library.
    """
    key = str(Path(path).expanduser().resolve())
    item = store.item_by_path(key)
    vector = store.item_embedding(item.id) if item else None
    if item is None or vector is None:
        raise NotIndexed(f"{key} is not in the library; index its folder first (nearby index FOLDER).")
    hits: list[SearchHit] = []
    neighbours = [n for n in store.knn("item_vectors", vector, k + 1, kind) if n.item_id != item.id][:k]
    rows = store.items_by_ids([n.item_id for n in neighbours])
    for n in neighbours:
        row = rows[n.item_id]
        text, page = store.first_passage(row.id)
        hits.append(SearchHit(row.path, row.kind, row.title, score_of(n.distance), snippet_of(text), page))
    return hits
