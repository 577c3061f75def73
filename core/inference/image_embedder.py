"""Pictures → unit-length features (for look-alikes) and class probabilities (for the bridge)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nearby.core.inference.installed_model import InstalledModel
from nearby.models.catalog import DEFAULT_IMAGE_MODEL, get_model
from nearby.models.spec import ImagePreprocessing, ModelSpec

if TYPE_CHECKING:
    from PIL import Image


@dataclass(frozen=True)
class ImageAnalysis:
    features: np.ndarray  # unit float32, the model's native space
    probabilities: np.ndarray  # over the model's classes, summing to 1


def to_tensor(image: Image.Image, pre: ImagePreprocessing) -> np.ndarray:
    """Resize the shorter side (bicubic), centre-crop, scale to [0, 1], normalise: CHW float32."""
    from PIL import Image as PILImage

    w, h = image.size
    scale = pre.resize / min(w, h)
    width, height = max(pre.crop, round(w * scale)), max(pre.crop, round(h * scale))
    left, top = (width - pre.crop) // 2, (height - pre.crop) // 2
    # Only the crop's part of the picture is resized (the same pixels as resizing all, then
    # cropping): a 20000×1 strip resized whole would be 5.9 million × 297 pixels, 5 GB.
    sx, sy = w / width, h / height
    box = (left * sx, top * sy, (left + pre.crop) * sx, (top + pre.crop) * sy)
    crop = image.resize((pre.crop, pre.crop), PILImage.Resampling.BICUBIC, box=box)
    array: np.ndarray = np.asarray(crop, dtype=np.float32) / 255.0
    normalised: np.ndarray = (array - np.array(pre.mean, dtype=np.float32)) / np.array(pre.std, dtype=np.float32)
    return normalised.transpose(2, 0, 1)


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return (shifted / shifted.sum(axis=-1, keepdims=True)).astype(np.float32)


class ImageEmbedder(InstalledModel):
    """Runs an ImageNet classifier; the session opens on first use."""

    role = "image model"

    def __init__(self, spec: ModelSpec | None = None, models_root: Path | str | None = None) -> None:
        super().__init__(spec or get_model(DEFAULT_IMAGE_MODEL), models_root)
        self._labels: list[str] | None = None

    @property
    def labels(self) -> list[str]:
        with self._lock:
            if self._labels is None:
                self.check_installed()
                names = json.loads((self.folder / "labels.json").read_text(encoding="utf-8"))
                self._labels = [str(n) for n in names]
            return self._labels

    def analyse(self, image: Image.Image) -> ImageAnalysis:
        """Features and class probabilities of one upright RGB picture."""
        assert isinstance(self.spec.preprocessing, ImagePreprocessing)
        batch = to_tensor(image, self.spec.preprocessing)[None]
        tensors = self.spec.tensors
        assert tensors is not None, f"{self.spec.name} names no tensors in the catalog"
        features, logits = self.session().run(list(tensors.outputs), {tensors.inputs[0]: batch})
        vector = features[0] / max(float(np.linalg.norm(features[0])), 1e-12)
        return ImageAnalysis(vector.astype(np.float32), softmax(logits[0]))
