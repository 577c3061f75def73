"""Search by meaning and find-similar, over every kind in one ranked list."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np

from nearby.core.errors import BadRequest
from nearby.core.inference.text_embedder import Embedder
from nearby.core.search.calibration import Background, backgrounds, query_z, relevance_z, squash
from nearby.core.search.hits import SearchHit, cosine_of, make_hit
from nearby.core.search.intent import intended_kind, intent_lift
from nearby.core.search.keywords import KEYWORD_Z, STEP_Z, keyword_items, keyword_words
from nearby.core.search.look_words import LookRequest, look_request
from nearby.core.search.plan import QuerySpace
from nearby.core.search.query import fts_phrase, parse_query
from nearby.core.search.why import explain, query_terms
from nearby.core.storage.row_filter import OPEN, RowFilter, id_array
from nearby.core.storage.store import Store
from nearby.core.storage.vectors import PASSAGE_VECTORS, Neighbour

# Passages fetched per wanted file: several passages of one document often rank together, and
# the result list is one line per file, so ask for more passages than files.
PASSAGES_PER_HIT = 8
MIN_PASSAGES = 64
# Longer queries are refused: a text model reads the first ~256 word pieces (a paragraph), and
# SQLite refuses LIKE patterns past 50,000 bytes ("pattern too complex").
MAX_QUERY_CHARS = 10_000
# Pictures named by a colour-only query's words, looked up besides the nearest (core/search/look_words.py).
LOOK_CANDIDATES = 200


def search_vector(store: Store, query: np.ndarray, k: int = 10, kind: str | None = None, only: RowFilter = OPEN,
                  min_score: float = 0.0, samples: Mapping[str, np.ndarray] | None = None,
                  joint: Mapping[str, tuple[str, np.ndarray]] | None = None,
                  keyword_hits: Sequence[tuple[int, int | None]] = (),
                  favour: str | None = None, looks: LookRequest | None = None,
                  terms: Sequence[str] = ()) -> list[SearchHit]:
    """Files nearest to a query, best passage per file, calibrated per kind.

    Args:
        query: the query in the text model's space (passage vectors).
        only: the rows that may answer (filters, exclusions, phrases): the true best k among them.
        samples: kind → a sample of its vectors, for the per-query part of the calibration.
        joint: kind → (vector table, query vector) for kinds searched in a joint model's space.
        keyword_hits: (item, passage) of files holding the query's keywords, best first: each is
            lifted to at least the keyword score (core/search/keywords.py).
        favour: a kind the query's words name, lifted by up to INTENT_Z, in proportion to the score
            (core/search/intent.py).
        looks: colour and light words the query asks for; pictures that have them are lifted
            (core/search/look_words.py).
        terms: the query's words, looked for in each hit to say why it matched (core/search/why.py).

    Each kind is searched separately (its own KNN), so a kind whose raw cosines run low is not
    crowded out before calibration; the lists are then merged by calibrated score.
    """
    kinds = [kind] if kind else _kinds_present(store, samples)
    norms = backgrounds(store)
    best: _Best = {}
    reasons: _Reasons = {}
    pictures: list[int] = []
    judged: dict[str, tuple[Background, tuple[float, float] | None]] = {}  # kind → its calibration
    for each in kinds:
        table, vector = (joint or {}).get(each, (PASSAGE_VECTORS, query))
        background = norms.get(each) or Background(each, 0.0, 1.0)
        stats = query_z(vector, (samples or {}).get(each))
        judged[each] = (background, stats)
        for n in nearest_files(store, table, vector, k, each, only):
            if n.item_id in best:
                continue
            cosine = cosine_of(n.distance)
            passage = n.rowid if table == PASSAGE_VECTORS else None
            z = relevance_z(each, cosine, background, stats, bridged=table == PASSAGE_VECTORS)
            best[n.item_id] = (z + intent_lift(z) if each == favour else z, cosine, passage)
            reasons[n.item_id] = ["meaning"]
            if each == "image":
                pictures.append(n.item_id)
    if looks is not None:
        if looks.only and "image" in judged and "image" not in (joint or {}):
            _add_look_candidates(store, query, best, pictures, looks, *judged["image"], only)
        before = {item: best[item][0] for item in pictures}
        _lift_looks(store, best, pictures, looks)
        for item in pictures:
            if best[item][0] > before[item] or item not in reasons:
                reasons[item] = [*reasons.get(item, []), "colours"]
    _lift_keyword_hits(store, query, best, keyword_hits)
    for item, passage in keyword_hits:
        reasons[item] = [*reasons.get(item, []), "keywords" if passage is not None else "file name"]
    return _ranked_hits(store, best, k, min_score, reasons, terms)


def nearest_files(store: Store, table: str, vector: np.ndarray, k: int, kind: str | None,
                  only: RowFilter = OPEN) -> list[Neighbour]:
    """The k files nearest a vector, each by its nearest row (passage), best first.

    Several passages of one document often rank together, so more passages than files are asked
    for, and more again while the passages found name fewer than k files: the first k files in
    the order of the true nearest passages are the true nearest k files.
    """
    wanted = max(MIN_PASSAGES, k * PASSAGES_PER_HIT) if table == PASSAGE_VECTORS else k
    while True:
        found = store.knn(table, vector, wanted, kind, only)
        files: dict[int, Neighbour] = {}
        for n in found:
            files.setdefault(n.item_id, n)
        if len(files) >= k or len(found) < wanted:
            return list(files.values())[:k]
        wanted *= 4


def _add_look_candidates(store: Store, query: np.ndarray, best: _Best, pictures: list[int], looks: LookRequest,
                         background: Background, stats: tuple[float, float] | None, only: RowFilter) -> None:
    """Pictures whose description names the colours a colour-only query asks for, though their
    meaning alone did not bring them near ("something green" and a circuit board): they are
    as much the answer as the nearest ones."""
    phrase = " AND ".join(fts_phrase(word) for word in sorted(looks.words))
    found: list[tuple[int, int]] = []
    for passage, item in store.passages_of_kind_containing(phrase, "image"):
        if item not in best and only.allows(item, passage):
            found.append((passage, item))
            if len(found) >= LOOK_CANDIDATES:
                break
    vectors = store.passage_vectors([passage for passage, _ in found])
    for passage, item in found:
        if passage in vectors and item not in best:
            cosine = float(vectors[passage] @ query)
            z = relevance_z("image", cosine, background, stats)
            best[item] = (z, cosine, passage)
            pictures.append(item)


def _lift_looks(store: Store, best: _Best, pictures: list[int], looks: LookRequest) -> None:
    for item, row in store.items_by_ids(pictures).items():
        z, cosine, passage = best[item]
        best[item] = (looks.lift(z, json.loads(row.meta)), cosine, passage)


def _lift_keyword_hits(store: Store, query: np.ndarray, best: _Best,
                       keyword_hits: Sequence[tuple[int, int | None]]) -> None:
    """Files holding the query's keywords go first, in their order, however close in meaning the
    others are (near-copies of a note with another invoice number are closer to the number typed
    than most notes): at least KEYWORD_Z, and above every other file."""
    if not keyword_hits:
        return
    lifted = {item for item, _ in keyword_hits}
    others = max((v[0] for item, v in best.items() if item not in lifted), default=KEYWORD_Z)
    top = max(KEYWORD_Z, others + STEP_Z) + STEP_Z * len(keyword_hits)
    missing = [p for item, p in keyword_hits if p is not None and item not in best]
    vectors = store.passage_vectors(missing) if missing else {}
    for rank, (item, passage) in enumerate(keyword_hits):
        floor = top - STEP_Z * rank
        if item in best:
            z, cosine, kept = best[item]
            best[item] = (max(z, floor), cosine, passage if passage is not None and z < floor else kept)
        else:
            cosine = float(vectors[passage] @ query) if passage in vectors else 0.0
            best[item] = (floor, cosine, passage)


def _kinds_present(store: Store, samples: Mapping[str, np.ndarray] | None) -> list[str]:
    # The samples, when given, are keyed by the kinds present: no need to ask the library.
    return list(samples) if samples is not None else store.kinds_present()


_Best = dict[int, tuple[float, float, int | None]]  # item → (calibrated z, cosine, best passage id)
_Reasons = dict[int, list[str]]  # item → how it got into the list ("meaning", "keywords", …)


def _ranked_hits(store: Store, best: _Best, k: int, min_score: float, reasons: _Reasons | None = None,
                 terms: Sequence[str] = ()) -> list[SearchHit]:
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
    ranked = [(i, v) for i, v in ranked if squash(v[0]) >= min_score][:k]
    items = store.items_by_ids([i for i, _ in ranked])
    passages = store.passages_by_ids([v[2] for _, v in ranked if v[2] is not None])
    # A file deleted by a writer between the vector look-up and these reads is left out.
    return [explain(make_hit(items[i], squash(z), cos,
                             *(passages[rowid] if rowid is not None else store.first_passage(i))),
                    (reasons or {}).get(i, ["meaning"]), terms)
            for i, (z, cos, rowid) in ranked if i in items and (rowid is None or rowid in passages)]


def search_within(store: Store, query: np.ndarray, required: Sequence[str], k: int = 10, kind: str | None = None,
                  only: RowFilter = OPEN, min_score: float = 0.0,
                  samples: Mapping[str, np.ndarray] | None = None, terms: Sequence[str] = ()) -> list[SearchHit]:
    """Like search_vector, among the passages that contain every required phrase (all of them,
    however many: the phrase's passages are the allowed rows of the search)."""
    matches = list(store.passages_containing(" AND ".join(fts_phrase(p) for p in required), ranked=False))
    within = only.narrowed(passages=id_array(m[0] for m in matches))
    kinds = sorted({m[2] for m in matches if kind is None or m[2] == kind})
    norms = backgrounds(store)
    best: _Best = {}
    for each in kinds:
        background = norms.get(each) or Background(each, 0.0, 1.0)
        stats = query_z(query, (samples or {}).get(each))
        for n in nearest_files(store, PASSAGE_VECTORS, query, k, each, within):
            cosine = cosine_of(n.distance)
            best[n.item_id] = (relevance_z(each, cosine, background, stats), cosine, n.rowid)
    return _ranked_hits(store, best, k, min_score, dict.fromkeys(best, ["phrase", "meaning"]),
                        [*required, *terms])


def items_containing(store: Store, phrases: Sequence[str]) -> np.ndarray:
    """Items with a passage containing any of the phrases (for -"excluded" phrases), every one of
    them: sorted ids."""
    if not phrases:
        return id_array(())
    query = " OR ".join(fts_phrase(p) for p in phrases)
    return id_array(item for _, item, _ in store.passages_containing(query, ranked=False))


def search(store: Store, embedder: Embedder, query: str, k: int = 10, kind: str | None = None,
           min_score: float = 0.0, samples: Mapping[str, np.ndarray] | None = None,
           spaces: Mapping[str, QuerySpace] | None = None, only: RowFilter = OPEN) -> list[SearchHit]:
    """Rank indexed files of every kind by how close they are in meaning to ``query``.

    Args:
        query: words, matched by meaning; "quoted phrases" every result must contain and
            -words or -"phrases" none may contain. A query of nothing else gives no results.
        k: at most this many files.
        kind: only files of this kind ("document", "image", "song").
        min_score: leave out files scoring under this (0 keeps every file).
        samples: see search_vector.
        spaces: kinds with a joint model, searched in that model's space.
        only: the files (and passages) a result may come from: a folder, file type or date filter
            (core/search/filters.py). The best k among them, however few they are.
    """
    if len(query) > MAX_QUERY_CHARS:
        raise BadRequest(f"The query is {len(query):,} characters long; at most {MAX_QUERY_CHARS:,} are read. "
                         "Shorten it, or put the text in a file and find what is like it: nearby similar FILE.")
    parsed = parse_query(query)
    if not parsed.text_for_meaning.strip():
        return []
    only = only.narrowed(not_items=items_containing(store, parsed.excluded))
    if only.is_empty:
        return []
    vector = embedder.embed_one(parsed.text_for_meaning)
    terms = query_terms(parsed.meaning)
    if parsed.required:
        return search_within(store, vector, parsed.required, k, kind, only, min_score, samples, terms)
    joint = {each: (space.table, space.embed([parsed.meaning])[0]) for each, space in (spaces or {}).items()}
    hits = keyword_items(store, keyword_words(store, embedder, parsed.meaning), kind, only, parsed.meaning)
    looks = look_request(parsed.meaning) if kind in (None, "image") else None
    return search_vector(store, vector, k, kind, only, min_score, samples=samples, joint=joint, keyword_hits=hits,
                         favour=None if kind else intended_kind(parsed.meaning), looks=looks, terms=terms)
