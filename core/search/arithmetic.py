"""Concept arithmetic: `king - man + woman` → queen; `Paris - France + Italy` → the note on Rome;
`"beach.jpg" + snow - summer` → the winter pictures. And compare: how close two things are.

Words answer in the joined word space (core/search/words.py). Files answer in the text model's
space, where documents, and pictures and songs through their bridge vectors, all live. The files
are ranked by a balanced product (3CosMul, Levy & Goldberg 2014) rather than by closeness to the
sum: with a sum, one strong term wins alone (the note about Paris tops "Paris - France + Italy");
with the product a file must be close to every added term and far from every subtracted one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nearby.core.errors import BadRequest, NotIndexed
from nearby.core.files import exists, is_file
from nearby.core.inference.text_embedder import Embedder
from nearby.core.search.answer_words import offered
from nearby.core.search.expression import ExpressionError, Term, parse_expression
from nearby.core.search.hits import SearchHit, make_hit
from nearby.core.search.rank import search_vector
from nearby.core.search.why import explain
from nearby.core.search.words import WordSpace, tokens
from nearby.core.storage.items import ItemRow
from nearby.core.storage.row_filter import OPEN, id_array
from nearby.core.storage.store import Store

# Files looked at per expression before the balanced ranking: the sum's nearest, plus each added term's.
CANDIDATES = 200
# Keeps the product finite when a file is as far as can be from a subtracted term (3CosMul's ε).
EPSILON = 1e-3
ITEM_VECTORS = "item_vectors"
# Answers fetched beyond those shown, so that some left out (core/search/answer_words.py) still leave n.
FILTER_SPARE = 20


@dataclass(frozen=True)
class Resolved:
    """A term with what it stands for: a file of the library, or words."""

    term: Term
    vector: np.ndarray  # in the text model's space
    item: ItemRow | None = None

    def to_json(self) -> dict[str, Any]:
        return {"text": self.term.text, "weight": self.term.weight, "sign": "+" if self.term.sign > 0 else "-",
                "file": self.item.path if self.item else None}


@dataclass(frozen=True)
class ArithmeticHit:
    """A file answering an expression, with each term's similarity to it (why it came up)."""

    hit: SearchHit
    contributions: tuple[tuple[str, float], ...]

    def to_json(self) -> dict[str, Any]:
        return {**self.hit.to_json(),
                "contributions": [{"term": term, "similarity": round(sim, 4)} for term, sim in self.contributions]}


@dataclass(frozen=True)
class ArithmeticResult:
    expression: str
    terms: tuple[Resolved, ...]
    words: tuple[tuple[str, float], ...] = ()
    results: tuple[ArithmeticHit, ...] = ()
    notes: tuple[str, ...] = field(default=())  # e.g. why no words could be given

    def to_json(self) -> dict[str, Any]:
        return {"expression": self.expression, "terms": [t.to_json() for t in self.terms],
                "words": [{"word": w, "score": round(s, 4)} for w, s in self.words],
                "results": [r.to_json() for r in self.results], "notes": list(self.notes)}


def resolve_terms(store: Store, embedder: Embedder, terms: list[Term], cwd: Path | None = None) -> list[Resolved]:
    """Give each term its vector: a file's from the library, words' from the text model.

    Raises:
        NotIndexed: a path (or a quoted name that is a file on disk) that is not in the library.
        ExpressionError: a quoted name that several files of the library share.
    """
    items = [_file_of(store, term, cwd) for term in terms]
    texts = [term.text for term, item in zip(terms, items, strict=True) if item is None]
    vectors = dict(zip(texts, embedder.embed(texts), strict=True)) if texts else {}
    out = []
    for term, item in zip(terms, items, strict=True):
        if item is None:
            out.append(Resolved(term, vectors[term.text]))
            continue
        vector = store.item_embedding(item.id, ITEM_VECTORS)
        if vector is None:
            raise NotIndexed(f"{item.path} has no vector yet; bring the library up to date (nearby index).")
        out.append(Resolved(term, vector, item))
    return out


def _file_of(store: Store, term: Term, cwd: Path | None) -> ItemRow | None:
    if term.looks_like_path or term.quoted:
        try:
            path = Path(term.text).expanduser()
            path = (cwd or Path.cwd()) / path if not path.is_absolute() else path
            key = str(path.resolve())
        except (OSError, ValueError, RuntimeError):  # no file can have that name
            path, key = Path(), ""
        item = store.item_by_path(key) if key else None
        if item is not None:
            return item
        if key and exists(path) and (term.looks_like_path or is_file(path)):
            raise NotIndexed(f"{key} is not in the library; index its folder first (nearby index FOLDER).")
        if term.looks_like_path:
            raise BadRequest(f"No such file: {key or term.text[:200]}.")
    if term.quoted:  # a file of the library by its name alone, if exactly one has it
        named = store.items_named(term.text)
        if len(named) > 1:
            raise ExpressionError(f'{len(named)} files in the library are named "{term.text}": write the path of '
                                  f"the one you mean, e.g. {named[0].path}")
        return named[0] if named else None
    return None


def evaluate(store: Store, embedder: Embedder, words: WordSpace | None, expression: str, k: int = 10,
             n_words: int = 10, kind: str | None = None, cwd: Path | None = None,
             samples: Mapping[str, np.ndarray] | None = None) -> ArithmeticResult:
    """Compute an expression: the nearest words and the best-matching files.

    Args:
        words: the vocabulary (None, or not installed: no word answers, with a note saying so).
        k: at most this many files; n_words: at most this many words.
        kind: only files of this kind.
        cwd: where ./relative paths start (default: the current folder).
        samples: kind → a sample of its vectors, for the files' calibrated scores (as search's).

    Raises:
        ExpressionError: the expression cannot be read.
        NotIndexed: a file named in it is not in the library.
    """
    resolved = resolve_terms(store, embedder, parse_expression(expression), cwd)
    _check_not_cancelled(resolved, expression)
    found_words: list[tuple[str, float]] = []
    notes: list[str] = []
    if n_words > 0 and words is not None and words.available():
        # A file's words part comes from its text-space vector alone (its name is not its meaning).
        query = np.sum([r.term.signed_weight * words.vector("" if r.item else r.term.text, r.vector)
                        for r in resolved], axis=0)
        own = {t for r in resolved if r.item is None for t in (*tokens(r.term.text), r.term.text.lower())}
        typed = {t for r in resolved for t in tokens(r.term.text)}
        found_words = [(w, s) for w, s in words.nearest(query.astype(np.float32), own, n_words + FILTER_SPARE)
                       if offered(w, typed)][:n_words]
    elif n_words > 0:
        notes.append("No word answers: the word vectors are not installed (python -m nearby.models.install).")
    hits = rank_files(store, resolved, k, kind, samples) if k > 0 else []
    return ArithmeticResult(expression, tuple(resolved), tuple(found_words), tuple(hits), tuple(notes))


# Longer phrases are refused, as a search's query is (core/search/rank.py MAX_QUERY_CHARS).
MAX_COMPARE_CHARS = 10_000
# A sum of unit vectors shorter than this has no direction left to search in ("king - king").
CANCELLED_NORM = 1e-4


def _check_not_cancelled(resolved: list[Resolved], expression: str) -> None:
    total = np.sum([r.term.signed_weight * r.vector for r in resolved], axis=0)
    if not np.all(np.isfinite(total)) or float(np.linalg.norm(total)) < CANCELLED_NORM:
        raise ExpressionError(f"The terms of {expression!r} cancel out: nothing is left to look for. "
                              "Change a sign or a weight (e.g. king - man + woman).")


def rank_files(store: Store, resolved: list[Resolved], k: int, kind: str | None = None,
               samples: Mapping[str, np.ndarray] | None = None) -> list[ArithmeticHit]:
    """Files ranked by the balanced product of their closeness to each term (see the module doc),
    scored as a search for the combination would score them; files named in the expression are
    never returned."""
    named = {r.item.id for r in resolved if r.item is not None}
    total = np.sum([r.term.signed_weight * r.vector for r in resolved], axis=0)
    total = total / max(float(np.linalg.norm(total)), 1e-12)
    pool = {n.item_id for n in store.knn(ITEM_VECTORS, total, CANDIDATES + len(named), kind)}
    for r in resolved:
        if r.term.sign > 0:
            pool |= {n.item_id for n in store.knn(ITEM_VECTORS, r.vector, CANDIDATES // 4, kind)}
    ids = sorted(pool - named)
    vectors = store.vectors_by_ids(ITEM_VECTORS, ids)
    ids = [i for i in ids if i in vectors]
    if not ids:
        return []
    matrix = np.stack([vectors[i] for i in ids])
    terms = np.stack([r.vector for r in resolved])
    sims = matrix @ terms.T  # (files, terms) cosines
    closeness = (sims + 1.0) / 2.0  # in [0, 1], so the product is well behaved
    weights = np.array([r.term.signed_weight for r in resolved], dtype=np.float32)
    log_score = (np.log(closeness + EPSILON) * weights).sum(axis=1)
    order = np.argsort(-log_score)[:k]
    items = store.items_by_ids([ids[i] for i in order])
    calibrated = _calibrated(store, total, [ids[i] for i in order], samples)
    out = []
    shown = 1.0
    for i in order:
        item = items[ids[i]]
        # The search's calibrated score of the file for the combination's direction, never above
        # the one before it: the list stays in the product's order, and "nothing matches well"
        # (the window's cut-off) says when no file answers the combination.
        shown = min(shown, calibrated.get(item.id, 0.0))
        hit = make_hit(item, shown, float(matrix[i] @ total), *store.first_passage(item.id))
        contributions = tuple((r.term.text, float(s)) for r, s in zip(resolved, sims[i], strict=True))
        hit = explain(hit, ["combination"])
        hit.why["terms"] = [{"term": term, "similarity": round(sim, 4)} for term, sim in contributions]
        out.append(ArithmeticHit(hit, contributions))
    return out


def _calibrated(store: Store, direction: np.ndarray, items: list[int],
                samples: Mapping[str, np.ndarray] | None) -> dict[int, float]:
    """item → the search's calibrated score (core/search/calibration.py) of its best passage for a
    direction in the text space: what a search for the combination would show."""
    if not items:
        return {}
    hits = search_vector(store, direction.astype(np.float32), len(items), only=OPEN.narrowed(items=id_array(items)),
                         samples=samples)
    by_path = {h.path: h.score for h in hits}
    rows = store.items_by_ids(items)
    return {i: by_path.get(rows[i].path, 0.0) for i in items if i in rows}


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    score: float  # in [0, 1]: 1 the same meaning, 0 nothing in common (or opposed)
    similarity: float  # the raw cosine
    agreements: tuple[tuple[str, str, float], ...] = ()  # for two files: passages that agree most

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "score": round(self.score, 4), "similarity": round(self.similarity, 4),
                "agreements": [{"a": x, "b": y, "similarity": round(s, 4)} for x, y, s in self.agreements]}


def compare(store: Store, embedder: Embedder, a: str, b: str, cwd: Path | None = None,
            agreements: int = 3) -> Comparison:
    """How close two words, phrases or files are, in the text model's space.

    Words are compared there too, not in the word answers' joined space: on people's ratings of
    word pairs (tests/data/arithmetic/similarity.tsv) the text model alone follows them better
    (Spearman 0.73 vs 0.40 for likeness, 0.74 vs 0.70 for association). Two files also get the
    passages that agree most.
    """
    if not a.strip() or not b.strip():
        raise BadRequest("Compare needs two words, phrases or files, e.g. nearby compare cat dog.")
    if max(len(a), len(b)) > MAX_COMPARE_CHARS:
        raise BadRequest(f"A phrase to compare is {max(len(a), len(b)):,} characters long; at most "
                         f"{MAX_COMPARE_CHARS:,} are read. Put long texts in files and compare the files.")
    left, right = (resolve_terms(store, embedder, [_as_term(x)], cwd)[0] for x in (a, b))
    norms = max(float(np.linalg.norm(left.vector) * np.linalg.norm(right.vector)), 1e-12)
    cosine = float(left.vector @ right.vector) / norms
    pairs: tuple[tuple[str, str, float], ...] = ()
    if left.item is not None and right.item is not None:
        pairs = _agreeing_passages(store, left.item.id, right.item.id, agreements)
    return Comparison(a, b, max(0.0, cosine), cosine, pairs)


def _as_term(text: str) -> Term:
    text = text.strip()
    quoted = len(text) > 1 and text.startswith('"') and text.endswith('"')
    return Term(text[1:-1].strip() if quoted else text, quoted=quoted or is_file(text))


def _agreeing_passages(store: Store, a: int, b: int, n: int) -> tuple[tuple[str, str, float], ...]:
    left, right = store.passages_of(a), store.passages_of(b)
    if not left or not right:
        return ()
    sims = np.stack([v for _, _, v in left]) @ np.stack([v for _, _, v in right]).T
    best = np.dstack(np.unravel_index(np.argsort(-sims, axis=None)[:n], sims.shape))[0]
    return tuple((left[i][1], right[j][1], float(sims[i, j])) for i, j in best)
