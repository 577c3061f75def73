"""A deterministic fake text embedder: fast, no model files, for storage and UI logic."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Sequence

import numpy as np


class FakeEmbedder:
    """Bag of hashed words → unit vector. Texts sharing words are close; no semantics."""

    name = "fake-bag-of-words"
    version = "1"
    provider = "FakeExecutionProvider"
    planned_provider = provider

    def __init__(self, dim: int = 32, delay_s: float = 0.0) -> None:
        self.dim = dim
        self.delay_s = delay_s
        self.calls = 0
        self.texts_embedded = 0
        self._lock = threading.Lock()

    def check_installed(self) -> None:
        pass

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            self.calls += 1
            self.texts_embedded += len(texts)
        if self.delay_s:
            time.sleep(self.delay_s)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "little")
                out[row, h % self.dim] += 1.0
            out[row, 0] += 1e-3  # empty text still gets a unit vector
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


class FakeMediaPipeline:
    """A picture or song "model" for storage and search logic: the file's bytes are read as words;
    its text-space vector is the fake text embedding of them, its own-space vector a hash of them."""

    version = "1"

    def __init__(self, kind: str, text: FakeEmbedder, dim: int = 16) -> None:
        from nearby.core.storage.vectors import NATIVE_TABLES

        self.kind, self.text, self.dim = kind, text, dim
        self.name = f"fake-{kind}-model"
        self.native_table = NATIVE_TABLES[kind]

    def available(self) -> bool:
        return True

    def query_embedder(self) -> None:
        return None

    def analyse(self, path: object, sha256: str) -> object:
        from pathlib import Path

        from nearby.core.media.pipeline import AnalysedMedia

        words = Path(str(path)).read_text(errors="replace")
        native = FakeEmbedder(self.dim).embed_one(words[::-1])
        return AnalysedMedia(Path(str(path)).stem, words, self.text.embed_one(words), native, "{}")
