"""The library as a map: made once, kept in the library file, brought up to date cheaply.

One map shows every kind (documents by their mean passage vector, pictures and songs by their
vectors in the same text space); a map per kind can use that kind's own space (pictures and songs
their model's features). A map is made again in full when it is missing, was made in another
space, or when more than a fifth of its files came or went since; otherwise new files are placed
among the others (which do not move) and take their nearest neighbour's group, so the picture and
its group names stay stable as a few files come and go. Removed files leave with their items.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Callable, Generator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from nearby.core.mapping.clusters import distinctive_words, find_clusters, name_worthy, verb_form
from nearby.core.mapping.layout import first_picture, layout, place
from nearby.core.mapping.small_tsne import SMALL_MAP
from nearby.core.progress import CancelToken, IndexProgress
from nearby.core.search.picture_words import common_words
from nearby.core.search.words import WordSpace
from nearby.core.storage.store import Store
from nearby.core.storage.vectors import NATIVE_TABLES

ALL = "all"
# A layout is made again in full when more than this share of its files is new (or gone).
RELAYOUT_SHARE = 0.2
# A big map's first picture (core/mapping/layout.first_picture) is stored under its model's name with
# this mark, so that an update that finds it (the refinement stopped) makes the full layout; and its
# progress carries FIRST_PICTURE as its path, so that the window shows it while the layout goes on.
FIRST_PICTURE_MARK = " (first picture)"
FIRST_PICTURE = "first picture shown"
# A group is named for its pictures (or songs) when they are at least this share of it.
MEDIA_SHARE = 0.6
KIND_WORDS = {"image": "Photos", "song": "Songs"}
SURE_SHARE = 0.1  # a picture's class counts from this share up (its runners-up are often noise)


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
    made: float = 0.0  # when the file was made (a photo's date taken, else its modification), epoch seconds

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
        matrix = np.stack([vectors[i] for i in ids]) if ids else np.zeros((0, 2))
        start = None
        if len(ids) > SMALL_MAP:  # a first picture in seconds, stored and announced, refined after
            start = yield from first_picture(matrix, cancel)
            if start is None:
                return None
            labels = find_clusters(start)
            names = _names(store, ids, labels, [vectors[i] for i in ids], table, words)
            with writing(), store.transaction():  # marked: the next update makes the full layout if this one stops
                store.save_map(name, model + FIRST_PICTURE_MARK,
                               [(i, *start[j], int(labels[j])) for j, i in enumerate(ids)], names)
        refining = layout(matrix, cancel, start)
        try:
            while True:  # the layout's progress, saying (once a first picture is stored) that there is one
                step = next(refining)
                yield step if start is None else replace(step, path=FIRST_PICTURE)
        except StopIteration as finished:
            positions = finished.value
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
    """Each group's name, as a person would write it: "Photos: dog · cat" where pictures (or songs) make
    most of it, from what their model saw; else the words that set its files apart (clusters.py keeps
    file-name tokens, boilerplate and bare verbs out) and the vocabulary word nearest its centre."""
    k = int(labels.max()) + 1 if len(labels) else 0
    texts = store.item_texts(ids)
    rows = store.items_by_ids(ids)
    kinds = [rows[i].kind if i in rows else "document" for i in ids]
    names_of = {i: rows[i].path for i in rows}
    ranks = words.ranks() if words is not None and words.available() else None
    found = distinctive_words([texts.get(i, "") for i in ids], labels, k, [names_of.get(i, "") for i in ids],
                              ranks or ())
    one_kind = table != "item_vectors" or len(set(kinds)) == 1  # a map of one kind: no "Photos:" on every name
    out: list[dict[str, object]] = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        shares = Counter(kinds[j] for j in members)
        kind, most = shares.most_common(1)[0] if shares else ("document", 0)
        label: list[str] = []
        if kind in KIND_WORDS and most >= MEDIA_SHARE * len(members):
            seen = [_seen_labels(rows[ids[j]].meta) for j in members if ids[j] in rows and kinds[j] == kind]
            label = common_words(seen, 2, ranks) if kind == "image" else _common_tags(seen)
        if not label:
            label = found.get(c, [])[:2]
            if ranks is not None and words is not None and table == "item_vectors":
                centre = np.mean([vectors[j] for j in members], axis=0)
                near = words.nearest(words.vector("", centre / max(float(np.linalg.norm(centre)), 1e-12)), label, 5)
                label += [w for w, _ in near if w not in label and " " not in w and name_worthy(w)
                          and not verb_form(w, ranks)][:1]
        text = " · ".join(label) or f"group {c + 1}"
        if kind in KIND_WORDS and most >= MEDIA_SHARE * len(members) and not one_kind:
            text = f"{KIND_WORDS[kind]}: {text}"
        out.append({"id": c, "label": text})
    return out


def _seen_labels(meta: str) -> list[str]:
    """A picture's classes (or a song's tags) the model was fairly sure of; its top one at least."""
    data = json.loads(meta or "{}")
    labels = [str(x) for x in data.get("labels") or []]
    shares = data.get("label_shares") or []
    if len(shares) == len(labels) and labels:
        return [label for label, share in zip(labels, shares, strict=True) if share >= SURE_SHARE] or labels[:1]
    return labels


def _common_tags(tags: list[list[str]]) -> list[str]:
    counts = Counter(t for song in tags for t in song[:3])
    return [t for t, n in counts.most_common(2) if n >= 2 or len(tags) == 1]


def load_map(store: Store, name: str = ALL) -> SimilarityMap | None:
    """The stored map, or None when it was never made."""
    info = store.map_info(name)
    if info is None:
        return None
    rows = store.map_points(name)
    items = store.items_by_ids([r[0] for r in rows])
    points = tuple(MapPoint(i, items[i].path, items[i].kind, items[i].title, x, y, c,
                            *_thumbnail_and_date(items[i].meta, items[i].mtime_ns))
                   for i, x, y, c in rows if i in items)
    labels = {int(c["id"]): str(c["label"]) for c in info.clusters}  # type: ignore[call-overload]
    groups = np.fromiter((p.cluster for p in points), dtype=np.int64, count=len(points))
    width = max(labels, default=-1) + 1
    sizes = np.bincount(groups, minlength=width) if len(points) else np.zeros(width, dtype=np.int64)
    xs = np.bincount(groups, [p.x for p in points], minlength=width) if len(points) else sizes
    ys = np.bincount(groups, [p.y for p in points], minlength=width) if len(points) else sizes
    clusters = tuple(Cluster(cid, label, int(sizes[cid]), float(xs[cid] / sizes[cid]), float(ys[cid] / sizes[cid]))
                     for cid, label in sorted(labels.items()) if cid < len(sizes) and sizes[cid])
    return SimilarityMap(name, info.model, points, clusters)


def _thumbnail_and_date(meta: str, mtime_ns: int) -> tuple[str | None, float]:
    """A file's thumbnail, and when it was made: a photo's date taken (EXIF's "2019:07:14 12:00:00"
    or ISO), else the time it was last changed."""
    data = json.loads(meta or "{}")
    thumbnail = str(data["thumbnail"]) if data.get("thumbnail") else None
    taken = str(data.get("taken") or "")
    made = mtime_ns / 1e9
    if len(taken) >= 10:
        with contextlib.suppress(ValueError):
            made = datetime.strptime(taken[:10].replace(":", "-"), "%Y-%m-%d").replace(tzinfo=UTC).timestamp()
    return thumbnail, made
