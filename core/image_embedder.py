"""Pictures → unit-length features (for look-alikes) and class probabilities (for the bridge)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.errors import ModelFailed, ModelMissing
from models.catalog import DEFAULT_IMAGE_MODEL, get_model
from models.locate import missing_files, model_dir
from models.spec import ImagePreprocessing, ModelSpec

if TYPE_CHECKING:
    import onnxruntime as ort
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
    resized = image.resize((max(pre.crop, round(w * scale)), max(pre.crop, round(h * scale))),
                           PILImage.Resampling.BICUBIC)
    left, top = (resized.width - pre.crop) // 2, (resized.height - pre.crop) // 2
    crop = resized.crop((left, top, left + pre.crop, top + pre.crop))
    array: np.ndarray = np.asarray(crop, dtype=np.float32) / 255.0
    normalised: np.ndarray = (array - np.array(pre.mean, dtype=np.float32)) / np.array(pre.std, dtype=np.float32)
    return normalised.transpose(2, 0, 1)


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return (shifted / shifted.sum(axis=-1, keepdims=True)).astype(np.float32)


class ImageEmbedder:
    """Runs an ImageNet classifier; the session opens on first use."""

    def __init__(self, spec: ModelSpec | None = None, models_root: Path | str | None = None) -> None:
        self.spec = spec or get_model(DEFAULT_IMAGE_MODEL)
        self.folder = model_dir(self.spec, models_root)
        self._session: ort.InferenceSession | None = None
        self._labels: list[str] | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def dim(self) -> int:
        return self.spec.dim

    def is_installed(self) -> bool:
        return not missing_files(self.spec, self.folder.parent)

    def check_installed(self) -> None:
        missing = missing_files(self.spec, self.folder.parent)
        if missing:
            raise ModelMissing(
                f"The image model {self.spec.name} is not installed (missing {', '.join(missing)} in "
                f"{self.folder}). Run `python -m models.install`."
            )

    @property
    def labels(self) -> list[str]:
        self._load()
        assert self._labels is not None
        return self._labels

    def _load(self) -> ort.InferenceSession:
        with self._lock:
            if self._session is None:
                self.check_installed()
                from core.providers import create_session

                try:
                    self._labels = list(json.loads((self.folder / "labels.json").read_text(encoding="utf-8")))
                    self._session = create_session(str(self.folder / "model.onnx"))
                except Exception as exc:
                    raise ModelFailed(
                        f"The image model in {self.folder} could not be loaded ({exc}). "
                        "Reinstall it: delete that folder and run `python -m models.install`."
                    ) from exc
            return self._session

    def analyse(self, image: Image.Image) -> ImageAnalysis:
        """Features and class probabilities of one upright RGB picture."""
        assert isinstance(self.spec.preprocessing, ImagePreprocessing)
        batch = to_tensor(image, self.spec.preprocessing)[None]
        features, logits = self._load().run(["features", "logits"], {"pixels": batch})
        vector = features[0] / max(float(np.linalg.norm(features[0])), 1e-12)
        return ImageAnalysis(vector.astype(np.float32), softmax(logits[0]))
