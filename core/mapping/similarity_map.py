"""The library as a map: made once, kept in the library file, brought up to date cheaply.

One map shows every kind (documents by their mean passage vector, pictures and songs by their
vectors in the same text space); a map per kind can use that kind's own space (pictures and songs
their model's features). A map is made again in full when it is missing, was made in another
space, or when more than a fifth of its files came or went since; otherwise new files are placed
among the others (which do not move) and take their nearest neighbour's group, so the picture and
its group names stay stable as a few files come and go. Removed files leave with their items.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np

from nearby.core.mapping.clusters import distinctive_words, find_clusters
from nearby.core.mapping.layout import layout, place
from nearby.core.progress import CancelToken, IndexProgress
from nearby.core.search.words import WordSpace
from nearby.core.storage.store import Store
from nearby.core.storage.vectors import NATIVE_TABLES

ALL = "all"
# A layout is made again in full when more than this share of its files is new (or gone).
RELAYOUT_SHARE = 0.2


@dataclass(frozen=True)
class MapPoint:
    item_id: int
    path: str
    kind: str
    title: str
    x: float
    y: float
    cluster: int
    thumbnail: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "x": round(self.x, 3), "y": round(self.y, 3),
                "cluster": self.cluster}


@dataclass(frozen=True)
class Cluster:
    id: int
    label: str
    size: int
    x: float
    y: float

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "size": self.size, "x": round(self.x, 3), "y": round(self.y, 3)}


@dataclass(frozen=True)
class SimilarityMap:
    name: str  # "all", or a kind
    model: str
    points: tuple[MapPoint, ...]
    clusters: tuple[Cluster, ...]

    def to_json(self) -> dict[str, Any]:
        return {"points": [p.to_json() for p in self.points], "clusters": [c.to_json() for c in self.clusters]}


def table_of(name: str) -> str:
    """The vector table a map is made from: the shared text space, or a media kind's own."""
    return NATIVE_TABLES.get(name, "item_vectors")


def update_map(store: Store, name: str = ALL, words: WordSpace | None = None, full: bool = False,
               cancel: CancelToken | None = None,
               writing: Callable[[], AbstractContextManager[Any]] = nullcontext,
               ) -> Generator[IndexProgress, None, SimilarityMap | None]:
    """Bring a map up to date (see the module doc) and return it; None when cancelled.

    Args:
        store: a writable Store.
        name: "all", or "document", "image", "song" for one kind.
        words: the vocabulary, to name groups by the word nearest their centre (optional).
        full: make the whole layout again even if placing the new files would do.
        writing: held around the map's write (the library's one writer: no index run writes
            meanwhile); the layout itself is made without it.
    """
    table = table_of(name)
    recorded = store.vector_model(table)
    model = recorded[0] if recorded else ""
    ids = store.item_ids(None if name == ALL else name)
    vectors = store.vectors_by_ids(table, ids)
    ids = [i for i in ids if i in vectors]
    info = store.map_info(name)
    kept = {i: (x, y, c) for i, x, y, c in store.map_points(name)} if info and info.model == model else {}
    new = [i for i in ids if i not in kept]
    if full or not kept or len(new) + (info.items - len(kept) if info else 0) > RELAYOUT_SHARE * max(len(kept), 1):
        positions = yield from layout(np.stack([vectors[i] for i in ids]) if ids else np.zeros((0, 2)), cancel)
        if positions is None:
            return None
        labels = find_clusters(positions)
        names = _names(store, ids, labels, [vectors[i] for i in ids], table, words)
        with writing(), store.transaction():
            store.save_map(name, model, [(i, *positions[j], int(labels[j])) for j, i in enumerate(ids)], names)
    elif new:
        mapped = list(kept)
        where = np.array([kept[i][:2] for i in mapped], dtype=np.float32)
        spots = place(np.stack([vectors[i] for i in new]), np.stack([vectors[i] for i in mapped]), where)
        nearest = [mapped[int(np.argmin(((where - s) ** 2).sum(1)))] for s in spots]  # its group: the closest point's
        with writing(), store.transaction():
            store.add_map_points(name, [(i, *s, kept[n][2]) for i, s, n in zip(new, spots, nearest, strict=True)])
    yield IndexProgress("mapping", 1, 1, "done")
    return load_map(store, name)


def _names(store: Store, ids: list[int], labels: np.ndarray, vectors: list[np.ndarray], table: str,
           words: WordSpace | None) -> list[dict[str, object]]:
    k = int(labels.max()) + 1 if len(labels) else 0
    texts = store.item_texts(ids)
    found = distinctive_words([texts.get(i, "") for i in ids], labels, k)
    out: list[dict[str, object]] = []
    for c in range(k):
        label = found.get(c, [])[:2]
        if words is not None and words.available() and table == "item_vectors":
            centre = np.mean([vectors[j] for j in np.flatnonzero(labels == c)], axis=0)
            near = words.nearest(words.vector("", centre / max(float(np.linalg.norm(centre)), 1e-12)), label, 3)
            label += [w for w, _ in near if w not in label and " " not in w][:1]
        out.append({"id": c, "label": " · ".join(label) or f"group {c + 1}"})
    return out


def load_map(store: Store, name: str = ALL) -> SimilarityMap | None:
    """The stored map, or None when it was never made."""
    info = store.map_info(name)
    if info is None:
        return None
    rows = store.map_points(name)
    items = store.items_by_ids([r[0] for r in rows])
    points = tuple(MapPoint(i, items[i].path, items[i].kind, items[i].title, x, y, c,
                            _thumbnail(items[i].meta)) for i, x, y, c in rows if i in items)
    labels = {int(c["id"]): str(c["label"]) for c in info.clusters}  # type: ignore[call-overload]
    groups = np.fromiter((p.cluster for p in points), dtype=np.int64, count=len(points))
    width = max(labels, default=-1) + 1
    sizes = np.bincount(groups, minlength=width) if len(points) else np.zeros(width, dtype=np.int64)
    xs = np.bincount(groups, [p.x for p in points], minlength=width) if len(points) else sizes
    ys = np.bincount(groups, [p.y for p in points], minlength=width) if len(points) else sizes
    clusters = tuple(Cluster(cid, label, int(sizes[cid]), float(xs[cid] / sizes[cid]), float(ys[cid] / sizes[cid]))
                     for cid, label in sorted(labels.items()) if cid < len(sizes) and sizes[cid])
    return SimilarityMap(name, info.model, points, clusters)


def _thumbnail(meta: str) -> str | None:
    import json

    value = json.loads(meta or "{}").get("thumbnail")
    return str(value) if value else None
