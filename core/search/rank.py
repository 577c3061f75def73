"""Search by meaning and find-similar, over every kind in one ranked list."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np

from nearby.core.errors import BadRequest
from nearby.core.inference.text_embedder import Embedder
from nearby.core.search.bm25 import KeywordMatch, keyword_matches
from nearby.core.search.calibration import (
    Background,
    backgrounds,
    capped,
    query_z,
    relevance_z,
    squash,
    z_of,
)
from nearby.core.search.hits import SearchHit, cosine_of, make_hit
from nearby.core.search.intent import intended_kind, intent_lift
from nearby.core.search.keywords import keyword_words, named_files, numbers
from nearby.core.search.look_words import LACKING_Z, LookRequest, look_request
from nearby.core.search.picture_words import Things, cannot_show, may_show_a_plant, query_things, seen_words
from nearby.core.search.plan import QuerySpace
from nearby.core.search.query import fts_phrase, parse_query
from nearby.core.search.song_words import Heard, heard, query_heard
from nearby.core.search.why import UNSEEN, explain, query_terms
from nearby.core.storage.items import ItemRow
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
# The keyword side's weights (core/search/bm25.py): a file holding every word of the query (BM25
# share ~1) rises by FUSION_Z, by nothing under SHARE_FLOOR (a query's commonest word alone: "the
# rules of cricket" and a note on grammar rules); one holding all of the query's keywords and numbers
# (the words the text model cannot read) by KEYWORD_FUSION_Z more. Shares past MAX_SHARE (a word
# repeated in a short passage) count as MAX_SHARE. Fitted on `python -m bench.hybrid_eval`
# (1-6 and 0-0.5) with `python -m bench.nothing_eval` watching the mixed list: more weight on
# descriptive words ranked every note that mentions a cat above the cat's photo, and lifted
# off-topic queries' stray words over the cut-off.
FUSION_Z = 2.0
KEYWORD_FUSION_Z = 4.0
SHARE_FLOOR = 0.3
MAX_SHARE = 1.2
# Scores (as z) that rules hold files to (core/search/calibration.py z_of):
NAMED_Z = z_of(0.7)  # at least, for a file whose name holds every word of the query
UNSEEN_Z = z_of(0.25)  # at most, for a picture or song that did not show what the query asks for
OTHER_KIND_Z = z_of(0.3)  # at most, for a file of another kind than the one the query names
CLEAR_SCORE_Z = z_of(0.5)  # at least, for a clear answer (_show_a_clear_answer)
# A file holding at least this share of the query's words says so in its why ("keywords").
WORDS_SHARE = 0.3
# A picture whose classifier put under this share of its top classes on the query's things (or,
# for a thing ImageNet has no class of, on its kin's classes) did not see them: it scores under the
# default cut-off (UNSEEN_Z; core/search/picture_words.py).
SEEN_SHARE = 0.1
# A picture whose classifier put this much of its belief on its top classes is sure of what it shows:
# asked about a thing ImageNet has no class for (a kitchen), it scores under the cut-off
# (core/search/picture_words.py cannot_show). Chosen among 0.6-0.9 with `python -m
# bench.picture_honesty`: 0.75 kept every present picture that none kept (the circuit board its
# classifier took, 70% sure, for a modem) and held the espresso photo under "a kitchen".
SURE_SHARE = 0.75
# A clear answer: the best document CLEAR_Z above this query's mean over the library's documents
# (in its spread) and CLEAR_GAP above the next file.
CLEAR_Z = 3.5
CLEAR_GAP = 1.4
# Pictures named by a colour-only query's words, looked up besides the nearest (core/search/look_words.py).
LOOK_CANDIDATES = 200


def search_vector(store: Store, query: np.ndarray, k: int = 10, kind: str | None = None, only: RowFilter = OPEN,
                  min_score: float = 0.0, samples: Mapping[str, np.ndarray] | None = None,
                  joint: Mapping[str, tuple[str, np.ndarray]] | None = None,
                  keywords: Mapping[int, KeywordMatch] | None = None,
                  strong: Mapping[int, KeywordMatch] | None = None, named: Mapping[int, float] | None = None,
                  favour: str | None = None, looks: LookRequest | None = None,
                  terms: Sequence[str] = (), things: Things | None = None,
                  sounds: Heard | None = None) -> list[SearchHit]:
    """Files nearest to a query, best passage per file, calibrated per kind.

    Args:
        query: the query in the text model's space (passage vectors).
        only: the rows that may answer (filters, exclusions, phrases): the true best k among them.
        samples: kind → a sample of its vectors, for the per-query part of the calibration.
        joint: kind → (vector table, query vector) for kinds searched in a joint model's space.
        keywords: item → its best passage by BM25 and that passage's share of the query's words
            (core/search/bm25.py): fused with the meaning side, FUSION_Z per share.
        strong: the same for the query's keywords alone (codes, names: core/search/keywords.py).
        named: item → the share of the query's words its file name holds (core/search/keywords.py).
        favour: a kind the query's words name, lifted by up to INTENT_Z, in proportion to the score
            (core/search/intent.py); the other kinds' files score at most OTHER_KIND_Z.
        looks: colour and light words the query asks for; pictures that have them are lifted
            (core/search/look_words.py).
        terms: the query's words, looked for in each hit to say why it matched (core/search/why.py).
        things: the ImageNet classes the query's things would show as (core/search/picture_words.py):
            a picture whose classifier saw none of them scores at most UNSEEN_Z.
        sounds: the instruments (and things) the query asks a song to sound like
            (core/search/song_words.py): a song whose tags heard none of them scores at most UNSEEN_Z.

    Each kind is searched separately (its own KNN), so a kind whose raw cosines run low is not
    crowded out before calibration; the lists are then merged by calibrated score.
    """
    kinds = [kind] if kind else _kinds_present(store, samples)
    norms = backgrounds(store)
    best: _Best = {}
    reasons: _Reasons = {}
    pictures: list[int] = []
    described: list[int] = []  # pictures reached through their description (their classes)
    judged: dict[str, tuple[Background, tuple[float, float] | None]] = {}  # kind → its calibration
    for each in kinds:
        table, vector = (joint or {}).get(each, (PASSAGE_VECTORS, query))
        background = norms.get(each) or Background(each, 0.0, 1.0)
        stats = query_z(vector, (samples or {}).get(each))
        judged[each] = (background, stats)
        bridged = table == PASSAGE_VECTORS
        found = nearest_files(store, table, vector, max(k, 2) if each == "document" else k, each, only)
        # The text read in a picture (its passages after the description) is text, scored as a document's.
        places = store.passage_places([n.rowid for n in found]) if bridged and each != "document" else {}
        for n in found:
            if n.item_id in best:
                continue
            cosine = cosine_of(n.distance)
            passage = n.rowid if bridged else None
            if places.get(n.rowid, 0) > 0:
                z = relevance_z("document", cosine, norms.get("document") or Background("document", 0.0, 1.0), None)
            else:
                z = relevance_z(each, cosine, background, stats, bridged=bridged)
                if each in ("image", "song") and bridged:
                    described.append(n.item_id)
            best[n.item_id] = (z + intent_lift(z) if each == favour else z, cosine, passage)
            reasons[n.item_id] = ["meaning"]
            if each == "image":
                pictures.append(n.item_id)
        if each == "document" and bridged and stats is not None and found:
            _show_a_clear_answer(best, found, stats)
    # The keyword side first, the pictures' own evidence (colours, classes) last: a cap is a cap.
    for item, each in _fuse_keywords(store, query, best, reasons, keywords or {}, strong or {}, named or {},
                                     judged, norms):
        described.append(item)
        if each == "image":
            pictures.append(item)
    if looks is not None and looks.only and "image" in judged and "image" not in (joint or {}):
        _add_look_candidates(store, query, best, pictures, looks, *judged["image"], only)
        described += [item for item in pictures if item not in described]
    # The rows the rules below read (each once): the pictures for colours, the pictures and songs
    # for their classes and tags, every candidate for the kind a query names.
    wanted = {*(pictures if looks is not None else ()), *(described if things or sounds else ()),
              *(best if favour is not None else ())}
    rows = store.items_by_ids(list(wanted)) if wanted else {}
    if looks is not None:
        before = {item: best[item][0] for item in pictures}
        _lift_looks(rows, best, pictures, looks)
        for item in pictures:
            if best[item][0] > before[item] or item not in reasons:
                reasons[item] = [*reasons.get(item, []), "colours"]
    if things is not None or sounds is not None:
        _judge_pictures(rows, best, reasons, described, things, sounds)
    if looks is not None:  # last: a picture lacking the colours asked for stays capped, however it came
        _cap_lacking(rows, best, pictures, looks)
    if favour is not None:
        _cap_other_kinds(rows, best, favour)
    return _ranked_hits(store, best, k, min_score, reasons, terms, rows)


def nearest_files(store: Store, table: str, vector: np.ndarray, k: int, kind: str | None,
                  only: RowFilter = OPEN) -> list[Neighbour]:
    """The k files nearest a vector, each by its nearest row (passage), best first.

    Several passages of one document often rank together, so more passages than files are asked
    for, and more again while the passages found name fewer than k files: the first k files in
    the order of the true nearest passages are the true nearest k files.
    """
    if table == PASSAGE_VECTORS:
        grouped = store.nearest_passage_items(vector, k, kind, only)  # the side index groups them itself
        if grouped is not None:
            return grouped
    wanted = max(MIN_PASSAGES, k * PASSAGES_PER_HIT) if table == PASSAGE_VECTORS else k
    while True:
        found = store.knn(table, vector, wanted, kind, only)
        files: dict[int, Neighbour] = {}
        for n in found:
            files.setdefault(n.item_id, n)
        if len(files) >= k or len(found) < wanted:
            return list(files.values())[:k]
        wanted *= 4


def _show_a_clear_answer(best: _Best, found: Sequence[Neighbour], stats: tuple[float, float]) -> None:
    """The best document, when it stands far above this query's other documents (CLEAR_Z of the
    query's own spread over the library's documents, CLEAR_GAP above the next file), is a good
    match whatever the background says: in a small library of short notes every note is a little
    like every everyday query, and the journal entry about a terrier on Camber Sands scored 0.19
    for "a dog on the beach"."""
    mean, spread = stats
    first = cosine_of(found[0].distance)
    second = cosine_of(found[1].distance) if len(found) > 1 else mean
    if (first - mean) / spread >= CLEAR_Z and (first - second) / spread >= CLEAR_GAP:
        z, cosine, passage = best[found[0].item_id]
        best[found[0].item_id] = (max(z, CLEAR_SCORE_Z), cosine, passage)


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


def _cap_other_kinds(rows: Mapping[int, ItemRow], best: _Best, favour: str) -> None:
    """A query that names a kind ("a song about the sea", "photos of my wedding", "the note about the
    cat's vaccination") is answered by that kind: another kind's file, however close in words (the
    note about rising sea levels), scores at most OTHER_KIND_Z — shown among the weaker ones."""
    for item, row in rows.items():
        if item in best and row.kind != favour:
            z, cosine, passage = best[item]
            best[item] = (capped(z, OTHER_KIND_Z), cosine, passage)


def _cap_lacking(rows: Mapping[int, ItemRow], best: _Best, pictures: list[int], looks: LookRequest) -> None:
    for item in pictures:
        if item in rows and looks.lacks(json.loads(rows[item].meta)):
            z, cosine, passage = best[item]
            best[item] = (capped(z, LACKING_Z), cosine, passage)


def _lift_looks(rows: Mapping[int, ItemRow], best: _Best, pictures: list[int], looks: LookRequest) -> None:
    for item in pictures:
        if item in rows:
            z, cosine, passage = best[item]
            best[item] = (looks.lift(z, json.loads(rows[item].meta)), cosine, passage)


def _fuse_keywords(store: Store, query: np.ndarray, best: _Best, reasons: _Reasons,
                   keywords: Mapping[int, KeywordMatch], strong: Mapping[int, KeywordMatch],
                   named: Mapping[int, float],
                   judged: Mapping[str, tuple[Background, tuple[float, float] | None]],
                   norms: Mapping[str, Background]) -> list[tuple[int, str]]:
    """The keyword side fused in (core/search/bm25.py): each file's z rises by FUSION_Z times its
    BM25 share of the query's words, and by KEYWORD_FUSION_Z times its share of the query's
    keywords (codes, names, words the text model does not know: core/search/keywords.py) or of
    the words its file name holds, whichever is larger. Words the model knows weigh little: it
    already ranks by them (a note saying "cat" is near "a cat" in meaning, and weighing the word
    again ranked every note mentioning a cat above the cat's photo); a code or a name it cannot
    read weighs a lot. A file that meaning alone did not bring near joins with its matching
    passage's own calibrated score. Returns (item, kind) of the pictures and songs it brought in
    through their descriptions (to be judged by their classes and tags)."""
    added: list[tuple[int, str]] = []
    found = {**strong, **keywords}
    missing = [m.passage for item, m in found.items() if item not in best]
    vectors = store.passage_vectors(missing) if missing else {}
    for item in {*found, *named}:
        text = min(keywords[item].share, MAX_SHARE) if item in keywords else 0.0
        key = min(strong[item].share, MAX_SHARE) if item in strong else 0.0
        name = named.get(item, 0.0)
        if item not in best:
            match = found.get(item)
            if match is not None and match.passage in vectors:
                cosine = float(vectors[match.passage] @ query)
                kind = "document" if match.place > 0 else match.kind  # text read in a picture is text
                background, stats = judged.get(kind) or (norms.get(kind) or Background(kind, 0.0, 1.0), None)
                best[item] = (relevance_z(kind, cosine, background, stats), cosine, match.passage)
                if kind != "document":
                    added.append((item, kind))
            else:  # named, not near in meaning: as unrelated as the background, then its name weighs
                background = norms.get("document") or Background("document", 0.0, 1.0)
                best[item] = (relevance_z("document", background.mean, background, None), 0.0, None)
            reasons[item] = []
        z, cosine, passage = best[item]
        z += FUSION_Z * max(0.0, text - SHARE_FLOOR) / (1 - SHARE_FLOOR) + KEYWORD_FUSION_Z * max(key, name)
        # A file name holding the whole query ("zephyr" → zephyr-roadmap.txt) is what was asked for.
        best[item] = (max(z, NAMED_Z) if name >= 1.0 else z, cosine, passage)
        if max(text, key) >= WORDS_SHARE:
            reasons[item] = [*reasons[item], "keywords"]
        if name >= WORDS_SHARE and name >= max(text, key):
            reasons[item] = [*reasons[item], "file name"]
        if not reasons[item]:
            reasons[item] = ["keywords"]
    return added


def _judge_pictures(rows: Mapping[int, ItemRow], best: _Best, reasons: _Reasons, described: Sequence[int],
                    things: Things | None, sounds: Heard | None) -> None:
    """Pictures and songs reached through their classes and tags, judged by them. A picture whose
    classifier put under SEEN_SHARE of its belief on each of the query's things (a horse drawing for
    "a giraffe"), or a song whose tags heard none of the query's instruments (a saxophone, which no
    tag names), scores at most UNSEEN_Z: close in words, not what the query asks for. A picture
    that saw some of them is fused like a document holding those words (_fuse_keywords): the
    classifier's "missile" is the picture's word "rocket", which its description does not hold."""
    for item in dict.fromkeys(described):
        row = rows.get(item)
        if row is None or item not in best:
            continue
        meta = json.loads(row.meta or "{}")
        z, cosine, passage = best[item]
        labels = meta.get("labels") or []
        if row.kind == "song":
            if sounds is not None and not heard(sounds, labels):
                best[item] = (capped(z, UNSEEN_Z), cosine, passage)
                reasons[item] = [*reasons.get(item, []), UNSEEN + ", ".join(sounds.words)]
            continue
        if things is None:
            continue
        shares = meta.get("label_shares") or []
        if cannot_show(things, labels, shares, SURE_SHARE):
            best[item] = (capped(z, UNSEEN_Z), cosine, passage)
            reasons[item] = [*reasons.get(item, []), UNSEEN + ", ".join(things.unseeable)]
            continue
        seen = seen_words(things, labels, shares, SEEN_SHARE) if things.words else None
        if seen is None:
            continue
        if not seen:
            if not may_show_a_plant(things, labels):  # (one that did gets no verdict: a potted plant)
                best[item] = (capped(z, UNSEEN_Z), cosine, passage)
                reasons[item] = [*reasons.get(item, []), UNSEEN + ", ".join(things.words)]
            continue
        share = len(seen) / things.units
        best[item] = (z + FUSION_Z * max(0.0, share - SHARE_FLOOR) / (1 - SHARE_FLOOR), cosine, passage)


def _kinds_present(store: Store, samples: Mapping[str, np.ndarray] | None) -> list[str]:
    # The samples, when given, are keyed by the kinds present: no need to ask the library.
    return list(samples) if samples is not None else store.kinds_present()


_Best = dict[int, tuple[float, float, int | None]]  # item → (calibrated z, cosine, best passage id)
_Reasons = dict[int, list[str]]  # item → how it got into the list ("meaning", "keywords", …)


def _ranked_hits(store: Store, best: _Best, k: int, min_score: float, reasons: _Reasons | None = None,
                 terms: Sequence[str] = (), rows: Mapping[int, ItemRow] | None = None) -> list[SearchHit]:
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
    ranked = [(i, v) for i, v in ranked if squash(v[0]) >= min_score][:k]
    missing = [i for i, _ in ranked if i not in (rows or {})]
    items = {**(rows or {}), **(store.items_by_ids(missing) if missing else {})}
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
    keywords = keyword_matches(store, parsed.meaning, kind, only)
    words = keyword_words(store, embedder, parsed.meaning)
    unread = [*words, *numbers(parsed.meaning)]  # what the text model cannot read: codes, names, numbers
    strong = keyword_matches(store, " ".join(unread), kind, only, query=parsed.meaning) if unread else {}
    named = named_files(store, words, kind, only, parsed.meaning)
    looks = look_request(parsed.meaning) if kind in (None, "image") else None
    things = query_things(parsed.meaning) if kind in (None, "image") and "image" not in joint else None
    sounds = query_heard(parsed.meaning) if kind in (None, "song") and "song" not in joint else None
    return search_vector(store, vector, k, kind, only, min_score, samples=samples, joint=joint, keywords=keywords,
                         strong=strong, named=named, favour=None if kind else intended_kind(parsed.meaning),
                         looks=looks, terms=terms, things=things, sounds=sounds)
