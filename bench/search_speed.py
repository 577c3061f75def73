"""Search latency at 10k, 100k (and 1M) passages, against an exact numpy scan and a maintained
HNSW library (faiss IndexHNSWFlat, M=32, efSearch 64, and the efSearch that matches Nearby's
recall) on the same vectors in the same run.

Vectors are drawn from a fixed distribution shaped like real sentence embeddings' (a tree of
subjects, a decaying spectrum: matched to MiniLM over WordNet's glosses at 10k-117k passages, see
_vectors), and every passage carries ~750 characters of text drawn from a Zipf vocabulary, so the
library file and its keyword index have their real sizes. Recall is measured against the exact
answer for all kinds, for one kind, and under filters keeping 30% and 1% of the files. CPU time
(this process's), not wall time: the machine may be busy. The query's own embedding time is
measured separately with the real model.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from nearby.core.inference.text_embedder import TextEmbedder
from nearby.core.search.rank import search_vector
from nearby.core.storage.items import ItemRow
from nearby.core.storage.store import Store
from nearby.core.storage.vectors import PASSAGE_VECTORS

SIZES = (10_000, 100_000)
PASSAGES_PER_ITEM = 10
QUERIES = 100
K = 10


# A mixed library: 80% document passages, 15% pictures, 5% songs (by passage count).
MIXED = ("document",) * 16 + ("image",) * 3 + ("song",)


ITEMS_PER_COMMIT = 1000  # the indexer commits in batches too; each commit brings the side index level


def fill(store: Store, vectors: np.ndarray, mixed: bool = False, text: bool = False) -> None:
    items = len(vectors) // PASSAGES_PER_ITEM
    words = _Words(len(vectors)) if text else None
    for first in range(0, items, ITEMS_PER_COMMIT):
        with store.transaction():
            for item in range(first, min(items, first + ITEMS_PER_COMMIT)):
                chunk = vectors[item * PASSAGES_PER_ITEM : (item + 1) * PASSAGES_PER_ITEM]
                kind = MIXED[item % len(MIXED)] if mixed else "document"
                row = ItemRow(0, f"/bench/folder{item % 97}/doc{item}.txt", kind, f"doc {item}", 1, 1, str(item))
                texts = [words.passage() if words else f"passage {item}.{j}" for j in range(len(chunk))]
                store.add_item(row, [(t, None) for t in texts], chunk)


class _Words:
    """Passage text of ~750 characters from a 30,000-word Zipf vocabulary (made-up words of
    2-5 syllables), drawn in one go: the keyword index and the text take their real room."""

    WORDS_PER_PASSAGE = 110

    def __init__(self, passages: int, seed: int = 11) -> None:
        rng = np.random.default_rng(seed)
        syllables = [c + v for c in "bdfghklmnprstvwz" for v in "aeiou"] + ["th", "ch", "st", "an", "er", "in"]
        vocabulary = np.array(["".join(rng.choice(syllables, rng.integers(2, 6))) for _ in range(30_000)])
        weights = 1.0 / np.arange(1, len(vocabulary) + 1)
        self._stream = vocabulary[rng.choice(len(vocabulary), passages * self.WORDS_PER_PASSAGE,
                                             p=weights / weights.sum())]
        self._at = 0

    def passage(self) -> str:
        start, self._at = self._at, self._at + self.WORDS_PER_PASSAGE
        return " ".join(self._stream[start : self._at].tolist())


def numpy_top_k(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    scores = matrix @ query
    top = np.argpartition(-scores, K)[:K]
    return top[np.argsort(-scores[top])]


def median_ms(fn, queries: np.ndarray, clock=time.perf_counter) -> float:  # type: ignore[no-untyped-def]
    """Median time of fn over the queries, in ms: wall time, or CPU time with clock=time.process_time."""
    times = []
    for q in queries:
        t0 = clock()
        fn(q)
        times.append((clock() - t0) * 1000)
    return statistics.median(times)


def main(sizes: tuple[int, ...] = SIZES) -> None:
    embedder = TextEmbedder()
    embedder.embed_one("warm up")
    t_embed = median_ms(lambda q: embedder.embed_one(str(q)), np.array(["notes about the budget"] * 20))
    print(f"== search (k={K}, median CPU ms of {QUERIES} queries after {QUERIES} others, vectors with passage text; "
          f"query embedding {t_embed:.1f} ms on {embedder.provider})")
    for n in sizes:
        r = measure(n, embedder.dim, with_vec0=n <= 100_000)
        vec0 = f" | sqlite-vec scan {r['vec0_p50_ms']:7.1f} ms" if "vec0_p50_ms" in r else ""
        print(f"{n:>9,} passages: search {r['p50_ms']:6.2f} ms (a fresh process's first {r['first_p50_ms']:5.2f} ms; "
              f"its KNN {r['knn_p50_ms']:5.2f} ms, its walks alone {r['first_pass_p50_ms']:5.2f} ms, "
              f"{r['first_pass_p50_ms'] / r['hnsw_p50_ms']:4.1f}x faiss's) | faiss HNSW "
              f"{r['hnsw_p50_ms']:5.2f} ms (KNN {r['knn_p50_ms'] / r['hnsw_p50_ms']:4.1f}x, search "
              f"{r['p50_ms'] / r['hnsw_p50_ms']:4.1f}x; its recall {r['hnsw_recall_at_10']:.3f}; at efSearch "
              f"{r['hnsw_same_recall_ef']} {r['hnsw_same_recall_p50_ms']:.2f} ms, recall "
              f"{r['hnsw_same_recall_at_10']:.3f}: KNN {r['knn_p50_ms'] / r['hnsw_same_recall_p50_ms']:4.1f}x) "
              f"| numpy scan "
              f"{r['numpy_p50_ms']:6.1f} ms{vec0} | recall@10 {r['recall_at_10']:.3f}, one kind "
              f"{r['recall_kind_at_10']:.3f}, filter 30% {r['recall_filter30_at_10']:.3f}, 1% "
              f"{r['recall_filter1_at_10']:.3f} | one kind {r['kind_p50_ms']:.1f} ms, filtered "
              f"{r['filtered_p50_ms']:.1f} ms | process {r['rss_mb']:.0f} MB | disk {r['disk_ratio']:.2f}x "
              f"raw vectors + text (library file alone {r['file_ratio']:.2f}x)")


def peak_rss_mb() -> float:
    """The process's peak resident memory (Linux /proc; else getrusage's)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


# The library's distribution, fixed whatever its size (a bigger library is more passages drawn from
# it, as a person's files grow denser in their subjects, not a new world of subjects per passage): a
# tree of centres — 500 subjects, 20 topics each, 10 subtopics, 4 leaves (400,000 leaves) —, each drawn
# about its parent by LEVELS' weight, leaves taken by a Zipf law (some subjects fill much of a
# library), a passage its leaf plus LEAF noise. All deviations follow a decaying spectrum (variance
# ~ 1/i^SPECTRUM over the first 300 of 384 directions, as sentence embeddings' principal components
# fall), in a random basis. Matched to MiniLM over WordNet's glosses (held-out glosses as queries):
# nearest / 10th nearest cosine and faiss HNSW (M=32, ef 64) recall@10 at 10k, 30k and 117k passages
#   real (300 held-out glosses): 0.563 / 0.408, 0.995  0.628 / 0.466, 0.989  0.699 / 0.541, 0.981
#   these vectors (300 queries):  0.589 / 0.434, 0.991  0.647 / 0.495, 0.987  0.708 / 0.574, 0.977
# and at 1M faiss HNSW's recall is 0.91. (The generator before this one drew new subtopics of 10
# passages for every 10 passages added: as hard as real at 117k, ever harder past it — faiss
# HNSW's recall 0.54 at 1M — where a real collection, sampled denser, loses ~0.007 a tripling.)
LEVELS = ((500, 0.55), (20, 0.45), (10, 0.4), (4, 0.3))
LEAF = 0.55
SHARED = 0.23  # a direction all passages share (MiniLM's mean vector has this length)
SPECTRUM = 0.8
ZIPF = 0.8
GENERATOR = 2  # names kept libraries (measure's keep): a change to the distribution is a new one


def _vectors(passages: int, dim: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Passages drawn from the library's distribution (see above), QUERIES more drawn from it (as
    held-out passages: a query is like some passage, not a copy of one), and QUERIES others that a
    search process answers before the measured ones (its first searches, timed apart)."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    variance = np.arange(1, dim + 1, dtype=np.float64) ** -SPECTRUM
    variance[min(300, dim):] *= 0.05
    shape = (basis * np.sqrt(variance)).T.astype(np.float32)

    def deviations(n: int) -> np.ndarray:
        return _units(rng.standard_normal((n, dim), dtype=np.float32) @ shape)

    centres = SHARED * _units(rng.standard_normal((1, dim)))
    for branching, weight in LEVELS:
        centres = np.repeat(centres, branching, axis=0) + weight * deviations(len(centres) * branching)
    popularity = rng.permutation(len(centres)) + 1.0
    popularity = popularity ** -ZIPF
    popularity /= popularity.sum()

    def draw(n: int) -> np.ndarray:
        out = np.empty((n, dim), dtype=np.float32)
        for start in range(0, n, 100_000):  # in slices: the noise of 1M rows at once would be 1.5 GB more
            leaves = rng.choice(len(centres), min(100_000, n - start), p=popularity)
            out[start : start + len(leaves)] = _units(centres[leaves] + LEAF * deviations(len(leaves)))
        return out

    queries = draw(QUERIES)
    vectors = draw(passages)
    return vectors, queries, draw(QUERIES)


def _units(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def _folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) if folder.is_dir() else 0


def hnsw_anchor(vectors: np.ndarray, queries: np.ndarray,
                recall_to_match: float | None = None) -> tuple[float, float, dict[str, float]]:
    """faiss IndexHNSWFlat (M=32, efSearch 64) on the same vectors: (p50 CPU ms, recall@10, and the
    same graph searched with the smallest efSearch of 64-2048 that reaches ``recall_to_match``:
    {"ef", "p50_ms", "recall"}, for a comparison at equal recall)."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import faiss

    index = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    index.add(vectors)
    exact = [set(numpy_top_k(vectors, q).tolist()) for q in queries]

    def at(ef: int) -> tuple[float, float]:
        index.hnsw.efSearch = ef
        found = [index.search(q.reshape(1, -1), K)[1][0] for q in queries]
        recall = float(np.mean([len(set(f.tolist()) & e) / K for f, e in zip(found, exact, strict=True)]))
        return cpu_median_ms(lambda q: index.search(q.reshape(1, -1), K), queries), recall

    ms, recall = at(64)
    matched = {"ef": 64, "p50_ms": ms, "recall": recall}
    ef = 64
    while recall_to_match is not None and matched["recall"] < recall_to_match and ef < 2048:
        ef *= 2
        ef_ms, ef_recall = at(ef)
        matched = {"ef": ef, "p50_ms": ef_ms, "recall": ef_recall}
    return ms, recall, matched


def cpu_median_ms(fn, queries: np.ndarray) -> float:  # type: ignore[no-untyped-def]
    """Median CPU time (this process's) of fn over the queries, in ms."""
    return median_ms(fn, queries, time.process_time)


def measure(passages: int, dim: int = 384, seed: int = 7, with_vec0: bool = False,
            keep: Path | None = None) -> dict[str, float]:
    """A library of ``passages`` synthetic passages built through the product's own store; the
    product's search path, in a process of its own (as the app or the CLI would be: its memory is
    the search's, not the benchmark's), against an exact numpy scan and faiss's HNSW on the same
    vectors. ``keep``: a folder where the library (and its side index, in the cache) is kept and
    found again by a later run of the same size and generator (building 1M passages takes ~45
    minutes on 2 cores)."""
    import json
    import subprocess

    from nearby.core.storage import vector_index

    vectors, queries, first = _vectors(passages, dim, seed)
    rng = np.random.default_rng(seed + 1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) if keep is None else keep / f"search-{passages}-{GENERATOR}"
        folder.mkdir(parents=True, exist_ok=True)
        library = folder / "bench.sqlite"
        if not (folder / "complete").exists():
            for leftover in folder.glob("bench.sqlite*"):
                leftover.unlink()
            store = Store(library, dim)
            # Filled without bringing the side index along commit by commit (each fold rewrites the
            # graphs: ~40 minutes at 1M on 2 cores), then written once, as for a library whose side
            # index went missing: the steady state a search meets either way.
            store.after_vectors_changed = lambda: None  # type: ignore[method-assign]
            fill(store, vectors, mixed=True, text=True)
            vector_index.sync(store, trim=True)
            store.close()
            (folder / "complete").touch()
        store = Store(library, dim)
        text = store.conn.execute("SELECT sum(length(text)) FROM passages").fetchone()[0] or 0
        rows = store.conn.execute("SELECT id, item_id FROM passages ORDER BY rowid").fetchall()  # insertion order
        order = np.array([r[0] for r in rows], dtype=np.int64)  # passage id of each vector row
        items = np.array([r[1] for r in rows], dtype=np.int64)
        kinds = np.array([MIXED[(i // PASSAGES_PER_ITEM) % len(MIXED)] for i in range(passages)])
        del rows
        store.close()
        side = _folder_bytes(vector_index.folder_for(library))
        raw = vectors.nbytes + text
        file_ratio, disk_ratio = library.stat().st_size / raw, (library.stat().st_size + side) / raw
        unique_items = np.unique(items)
        filters = {"filter30": np.sort(rng.choice(unique_items, len(unique_items) * 3 // 10, replace=False)),
                   "filter1": np.sort(rng.choice(unique_items, max(1, len(unique_items) // 100), replace=False))}
        np.save(folder / "queries.npy", queries)
        np.save(folder / "first.npy", first)
        for name, allowed in filters.items():
            np.save(folder / f"{name}.npy", allowed)
        child = subprocess.run([sys.executable, "-c", f"from bench.search_speed import _search_process as s; "
                                f"s({str(library)!r}, {dim}, {with_vec0})"],
                               capture_output=True, text=True, check=False, cwd=Path(__file__).parent.parent)
        if child.returncode:
            raise RuntimeError(f"the search process failed:\n{child.stderr[-3000:]}")
        result = json.loads(child.stdout.strip().splitlines()[-1])
        if keep is None:
            vector_index.forget(library)

    def recall(found: list[list[int]], mask: np.ndarray | None) -> float:
        rows = np.arange(passages) if mask is None else np.nonzero(mask)[0]
        exact = [set(order[rows[numpy_top_k(vectors[rows], q)]].tolist()) for q in queries]
        shares = [len(set(f) & e) / min(K, len(rows)) for f, e in zip(found, exact, strict=True)]
        return round(float(np.mean(shares)), 4)

    ours = recall(result.pop("found"), None)
    hnsw_ms, hnsw_recall, matched = hnsw_anchor(vectors, queries, ours)
    out = {"passages": passages, "p50_ms": result.pop("p50_ms"), "first_p50_ms": result.pop("first_p50_ms"),
           "knn_p50_ms": result.pop("knn_p50_ms"),
           "numpy_p50_ms": round(cpu_median_ms(lambda q: numpy_top_k(vectors, q), queries), 2),
           "hnsw_p50_ms": round(hnsw_ms, 3), "hnsw_recall_at_10": round(hnsw_recall, 4),
           "hnsw_same_recall_p50_ms": round(matched["p50_ms"], 3), "hnsw_same_recall_ef": matched["ef"],
           "hnsw_same_recall_at_10": round(matched["recall"], 4),
           "recall_at_10": ours,
           "recall_kind_at_10": recall(result.pop("found_kind"), kinds == "song"),
           "recall_filter30_at_10": recall(result.pop("found_filter30"), np.isin(items, filters["filter30"])),
           "recall_filter1_at_10": recall(result.pop("found_filter1"), np.isin(items, filters["filter1"])),
           "rss_mb": result.pop("rss_mb")}
    return {**out, **result, "file_ratio": round(file_ratio, 3), "disk_ratio": round(disk_ratio, 3)}


def _read_through(library: Path) -> None:
    """Read the library file once, so that the OS holds it in its cache as it holds a library in
    use: after a long build a machine that pages out idle memory (this project's VM does, after a
    minute untouched) would otherwise time reads from the disk, not the search (1M passages:
    8.6 ms a search with the file paged out, 4.3-4.5 ms cached)."""
    for path in (library, Path(f"{library}-wal")):
        if path.exists():
            with open(path, "rb", buffering=0) as file:
                while file.read(16 << 20):
                    pass


def _search_process(library: str, dim: int, with_vec0: bool) -> None:
    """The measured side: open the library, search it as the product does, report as JSON."""
    import json

    from nearby.core.storage.row_filter import RowFilter

    folder = Path(library).parent
    queries, first = np.load(folder / "queries.npy"), np.load(folder / "first.npy")
    filters = {name: RowFilter(items=np.load(folder / f"{name}.npy")) for name in ("filter30", "filter1")}
    _read_through(Path(library))
    store = Store(library, dim)
    kinds = {kind: np.zeros((0, dim), np.float32) for kind in set(MIXED)}  # the kinds known, as the app has them
    search_vector(store, first[0], K, samples=kinds)  # opens the side index, loads the maps
    # A fresh process's first searches first (each visit to a page of the mapped library or graphs
    # not yet in its page tables costs a fault), then the measured ones, as a running app meets them.
    first_ms = cpu_median_ms(lambda q: search_vector(store, q, K, samples=kinds), first[1:])
    result: dict[str, object] = {
        "first_p50_ms": round(first_ms, 3),
        "p50_ms": round(cpu_median_ms(lambda q: search_vector(store, q, K, samples=kinds), queries), 3),
        "knn_p50_ms": round(cpu_median_ms(lambda q: store.knn(PASSAGE_VECTORS, q, K), queries), 3),
        "first_pass_p50_ms": round(cpu_median_ms(_first_pass(store), queries), 3),
        "kind_p50_ms": round(cpu_median_ms(lambda q: search_vector(store, q, K, "song"), queries), 3),
        "filtered_p50_ms": round(cpu_median_ms(
            lambda q: store.knn(PASSAGE_VECTORS, q, K, only=filters["filter30"]), queries), 3),
        "found": [[n.rowid for n in store.knn(PASSAGE_VECTORS, q, K)] for q in queries],
        "found_kind": [[n.rowid for n in store.knn(PASSAGE_VECTORS, q, K, "song")] for q in queries]}
    for name, only in filters.items():
        result[f"found_{name}"] = [[n.rowid for n in store.knn(PASSAGE_VECTORS, q, K, only=only)] for q in queries]
    result["rss_mb"] = round(peak_rss_mb(), 1)
    if with_vec0:
        store.side_index_enabled = False
        result["vec0_p50_ms"] = round(cpu_median_ms(lambda q: search_vector(store, q, K, samples=kinds), queries), 2)
    print(json.dumps(result))


def _first_pass(store: Store):  # type: ignore[no-untyped-def]
    """A passage KNN's first pass alone, as the side index runs it: each kind's graph walked (or its
    codes scanned, for a small part) for k + RESCORE_EXTRA candidates, with no exact re-score and no
    ranking after: the floor of what a search costs, beside faiss's HNSW on the same vectors."""
    import faiss

    from nearby.core.storage import vector_index

    side = vector_index.view(store)
    walked = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]  # (missing from its stubs)
    walked.efSearch = vector_index.EF_SEARCH
    want = K + vector_index.RESCORE_EXTRA

    def search(q: np.ndarray) -> None:
        query = (q / np.linalg.norm(q)).astype(np.float32).reshape(1, -1)
        for part in side.parts.values():
            if part.graph is None:
                continue
            if len(part.columns["ids"]) <= vector_index.FLAT_ROWS:
                part.graph.storage.search(query, max(want, vector_index.SCAN_RESCORE))
            else:
                part.graph.search(query, want, params=walked)
    return search


def contract(argv: list[str]) -> int:
    """`python -m bench search --passages N [--json]`: one measurement, as JSON or a line."""
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m bench search")
    parser.add_argument("--passages", type=int, required=True)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the library built in this folder, and use it again")
    args = parser.parse_args(argv)
    result = measure(args.passages, keep=args.keep)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['passages']:,} passages: p50 {result['p50_ms']} ms (its KNN {result['knn_p50_ms']} ms, "
              f"whose first pass alone {result['first_pass_p50_ms']} ms; "
              f"faiss HNSW {result['hnsw_p50_ms']} ms, at equal recall {result['hnsw_same_recall_p50_ms']} ms; "
              f"numpy scan {result['numpy_p50_ms']} ms), recall@10 "
              f"{result['recall_at_10']}, disk {result['disk_ratio']}x, {result['rss_mb']} MB resident")
    return 0
