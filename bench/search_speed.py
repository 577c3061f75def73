"""Search latency at 10k, 100k (and 1M) passages, against a numpy scan of the same vectors.

Vectors are random unit vectors: the hardest case for the side index's int8 first pass (no
structure; the 10 nearest barely stand out from the crowd), and quick to make. The query's own embedding time
is measured separately with the real model.
"""

from __future__ import annotations

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
QUERIES = 30
K = 10


# A mixed library: 80% document passages, 15% pictures, 5% songs (by passage count).
MIXED = ("document",) * 16 + ("image",) * 3 + ("song",)


ITEMS_PER_COMMIT = 1000  # the indexer commits in batches too; each commit brings the side index level


def fill(store: Store, vectors: np.ndarray, mixed: bool = False) -> None:
    items = len(vectors) // PASSAGES_PER_ITEM
    for first in range(0, items, ITEMS_PER_COMMIT):
        with store.transaction():
            for item in range(first, min(items, first + ITEMS_PER_COMMIT)):
                chunk = vectors[item * PASSAGES_PER_ITEM : (item + 1) * PASSAGES_PER_ITEM]
                kind = MIXED[item % len(MIXED)] if mixed else "document"
                row = ItemRow(0, f"/bench/doc{item}.txt", kind, f"doc {item}", 1, 1, str(item))
                store.add_item(row, [(f"passage {item}.{j}", None) for j in range(len(chunk))], chunk)


def numpy_top_k(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    scores = matrix @ query
    top = np.argpartition(-scores, K)[:K]
    return top[np.argsort(-scores[top])]


def median_ms(fn, queries: np.ndarray) -> float:  # type: ignore[no-untyped-def]
    times = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main(sizes: tuple[int, ...] = SIZES) -> None:
    embedder = TextEmbedder()
    embedder.embed_one("warm up")
    t_embed = median_ms(lambda q: embedder.embed_one(str(q)), np.array(["notes about the budget"] * 20))
    print(f"== search latency (k={K}, median of {QUERIES} queries, random unit vectors: the hardest case for a "
          f"first pass; query embedding {t_embed:.1f} ms on {embedder.provider})")
    for n in sizes:
        r = measure(n, embedder.dim, with_vec0=n <= 100_000)
        vec0 = (f" | sqlite-vec scan {r['vec0_p50_ms']:7.1f} ms ({r['vec0_p50_ms'] / r['numpy_p50_ms']:4.1f}x)"
                if "vec0_p50_ms" in r else "")
        print(f"{n:>9,} passages: nearby {r['p50_ms']:6.1f} ms | numpy scan {r['numpy_p50_ms']:6.1f} ms | "
              f"ratio {r['p50_ms'] / r['numpy_p50_ms']:4.2f}x{vec0} | recall@10 {r['recall_at_10']:.3f} | "
              f"search process {r['rss_mb']:.0f} MB | one kind (5%) {r['kind_p50_ms']:.1f} ms | "
              f"library file {r['file_ratio']:.2f}x raw vectors + text")


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


def _vectors(passages: int, dim: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((passages, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = vectors[rng.choice(passages, QUERIES)] + 0.05 * rng.standard_normal((QUERIES, dim)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    return vectors, queries


def measure(passages: int, dim: int = 384, seed: int = 7, with_vec0: bool = False) -> dict[str, float]:
    """A library of ``passages`` synthetic passages built through the product's own store; the
    product's search path, in a process of its own (as the app or the CLI would be: its memory is
    the search's, not the benchmark's), against an exact numpy scan of the same vectors."""
    import json
    import subprocess

    vectors, queries = _vectors(passages, dim, seed)
    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp) / "bench.sqlite"
        store = Store(library, dim)
        fill(store, vectors, mixed=True)  # each commit brings the side index level
        text = store.conn.execute("SELECT sum(length(text)) FROM passages").fetchone()[0] or 0
        rows = {r[0]: r[1] for r in store.conn.execute("SELECT rowid, id FROM passages")}  # insertion order
        order = np.array([rows[i + 1] for i in range(passages)])  # passage id of each vector row
        del rows
        store.close()
        file_ratio = library.stat().st_size / (vectors.nbytes + text)
        np.save(Path(tmp) / "queries.npy", queries)
        child = subprocess.run([sys.executable, "-c", f"from bench.search_speed import _search_process as s; "
                                f"s({str(library)!r}, {dim}, {with_vec0})"],
                               capture_output=True, text=True, check=False, cwd=Path(__file__).parent.parent)
        if child.returncode:
            raise RuntimeError(f"the search process failed:\n{child.stderr[-3000:]}")
        result = json.loads(child.stdout.strip().splitlines()[-1])
    found = result.pop("found")
    exact = [set(order[numpy_top_k(vectors, q)].tolist()) for q in queries]
    recall = float(np.mean([len(set(f) & e) / K for f, e in zip(found, exact, strict=True)]))
    out = {"passages": passages, "p50_ms": result.pop("p50_ms"),
           "numpy_p50_ms": round(median_ms(lambda q: numpy_top_k(vectors, q), queries), 2),
           "recall_at_10": round(recall, 4), "rss_mb": result.pop("rss_mb")}
    return {**out, **result, "file_ratio": round(file_ratio, 2)}


def _search_process(library: str, dim: int, with_vec0: bool) -> None:
    """The measured side: open the library, search it as the product does, report as JSON."""
    import json

    queries = np.load(Path(library).parent / "queries.npy")
    store = Store(library, dim)
    kinds = {kind: np.zeros((0, dim), np.float32) for kind in set(MIXED)}  # the kinds known, as the app has them
    search_vector(store, queries[0], K, samples=kinds)  # warm: the maps, the scan's session
    times, found = [], []
    for q in queries:
        t0 = time.perf_counter()
        search_vector(store, q, K, samples=kinds)  # the product's search: every kind, calibrated, as results
        times.append((time.perf_counter() - t0) * 1000)
        found.append([n.rowid for n in store.knn(PASSAGE_VECTORS, q, K)])  # which passages it ranks first
    one_kind = median_ms(lambda q: search_vector(store, q, K, "song"), queries)
    result: dict[str, object] = {"p50_ms": round(statistics.median(times), 2), "rss_mb": round(peak_rss_mb(), 1),
                                 "kind_p50_ms": round(one_kind, 2), "found": found}
    if with_vec0:
        store.side_index_enabled = False
        result["vec0_p50_ms"] = round(median_ms(lambda q: search_vector(store, q, K, samples=kinds), queries), 2)
    print(json.dumps(result))


def contract(argv: list[str]) -> int:
    """`python -m bench search --passages N [--json]`: one measurement, as JSON or a line."""
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m bench search")
    parser.add_argument("--passages", type=int, required=True)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.passages)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['passages']:,} passages: p50 {result['p50_ms']} ms (numpy scan {result['numpy_p50_ms']} ms), "
              f"recall@10 {result['recall_at_10']}, {result['rss_mb']} MB resident")
    return 0
