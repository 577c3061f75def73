"""Concept arithmetic's latency over 100k indexed passages (10k files), warm, against a plain
search of the same library in the same run; and the vocabulary's size on disk.

Passage vectors are random unit vectors (exact search costs the same whatever the data); the
expression's terms are embedded by the real text model and its words found in the real vocabulary.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.search_speed import fill
from nearby.core.library import Library
from nearby.core.progress import run_to_end

PASSAGES = 100_000
RUNS = 20
EXPRESSIONS = ("king - man + woman", "Paris - France + Italy", "walking - walk + swim", "2:snow + mountain - summer")


def median_ms(fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for i in range(RUNS):
        t0 = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        library = Library(Path(tmp) / "bench.sqlite", with_media=False)
        t0 = time.perf_counter()
        run_to_end(library.words.prepare())
        prepared = time.perf_counter() - t0
        rng = np.random.default_rng(7)
        vectors = rng.standard_normal((PASSAGES, library.embedder.dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store = library._new_store()  # noqa: SLF001 - filling the library fast, as search_speed does
        fill(store, vectors)
        store.close()
        for expression in EXPRESSIONS:  # warm: sessions, vocabulary, pages
            library.arithmetic(expression)
        t_arith = median_ms(lambda i: library.arithmetic(EXPRESSIONS[i % len(EXPRESSIONS)], k=10, n_words=10))
        t_search = median_ms(lambda i: library.search(EXPRESSIONS[i % len(EXPRESSIONS)].replace(" - ", " "), k=10))
        library.close()
    folder = library.words.folder
    size = sum(f.stat().st_size for f in folder.iterdir()) / 2**20
    print(f"== concept arithmetic ({PASSAGES:,} passages, {PASSAGES // 10:,} files; median of {RUNS})")
    print(f"expression (10 words + 10 files): {t_arith:6.1f} ms | plain search {t_search:6.1f} ms | "
          f"ratio {t_arith / t_search:4.2f}x")
    print(f"vocabulary: {size:.1f} MB on disk in {folder}; "
          + (f"text vectors made in {prepared:.0f} s" if prepared > 1 else "text vectors made earlier"))
