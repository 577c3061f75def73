"""What the indexer needs from a pipeline that turns a picture or a song into index entries."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from nearby.core.inference.installed_model import DescribedModel


@dataclass(frozen=True)
class AnalysedMedia:
    title: str
    description: str  # shown as the result's snippet, and kept as the item's one passage
    text_vector: np.ndarray  # in the text model's space: what typed words are compared with
    native_vector: np.ndarray  # in the media model's own space: what look-/sound-alikes use
    meta: str  # JSON
    # More passages with their text-space vectors: the text read in a picture, for one.
    extra_passages: tuple[tuple[str, np.ndarray], ...] = ()


class MediaPipeline(DescribedModel, Protocol):
    kind: str  # the item kind it makes ("image", "song")
    native_table: str  # the vector table of its own space

    def available(self) -> bool: ...
    def analyse(self, path: Path, sha256: str) -> AnalysedMedia: ...
    def query_embedder(self) -> Callable[[Sequence[str]], np.ndarray] | None:
        """The text tower of a joint model (typed words → this kind's own space), or None when
        this kind is reached through the text model's space (the class-name bridge)."""


class NamedByModel:
    """A pipeline's name, version and width are its model's (the bridge's and the joint pipelines')."""

    model: DescribedModel

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def version(self) -> str:
        return self.model.version

    @property
    def dim(self) -> int:
        return self.model.dim
