"""The similarity map's quality: `python -m bench.map_eval` (also part of `python -m bench.eval_quality`).

Neighbourhood preservation at k = 10 on a few hundred real documents (the standard library's
docstrings, embedded by the real text model, one vector per document as the map uses): the
layout's trustworthiness and k-NN recall against the vectors, with PCA as the baseline.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from nearby.core.library import Library
from nearby.core.mapping.clusters import BOILERPLATE, FILE_NAME_TOKENS, STOPWORDS, VERBS
from nearby.core.mapping.layout import (
    EARLY_EXAGGERATION,
    EARLY_ITERATIONS,
    LATE_ITERATIONS,
    PERPLEXITY,
    SEED,
    STRETCH,
    _pca,
    knn_recall,
    trustworthiness,
    tsne,
)
from nearby.core.mapping.small_tsne import SMALL_MAP, small_tsne
from nearby.core.progress import run_to_end
from tests.documents import write_prose_corpus

DOCUMENTS = 300


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        write_prose_corpus(Path(tmp) / "docs", DOCUMENTS)
        library = Library(Path(tmp) / "lib.sqlite", with_media=False)
        run_to_end(library.index([Path(tmp) / "docs"]))
        the_map = run_to_end(library.update_map())
        assert the_map is not None
        with library._readers.borrow() as store:  # noqa: SLF001 - the vectors the map was made from
            vectors = store.vectors_by_ids("item_vectors", [p.item_id for p in the_map.points])
        library.close()
    matrix = np.stack([vectors[p.item_id] for p in the_map.points])
    positions = np.array([[p.x, p.y] for p in the_map.points], dtype=np.float32)
    flat = _pca(matrix)
    print(f"map of {len(matrix)} documents, {len(the_map.clusters)} named groups (k = 10):")
    print(f"  t-SNE (the product's: in this process up to {SMALL_MAP} files): trustworthiness "
          f"{trustworthiness(matrix, positions):.3f}, k-NN recall {knn_recall(matrix, positions):.3f}")
    started = time.process_time()
    fft = next(value for what, value in tsne(matrix) if what == "done")  # the layout process's own t-SNE
    took = time.process_time() - started
    print(f"  openTSNE (FFT, the layout process's; {took:.1f} s CPU without its imports): trustworthiness "
          f"{trustworthiness(matrix, fft):.3f}, k-NN recall {knn_recall(matrix, fft):.3f}")
    started = time.process_time()
    exact = run_to_end(small_tsne(matrix, min(PERPLEXITY, (len(matrix) - 1) / 3.5), EARLY_EXAGGERATION,
                                  EARLY_ITERATIONS, LATE_ITERATIONS, STRETCH, SEED))
    took = time.process_time() - started
    assert exact is not None
    print(f"  exact t-SNE in process ({took:.1f} s CPU): trustworthiness {trustworthiness(matrix, exact):.3f}, "
          f"k-NN recall {knn_recall(matrix, exact):.3f}")
    print(f"  PCA:   trustworthiness {trustworthiness(matrix, flat):.3f}, k-NN recall {knn_recall(matrix, flat):.3f}")
    not_names = FILE_NAME_TOKENS | BOILERPLATE | STOPWORDS | VERBS
    bad = [c.label for c in the_map.clusters
           if any(w in not_names or any(ch.isdigit() for ch in w) for w in c.label.replace("·", " ").split())]
    print(f"  group names with a file-name token, boilerplate, a stop word, a bare verb or digits: {len(bad)} "
          f"of {len(the_map.clusters)} (target 0) {bad if bad else ''}")
    for c in sorted(the_map.clusters, key=lambda c: -c.size)[:8]:
        print(f"  {c.size:>4}  {c.label}")


if __name__ == "__main__":
    main()
