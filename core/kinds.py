"""Which kind of item a file is, by its extension: the indexer's first decision."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from core.audio import AUDIO_EXTENSIONS
from core.extract import EXTENSIONS as DOCUMENT_EXTENSIONS
from core.images import IMAGE_EXTENSIONS

Kind = Literal["document", "image", "song"]
KINDS: tuple[Kind, ...] = ("document", "image", "song")


def kind_of(path: Path) -> Kind | None:
    suffix = path.suffix.lower()
    if suffix in DOCUMENT_EXTENSIONS:
        return "document"
    if suffix in IMAGE_EXTENSIONS:
        return "image"
    if suffix in AUDIO_EXTENSIONS:
        return "song"
    return None
