"""Search by meaning and find-similar, over every kind in one ranked list."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nearby.core.errors import NotIndexed
from nearby.core.extract.passages import snippet_of
from nearby.core.inference.text_embedder import Embedder
from nearby.core.search.calibration import Background, backgrounds, combined_z, query_z, squash
from nearby.core.search.query import fts_phrase, parse_query
from nearby.core.storage.store import MAX_KNN, NATIVE_TABLES, PASSAGE_VECTORS, ItemRow, Store

# Passages fetched per wanted file: several passages of one document often rank together, and
# the result list is one line per file, so ask for more passages than files.
PASSAGES_PER_HIT = 8
MIN_PASSAGES = 64


@dataclass(frozen=True)
class SearchHit:
    """One file in a result list, with the passage that matched best."""

    path: str
    kind: str
    title: str
    score: float  # in [0, 1], higher is closer; comparable across kinds (see core/calibration.py)
    snippet: str = ""
    page: int | None = None
    similarity: float = 0.0  # the raw cosine in the space that was searched
    meta: dict[str, Any] = field(default_factory=dict)  # pictures: taken, camera, width, height, thumbnail

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def folder(self) -> str:
        return str(Path(self.path).parent)

    @property
    def thumbnail(self) -> str | None:
        return self.meta.get("thumbnail")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def cosine_of(distance: float) -> float:
    return 1.0 - distance


def clip01(value: float) -> float:
    return float(min(1.0, max(0.0, value)))


def _hit(item: ItemRow, score: float, cosine: float, text: str, page: int | None) -> SearchHit:
    return SearchHit(item.path, item.kind, item.title, score, snippet_of(text), page, cosine, json.loads(item.meta))


@dataclass(frozen=True)
class QuerySpace:
    """How typed words reach one kind that has a joint model: its own table and text tower."""

    table: str
    embed: Callable[[Sequence[str]], np.ndarray]


def search_vector(store: Store, query: np.ndarray, k: int = 10, kind: str | None = None,
                  exclude: frozenset[int] = frozenset(), min_score: float = 0.0,
                  samples: Mapping[str, np.ndarray] | None = None,
                  joint: Mapping[str, tuple[str, np.ndarray]] | None = None) -> list[SearchHit]:
    """Files nearest to a query, best passage per file, calibrated per kind.

    Args:
        query: the query in the text model's space (passage vectors).
        samples: kind → a sample of its vectors, for the per-query part of the calibration.
        joint: kind → (vector table, query vector) for kinds searched in a joint model's space.

    Each kind is searched separately (its own KNN), so a kind whose raw cosines run low is not
    crowded out before calibration; the lists are then merged by calibrated score.
    """
    kinds = [kind] if kind else _kinds_present(store, samples)
    norms = backgrounds(store)
    best: _Best = {}
    wanted = min(MAX_KNN, max(MIN_PASSAGES, (k + len(exclude)) * PASSAGES_PER_HIT))
    for each in kinds:
        table, vector = (joint or {}).get(each, (PASSAGE_VECTORS, query))
        background = norms.get(each) or Background(each, 0.0, 1.0)
        stats = query_z(vector, (samples or {}).get(each))
        found = 0
        for n in store.knn(table, vector, wanted, each):
            if n.item_id in exclude or n.item_id in best:
                continue
            cosine = cosine_of(n.distance)
            passage = n.rowid if table == PASSAGE_VECTORS else None
            best[n.item_id] = (combined_z(cosine, background, stats), cosine, passage)
            found += 1
            if found == k:
                break
    return _ranked_hits(store, best, k, min_score)


def _kinds_present(store: Store, samples: Mapping[str, np.ndarray] | None) -> list[str]:
    # The samples, when given, are keyed by the kinds present: no need to ask the library.
    return list(samples) if samples is not None else store.kinds_present()


_Best = dict[int, tuple[float, float, int | None]]  # item → (calibrated z, cosine, best passage id)


def _ranked_hits(store: Store, best: _Best, k: int, min_score: float) -> list[SearchHit]:
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
    ranked = [(i, v) for i, v in ranked if squash(v[0]) >= min_score][:k]
    items = store.items_by_ids([i for i, _ in ranked])
    passages = store.passages_by_ids([v[2] for _, v in ranked if v[2] is not None])
    return [_hit(items[i], squash(z), cos, *(passages[rowid] if rowid is not None else store.first_passage(i)))
            for i, (z, cos, rowid) in ranked]


def search_within(store: Store, query: np.ndarray, required: Sequence[str], k: int = 10, kind: str | None = None,
                  exclude: frozenset[int] = frozenset(), min_score: float = 0.0,
                  samples: Mapping[str, np.ndarray] | None = None) -> list[SearchHit]:
    """Like search_vector, among the passages that contain every required phrase."""
    matches = store.passages_containing(" AND ".join(fts_phrase(p) for p in required))
    matches = [m for m in matches if m[1] not in exclude and (kind is None or m[2] == kind)]
    vectors = store.passage_vectors([m[0] for m in matches])
    norms = backgrounds(store)
    stats = {each: query_z(query, (samples or {}).get(each)) for each in {m[2] for m in matches}}
    best: _Best = {}
    for passage, item, each in matches:
        if passage not in vectors:
            continue
        cosine = float(vectors[passage] @ query)
        z = combined_z(cosine, norms.get(each) or Background(each, 0.0, 1.0), stats[each])
        if item not in best or z > best[item][0]:
            best[item] = (z, cosine, passage)
    return _ranked_hits(store, best, k, min_score)


def items_containing(store: Store, phrases: Sequence[str]) -> frozenset[int]:
    """Items with a passage containing any of the phrases (for -"excluded" phrases)."""
    if not phrases:
        return frozenset()
    return frozenset(item for _, item, _ in store.passages_containing(" OR ".join(fts_phrase(p) for p in phrases)))


def search(store: Store, embedder: Embedder, query: str, k: int = 10, kind: str | None = None,
           min_score: float = 0.0, samples: Mapping[str, np.ndarray] | None = None,
           spaces: Mapping[str, QuerySpace] | None = None) -> list[SearchHit]:
    """Rank indexed files of every kind by how close they are in meaning to ``query``.

    Args:
        query: words, matched by meaning; "quoted phrases" every result must contain and
            -words or -"phrases" none may contain. A query of nothing else gives no results.
        k: at most this many files.
        kind: only files of this kind ("document", "image", "song").
        min_score: leave out files scoring under this (0 keeps every file).
        samples: see search_vector.
        spaces: kinds with a joint model, searched in that model's space.
    """
    parsed = parse_query(query)
    if not parsed.text_for_meaning.strip():
        return []
    exclude = items_containing(store, parsed.excluded)
    vector = embedder.embed_one(parsed.text_for_meaning)
    if parsed.required:
        return search_within(store, vector, parsed.required, k, kind, exclude, min_score, samples)
    joint = {each: (space.table, space.embed([parsed.meaning])[0]) for each, space in (spaces or {}).items()}
    return search_vector(store, vector, k, kind, exclude, min_score, samples=samples, joint=joint)


def similar(store: Store, path: Path | str, k: int = 10) -> list[SearchHit]:
    """Files most like an indexed file, the file itself left out.

    Pictures and songs are compared in their model's own space (look-alikes, near-duplicates,
    sound-alikes); documents by their mean passage vector, among documents.

    Raises:
        NotIndexed: the file is not in the library.
    """
    key = str(Path(path).expanduser().resolve())
    item = store.item_by_path(key)
    if item is None:
        raise NotIndexed(f"{key} is not in the library; index its folder first (nearby index FOLDER).")
    table = NATIVE_TABLES.get(item.kind, "item_vectors")
    vector = store.item_embedding(item.id, table)
    if vector is None:
        raise NotIndexed(f"{key} waits to be analysed again by a newly installed {item.kind} model; "
                         "bring the library up to date first (nearby index, or Update in the window).")
    neighbours = [n for n in store.knn(table, vector, k + 1, item.kind) if n.item_id != item.id][:k]
    rows = store.items_by_ids([n.item_id for n in neighbours])
    hits = []
    for n in neighbours:
        cosine = cosine_of(n.distance)
        hits.append(_hit(rows[n.item_id], clip01(cosine), cosine, *store.first_passage(n.item_id)))
    return hits
