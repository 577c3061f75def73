"""Everything the index keeps about one picture: description, vectors, metadata, thumbnail."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.bridge import LabelBridge, name_words
from core.image_embedder import ImageEmbedder
from core.images import open_picture, write_thumbnail
from core.text_embedder import Embedder


@dataclass(frozen=True)
class AnalysedPicture:
    title: str
    description: str  # shown as the result's snippet, and kept as the item's one passage
    text_vector: np.ndarray  # in the text model's space: what typed words are compared with
    native_vector: np.ndarray  # in the image model's space: what look-alikes are compared with
    meta: str  # JSON


class PicturePipeline:
    """Decodes, classifies, bridges and thumbnails pictures for the indexer."""

    def __init__(self, text: Embedder, images: ImageEmbedder | None = None) -> None:
        self.images = images or ImageEmbedder()
        self.text = text
        self._bridge: LabelBridge | None = None

    @property
    def name(self) -> str:
        return self.images.name

    @property
    def version(self) -> str:
        return self.images.spec.version

    @property
    def dim(self) -> int:
        return self.images.dim

    def available(self) -> bool:
        return self.images.is_installed()

    def bridge(self) -> LabelBridge:
        if self._bridge is None:
            self._bridge = LabelBridge(self.text, self.images.labels)
        return self._bridge

    def analyse(self, path: Path, sha256: str) -> AnalysedPicture:
        """Raises UnsupportedFile for pictures that cannot be decoded."""
        picture = open_picture(path)
        analysis = self.images.analyse(picture.image)
        bridge = self.bridge()
        words = name_words(path)
        classes = bridge.top_classes(analysis.probabilities, 3)
        looks = ", ".join(f"{label} ({p:.0%})" for label, p in classes)
        details = [d for d in (picture.meta.get("taken", "")[:10], picture.meta.get("camera", "")) if d]
        description = f"Looks like {looks}" + (f" · {' · '.join(details)}" if details else "")
        meta = dict(picture.meta, labels=[label for label, _ in classes])
        with contextlib.suppress(OSError):  # a read-only cache costs the thumbnail, not the picture
            meta["thumbnail"] = str(write_thumbnail(picture, sha256))
        return AnalysedPicture(
            title=path.stem, description=description,
            text_vector=bridge.vector(analysis.probabilities, words),
            native_vector=analysis.features, meta=json.dumps(meta),
        )
