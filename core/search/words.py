"""The vocabulary concept arithmetic answers in: 50,000 words and 5,000 two-word phrases, in a
space made of two.

Each word's vector joins its static GloVe vector with the text model's vector of the same word,
each part of unit length, the text part weighted (WordVectors.text_weight), the whole normalised.
Static vectors carry the analogies (king - man + woman); the text model knows phrases and
inflections; together they answer 85% of tests/data/arithmetic's analogies top-1, where GloVe
alone answers 71% and the text model alone 64% (bench/arithmetic_eval.py).

The text model's vectors of the words are made once (about a minute on 2 cores) and kept beside
the GloVe file in the models folder, one file per text model.
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
from nearby.models.spec import ModelSpec, WordVectors

# Words embedded per call while preparing: big enough for full batches, small enough for progress.
PREPARE_BATCH = 1000
VOCABULARY = "vocabulary.npz"
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
        """The words' text-model vectors: beside the word vectors, or in the cache folder when that
        folder is read-only (the bundle's models) and they were not prepared there."""
        name = f"text-{self.embedder.name}-{self.spec.version}.npy"
        beside = self.folder / name
        if beside.is_file() or not self.folder.is_dir() or (os.access(self.folder, os.W_OK)
                                                             and not is_bundled(self.folder)):
            return beside
        return cache_root() / "words" / name

    def available(self) -> bool:
        return (self.folder / VOCABULARY).is_file()

    def prepared(self) -> bool:
        return self.available() and self.text_file.is_file()

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
        self.text_file.parent.mkdir(parents=True, exist_ok=True)
        partial = self.text_file.with_suffix(".partial.npy")
        np.save(partial, out)
        partial.replace(self.text_file)
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
                text = np.load(self.text_file).astype(np.float32)
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


def tokens(text: str) -> list[str]:
    """The vocabulary-shaped words of a text (lower case)."""
    return _TOKEN.findall(text.lower())


def _normalised(matrix: np.ndarray) -> np.ndarray:
    return (matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)).astype(np.float32)
