"""The similarity map's quality: `python -m bench.map_eval` (also part of `python -m bench.eval_quality`).

Neighbourhood preservation at k = 10 on a few hundred real documents (the standard library's
docstrings, embedded by the real text model, one vector per document as the map uses): the
layout's trustworthiness and k-NN recall against the vectors, with PCA as the baseline.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from nearby.core.library import Library
from nearby.core.mapping.layout import _pca, knn_recall, trustworthiness
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
    print(f"  t-SNE: trustworthiness {trustworthiness(matrix, positions):.3f}, "
          f"k-NN recall {knn_recall(matrix, positions):.3f}")
    print(f"  PCA:   trustworthiness {trustworthiness(matrix, flat):.3f}, k-NN recall {knn_recall(matrix, flat):.3f}")
    for c in sorted(the_map.clusters, key=lambda c: -c.size)[:8]:
        print(f"  {c.size:>4}  {c.label}")


if __name__ == "__main__":
    main()
