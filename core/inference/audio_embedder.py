"""Songs → unit-length features (for sound-alikes) and tag scores (for the bridge)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nearby.core.inference.installed_model import InstalledModel
from nearby.core.media.mel import PATCH_FRAMES, log_mel
from nearby.models.catalog import DEFAULT_AUDIO_MODEL, get_model
from nearby.models.spec import AudioPreprocessing, ModelSpec

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class AudioAnalysis:
    features: np.ndarray  # unit float32: mean of the patches' penultimate layers
    scores: np.ndarray  # per tag, in [0, 1]: mean over patches


class AudioEmbedder(InstalledModel):
    """Runs a music tagger on log-mel patches; the session opens on first use."""

    role = "music model"

    def __init__(self, spec: ModelSpec | None = None, models_root: Path | str | None = None) -> None:
        super().__init__(spec or get_model(DEFAULT_AUDIO_MODEL), models_root)

    @property
    def pre(self) -> AudioPreprocessing:
        assert isinstance(self.spec.preprocessing, AudioPreprocessing)
        return self.spec.preprocessing

    @property
    def labels(self) -> list[str]:
        return list(self.pre.labels)

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
        tensors = self.spec.tensors
        assert tensors is not None, f"{self.spec.name} names no tensors in the catalog"
        tags, penultimate = self.session().run(list(tensors.outputs), {tensors.inputs[0]: self.patches(excerpts)})
        mean = penultimate.mean(axis=0)
        return AudioAnalysis((mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32),
                             tags.mean(axis=0).astype(np.float32))
