"""Songs → unit-length features (for sound-alikes) and tag scores (for the bridge)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.errors import ModelFailed, ModelMissing
from core.mel import PATCH_FRAMES, log_mel
from models.catalog import DEFAULT_AUDIO_MODEL, get_model
from models.locate import missing_files, model_dir
from models.spec import AudioPreprocessing, ModelSpec

if TYPE_CHECKING:
    import onnxruntime as ort


@dataclass(frozen=True)
class AudioAnalysis:
    features: np.ndarray  # unit float32: mean of the patches' penultimate layers
    scores: np.ndarray  # per tag, in [0, 1]: mean over patches


class AudioEmbedder:
    """Runs a music tagger on log-mel patches; the session opens on first use."""

    def __init__(self, spec: ModelSpec | None = None, models_root: Path | str | None = None) -> None:
        self.spec = spec or get_model(DEFAULT_AUDIO_MODEL)
        self.folder = model_dir(self.spec, models_root)
        self._session: ort.InferenceSession | None = None
        self._lock = threading.Lock()

    @property
    def pre(self) -> AudioPreprocessing:
        assert isinstance(self.spec.preprocessing, AudioPreprocessing)
        return self.spec.preprocessing

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def dim(self) -> int:
        return self.spec.dim

    @property
    def labels(self) -> list[str]:
        return list(self.pre.labels)

    def is_installed(self) -> bool:
        return not missing_files(self.spec, self.folder.parent)

    def _load(self) -> ort.InferenceSession:
        with self._lock:
            if self._session is None:
                if not self.is_installed():
                    raise ModelMissing(f"The music model {self.spec.name} is not installed in {self.folder}. "
                                       "Run `python -m models.install`.")
                from core.providers import create_session

                try:
                    self._session = create_session(str(self.folder / "model.onnx"))
                except Exception as exc:
                    raise ModelFailed(f"The music model in {self.folder} could not be loaded ({exc}). "
                                      "Delete that folder and run `python -m models.install`.") from exc
            return self._session

    def patches(self, excerpts: list[np.ndarray]) -> np.ndarray:
        """(N, 187, 96) log-mel patches, one per excerpt long enough (shorter ones zero-padded)."""
        out = []
        for samples in excerpts:
            mel = log_mel(samples)[:PATCH_FRAMES]
            if len(mel) < PATCH_FRAMES:
                mel = np.pad(mel, ((0, PATCH_FRAMES - len(mel)), (0, 0)))
            out.append(mel)
        return np.stack(out).astype(np.float32)

    def analyse(self, excerpts: list[np.ndarray]) -> AudioAnalysis:
        tags, penultimate = self._load().run(["tags", "penultimate"], {"mel": self.patches(excerpts)})
        mean = penultimate.mean(axis=0)
        return AudioAnalysis((mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32),
                             tags.mean(axis=0).astype(np.float32))
