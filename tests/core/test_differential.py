"""Search, browse and find-similar against a brute-force oracle on random libraries.

Each library holds a few hundred documents, pictures and songs (fake models) in several folders
and dates; each case is a random query (words, "phrases", -exclusions) with random filters (kind,
folder, file type, dates). The oracle reads the stored vectors and passage texts and ranks every
allowed file by hand; the library must return the same files with the same scores, however few
files a filter allows. Cases also run with the side index switched off (sqlite-vec answers), and
the side index is checked after a restore of an older copy of the library.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import apsw
import numpy as np
import pytest
import sqlite_vec

from bench.keyword_eval import meaning_only
from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.core.search.arithmetic import CANCELLED_NORM, EPSILON
from nearby.core.search.expression import ExpressionError
from nearby.core.search.filters import Filters
from nearby.core.storage.store import Store
from tests.fakes import FakeEmbedder, FakeMediaPipeline

DAY = 86_400
# Made-up words: no kind, colour or code among them, each in many passages (never a "keyword").
VOCAB = (
    "mokra", "bilsen", "torvak", "quenda", "lupira", "sarnet", "vodrik", "helmun", "astrep", "ciblo", "dorvan", "fesk",
    "glimra", "hurlo", "jostin", "kelvar", "lombre", "murik", "nafta", "opral", "pesko", "quilm", "rasto", "sivun",
    "tambel", "ulvor", "vesk", "wimbra", "yorvek", "zapor", "brelno", "crusta", "dimsel", "eklon", "frayo", "gostra",
    "hivel", "irnak", "jumbre", "klofa",
)
FOLDERS = ("a", "a/sub", "a-old", "b", "b/deep/er", "c")
EXTENSIONS = {"document": (".txt", ".md"), "image": (".jpg", ".png"), "song": (".mp3", ".ogg")}
TOLERANCE = 2e-4  # int8 first pass, float32 re-score: the same cosines to well within this


@dataclass(frozen=True)
class FileFact:
    path: str
    kind: str
    mtime: float


def words(rng: np.random.Generator, n: int) -> str:
    return " ".join(rng.choice(VOCAB, size=n))


def make_library(root: Path, seed: int, files: int = 400) -> tuple[Library, dict[str, FileFact]]:
    rng = np.random.default_rng(seed)
    facts: dict[str, FileFact] = {}
    now = time.time()
    for i in range(files):
        kind = str(rng.choice(["document", "image", "song"], p=[0.7, 0.15, 0.15]))
        folder = root / str(rng.choice(FOLDERS))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"f{i:04d}{rng.choice(EXTENSIONS[kind])}"
        if kind == "document":  # one to five paragraphs: several passages for some
            text = "\n\n".join(words(rng, int(rng.integers(60, 90))) + "." for _ in range(int(rng.integers(1, 6))))
        else:
            text = words(rng, int(rng.integers(4, 10)))
        path.write_text(text)
        mtime = now - float(rng.uniform(0, 1000)) * DAY
        os.utime(path, (mtime, mtime))
        facts[str(path.resolve())] = FileFact(str(path.resolve()), kind, mtime)
    text = FakeEmbedder()
    media = [FakeMediaPipeline("image", text), FakeMediaPipeline("song", text)]
    library = Library(root.parent / f"lib{seed}.sqlite", text, media)
    run_to_end(library.index([root]))
    return library, facts


class Oracle:
    """Every stored vector and passage text, ranked by hand."""

    def __init__(self, library: Library, facts: dict[str, FileFact]) -> None:
        conn = apsw.Connection(str(library.path), flags=apsw.SQLITE_OPEN_READONLY)
        conn.enable_load_extension(True)
        conn.load_extension(sqlite_vec.loadable_path())
        self.facts = facts
        self.path_of = {r[0]: r[1] for r in conn.execute("SELECT id, path FROM items")}
        self.id_of = {p: i for i, p in self.path_of.items()}
        rows = list(conn.execute("SELECT p.id, p.item_id, p.text, e.embedding FROM passages p "
                                 "JOIN passage_embeddings e ON e.passage_id = p.id"))
        self.passage_items = np.array([r[1] for r in rows])
        self.passage_tokens = [set(re.findall(r"\w+", r[2].lower())) for r in rows]
        self.passage_texts = [" ".join(re.findall(r"\w+", r[2].lower())) for r in rows]
        self.passage_vectors = np.stack([np.frombuffer(r[3], dtype=np.float32) for r in rows])
        every = list(conn.execute("SELECT item_id, embedding FROM item_vectors"))
        self.item_ids = [r[0] for r in every]  # each file's text-space vector: what arithmetic ranks
        self.item_vectors = np.stack([np.frombuffer(r[1], dtype=np.float32) for r in every])
        self.own: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for kind, table in (("document", "item_vectors"), ("image", "image_vectors"), ("song", "song_vectors")):
            got = list(conn.execute(f"SELECT item_id, embedding FROM {table}"))
            got = [r for r in got if self.facts[self.path_of[r[0]]].kind == kind]
            self.own[kind] = (np.array([r[0] for r in got]), np.stack([np.frombuffer(r[1], dtype=np.float32)
                                                                          for r in got]))
        conn.close()

    def arithmetic_score(self, path: str, terms: np.ndarray, weights: np.ndarray) -> float:
        vector = self.item_vectors[self.item_ids.index(self.id_of[path])]
        return float(np.log((terms @ vector + 1.0) / 2.0 + EPSILON) @ weights)

    def allowed(self, filters: Filters) -> set[str]:
        out = set()
        for fact in self.facts.values():
            if filters.kind and fact.kind != filters.kind:
                continue
            if filters.folder and not fact.path.startswith(filters.folder.rstrip("/") + "/"):
                continue
            if filters.extensions and Path(fact.path).suffix.lower() not in filters.extensions:
                continue
            if filters.since is not None and fact.mtime < filters.since:
                continue
            if filters.until is not None and fact.mtime >= filters.until:
                continue
            out.add(fact.path)
        return out

    def contains(self, passage: int, phrase: str) -> bool:
        return re.search(rf"(^| ){re.escape(phrase)}( |$)", self.passage_texts[passage]) is not None

    def search(self, meaning: str, required: list[str], excluded: list[str],
               filters: Filters) -> dict[str, list[float]]:
        """Per kind, the best cosine of each allowed file, best first."""
        allowed = {self.id_of[p] for p in self.allowed(filters)}
        gone = {int(self.passage_items[i]) for i in range(len(self.passage_texts))
                if any(self.contains(i, e) for e in excluded)}
        q = FakeEmbedder().embed_one(meaning or " ".join(required))
        cosines = self.passage_vectors @ q / np.linalg.norm(self.passage_vectors, axis=1)
        best: dict[int, float] = {}
        for i, item in enumerate(self.passage_items.tolist()):
            if item not in allowed or item in gone or not all(self.contains(i, r) for r in required):
                continue
            best[item] = max(best.get(item, -2.0), float(cosines[i]))
        per_kind: dict[str, list[float]] = {}
        for item, cosine in best.items():
            per_kind.setdefault(self.facts[self.path_of[item]].kind, []).append(cosine)
        return {kind: sorted(values, reverse=True) for kind, values in per_kind.items()}

    def file_cosine(self, path: str, meaning: str, required: list[str]) -> float:
        q = FakeEmbedder().embed_one(meaning or " ".join(required))
        item = self.id_of[path]
        rows = [i for i in np.nonzero(self.passage_items == item)[0] if all(self.contains(i, r) for r in required)]
        vectors = self.passage_vectors[rows]
        return float(np.max(vectors @ q / np.linalg.norm(vectors, axis=1)))

    def similar(self, paths: list[str], filters: Filters) -> list[float]:
        """Cosines to one file, or to the mean of several (of one kind, each of unit length)."""
        kind = self.facts[paths[0]].kind
        if filters.kind not in (None, kind):
            return []
        ids, vectors = self.own[kind]
        allowed = {self.id_of[p] for p in self.allowed(filters)} - {self.id_of[p] for p in paths}
        chosen = vectors[[list(ids).index(self.id_of[p]) for p in paths]]
        me = (chosen / np.linalg.norm(chosen, axis=1, keepdims=True)).mean(axis=0)
        cosines = vectors @ me / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(me))
        return sorted((float(c) for i, c in zip(ids.tolist(), cosines, strict=True) if i in allowed), reverse=True)


    def arithmetic(self, terms: np.ndarray, weights: np.ndarray, kind: str | None) -> list[float]:
        """Every file's balanced product of closeness to the terms (core/search/arithmetic.py), best first."""
        keep = [i for i, item in enumerate(self.item_ids)
                if kind is None or self.facts[self.path_of[item]].kind == kind]
        sims = self.item_vectors[keep] @ terms.T
        return sorted((np.log((sims + 1.0) / 2.0 + EPSILON) @ weights).tolist(), reverse=True)


def random_filters(rng: np.random.Generator, root: Path, now: float) -> Filters:
    kind = str(rng.choice(["document", "image", "song"])) if rng.random() < 0.3 else None
    folder = str((root / str(rng.choice(FOLDERS))).resolve()) if rng.random() < 0.4 else None
    extensions: tuple[str, ...] = ()
    if rng.random() < 0.25:
        every = sorted({e for es in EXTENSIONS.values() for e in es})
        extensions = tuple(sorted({str(e) for e in rng.choice(every, size=int(rng.integers(1, 3)))}))
    since = now - float(rng.uniform(0, 1000)) * DAY if rng.random() < 0.3 else None
    until = now - float(rng.uniform(0, 1000)) * DAY if rng.random() < 0.3 else None
    return Filters(kind, folder, extensions, since, until)


def random_query(rng: np.random.Generator) -> tuple[str, str, list[str], list[str]]:
    meaning = words(rng, int(rng.integers(0, 4)))
    required = [words(rng, int(rng.integers(1, 3)))] if rng.random() < 0.25 or not meaning else []
    excluded = [words(rng, 1) for _ in range(int(rng.integers(0, 3)) if rng.random() < 0.4 else 0)]
    text = " ".join([meaning, *(f'"{r}"' for r in required), *(f"-{e}" for e in excluded)])
    return text, meaning, required, excluded


def check_search(library: Library, oracle: Oracle, rng: np.random.Generator, root: Path, now: float) -> None:
    text, meaning, required, excluded = random_query(rng)
    filters = random_filters(rng, root, now)
    k = int(rng.choice([1, 3, 10, 25]))
    hits = library.search(text, k, filters=filters)
    want = oracle.search(meaning, required, excluded, filters)
    case = f"query {text!r}, k={k}, {filters}"
    assert len(hits) == min(k, sum(map(len, want.values()))), case
    allowed = oracle.allowed(filters)
    for hit in hits:
        assert hit.path in allowed, f"{hit.path} does not pass the filters; {case}"
    # The keyword side (BM25) reorders by the words held; meaning alone must be the true best:
    with meaning_only():
        hits = library.search(text, k, filters=filters)
    assert len(hits) == min(k, sum(map(len, want.values()))), case
    for hit in hits:
        assert hit.path in allowed, f"{hit.path} does not pass the filters; {case}"
        assert abs(hit.similarity - oracle.file_cosine(hit.path, meaning, required)) < TOLERANCE, case
    for kind, cosines in want.items():  # each kind's hits are that kind's true best, in order
        got = [h.similarity for h in hits if h.kind == kind]
        assert np.allclose(got, cosines[:len(got)], atol=TOLERANCE), f"{kind}: {got} vs {cosines[:len(got)]}; {case}"
    if excluded:
        gone = {oracle.path_of[int(oracle.passage_items[i])] for i in range(len(oracle.passage_texts))
                if any(oracle.contains(i, e) for e in excluded)}
        assert not gone & {h.path for h in hits}, case


def check_similar(library: Library, oracle: Oracle, rng: np.random.Generator, root: Path, now: float) -> None:
    """One file's look-alikes, or (a third of the cases) several files' of one kind together."""
    path = str(rng.choice(sorted(oracle.facts)))
    same_kind = sorted(p for p, fact in oracle.facts.items() if fact.kind == oracle.facts[path].kind and p != path)
    paths = [path, *(str(p) for p in rng.choice(same_kind, size=min(len(same_kind), int(rng.integers(1, 3))),
                                                 replace=False))] if rng.random() < 0.33 and same_kind else [path]
    filters = random_filters(rng, root, now)
    k = int(rng.choice([1, 5, 20]))
    hits = library.similar(paths if len(paths) > 1 else path, k, filters)
    want = oracle.similar(paths, filters)[:k]
    allowed = oracle.allowed(filters)
    assert all(h.path in allowed and h.path not in paths for h in hits)
    assert np.allclose([h.similarity for h in hits], want, atol=TOLERANCE), f"similar {paths}, k={k}, {filters}"


def check_arithmetic(library: Library, oracle: Oracle, rng: np.random.Generator, root: Path, now: float) -> None:
    """The files of `a - b + c` (weights, a kind) are the best of every file by the balanced
    product, though the ranking reads a pool of candidates (CANDIDATES, past which these
    libraries go): the same scores, ties in any order."""
    words_ = [str(w) for w in rng.choice(VOCAB, size=int(rng.integers(2, 4)), replace=False)]
    weights = [float(rng.choice([0.5, 1.0, 2.0])) for _ in words_]
    expression = " ".join(f"{'+' if i == 0 or rng.random() < 0.5 else '-'} {w:g}:{word}"
                          for i, (w, word) in enumerate(zip(weights, words_, strict=True)))[2:]
    kind = str(rng.choice(["document", "image", "song"])) if rng.random() < 0.3 else None
    k = int(rng.choice([1, 5, 10]))
    signs = [1.0] + [-1.0 if f" - {w:g}:{word}" in expression else 1.0 for w, word in zip(weights[1:], words_[1:],
                                                                                          strict=True)]
    total = sum(s * w * FakeEmbedder().embed_one(word) for s, w, word in zip(signs, weights, words_, strict=True))
    if np.linalg.norm(total) < CANCELLED_NORM:  # two made-up words the fake model hashes alike
        with pytest.raises(ExpressionError, match="cancel out"):
            library.arithmetic(expression, k=k, n_words=0, kind=kind)
        return
    result = library.arithmetic(expression, k=k, n_words=0, kind=kind)
    terms = np.stack([r.vector for r in result.terms])
    signed = np.array([r.term.signed_weight for r in result.terms], dtype=np.float32)
    want = oracle.arithmetic(terms, signed, kind)[:k]
    got = [oracle.arithmetic_score(h.hit.path, terms, signed) for h in result.results]
    assert np.allclose(got, want, atol=1e-4), f"{expression!r} kind={kind} k={k}: {got} vs {want}"


def check_browse(library: Library, oracle: Oracle, rng: np.random.Generator, root: Path, now: float) -> None:
    filters = random_filters(rng, root, now)
    hits = library.browse(filters, limit=10_000)
    assert {h.path for h in hits} == oracle.allowed(filters)
    times = [oracle.facts[h.path].mtime for h in hits]
    assert times == sorted(times, reverse=True)


def run_cases(library: Library, oracle: Oracle, root: Path, seed: int, cases: int) -> None:
    rng = np.random.default_rng(seed)
    now = time.time()
    for _ in range(cases):
        roll = rng.random()
        check = (check_search if roll < 0.7 else check_similar if roll < 0.85 else check_arithmetic if roll < 0.95
                 else check_browse)
        check(library, oracle, rng, root, now)


# Five libraries: 10,000 cases (the number), a fifth of them without the side index.
CASES_PER_LIBRARY = int(os.environ.get("NEARBY_DIFF_CASES", 2_000))


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_search_browse_and_similar_agree_with_a_brute_force_oracle(tmp_path: Path, seed: int,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "files"
    library, facts = make_library(root, seed)
    oracle = Oracle(library, facts)
    if seed == 5:  # sqlite-vec answers (the side index switched off, busy or unwritable)
        monkeypatch.setattr(Store, "side_index_enabled", False)
    run_cases(library, oracle, root, seed, CASES_PER_LIBRARY)


def test_a_restored_older_copy_of_the_library_answers_right(tmp_path: Path) -> None:
    """A backup restored over the library (same path, same epoch, older log), then more files:
    the side index, ahead of the restored log, is not trusted."""
    root = tmp_path / "files"
    library, facts = make_library(root, 7, files=120)
    backup = tmp_path / "backup.sqlite"
    library.close()
    shutil.copy(library.path, backup)
    rng = np.random.default_rng(70)
    for i in range(40):  # the library moves on (its side index with it) ...
        (root / "a" / f"later{i}.txt").write_text(words(rng, 70) + ".")
    run_to_end(library.index([root]))
    library.close()
    for i in range(40):
        (root / "a" / f"later{i}.txt").unlink()
    shutil.copy(backup, library.path)  # ... then the backup comes back, and other files are added
    for suffix in ("-wal", "-shm"):
        Path(f"{library.path}{suffix}").unlink(missing_ok=True)
    for i in range(10):
        path = root / "b" / f"after{i}.txt"
        path.write_text(words(rng, 70) + ".")
        facts[str(path.resolve())] = FileFact(str(path.resolve()), "document", path.stat().st_mtime)
    restored = Library(library.path, FakeEmbedder(), [FakeMediaPipeline("image", FakeEmbedder()),
                                                         FakeMediaPipeline("song", FakeEmbedder())])
    run_to_end(restored.index([root]))
    oracle = Oracle(restored, facts)
    run_cases(restored, oracle, root, 7, 300)
    for i in range(10):  # each new passage, searched by its own words, finds its own file first
        path = str((root / "b" / f"after{i}.txt").resolve())
        assert restored.search(f'"{(root / "b" / f"after{i}.txt").read_text().split()[0]}"', 400,
                               filters=Filters(folder=str((root / "b").resolve())))
        details = restored.details(path)
        assert details is not None
        assert restored.search(details.passages[0][0], 1, kind="document")[0].path == path
