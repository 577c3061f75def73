"""The similarity map's speed: layout of 10k files (and 100k with `python -m bench map-large`),
placing 100 new files into a 100k map, against a PCA of the same vectors in the same run.
Vectors are clustered synthetic unit vectors (50 topics), as a library's are."""

from __future__ import annotations

import time

import numpy as np

from nearby.core.mapping.layout import _pca, layout, place
from nearby.core.progress import run_to_end

DIM = 384


def clustered(n: int, rng: np.random.Generator) -> np.ndarray:
    centres = rng.standard_normal((50, DIM)).astype(np.float32)
    x = centres[rng.integers(0, 50, n)] + 0.6 * rng.standard_normal((n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def main(sizes: tuple[int, ...] = (10_000,)) -> None:
    rng = np.random.default_rng(7)
    print("== similarity map (2 cores, t-SNE with FFT gradients; PCA baseline)")
    for n in sizes:
        vectors = clustered(n, rng)
        t0 = time.perf_counter()
        positions = run_to_end(layout(vectors))
        t_layout = time.perf_counter() - t0
        t0 = time.perf_counter()
        _pca(vectors)
        t_pca = time.perf_counter() - t0
        print(f"{n:>7,} files: layout {t_layout:6.1f} s | PCA {t_pca:5.2f} s | ratio {t_layout / t_pca:6.0f}x")
        assert positions is not None
    mapped = clustered(100_000, rng)
    where = rng.standard_normal((100_000, 2)).astype(np.float32)
    new = clustered(100, rng)
    t0 = time.perf_counter()
    place(new, mapped, where)
    t_place = time.perf_counter() - t0
    t0 = time.perf_counter()
    _ = new @ mapped.T  # the similarity scan placing needs at least
    t_scan = time.perf_counter() - t0
    print(f"placing 100 new files into a 100,000-file map: {t_place:.2f} s (the bare similarity scan {t_scan:.2f} s)")
    view_frames()


def view_frames(n: int = 100_000) -> None:
    """Offscreen frames of the map view at 100k points: a pan (the cached layer moved) and a zoom
    (the layer drawn again), at three zoom levels; and the memory the map takes."""
    import os
    import tracemalloc

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    from nearby.core.mapping.similarity_map import Cluster, MapPoint, SimilarityMap
    from nearby.desktop.map_view import MapView

    app = QApplication.instance() or QApplication([])
    rng = np.random.default_rng(7)
    tracemalloc.start()
    xy = rng.standard_normal((n, 2)).astype(np.float32) * 30
    points = tuple(MapPoint(i, f"/bench/{i}.txt", "document", f"file {i}", float(x), float(y), i % 40)
                   for i, (x, y) in enumerate(xy))
    clusters = tuple(Cluster(c, f"group {c}", n // 40, 0.0, 0.0) for c in range(40))
    view = MapView()
    view.resize(1280, 800)
    view.set_map(SimilarityMap("all", "bench", points, clusters))
    frame = QImage(1280, 800, QImage.Format.Format_ARGB32_Premultiplied)

    def paint() -> float:
        t0 = time.perf_counter()
        view.render(frame)
        return (time.perf_counter() - t0) * 1000

    print(f"map view, {n:,} points, 1280×800 offscreen:")
    for zoom in (1.0, 4.0, 16.0):
        view.zoom = zoom
        redraw = paint()  # a zoom step: the point layer is drawn again
        pans = []
        for step in range(10):
            view.offset = QPointF(step * 7.0, step * 3.0)
            pans.append(paint())
        print(f"  zoom {zoom:>4}: zoom frame {redraw:6.1f} ms | pan frame {np.median(pans):5.1f} ms")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  memory for the map (points, layout, layer): {peak / 2**20:.0f} MB at peak (Python allocations)")
    del app
