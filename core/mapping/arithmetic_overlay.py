"""Concept arithmetic drawn on the map: the terms as labelled points, the result point, the answer
words and files, placed among the library's files (placement, not a new layout).

Words are not files: they have no place in the layout. The terms are placed by one affine map from
the text space to the plane, fitted (least squares with a little ridge) to where the map's own files
lie; the result point is the expression done on those points (``king - man + woman`` closes the
parallelogram: man → woman drawn again from king). The answer words lie about the result point, in
the direction the same map gives them, at a distance that grows as their score falls: the best
answer nearest, and nearer than any term (in the text space itself the terms are often closer to the
expression than its answer — king to king - man + woman — which is why answers leave the terms out).
Files among the terms or answers are drawn where the map has them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nearby.core.mapping.similarity_map import SimilarityMap
from nearby.core.search.arithmetic import ArithmeticResult

RIDGE = 1e-2  # per file: keeps the fit steady on a map of a few files
ANSWER_REACH = 0.08  # of the map's width: how far from the result point the weakest answer word lies
BEST_AT = 0.15  # of that reach: where the best one lies


@dataclass(frozen=True)
class Overlay:
    """Where an expression's parts lie on a map (its coordinates)."""

    terms: tuple[tuple[str, float, float, float], ...]  # (text, signed weight, x, y)
    result: tuple[float, float]
    words: tuple[tuple[str, float, float], ...]  # answer words: (word, x, y)
    files: tuple[tuple[str, float, float], ...]  # answer files: (path, x, y)

    def to_json(self) -> dict[str, Any]:
        return {"terms": [{"text": t, "weight": w, "x": round(x, 3), "y": round(y, 3)} for t, w, x, y in self.terms],
                "result": {"x": round(self.result[0], 3), "y": round(self.result[1], 3)},
                "words": [{"text": t, "x": round(x, 3), "y": round(y, 3)} for t, x, y in self.words],
                "files": [{"path": p, "x": round(x, 3), "y": round(y, 3)} for p, x, y in self.files]}


def fit_placement(vectors: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(A, b) with positions ≈ vectors @ A + b, by ridge regression on the map's files."""
    centre_v, centre_p = vectors.mean(axis=0), positions.mean(axis=0)
    x, y = (vectors - centre_v).astype(np.float64), (positions - centre_p).astype(np.float64)
    gram = x.T @ x + RIDGE * max(len(x), 1) * np.eye(x.shape[1])
    a = np.linalg.solve(gram, x.T @ y)
    return a, centre_p - centre_v @ a


def overlay(the_map: SimilarityMap, map_vectors: dict[int, np.ndarray], result: ArithmeticResult,
            word_vectors: dict[str, np.ndarray]) -> Overlay:
    """Place an expression's terms, result, answer words and files on ``the_map`` (of every kind, in
    the text space). ``map_vectors``: the map's files' vectors by item id; ``word_vectors``: the answer
    words' text vectors."""
    ids = [p.item_id for p in the_map.points if p.item_id in map_vectors]
    at = {p.path: (p.x, p.y) for p in the_map.points}
    if len(ids) >= 2:
        a, b = fit_placement(np.stack([map_vectors[i] for i in ids]),
                             np.array([[p.x, p.y] for p in the_map.points if p.item_id in map_vectors]))
    else:  # no map to speak of: everything at its centre
        dim = len(result.terms[0].vector) if result.terms else 1
        a, b = np.zeros((dim, 2)), np.zeros(2)

    def placed(vector: np.ndarray) -> tuple[float, float]:
        x, y = np.asarray(vector, dtype=np.float64) @ a + b
        return float(x), float(y)

    terms, weights, points = [], [], []
    for term in result.terms:
        weight = term.term.sign * term.term.weight
        where = at.get(term.item.path) if term.item is not None else None
        spot = where if where is not None else placed(term.vector)
        terms.append((term.term.text, float(weight), *spot))
        weights.append(weight)
        points.append(spot)
    total = float(sum(weights))
    if terms and total > 1e-9:  # the expression done on the points: king - man + woman closes the parallelogram
        xy = (np.array(points) * np.array(weights)[:, None]).sum(axis=0) / total
        spot_of_result = (float(xy[0]), float(xy[1]))
    else:  # a difference alone ("a - b"): where the combined meaning would lie
        combined = np.sum([w * np.asarray(t.vector, dtype=np.float64) for w, t in zip(weights, result.terms,
                                                                                       strict=True)], axis=0)
        spot_of_result = placed(combined / max(float(np.linalg.norm(combined)), 1e-12)) if len(terms) else (0.0, 0.0)
    words = _around(spot_of_result, [(w, score, placed(word_vectors[w])) for w, score in result.words
                                     if w in word_vectors], points, _reach(the_map))
    files = tuple((r.hit.path, *at[r.hit.path]) for r in result.results if r.hit.path in at)
    return Overlay(tuple(terms), spot_of_result, words, files)


def _reach(the_map: SimilarityMap) -> float:
    if not the_map.points:
        return 1.0
    xy = np.array([[p.x, p.y] for p in the_map.points])
    return max(float(np.ptp(xy[:, 0])), float(np.ptp(xy[:, 1])), 1e-6) * ANSWER_REACH


def _around(centre: tuple[float, float], answers: list[tuple[str, float, tuple[float, float]]],
            terms: list[tuple[float, float]], reach: float) -> tuple[tuple[str, float, float], ...]:
    """Answer words about the result point: each in the direction its placement gives, at a distance
    from BEST_AT (the best score) to the whole ``reach`` (the weakest); all inside half the distance to
    the nearest term, so that no term looks like a better answer than the answers."""
    if not answers:
        return ()
    scores = [s for _, s, _ in answers]
    best, worst = max(scores), min(scores)
    nearest_term = min((float(np.hypot(x - centre[0], y - centre[1])) for x, y in terms), default=np.inf)
    scale = min(1.0, 0.5 * nearest_term / reach) if np.isfinite(nearest_term) and nearest_term > 0 else 1.0
    out = []
    for i, (word, score, (x, y)) in enumerate(answers):
        dx, dy = x - centre[0], y - centre[1]
        length = float(np.hypot(dx, dy))
        if length < 1e-9:  # placed on the result itself: a direction of its own
            dx, dy, length = float(np.cos(i * 2.4)), float(np.sin(i * 2.4)), 1.0
        share = (best - score) / (best - worst) if best > worst else 0.0
        distance = reach * scale * (BEST_AT + (1 - BEST_AT) * share)
        out.append((word, centre[0] + dx / length * distance, centre[1] + dy / length * distance))
    return tuple(out)
