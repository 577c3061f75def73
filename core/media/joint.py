"""Joint models a user installed (models/manifest.py): a media tower and a text tower in one space.

With one of these, typed words reach pictures (or songs) directly in the model's own space,
instead of through class names; look-alikes use the same vectors.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nearby.core.inference.image_embedder import to_tensor
from nearby.core.inference.installed_model import LazySessions
from nearby.core.inference.text_embedder import Embedder
from nearby.core.media.audio import open_song
from nearby.core.media.bridge import name_words
from nearby.core.media.images import open_picture, write_thumbnail
from nearby.core.media.pipeline import AnalysedMedia, NamedByModel
from nearby.models.manifest import JointModel
from nearby.models.spec import ImagePreprocessing

if TYPE_CHECKING:
    pass


def unit_rows(x: np.ndarray) -> np.ndarray:
    return (x / np.clip(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12, None)).astype(np.float32)


class _Towers:
    """Sessions of a joint model's two towers and its tokenizer, opened on first use."""

    def __init__(self, model: JointModel) -> None:
        self.model = model
        self._sessions = LazySessions(model.folder, "Check that folder and its nearby-model.json.")
        self._tokenizer: Any = None

    def run(self, file: str, feeds: dict[str, np.ndarray]) -> np.ndarray:
        session = self._sessions.get(file)
        names = {i.name for i in session.get_inputs()}
        return np.asarray(session.run(None, {k: v for k, v in feeds.items() if k in names})[0])

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(self.model.path(self.model.tokenizer)))
            tokenizer.no_padding()
            tokenizer.enable_padding(pad_id=self.model.pad_id)
            tokenizer.enable_truncation(max_length=self.model.max_tokens)
            self._tokenizer = tokenizer
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        return unit_rows(self.run(self.model.text_tower, {"input_ids": ids, "attention_mask": mask}))


class _JointPipeline(NamedByModel):
    kind = ""
    native_table = ""

    model: JointModel

    def __init__(self, model: JointModel, text: Embedder) -> None:
        self.model = model
        self.text = text
        self.towers = _Towers(model)

    def available(self) -> bool:
        return True

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Typed words → unit vectors in this model's joint space."""
        return self.towers.embed_texts(texts)

    def query_embedder(self) -> Callable[[Sequence[str]], np.ndarray]:
        return self.embed_texts

    def _entry(self, path: Path, description: str, native: np.ndarray, meta: dict[str, Any]) -> AnalysedMedia:
        words = name_words(path)
        return AnalysedMedia(title=path.stem, description=description,
                             text_vector=self.text.embed_one(words or description),
                             native_vector=unit_rows(native[None])[0], meta=json.dumps(meta))


class JointImagePipeline(_JointPipeline):
    """Pictures through a CLIP-style image tower."""

    kind = "image"
    native_table = "image_vectors"

    def preprocessing(self) -> ImagePreprocessing:
        s = self.model.settings
        return ImagePreprocessing(int(s["resize"]), int(s["crop"]), tuple(s["mean"]), tuple(s["std"]))  # type: ignore[arg-type]

    def analyse(self, path: Path, sha256: str) -> AnalysedMedia:
        picture = open_picture(path)
        pixels = to_tensor(picture.image, self.preprocessing())[None]
        native = self.towers.run(self.model.tower, {"pixel_values": pixels})[0]
        meta: dict[str, Any] = dict(picture.meta)
        with contextlib.suppress(OSError):  # a read-only cache costs the thumbnail, not the picture
            meta["thumbnail"] = str(write_thumbnail(picture, sha256))
        details = [d for d in (meta.get("taken", "")[:10], meta.get("camera", "")) if d]
        description = f"Picture ({self.model.name})" + (f" · {' · '.join(details)}" if details else "")
        return self._entry(path, description, native, meta)


class JointAudioPipeline(_JointPipeline):
    """Songs through a CLAP-style audio tower: windows of the song, averaged."""

    kind = "song"
    native_table = "song_vectors"

    def analyse(self, path: Path, sha256: str) -> AnalysedMedia:
        rate = int(self.model.settings["sample_rate"])
        length = int(float(self.model.settings["seconds"]) * rate)
        song = open_song(path, rate)
        windows = np.stack([np.pad(x[:length], (0, max(0, length - len(x)))) for x in song.excerpts])
        native = unit_rows(self.towers.run(self.model.tower, {"waveform": windows.astype(np.float32)})).mean(axis=0)
        meta: dict[str, Any] = dict(song.tags, duration=round(song.duration, 1))
        who = " — ".join(p for p in (song.tags.get("title", ""), song.tags.get("artist", "")) if p)
        description = f"Song ({self.model.name})" + (f" · {who}" if who else "")
        return self._entry(path, description, native, meta)


def joint_pipeline(model: JointModel, text: Embedder) -> JointImagePipeline | JointAudioPipeline:
    return JointImagePipeline(model, text) if model.kind == "image" else JointAudioPipeline(model, text)
