"""Which kind of item a file is, by its extension: the indexer's first decision."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from core.extract import EXTENSIONS as DOCUMENT_EXTENSIONS
from core.images import IMAGE_EXTENSIONS

Kind = Literal["document", "image"]
KINDS: tuple[Kind, ...] = ("document", "image")


def kind_of(path: Path) -> Kind | None:
    suffix = path.suffix.lower()
    if suffix in DOCUMENT_EXTENSIONS:
        return "document"
    if suffix in IMAGE_EXTENSIONS:
        return "image"
    return None
