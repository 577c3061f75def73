"""Search latency at 10k and 100k passages, against a numpy scan of the same vectors.

Vectors are random unit vectors: exact (brute-force) search costs the same whatever the data,
and random vectors let the benchmark build 100k rows in seconds. The query's own embedding time
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


def fill(store: Store, vectors: np.ndarray, mixed: bool = False) -> None:
    with store.transaction():
        for item in range(len(vectors) // PASSAGES_PER_ITEM):
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


def main() -> None:
    rng = np.random.default_rng(7)
    embedder = TextEmbedder()
    embedder.embed_one("warm up")
    t_embed = median_ms(lambda q: embedder.embed_one(str(q)), np.array(["notes about the budget"] * 20))
    print(f"== search latency (k={K}, median of {QUERIES} queries; query embedding {t_embed:.1f} ms on "
          f"{embedder.provider})")
    for n in SIZES:
        vectors = rng.standard_normal((n, embedder.dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        noise = 0.05 * rng.standard_normal((QUERIES, embedder.dim)).astype(np.float32)
        queries = vectors[rng.choice(n, QUERIES)] + noise
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "bench.sqlite", embedder.dim)
            t0 = time.perf_counter()
            fill(store, vectors)
            t_fill = time.perf_counter() - t0
            search_vector(store, queries[0], K)
            t_store = median_ms(lambda q, s=store: search_vector(s, q, K), queries)
            store.close()
        t_numpy = median_ms(lambda q, m=vectors: numpy_top_k(m, q), queries)
        print(f"{n:>7,} passages: nearby {t_store:7.1f} ms | numpy scan {t_numpy:6.1f} ms | "
              f"ratio {t_store / t_numpy:5.1f}x | insert {n / t_fill:,.0f} passages/s")
    n = SIZES[-1]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "mixed.sqlite", embedder.dim)
        fill(store, vectors, mixed=True)
        kinds = {kind: np.zeros((0, embedder.dim), np.float32) for kind in set(MIXED)}  # kinds known, as the app does
        t_mixed = median_ms(lambda q, s=store: search_vector(s, q, K, samples=kinds), queries)
        store.close()
    print(f"{n:>7,} passages of three kinds (80/15/5%), one list: {t_mixed:.1f} ms "
          f"({t_mixed / t_numpy:.1f}x the numpy scan of one kind)")


def rss_mb() -> float:
    """The process's resident memory now (Linux /proc; else the peak, from getrusage)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def measure(passages: int, dim: int = 384, seed: int = 7) -> dict[str, float]:
    """A library of ``passages`` synthetic passages built through the product's own store; the
    product's search path against an exact numpy scan of the same vectors, in the same run."""
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((passages, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = vectors[rng.choice(passages, QUERIES)] + 0.05 * rng.standard_normal((QUERIES, dim)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.sqlite", dim)
        fill(store, vectors)
        rows = {r[0]: r[1] for r in store.conn.execute("SELECT rowid, id FROM passages")}  # insertion order
        order = np.array([rows[i + 1] for i in range(passages)])  # passage id of each vector row
        search_vector(store, queries[0], K)  # warm
        found: list[set[int]] = []
        times = []
        for q in queries:
            t0 = time.perf_counter()
            search_vector(store, q, K)  # the product's search: nearest passages, calibrated, as results
            times.append((time.perf_counter() - t0) * 1000)
            found.append({h.rowid for h in store.knn(PASSAGE_VECTORS, q, K)})  # which passages it ranked
        memory = rss_mb()
        store.close()
    exact = [set(order[numpy_top_k(vectors, q)].tolist()) for q in queries]
    recall = float(np.mean([len(f & e) / K for f, e in zip(found, exact, strict=True)]))
    return {"passages": passages, "p50_ms": round(statistics.median(times), 2),
            "numpy_p50_ms": round(median_ms(lambda q: numpy_top_k(vectors, q), queries), 2),
            "recall_at_10": round(recall, 4), "rss_mb": round(memory, 1)}


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
