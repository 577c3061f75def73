"""The similarity map's speed: layout of 10k files (and 100k with `python -m bench map-large`),
placing 100 new files into a 100k map, against a PCA of the same vectors in the same run.
Vectors are clustered synthetic unit vectors (50 topics), as a library's are."""

from __future__ import annotations

import time

import numpy as np

from nearby.core.mapping.layout import _pca, first_picture, layout, place, trustworthiness
from nearby.core.progress import run_to_end

DIM = 384


def clustered(n: int, rng: np.random.Generator) -> np.ndarray:
    centres = rng.standard_normal((50, DIM)).astype(np.float32)
    x = centres[rng.integers(0, 50, n)] + 0.6 * rng.standard_normal((n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def first_map(n: int = 100, runs: int = 3) -> None:
    """A library of n notes gets its first map: `nearby map --new` as a process of its own, against one
    `nearby search` process on the same library (the issue's yardstick: ≤ 3×), medians of ``runs``,
    wall time on this machine."""
    import statistics
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from tests.documents import write_prose_corpus

    with tempfile.TemporaryDirectory() as tmp:
        write_prose_corpus(Path(tmp) / "docs", n)
        library = str(Path(tmp) / "lib.sqlite")
        cli = [sys.executable, "-m", "nearby.core.cli", "--library", library]
        subprocess.run([*cli, "index", str(Path(tmp) / "docs")], check=True, capture_output=True)

        def wall(args: list[str]) -> float:
            t0 = time.perf_counter()
            subprocess.run([*cli, *args], check=True, capture_output=True)
            return time.perf_counter() - t0

        wall(["search", "warm the disk cache"])
        search = statistics.median(wall(["search", "how do sockets connect"]) for _ in range(runs))
        made = statistics.median(wall(["map", "--new", "--json"]) for _ in range(runs))
    print(f"first map of {n} files: {made:.2f} s | one `nearby search` process {search:.2f} s | "
          f"ratio {made / search:.2f}x (target ≤ 3x)")


def main(sizes: tuple[int, ...] = (10_000,)) -> None:
    first_map()
    rng = np.random.default_rng(7)
    print("== similarity map (2 cores, t-SNE with FFT gradients; PCA baseline)")
    for n in sizes:
        vectors = clustered(n, rng)
        t0 = time.perf_counter()
        positions = run_to_end(layout(vectors))  # from PCA's start, as before first pictures
        t_layout = time.perf_counter() - t0
        t0 = time.perf_counter()
        _pca(vectors)
        t_pca = time.perf_counter() - t0
        print(f"{n:>7,} files: layout {t_layout:6.1f} s | PCA {t_pca:5.2f} s | ratio {t_layout / t_pca:6.0f}x")
        assert positions is not None
        t0 = time.perf_counter()
        start = run_to_end(first_picture(vectors))
        t_first = time.perf_counter() - t0
        t0 = time.perf_counter()
        refined = run_to_end(layout(vectors, start=start))
        t_refined = time.perf_counter() - t0
        assert refined is not None and start is not None
        sample = rng.choice(n, size=min(n, 2000), replace=False)  # trustworthiness is O(n²): on a sample
        trust = [trustworthiness(vectors[sample], p[sample]) for p in (positions, start, refined)]
        print(f"{n:>7,} files, the product's way: first picture {t_first:5.1f} s (target ≤ 15 s), then the layout "
              f"from it {t_refined:5.1f} s ({t_first + t_refined:5.1f} s in all; from PCA {t_layout:5.1f} s) | "
              f"trustworthiness on 2,000 of them: from PCA {trust[0]:.3f}, first picture {trust[1]:.3f}, "
              f"refined {trust[2]:.3f}")
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
    # A fifth of them photos with thumbnails (as the thumbnail cache holds them: ~256 px JPEGs), so that
    # the zoomed-in frames draw pictures, not only dots and titles.
    import tempfile
    from pathlib import Path

    from PIL import Image

    folder = Path(tempfile.mkdtemp(prefix="nearby-thumbs-"))
    thumbs = []
    for t in range(50):
        picture = Image.fromarray(rng.integers(0, 255, (192, 256, 3), dtype=np.uint8))
        picture.save(folder / f"{t}.jpg", quality=80)
        thumbs.append(str(folder / f"{t}.jpg"))
    points = tuple(MapPoint(i, f"/bench/{i}.{'jpg' if i % 5 == 0 else 'txt'}", "image" if i % 5 == 0 else "document",
                            f"file {i}", float(x), float(y), i % 40, thumbs[i % 50] if i % 5 == 0 else None)
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

    print(f"map view, {n:,} points (a fifth photos with thumbnails), 1280×800 offscreen (target ≤ 16 ms a frame):")
    from nearby.desktop.thumbnails import pictures

    for zoom in (1.0, 4.0, 16.0, 64.0):
        view.zoom = zoom
        paint()
        deadline = time.perf_counter() + 30  # the thumbnails in view decoded (in the background), as after a moment
        while pictures()._loading and time.perf_counter() < deadline:  # noqa: SLF001
            app.processEvents()
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
