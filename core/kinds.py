"""Which kind of item a file is, by its extension: the indexer's first decision."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from nearby.core.extract import EXTENSIONS as DOCUMENT_EXTENSIONS
from nearby.core.media.audio import AUDIO_EXTENSIONS
from nearby.core.media.images import PICTURE_EXTENSIONS

Kind = Literal["document", "image", "song"]
KINDS: tuple[Kind, ...] = ("document", "image", "song")
KIND_PLURALS = {"document": "documents", "image": "pictures", "song": "songs"}  # as messages name them


def kind_of(path: Path) -> Kind | None:
    suffix = path.suffix.lower()
    if suffix in DOCUMENT_EXTENSIONS:
        return "document"
    if suffix in PICTURE_EXTENSIONS:
        return "image"
    if suffix in AUDIO_EXTENSIONS:
        return "song"
    return None
