"""For you: suggestions from what a person liked, the way a streaming service suggests the next song.

A kind's **tastes** are its liked files grouped by closeness (a like joins the taste it is nearest
when at least TASTE_JOIN alike, else starts one), each the mean of its likes' vectors in the kind's
own space (pictures and songs: their model's; documents: the text space): liking three cat photos
and two beach photos makes two tastes, not one blurred between them. Each taste's nearest files
not yet liked are its suggestions, "because you liked" the like each is closest to; the tastes take
turns (both topics appear), near-copies of a suggestion already made are left out, and files near
one marked "less like this" are left out too. Files opened from Nearby lately lean their taste a
little; a suggestion not opened (nor changed) for over a year is a rediscovery, and the list keeps
places for them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from nearby.core.search.hits import SearchHit, make_hit
from nearby.core.storage.items import ItemRow
from nearby.core.storage.likes import LESS, LIKE
from nearby.core.storage.store import Store
from nearby.core.storage.vectors import NATIVE_TABLES

KINDS = ("document", "image", "song")
TASTE_JOIN = 0.55  # cosine between a like and a taste's mean for it to join that taste
NEAR_COPY = 0.97  # a candidate this alike to a suggestion already made adds nothing
NEAR_LESS = 0.85  # a candidate this alike to a file marked "less like this" is left out
CANDIDATES_PER_TASTE = 4  # × the suggestions wanted, looked at per taste
# A suggestion must be at least this alike to its taste, and this share of the taste's best one:
# past them a list of ten fills with files that only happen to be the least unrelated.
ABSOLUTE_FLOOR = 0.2
RELATIVE_FLOOR = 0.6
RECENT_DAYS = 30  # files opened from Nearby this recently lean their taste toward them…
OPENED_WEIGHT = 0.25  # …each this share of a like
FORGOTTEN_DAYS = 365  # a suggestion not opened (nor changed) for this long is a rediscovery
REDISCOVERIES = 2  # places kept for rediscoveries when the list has none


@dataclass(frozen=True)
class Taste:
    kind: str
    vector: np.ndarray  # unit mean of its likes
    likes: tuple[ItemRow, ...]


@dataclass(frozen=True)
class Suggestion:
    path: str
    kind: str
    title: str
    score: float  # cosine to the taste, in [0, 1]
    because: str  # the path of the like it is closest to
    hit: SearchHit | None = None  # as a result list shows it ("because you liked …" its snippet)
    forgotten_days: int | None = None  # a rediscovery: not opened (nor changed) for this many days

    @property
    def name(self) -> str:
        return Path(self.path).name

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "title": self.title, "score": round(self.score, 4),
                "because": self.because, "rediscover": self.forgotten_days is not None,
                "forgotten_days": self.forgotten_days}


def space_of(kind: str) -> str:
    return NATIVE_TABLES.get(kind, "item_vectors")


def tastes(store: Store, kind: str) -> list[Taste]:
    """The kind's tastes, largest first (see the module's notes)."""
    liked = [row for row, _ in reversed(store.liked_items(LIKE, kind))]  # oldest first: a taste's founder
    vectors = _unit(store.vectors_by_ids(space_of(kind), [r.id for r in liked]))
    groups: list[tuple[list[ItemRow], list[np.ndarray]]] = []
    for row in liked:
        vector = vectors.get(row.id)
        if vector is None:
            continue  # waits to be analysed again by a new model
        best = _joins(groups, vector)
        if best >= 0:
            groups[best][0].append(row)
            groups[best][1].append(vector)
        else:
            groups.append(([row], [vector]))
    # What was opened lately leans its taste a little toward it (it starts none of its own).
    recent = [row for row, _ in store.opened_items(time.time() - RECENT_DAYS * 86400, kind)
              if row.id not in vectors]
    leaning: list[list[np.ndarray]] = [[] for _ in groups]
    opened = _unit(store.vectors_by_ids(space_of(kind), [r.id for r in recent])) if recent else {}
    for vector in opened.values():
        best = _joins(groups, vector)
        if best >= 0:
            leaning[best].append(vector)
    return sorted((Taste(kind, _mean(vs, lean), tuple(rows)) for (rows, vs), lean in zip(groups, leaning, strict=True)),
                  key=lambda t: -len(t.likes))


def suggest(store: Store, kind: str | None = None, k: int = 10) -> list[Suggestion]:
    """Up to ``k`` files close to the person's tastes and not liked yet (see the module's notes)."""
    kinds = [kind] if kind else [kd for kd in KINDS if store.liked_items(LIKE, kd)]
    per_taste: list[list[Suggestion]] = []
    chosen_vectors: dict[str, list[np.ndarray]] = {}
    for kd in kinds:
        table = space_of(kd)
        marked = {r.path for r, _ in store.liked_items(LIKE, kd)} | {r.path for r, _ in store.liked_items(LESS, kd)}
        less = list(_unit(store.vectors_by_ids(table, [r.id for r, _ in store.liked_items(LESS, kd)])).values())
        for taste in tastes(store, kd):
            like_vectors = _unit(store.vectors_by_ids(table, [r.id for r in taste.likes]))
            neighbours = store.knn(table, taste.vector, k * CANDIDATES_PER_TASTE + len(marked), kd)
            rows = store.items_by_ids([n.item_id for n in neighbours])
            candidates = _unit(store.vectors_by_ids(table, list(rows)))
            found: list[Suggestion] = []
            forgotten = _forgotten(store, list(rows.values()))
            for n in neighbours:
                row, vector = rows.get(n.item_id), candidates.get(n.item_id)
                if row is None or vector is None or row.path in marked:
                    continue
                if any(float(vector @ v) >= NEAR_LESS for v in less):
                    continue
                because = max(taste.likes, key=lambda r: float(like_vectors[r.id] @ vector)
                              if r.id in like_vectors else -1.0)
                score = float(np.clip(1.0 - n.distance, 0, 1))
                if found and score < RELATIVE_FLOOR * found[0].score or score < ABSOLUTE_FLOOR:
                    break  # far weaker than the taste's best: not a suggestion, whatever the count asked
                found.append(_suggestion(store, row, kd, score, because.path, forgotten.get(row.path)))
                chosen_vectors.setdefault(row.path, []).append(vector)
            per_taste.append(found)
    chosen = _take_turns(per_taste, chosen_vectors, k)
    if chosen and not any(s.forgotten_days for s in chosen):  # keep places for files long forgotten
        taken = {s.path for s in chosen}
        waiting = {s.path: s for q in per_taste for s in q if s.forgotten_days and s.path not in taken}
        spare = sorted(waiting.values(), key=lambda s: -s.score)[:REDISCOVERIES]
        chosen = chosen[: max(len(chosen) - len(spare), k - len(spare))] + spare
    return chosen[:k]


def _suggestion(store: Store, row: ItemRow, kind: str, score: float, because: str,
                forgotten_days: int | None) -> Suggestion:
    said = store.first_passage(row.id)[0]
    lead = f"Not opened for {_age(forgotten_days)} — because" if forgotten_days else "Because"
    hit = make_hit(row, score, score, f"{lead} you liked {Path(because).name} · {said}", None)
    why: dict[str, Any] = {"because": because}
    if forgotten_days:
        why["forgotten_days"] = forgotten_days
    return Suggestion(row.path, kind, row.title, score, because, replace(hit, why=why), forgotten_days)


def _forgotten(store: Store, rows: list[ItemRow]) -> dict[str, int]:
    """Days since each file was last opened from Nearby (or, never opened, last changed), for those
    past FORGOTTEN_DAYS."""
    now = time.time()
    opened = store.last_openings([r.path for r in rows])
    days = {r.path: int((now - opened.get(r.path, r.mtime_ns / 1e9)) // 86400) for r in rows}
    return {path: d for path, d in days.items() if d >= FORGOTTEN_DAYS}


def _age(days: int) -> str:
    return f"{days // 365} year{'s' * (days >= 730)}" if days >= 365 else f"{days} days"


def _take_turns(per_taste: list[list[Suggestion]], vectors: dict[str, list[np.ndarray]], k: int) -> list[Suggestion]:
    """The tastes' suggestions in turns, best first within each, without repeats or near-copies."""
    out: list[Suggestion] = []
    taken: list[np.ndarray] = []
    seen: set[str] = set()
    queues = [list(q) for q in per_taste if q]
    while queues and len(out) < k:
        for queue in list(queues):
            while queue:
                candidate = queue.pop(0)
                vector = vectors[candidate.path][0]
                if candidate.path in seen or any(float(vector @ t) >= NEAR_COPY for t in taken):
                    continue
                out.append(candidate)
                seen.add(candidate.path)
                taken.append(vector)
                break
            if not queue:
                queues.remove(queue)
            if len(out) >= k:
                break
    return out


def _joins(groups: list[tuple[list[ItemRow], list[np.ndarray]]], vector: np.ndarray) -> int:
    """The taste (its index) a vector joins: the nearest, when at least TASTE_JOIN alike; else -1."""
    closeness = [float(_mean(vs) @ vector) for _, vs in groups]
    best = int(np.argmax(closeness)) if closeness else -1
    return best if best >= 0 and closeness[best] >= TASTE_JOIN else -1


def _unit(vectors: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
    return {i: (v / max(float(np.linalg.norm(v)), 1e-12)).astype(np.float32) for i, v in vectors.items()}


def _mean(vectors: list[np.ndarray], lean: list[np.ndarray] | None = None) -> np.ndarray:
    """The unit mean of a taste's likes, each opened file weighing OPENED_WEIGHT of a like."""
    mean = np.sum(vectors, axis=0) + OPENED_WEIGHT * (np.sum(lean, axis=0) if lean else 0.0)
    return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
