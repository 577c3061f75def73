"""Groups on the map, named in words a person understands.

Groups are found on the 2-D layout (k-means, seeded), so a group is what the eye sees as one.
Each is named by the words that set its files apart: words frequent in its files' text (titles,
first passages, a picture's or song's description) and rare in the rest of the library, plus
the vocabulary word nearest the group's centre in meaning when the word answers are installed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

MAX_CLUSTERS = 40  # more names than this crowd a map rather than explain it
FILES_PER_CLUSTER = 12  # about how many files one named group holds on a small map
LABEL_WORDS = 3
_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_STOPWORD_TEXT = """
a about above after again against all also am an and any are aren't as at be because been before
being below between both but by can cannot could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself just let me more most my myself no nor not now of off on once only or other ought our ours
ourselves out over own same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up use used using very was we were what when
where which while who whom why will with would you your yours yourself yourselves one two three may
might must shall new get gets got make makes made like also many much well way ways see seen said
says return returns value values true false none object objects photo picture image music song songs
file files note notes page pages looks sounds next
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())  # words that name no group


def cluster_count(n: int) -> int:
    return max(1, min(MAX_CLUSTERS, round(n / FILES_PER_CLUSTER), n))


def find_clusters(positions: np.ndarray, seed: int = 7, tries: int = 3, rounds: int = 100) -> np.ndarray:
    """A cluster number for each point (0 … k-1), from its place on the map: k-means on the 2-D
    points (k-means++ starts, the best of ``tries``). In numpy: importing scikit-learn's KMeans took
    1.2 s and held the interpreter lock long enough to freeze the window for ~50 ms."""
    n = len(positions)
    k = cluster_count(n)
    if k <= 1:
        return np.zeros(n, dtype=np.int64)
    points = positions.astype(np.float64)
    rng = np.random.default_rng(seed)
    best, best_cost = np.zeros(n, dtype=np.int64), np.inf
    for _ in range(tries):
        centres = _plus_plus(points, k, rng)
        labels = np.zeros(n, dtype=np.int64)
        for _ in range(rounds):
            distances = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
            new_labels = distances.argmin(axis=1)
            if np.array_equal(new_labels, labels) and _ > 0:
                break
            labels = new_labels
            for c in range(k):
                members = points[labels == c]
                centres[c] = members.mean(axis=0) if len(members) else points[rng.integers(n)]
        cost = float(((points - centres[labels]) ** 2).sum())
        if cost < best_cost:
            best, best_cost = labels, cost
    # Numbered by size, biggest first: stable names for the same map.
    order = np.argsort(-np.bincount(best, minlength=k), kind="stable")
    return np.argsort(order)[best].astype(np.int64)


def _plus_plus(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ starting centres: each next one drawn with probability ∝ squared distance."""
    centres = [points[rng.integers(len(points))]]
    nearest = ((points - centres[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        total = nearest.sum()
        pick = rng.choice(len(points), p=nearest / total) if total > 0 else rng.integers(len(points))
        centres.append(points[pick])
        nearest = np.minimum(nearest, ((points - points[pick]) ** 2).sum(axis=1))
    return np.array(centres)


def words_of(text: str) -> set[str]:
    return {w.strip("'-") for w in _WORD.findall(text.lower())} - STOPWORDS


def distinctive_words(texts: Sequence[str], labels: np.ndarray, k: int) -> dict[int, list[str]]:
    """For each cluster, its words ranked by how much more often its files use them than the rest."""
    bags = [words_of(t) for t in texts]
    overall = Counter(w for bag in bags for w in bag)
    n = len(bags)
    out: dict[int, list[str]] = {}
    for c in range(k):
        members = [bags[i] for i in np.flatnonzero(labels == c)]
        inside = Counter(w for bag in members for w in bag)
        need = 2 if len(members) >= 4 else 1
        scored = [((count / len(members)) * math.log((n + 1) / overall[w]), w)
                  for w, count in inside.items() if count >= need]
        out[c] = [w for _, w in sorted(scored, key=lambda s: (-s[0], s[1]))[:LABEL_WORDS]]
    return out
