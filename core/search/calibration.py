"""Making scores from different kinds comparable, so one list can interleave them.

A document passage and a picture's bridged vector both live in the text space, but their
cosines with a query follow different distributions: a bridged vector is a blend of class
names, so every query scores it a little (high mean, small spread), while prose scores near
zero for unrelated queries. Raw cosines would rank every picture above every weak document or
the reverse. So each kind gets a background distribution: the cosines between a fixed set of
everyday queries and a sample of that kind's vectors. A hit's score is its z-score against its
own kind's background (how unusual this closeness is for that kind), squashed into [0, 1].
The backgrounds are measured at the end of each indexing run and stored in the library.

A fixed background alone over-rewards a kind that a query is "about": every song is music, so
a music query sits far above the song background for every song, and would push a relevant
document below all of them. So a hit must also stand out within its own kind for this very
query: the final z is the smaller of the two z-scores (against the kind's background, and
against this query's scores over a sample of the kind).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from nearby.core.inference.text_embedder import Embedder
from nearby.core.storage.store import Store
from nearby.core.storage.vectors import PASSAGE_VECTORS
from nearby.models.catalog import EFFICIENTNET_LITE2, MINILM, MODELS, MUSICNN_MTT

# Vectors sampled per kind: enough for a stable mean and spread, cheap to read (~50 ms).
SAMPLE = 2000
MIN_SAMPLE = 5
# Vectors per kind kept in memory for the per-query z-score: 512 × 384 floats = 0.8 MB a kind.
QUERY_SAMPLE = 512
# z = Z_MID maps to 0.5: three standard deviations above the background is a plausible match.
Z_MID = 3.0
Z_SPREAD = 1.5
# Where a hit of each kind is as likely a good match as not (its z against the kind's background
# and the query), and how many z a step of the curve is. One z means different things per kind:
# a document's best unrelated passage, the best of thousands, sits 2-5 z above the background,
# a relevant one 8-11; a picture's or song's vector, a blend of class names through the text
# space, moves much less: relevant ones 1.2-5.6 z, unrelated ones under 1. Fitted on
# `python -m bench.nothing_eval` (the eval pictures, songs, look-alike notes and 200 prose files;
# off-topic queries) so that a score of 0.5 means "a good match" for every kind. Pictures: refitted
# (1.6, 0.8 → 1.2, 0.6) when their vectors began mixing 50 classes, which moves them less, and to
# (1.2, 0.5) when colour words joined them (spread 0.5 gave the same counts for midpoints 1.0-1.3;
# 0.6 and 0.7 lost "a cat" to a note about a cat's vaccination by 0.01). Kinds searched
# in a joint model's own space keep the plain curve (Z_MID, Z_SPREAD).
RELEVANT_AT = {"image": (1.2, 0.5), "song": (1.6, 0.8)}
# Documents: against the background alone (a small library's per-query sample is too small to
# judge by), with the midpoint moving with the number of documents N as the best of N unrelated
# scores does, by sqrt(2 ln N): DOCUMENT_BASE + sqrt(2 ln N), 6.0 at the eval's 215 documents.
DOCUMENT_BASE = 2.7
DOCUMENT_SIZE = 215  # until a library has measured its own
# Until a kind has enough items of its own: the background its default model's spec records.
DEFAULTS = {kind: (spec.background.mean, spec.background.std)
            for kind, spec in (("document", MINILM), ("image", EFFICIENTNET_LITE2), ("song", MUSICNN_MTT))
            if spec.background is not None}

BACKGROUND_QUERIES = (
    "weather forecast for tomorrow", "how to cook rice", "meeting notes", "birthday party", "the cat",
    "invoice from the plumber", "a walk in the park", "football results", "tax return", "summer holiday",
    "music playlist", "car insurance", "a recipe with chocolate", "family photos", "job interview",
    "train timetable", "learning to play guitar", "the history of Rome", "doctor appointment",
    "a mountain landscape", "wedding", "how to fix a bicycle", "quarterly sales report", "a dog on the beach",
    "bank statement", "gardening tips", "a city at night", "homework", "christmas", "a poem about love",
    "printer manual", "old friends", "a red car", "space exploration", "the ocean", "children playing",
    "project plan", "coffee", "a bird in a tree", "computer programming", "flowers", "rent contract",
    "a concert", "snow", "breakfast", "a funny story", "science experiment", "the news", "shopping list",
    "a portrait of a woman", "sunset", "moving house", "electricity bill", "a painting", "running shoes",
    "vacation in Italy", "university lecture", "a horse", "kitchen renovation", "thank you letter",
    "the moon", "board games", "a bridge over a river", "password reset",
)


@dataclass(frozen=True)
class Background:
    kind: str
    mean: float
    std: float
    size: int = 0  # files of the kind it was measured over (0: unknown)

    def z(self, cosine: float) -> float:
        return (cosine - self.mean) / self.std


def query_z(query: np.ndarray, sample: np.ndarray | None) -> tuple[float, float] | None:
    """(mean, std) of this query's cosines over a kind's sample, or None if too few to judge."""
    if sample is None or len(sample) < MIN_SAMPLE:
        return None
    scores = sample @ query
    return float(scores.mean()), max(float(scores.std()), 1e-3)


def combined_z(cosine: float, background: Background, query_stats: tuple[float, float] | None) -> float:
    z = background.z(cosine)
    if query_stats is None:
        return z
    return min(z, (cosine - query_stats[0]) / query_stats[1])


def relevance_z(kind: str, cosine: float, background: Background, query_stats: tuple[float, float] | None,
                bridged: bool = True) -> float:
    """A hit's z on the common scale, where Z_MID means "as likely a good match as not" for every
    kind (see RELEVANT_AT, DOCUMENT_BASE); a kind in a joint model's own space (``bridged`` False)
    keeps the plain combined z."""
    if bridged and kind == "document":
        size = background.size or DOCUMENT_SIZE
        return Z_MID + background.z(cosine) - DOCUMENT_BASE - math.sqrt(2 * math.log(max(size, 2)))
    z = combined_z(cosine, background, query_stats)
    if not bridged or kind not in RELEVANT_AT:
        return z
    mid, spread = RELEVANT_AT[kind]
    return Z_MID + (z - mid) * Z_SPREAD / spread


def capped(z: float, cap: float) -> float:
    """A z held under ``cap`` in its order: one z under the cap and below is kept; above, it bends
    towards the cap, higher the higher it was (a list of capped files is not a flat column of one
    score)."""
    return z if z <= cap - 1.0 else cap - math.exp(-(z - cap + 1.0))


def z_of(score: float) -> float:
    """The z a score in (0, 1) squashes from (squash's inverse)."""
    return Z_MID + Z_SPREAD * math.log(score / (1 - score))


def squash(z: float) -> float:
    """z-score → [0, 1], monotone, 0.5 at Z_MID."""
    return 1.0 / (1.0 + math.exp(-(z - Z_MID) / Z_SPREAD))


def measure(store: Store, embedder: Embedder, kinds: list[str],
            spaces: Mapping[str, tuple[str, Callable[[Sequence[str]], np.ndarray]]] | None = None) -> list[Background]:
    """Background of each kind with enough vectors in the library; keeps each kind's random
    sample (its first QUERY_SAMPLE rows) in the library for the searches' per-query part.

    ``spaces`` maps a kind searched in a joint model's space to (its vector table, its text tower).
    Call with a writable store.
    """
    queries: np.ndarray | None = None
    out = []
    for kind in kinds:
        table, embed = (spaces or {}).get(kind, (PASSAGE_VECTORS, None))
        sample = store.sample_vectors(kind, SAMPLE, table)
        with store.transaction():
            store.save_sample(kind, table, sample[:QUERY_SAMPLE])
        if len(sample) < MIN_SAMPLE:
            continue
        if embed is not None:
            scores = embed(list(BACKGROUND_QUERIES)) @ sample.T
        else:
            if queries is None:
                queries = background_query_vectors(store, embedder)
            scores = queries @ sample.T
        out.append(Background(kind, float(scores.mean()), max(float(scores.std()), 1e-3), store.kind_size(kind)))
    return out


def background_query_vectors(store: Store, embedder: Embedder) -> np.ndarray:
    """The background queries' vectors, embedded once per model and kept in the library (embedding
    them took ~0.8 s of every index run that changed anything)."""
    model = f"{embedder.name}@{embedder.version}"
    kept = store.query_vectors(model, BACKGROUND_QUERIES)
    missing = [q for q in BACKGROUND_QUERIES if q not in kept]
    if missing:
        fresh = dict(zip(missing, embedder.embed(missing), strict=True))
        with store.transaction():
            store.save_query_vectors(model, fresh)
        kept.update(fresh)
    return np.stack([kept[q] for q in BACKGROUND_QUERIES])


def backgrounds(store: Store) -> dict[str, Background]:
    """Stored backgrounds, with the defaults for kinds not measured yet."""
    found = {kind: Background(kind, mean, std, size) for kind, mean, std, size in store.backgrounds()}
    # Documents: the library's own text model's background (the defaults are MiniLM's).
    info = store.model_info()
    spec = MODELS.get(info[0]) if info else None
    if spec is not None and spec.background is not None:
        found.setdefault("document", Background("document", spec.background.mean, spec.background.std))
    for kind, (mean, std) in DEFAULTS.items():
        found.setdefault(kind, Background(kind, mean, std))
    return found
