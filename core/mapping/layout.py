"""2-D layouts of vectors that keep neighbours together: t-SNE with FFT-accelerated gradients
(openTSNE, BSD), seeded, run in short stretches so that it yields progress and can be cancelled.

New items are placed into an existing layout without moving the others: at the similarity-
weighted mean of where their nearest mapped neighbours (in the vectors) lie, which is also how
openTSNE starts its own out-of-sample transform.
"""

from __future__ import annotations

import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from nearby.core.mapping.small_tsne import SMALL_MAP, small_tsne
from nearby.core.progress import CancelToken, IndexProgress

SEED = 7
# Neighbourhoods of ~15 files, a mild early exaggeration: on 300 real documents (bench/map_eval.py)
# this kept neighbours best (trustworthiness at k=10 0.929; perplexity 30 with openTSNE's default
# exaggeration of 12: 0.918; every setting tried stayed within 0.915-0.930).
PERPLEXITY = 15
EARLY_EXAGGERATION = 4.0
EARLY_ITERATIONS = 250  # openTSNE's defaults: exaggerated early phase, then the normal phase
LATE_ITERATIONS = 500
STRETCH = 25  # iterations between two progress reports / cancel checks
PLACE_NEIGHBOURS = 10
MIN_POINTS_FOR_TSNE = 8  # below this, a PCA plane shows the few files just as well
POLL_S = 0.1  # how often the parent looks at the cancel token while the layout process works
VECTORS_FILE, LAYOUT_FILE = "vectors.npy", "layout.npy"  # what parent and child exchange in a temp folder
START_FILE = "start.npy"  # where the layout begins, when given (a first picture)
LAYOUT_FLAG = "--map-layout"  # the bundle's executable runs the layout process when given this


def first_picture(vectors: np.ndarray, cancel: CancelToken | None = None,
                  ) -> Generator[IndexProgress, None, np.ndarray | None]:
    """A map's first picture in seconds, for a library too big to lay out here: a seeded sample of
    SMALL_MAP // 2 files laid out with exact t-SNE, every other file placed among them as new files
    are (``place``). The full layout then starts from it (``layout(..., start=)``), so the picture a
    person sees first is refined in place rather than replaced."""
    n = len(vectors)
    sample = np.sort(np.random.default_rng(SEED).choice(n, size=min(n, SMALL_MAP // 2), replace=False))
    perplexity = min(PERPLEXITY, max(2.0, (len(sample) - 1) / 3.5))
    placed = yield from small_tsne(vectors[sample].astype(np.float32), perplexity, EARLY_EXAGGERATION,
                                   EARLY_ITERATIONS, LATE_ITERATIONS, STRETCH, SEED, cancel)
    if placed is None:
        return None
    out = np.zeros((n, 2), dtype=np.float32)
    out[sample] = placed
    rest = np.setdiff1d(np.arange(n), sample)
    if len(rest):
        out[rest] = place(vectors[rest], vectors[sample], placed)
    return out


def layout(vectors: np.ndarray, cancel: CancelToken | None = None, start: np.ndarray | None = None,
           ) -> Generator[IndexProgress, None, np.ndarray | None]:
    """Lay unit vectors out in 2-D (cosine neighbourhoods kept).

    Yields progress as phase "mapping" (done/total in iterations); returns an (n, 2) float32 array,
    or None when cancelled. ``start``: positions to begin from (a first picture) instead of PCA's.
    Up to SMALL_MAP files t-SNE runs here (core/mapping/small_tsne.py); more in a process of its own
    (core/mapping/tsne_process.py, FFT gradients): importing openTSNE (scipy, scikit-learn) held the
    interpreter lock for up to ~60 ms at a time, freezing the window's thread; a child process leaves
    the caller's threads alone, and Cancel ends it.
    """
    n = len(vectors)
    if n < MIN_POINTS_FOR_TSNE:
        return _pca(vectors)
    if n <= SMALL_MAP:  # no process to start: laid out here in about the time the process takes to start
        perplexity = min(PERPLEXITY, max(2.0, (n - 1) / 3.5))
        return (yield from small_tsne(vectors.astype(np.float32), perplexity, EARLY_EXAGGERATION, EARLY_ITERATIONS,
                                      LATE_ITERATIONS, STRETCH, SEED, cancel))
    cancel = cancel or CancelToken()
    total = EARLY_ITERATIONS + LATE_ITERATIONS
    yield IndexProgress("mapping", 0, total, "finding neighbours")
    with tempfile.TemporaryDirectory(prefix="nearby-map-") as tmp:
        np.save(Path(tmp) / VECTORS_FILE, np.ascontiguousarray(vectors, dtype=np.float32))
        if start is not None:
            np.save(Path(tmp) / START_FILE, np.ascontiguousarray(start, dtype=np.float32))
        child = subprocess.Popen([*layout_command(), tmp], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 stdin=subprocess.DEVNULL, text=True)
        lines: queue.Queue[str] = queue.Queue()
        reader = threading.Thread(target=_read_lines, args=(child.stdout, lines), daemon=True)
        reader.start()
        try:
            while True:
                if cancel.cancelled:
                    return None
                try:
                    line = lines.get(timeout=POLL_S)
                except queue.Empty:
                    if child.poll() is not None and not reader.is_alive() and lines.empty():
                        break
                    continue
                if line.startswith("progress "):
                    yield IndexProgress("mapping", int(line.split()[1]), total, "arranging")
            errors = child.stderr.read() if child.stderr else ""
            if child.wait() != 0 or not (Path(tmp) / LAYOUT_FILE).is_file():
                raise RuntimeError(f"the map layout process failed (exit code {child.returncode}): "
                                   f"{errors.strip()[-500:]}")
            return np.load(Path(tmp) / LAYOUT_FILE).astype(np.float32)
        finally:
            if child.poll() is None:
                child.kill()
            child.wait()
            for stream in (child.stdout, child.stderr):
                if stream is not None:
                    stream.close()


def _read_lines(stream: Any, lines: queue.Queue[str]) -> None:
    for line in stream or ():
        lines.put(line)


def layout_command() -> list[str]:
    """How to start the layout process: this Python with the module, or the frozen bundle's own
    executable with a flag (installer/entry.py hands it on)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, LAYOUT_FLAG]
    return [sys.executable, "-m", "nearby.core.mapping.tsne_process"]


def tsne(vectors: np.ndarray, begin: np.ndarray | None = None) -> Iterator[tuple[str, Any]]:
    """The layout itself (what the child process runs): ("progress", iterations done) after each
    stretch, then ("done", positions). ``begin``: where to start (rescaled as PCA's start is)."""
    import openTSNE  # heavy (scipy, scikit-learn): only in the layout process

    n = len(vectors)
    perplexity = min(PERPLEXITY, max(2.0, (n - 1) / 3.5))
    affinities = openTSNE.affinity.PerplexityBasedNN(vectors, perplexity=perplexity, metric="cosine", n_jobs=-1,
                                                     random_state=SEED, verbose=False)
    start = openTSNE.initialization.pca(vectors, random_state=SEED) if begin is None else \
        openTSNE.initialization.rescale(np.asarray(begin, dtype=np.float64))
    embedding = openTSNE.TSNEEmbedding(start, affinities, negative_gradient_method="fft", n_jobs=-1,
                                       random_state=SEED, verbose=False)
    done = 0
    for phase_iterations, exaggeration, momentum in ((EARLY_ITERATIONS, EARLY_EXAGGERATION, 0.5),
                                                      (LATE_ITERATIONS, None, 0.8)):
        for _ in range(0, phase_iterations, STRETCH):
            embedding.optimize(STRETCH, exaggeration=exaggeration, momentum=momentum, inplace=True)
            done += STRETCH
            yield "progress", done
    yield "done", np.asarray(embedding, dtype=np.float32)


def place(new: np.ndarray, mapped: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Positions for new vectors in an existing layout, the mapped points left where they are.

    Args:
        new: (m, d) unit vectors to place; mapped: (n, d) unit vectors already laid out at
            ``positions`` (n, 2).
    """
    if len(mapped) == 0:
        return np.zeros((len(new), 2), dtype=np.float32)
    k = min(PLACE_NEIGHBOURS, len(mapped))
    out = np.zeros((len(new), 2), dtype=np.float32)
    for start in range(0, len(new), 256):  # bounded memory: 256 × n similarities at a time
        sims = new[start : start + 256] @ mapped.T
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        weights = np.maximum(np.take_along_axis(sims, nearest, axis=1), 1e-3) ** 4  # the closest count most
        out[start : start + 256] = (positions[nearest] * weights[:, :, None]).sum(axis=1) / weights.sum(axis=1)[:, None]
    return out


def _pca(vectors: np.ndarray) -> np.ndarray:
    if len(vectors) == 0:
        return np.zeros((0, 2), dtype=np.float32)
    centred = vectors - vectors.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    flat = centred @ axes[:2].T if len(axes) >= 2 else np.hstack([centred @ axes[:1].T, np.zeros((len(vectors), 1))])
    return (flat * 10).astype(np.float32)  # on the same rough scale as a t-SNE layout


def trustworthiness(vectors: np.ndarray, positions: np.ndarray, k: int = 10) -> float:
    """How few of each point's k nearest on the map are strangers in the vectors (1 is perfect;
    Venna & Kaski), with cosine distances in the vectors. O(n²): for evaluation sets."""
    n = len(vectors)
    near_v = np.argsort(-(vectors @ vectors.T), axis=1)[:, 1:]  # ranks in the original space
    ranks = np.empty((n, n - 1), dtype=np.int64)
    for i in range(n):
        ranks[i, near_v[i] - (near_v[i] > i)] = np.arange(1, n)
    d2 = ((positions[:, None, :] - positions[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d2, np.inf)
    near_map = np.argsort(d2, axis=1)[:, :k]
    penalty = 0.0
    for i in range(n):
        r = ranks[i, near_map[i] - (near_map[i] > i)]
        penalty += np.maximum(r - k, 0).sum()
    return float(1 - 2.0 / (n * k * (2 * n - 3 * k - 1)) * penalty)


def knn_recall(vectors: np.ndarray, positions: np.ndarray, k: int = 10) -> float:
    """Share of each point's k nearest in the vectors that are among its k nearest on the map."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    near_v = np.argsort(-sims, axis=1)[:, :k]
    d2 = ((positions[:, None, :] - positions[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d2, np.inf)
    near_map = np.argsort(d2, axis=1)[:, :k]
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(near_v, near_map, strict=True)]))
