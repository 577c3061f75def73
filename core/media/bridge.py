"""Bridging pictures into the text model's space, so typed words find them (ConSE).

No text-aligned image model ships weights we can reach, so a picture's "meaning vector" is
the probability-weighted mean of the text vectors of its most likely class names (Norouzi et
al. 2014, "Zero-shot learning by convex combination of semantic embeddings"), blended with the
text vector of what its file name and folder say. Both live in the text model's space, so one
query vector ranks documents and pictures alike (after calibration, see core/calibration.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from nearby.core.cache import cache_root
from nearby.core.inference.installed_model import DescribedModel
from nearby.core.inference.text_embedder import Embedder
from nearby.core.media.pipeline import NamedByModel

# Top classes named in a description, and (by default) mixed into the vector. ImageNet spreads a
# photo over near-synonyms (tabby cat, tiger cat, Egyptian cat): five keep those together.
TOP_CLASSES = 5
LABEL_PROMPT = "a photo of a {}"
# Weight of the file-name/folder vector against the class vector (which has unit length).
# File names a person chose ("beach-sunset.jpg") are strong evidence. On the evaluation set
# (python -m bench.eval_quality) text → picture top-1 was 8/12 at 0.3, 10/12 at 0.6 and at 1.0;
# 0.6 keeps the pictures' own content in charge when a name is vague.
NAME_WEIGHT = 0.6
# Weight of the colour-and-light words (core/media/looks.py) against the class vector. On eight
# colour/light queries over the 50 eval pictures (queries.json, text_to_image_looks), precision
# at 3 went 0.38 → 0.71 at 0.15 (0.79 at 0.4); the object queries stayed within one of their
# counts at 0.15 and lost more above it.
LOOK_WEIGHT = 0.15
LOOK_PHRASES = 512  # phrase vectors kept (0.8 MB at most)
NAME_TEXTS = 4096  # name-word vectors kept (6 MB at most): folders' names repeat over their pictures
# Camera-made names carry no meaning ("IMG_2041", "DSC00012", "PXL_20230101").
_CAMERA_PREFIX = re.compile(r"^(img|dsc[nf]?|dcim|pxl|mvimg|p|photo|image|pic|scan|vid)$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{2,}")


def name_words(path: Path) -> str:
    """Words a person may have put in a file's name and its folder's name, or ''."""
    words = [w for w in _WORD.findall(path.stem.replace("_", " ")) if not _CAMERA_PREFIX.match(w)]
    folder = [w for w in _WORD.findall(path.parent.name.replace("_", " ")) if not _CAMERA_PREFIX.match(w)]
    text = " ".join(words)
    if folder:
        text = f"{text}, {' '.join(folder)}" if text else " ".join(folder)
    return text


class LabelBridge:
    """Maps class probabilities (and name words) to a unit vector in the text space."""

    def __init__(self, text: Embedder, labels: list[str], prompt: str = LABEL_PROMPT,
                 mixed: int = TOP_CLASSES, temperature: float = 1.0) -> None:
        self.text = text
        self.labels = labels
        self.prompt = prompt
        self.mixed = mixed  # classes mixed into the vector
        self.temperature = temperature  # > 1 flattens the probabilities before mixing
        self._label_vectors: np.ndarray | None = None
        self._lock = threading.Lock()
        # Colour-word phrases repeat from picture to picture (a few dozen in all): embed each once.
        self._look_vectors: dict[str, np.ndarray] = {}
        self._name_vectors: dict[str, np.ndarray] = {}

    def label_vectors(self) -> np.ndarray:
        """The labels' text vectors: ~2 s for 1000 labels, so kept in the cache folder."""
        with self._lock:
            if self._label_vectors is None:
                self._label_vectors = self._cached_vectors()
            return self._label_vectors

    def _cached_vectors(self) -> np.ndarray:
        texts = [self.prompt.format(label) for label in self.labels]
        key = hashlib.sha256("\n".join([self.text.name, self.text.version, *texts]).encode()).hexdigest()[:16]
        path = cache_root() / "labels" / f"{key}.npy"
        with contextlib.suppress(OSError, ValueError):
            cached = np.load(path)
            if cached.shape == (len(texts), self.text.dim):
                return cached
        vectors = self.text.embed(texts)
        with contextlib.suppress(OSError):  # no cache folder: compute again next time
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path.with_suffix(".partial.npy"), vectors)
            path.with_suffix(".partial.npy").replace(path)
        return vectors

    def top_classes(self, probabilities: np.ndarray, k: int = TOP_CLASSES) -> list[tuple[str, float]]:
        """The k likeliest labels; classes sharing a name ("missile" twice in ImageNet) count as one."""
        merged: dict[str, float] = {}
        for i in np.argsort(-probabilities)[: k * 2]:
            merged[self.labels[i]] = merged.get(self.labels[i], 0.0) + float(probabilities[i])
        return sorted(merged.items(), key=lambda kv: -kv[1])[:k]

    def vector(self, probabilities: np.ndarray, words: str = "", looks: str = "") -> np.ndarray:
        top = np.argsort(-probabilities)[: self.mixed]
        weights = probabilities[top].astype(np.float64) ** (1.0 / self.temperature)
        weights /= max(float(weights.sum()), 1e-12)
        mixed = (weights[:, None] * self.label_vectors()[top]).sum(axis=0)
        mixed /= max(float(np.linalg.norm(mixed)), 1e-12)
        if words:
            mixed = mixed + NAME_WEIGHT * self._kept(self._name_vectors, words, NAME_TEXTS)
        if looks:
            mixed = mixed + LOOK_WEIGHT * self._look_vector(looks)
        return (mixed / max(float(np.linalg.norm(mixed)), 1e-12)).astype(np.float32)

    def _look_vector(self, looks: str) -> np.ndarray:
        return self._kept(self._look_vectors, looks, LOOK_PHRASES)

    def _kept(self, kept: dict[str, np.ndarray], text: str, most: int) -> np.ndarray:
        """The text's vector, made once: looks phrases come from a small vocabulary, and the words of
        a folder's name are every one of its pictures' (a text model call costs ~7 ms a picture)."""
        vector = kept.get(text)
        if vector is None:
            vector = self.text.embed_one(text)
            if len(kept) < most:
                kept[text] = vector
        return vector


class LabelledModel(DescribedModel, Protocol):
    """A classifier or tagger whose outputs have names (ImageEmbedder, AudioEmbedder)."""

    @property
    def labels(self) -> list[str]: ...
    def is_installed(self) -> bool: ...


class BridgedPipeline(NamedByModel):
    """What picture and song pipelines share: a labelled model, reached through the text space."""

    kind = ""
    native_table = ""
    label_prompt = LABEL_PROMPT
    mixed_classes = TOP_CLASSES
    mixing_temperature = 1.0
    # Names how the bridge makes vectors, when that changed since the model's first release: part of
    # the pipeline's version, so a library made the old way analyses this kind's items again.
    bridge_revision = ""

    model: LabelledModel

    def __init__(self, text: Embedder, model: LabelledModel) -> None:
        self.text = text
        self.model = model
        self._bridge: LabelBridge | None = None

    @property
    def version(self) -> str:
        return f"{self.model.version}+{self.bridge_revision}" if self.bridge_revision else self.model.version

    def available(self) -> bool:
        return self.model.is_installed()

    def query_embedder(self) -> None:
        return None  # typed words reach this kind through the text space, by the bridge

    def bridge(self) -> LabelBridge:
        if self._bridge is None:
            self._bridge = LabelBridge(self.text, self.model.labels, self.label_prompt,
                                       self.mixed_classes, self.mixing_temperature)
        return self._bridge
