"""t-SNE for a small library, in this process: numpy only, exact gradients.

The layout process (core/mapping/layout.py) starts a Python that imports openTSNE, scipy and
scikit-learn before it lays out a single point: seconds on a quiet machine, over a minute on a
busy one, for a map of a hundred files that takes a tenth of a second to lay out. Up to
SMALL_MAP files the exact gradient costs a few n² array operations per iteration (0.3 s CPU for
300 files in all), so the map is made here, in the caller's thread, with the same settings as the
process's (perplexity, exaggeration, momentum, PCA start, seeded) and numpy's large operations
leaving the interpreter lock to the window's thread.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np

from nearby.core.progress import CancelToken, IndexProgress

SMALL_MAP = 600  # files laid out here (~1 s; 1,000 took 7 s on a busy 2-core machine); more go to the layout process
PERPLEXITY_STEPS = 64  # binary search steps for each point's bandwidth
MIN_GAIN = 0.01


def affinities(vectors: np.ndarray, perplexity: float) -> np.ndarray:
    """Symmetric joint probabilities P (n × n, summing to 1) over each point's 3·perplexity nearest
    neighbours by cosine distance, each row's bandwidth matched to the perplexity (as openTSNE's
    PerplexityBasedNN does)."""
    n = len(vectors)
    k = min(n - 1, max(1, int(3 * perplexity)))
    distances = 1.0 - np.clip(vectors @ vectors.T, -1.0, 1.0).astype(np.float64)
    np.fill_diagonal(distances, np.inf)
    near = np.argpartition(distances, k - 1, axis=1)[:, :k]
    d = np.take_along_axis(distances, near, axis=1)
    d = d - d.min(axis=1, keepdims=True)  # numerically kinder; the bandwidth absorbs it
    target = np.log(perplexity)
    lo, hi = np.full(n, 1e-20), np.full(n, 1e20)
    beta = np.ones(n)
    for _ in range(PERPLEXITY_STEPS):
        w = np.exp(-d * beta[:, None])
        total = np.maximum(w.sum(axis=1), 1e-300)
        entropy = np.log(total) + beta * (d * w).sum(axis=1) / total
        high = entropy > target  # too flat: narrow it (a larger beta)
        lo = np.where(high, beta, lo)
        hi = np.where(high, hi, beta)
        beta = np.where(hi >= 1e20, beta * 2, (lo + hi) / 2)
    w = np.exp(-d * beta[:, None])
    w /= np.maximum(w.sum(axis=1, keepdims=True), 1e-300)
    p = np.zeros((n, n))
    np.put_along_axis(p, near, w, axis=1)
    p = (p + p.T) / (2 * n)
    return p.astype(np.float32)


def pca_start(vectors: np.ndarray, seed: int) -> np.ndarray:
    """The first two principal components, scaled to a standard deviation of 1e-4 (openTSNE's start)."""
    centred = vectors - vectors.mean(axis=0)
    _, _, axes = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    start = centred @ axes[:2].T if len(axes) >= 2 else np.random.default_rng(seed).normal(size=(len(vectors), 2))
    start = start / max(float(np.std(start[:, 0])), 1e-12) * 1e-4
    return start.astype(np.float32)


def small_tsne(vectors: np.ndarray, perplexity: float, exaggeration: float, early: int, late: int,
               stretch: int, seed: int, cancel: CancelToken | None = None,
               ) -> Generator[IndexProgress, None, np.ndarray | None]:
    """Lay out unit vectors with exact t-SNE; progress after each stretch of iterations; None when
    cancelled. Gradient descent with momentum and per-coordinate gains (van der Maaten's), the
    learning rate n / exaggeration (openTSNE's "auto")."""
    n = len(vectors)
    p = affinities(vectors, perplexity)
    y = pca_start(vectors, seed)
    velocity = np.zeros_like(y)
    gains = np.ones_like(y)
    total = early + late
    for step in range(total):
        exaggerating = step < early
        scale = exaggeration if exaggerating else 1.0
        momentum = 0.5 if exaggerating else 0.8
        rate = max(n / scale, 50.0)
        squares = (y * y).sum(axis=1)
        num = 1.0 / (1.0 + np.maximum(squares[:, None] + squares[None, :] - 2.0 * (y @ y.T), 0.0))
        np.fill_diagonal(num, 0.0)
        weights = (scale * p - num / max(float(num.sum()), 1e-12)) * num
        gradient = 4.0 * (weights.sum(axis=1)[:, None] * y - weights @ y)
        same = np.sign(gradient) == np.sign(velocity)
        gains = np.maximum(np.where(same, gains * 0.8, gains + 0.2), MIN_GAIN)
        velocity = momentum * velocity - rate * gains * gradient
        y = y + velocity
        if (step + 1) % stretch == 0:
            if cancel is not None and cancel.cancelled:
                return None
            yield IndexProgress("mapping", step + 1, total, "arranging")
    return (y - y.mean(axis=0)).astype(np.float32)
