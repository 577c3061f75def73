"""The vocabulary concept arithmetic answers in: 50,000 words and 5,000 two-word phrases, in a
space made of two.

Each word's vector joins its static GloVe vector with the text model's vector of the same word,
each part of unit length, the text part weighted (WordVectors.text_weight), the whole normalised.
Static vectors carry the analogies (king - man + woman); the text model knows phrases and
inflections; together they answer 85% of tests/data/arithmetic's analogies top-1, where GloVe
alone answers 71% and the text model alone 64% (bench/arithmetic_eval.py).

The text model's vectors of the words are made once (about a minute on 2 cores; the bundle ships
them made for its text model) and kept beside the GloVe file in the models folder, one file per
text model, as int8 with a scale per row.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Generator, Iterable
from pathlib import Path

import numpy as np

from nearby.core.cache import cache_root
from nearby.core.errors import ModelMissing
from nearby.core.inference.text_embedder import Embedder
from nearby.core.progress import CancelToken, IndexProgress
from nearby.models.catalog import GLOVE_WORDS
from nearby.models.locate import INSTALL_COMMAND, is_bundled, model_dir
from nearby.models.spec import VOCABULARY_FILE, ModelSpec, WordVectors

# Words embedded per call while preparing: big enough for full batches, small enough for progress.
PREPARE_BATCH = 1000
VOCABULARY = VOCABULARY_FILE
_TOKEN = re.compile(r"[a-z]+(?:-[a-z]+)?")


class WordSpace:
    """Word vectors to compute with and to find answer words in."""

    def __init__(self, embedder: Embedder, spec: ModelSpec = GLOVE_WORDS, models_root: Path | str | None = None):
        self.embedder = embedder
        self.spec = spec
        self.folder = model_dir(spec, models_root)
        pre = spec.preprocessing
        assert isinstance(pre, WordVectors), f"{spec.name} holds no word vectors"
        self.text_weight = pre.text_weight
        self._lock = threading.Lock()
        self._words: list[str] | None = None
        self._index: dict[str, int] = {}
        self._phrases_with: dict[str, list[int]] = {}  # word → the phrases that contain it
        self._static: np.ndarray | None = None
        self._joined: np.ndarray | None = None

    @property
    def text_file(self) -> Path:
        """Where the words' text-model vectors are (or go once prepared): beside the word vectors, or
        in the cache folder when that folder is read-only (the bundle's models) and they were not
        prepared there. A file of the older float16 format is read where it lies."""
        for name in (self._file_name, self._file_name_fp16):
            for place in (self.folder, cache_root() / "words"):
                if (place / name).is_file():
                    return place / name
        if not self.folder.is_dir() or (os.access(self.folder, os.W_OK) and not is_bundled(self.folder)):
            return self.folder / self._file_name
        return cache_root() / "words" / self._file_name

    @property
    def _file_name(self) -> str:
        return f"text-{self.embedder.name}-{self.spec.version}.i8.npz"

    @property
    def _file_name_fp16(self) -> str:  # what Nearby prepared before 0.1 shipped the words in the bundle
        return f"text-{self.embedder.name}-{self.spec.version}.npy"

    def available(self) -> bool:
        return (self.folder / VOCABULARY).is_file()

    def prepared(self) -> bool:
        return self.available() and self.text_file.is_file()

    def text_vectors(self) -> np.ndarray:
        """The prepared text-model vectors of the words, float32, one row per word."""
        return load_text_vectors(self.text_file)

    def ranks(self) -> dict[str, int]:
        """Each word's place in the vocabulary, commonest first (GloVe's order: by frequency)."""
        self._load_static()
        return self._index

    def _load_static(self) -> tuple[list[str], np.ndarray]:
        if self._words is None or self._static is None:
            path = self.folder / VOCABULARY
            if not path.is_file():
                raise ModelMissing(f"The word vectors for concept arithmetic are not installed ({path} is missing). "
                                   f"Run `{INSTALL_COMMAND} {self.spec.name}`.")
            with np.load(path) as data:
                self._words = str(data["words"]).split("\n")
                self._static = data["vectors"].astype(np.float32)
            self._index = {w: i for i, w in enumerate(self._words)}
            self._phrases_with = {}
            for i, entry in enumerate(self._words):
                parts = entry.split()
                if len(parts) > 1:
                    for word in parts:
                        self._phrases_with.setdefault(word, []).append(i)
        return self._words, self._static

    def prepare(self, cancel: CancelToken | None = None) -> Generator[IndexProgress, None, bool]:
        """Embed the vocabulary with the text model once (progress as "embedding words").

        Returns:
            True when the words are ready, False when cancelled.
        """
        if self.text_file.is_file():
            return True
        words, _ = self._load_static()
        out = np.zeros((len(words), self.embedder.dim), dtype=np.float16)
        for start in range(0, len(words), PREPARE_BATCH):
            if cancel is not None and cancel.cancelled:
                return False
            yield IndexProgress("embedding words", start, len(words), words[start])
            out[start : start + PREPARE_BATCH] = self.embedder.embed(words[start : start + PREPARE_BATCH])
        save_text_vectors(self.text_file, out)
        yield IndexProgress("embedding words", len(words), len(words))
        return True

    def _matrix(self) -> tuple[list[str], np.ndarray]:
        """Every word's joined vector (unit rows). Prepares the text part first if it is missing."""
        with self._lock:
            if self._joined is None:
                words, static = self._load_static()
                if not self.text_file.is_file():
                    for _ in self.prepare():
                        pass
                text = self.text_vectors()
                self._joined = _normalised(np.hstack([static, self.text_weight * text]))
            assert self._words is not None
            return self._words, self._joined

    def vector(self, text: str, text_vector: np.ndarray | None = None) -> np.ndarray:
        """A term's vector in the joined space: its words' static vectors (averaged; none for a
        word outside the vocabulary) beside the text model's vector of the whole term.

        Args:
            text: a word or phrase.
            text_vector: the term's text-space vector when it is already known (a file's).
        """
        words, static = self._load_static()
        ids = [self._index[t] for t in tokens(text) if t in self._index]
        part = static[ids].mean(axis=0) if ids else np.zeros(static.shape[1], dtype=np.float32)
        part = _normalised(part[None, :])[0] if ids else part
        if text_vector is None:
            text_vector = self.embedder.embed_one(text)
        return _normalised(np.hstack([part, self.text_weight * text_vector])[None, :])[0]

    def nearest(self, query: np.ndarray, exclude: Iterable[str], n: int) -> list[tuple[str, float]]:
        """The n words closest to a query vector (joined space), leaving out ``exclude``'s words and
        the phrases made with them (king - man + woman should not answer "king consort")."""
        words, matrix = self._matrix()
        scores = matrix @ _normalised(query[None, :])[0]
        for word in exclude:
            if word in self._index:
                scores[self._index[word]] = -np.inf
            scores[self._phrases_with.get(word, [])] = -np.inf
        top = np.argpartition(-scores, min(n, len(scores) - 1))[: n] if n < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top])]
        return [(words[i], float(scores[i])) for i in top if np.isfinite(scores[i])][:n]


def save_text_vectors(path: Path, vectors: np.ndarray) -> None:
    """Keep the words' text vectors as int8 with a scale per row, compressed: under half the size of
    float16 (19 MB for 55,000 words × 384, small enough to ship inside the bundle), and the answers
    the same (bench/arithmetic_eval.py: 84.8% top-1 either way) — each value is off by at most half
    a step of its row's 255, far under the gaps between answer words."""
    vectors = np.asarray(vectors, dtype=np.float32)
    scale = np.maximum(np.abs(vectors).max(axis=1), 1e-12) / 127.0
    quantized = np.clip(np.rint(vectors / scale[:, None]), -127, 127).astype(np.int8)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.npz")
    np.savez_compressed(partial, q=quantized, scale=scale.astype(np.float32))
    partial.replace(path)


def load_text_vectors(path: Path) -> np.ndarray:
    """The words' text vectors as float32, from either format (int8 + scales, or float16)."""
    if path.suffix == ".npz":
        with np.load(path) as data:
            return data["q"].astype(np.float32) * data["scale"][:, None]
    return np.load(path).astype(np.float32)


def tokens(text: str) -> list[str]:
    """The vocabulary-shaped words of a text (lower case)."""
    return _TOKEN.findall(text.lower())


def _normalised(matrix: np.ndarray) -> np.ndarray:
    return (matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)).astype(np.float32)
