"""Joint models a user installs: a folder with ONNX towers and a ``nearby-model.json``.

Nearby ships no text-aligned image or audio model (none can be had from the registries it uses),
but people may own one: a CLIP-style pair (image tower + text tower in one space) or a
CLAP-style pair (audio tower + text tower). Put its files in a folder under the models folder
with a manifest, and Nearby uses it for that kind instead of the class-name bridge (an existing
library analyses that kind's files again at its next index run, see core.indexer):

    <models folder>/my-clip/
        image.onnx        input "pixel_values" (N, 3, H, W) float32, normalised; output (N, D)
        text.onnx         inputs "input_ids", "attention_mask" (N, L) int64; output (N, D)
        tokenizer.json    a Hugging Face `tokenizers` file
        nearby-model.json {"name": "my-clip", "kind": "image", "dim": 512, "version": "1",
                           "tower": "image.onnx", "text_tower": "text.onnx",
                           "tokenizer": "tokenizer.json", "max_tokens": 77, "pad_id": 0,
                           "image": {"resize": 224, "crop": 224, "mean": [...], "std": [...]},
                           "licence": "MIT", "source": "where the weights came from"}

An audio pair is the same with "kind": "audio", an audio tower whose input "waveform" is
(N, samples) float32 mono, and "audio": {"sample_rate": 48000, "seconds": 10}.
Outputs need not be normalised: Nearby scales every vector to unit length.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

MANIFEST = "nearby-model.json"


class ManifestError(ValueError):
    """A model folder's manifest is missing fields or names files that are not there."""


@dataclass(frozen=True)
class JointModel:
    name: str
    version: str
    kind: Literal["image", "audio"]
    dim: int
    folder: Path
    tower: str
    text_tower: str
    tokenizer: str
    max_tokens: int
    pad_id: int
    settings: dict[str, Any]  # "image": resize/crop/mean/std, or "audio": sample_rate/seconds
    licence: str = ""
    source: str = ""

    def path(self, name: str) -> Path:
        return self.folder / name


def load_manifest(folder: Path) -> JointModel:
    """Read and check one model folder's manifest.

    Raises:
        ManifestError: what is wrong, and which file to fix.
    """
    where = folder / MANIFEST
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{where} cannot be read as JSON ({exc})") from exc
    missing = [k for k in ("name", "kind", "dim", "tower", "text_tower", "tokenizer") if k not in data]
    if missing:
        raise ManifestError(f"{where} lacks {', '.join(missing)}; see models/manifest.py for the format")
    kind = data["kind"]
    if kind not in ("image", "audio") or kind not in data:
        raise ManifestError(f"{where}: kind must be \"image\" or \"audio\", with a section of that name")
    absent = [data[k] for k in ("tower", "text_tower", "tokenizer") if not (folder / data[k]).is_file()]
    if absent:
        raise ManifestError(f"{where} names files that are not in {folder}: {', '.join(absent)}")
    return JointModel(
        name=str(data["name"]), version=str(data.get("version", "")), kind=kind, dim=int(data["dim"]),
        folder=folder, tower=data["tower"], text_tower=data["text_tower"], tokenizer=data["tokenizer"],
        max_tokens=int(data.get("max_tokens", 77)), pad_id=int(data.get("pad_id", 0)), settings=dict(data[kind]),
        licence=str(data.get("licence", "")), source=str(data.get("source", "")),
    )


def find_joint_models(root: Path) -> tuple[list[JointModel], list[str]]:
    """Every valid joint model under ``root`` (sorted by name), and a message for each broken one."""
    models, problems = [], []
    if root.is_dir():
        for manifest in sorted(root.glob(f"*/{MANIFEST}")):
            try:
                models.append(load_manifest(manifest.parent))
            except ManifestError as exc:
                problems.append(str(exc))
    return sorted(models, key=lambda m: m.name), problems
