"""One result of a search or find-similar, as the CLI prints it and the window shows it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from nearby.core.extract.passages import snippet_of
from nearby.core.extract.places import place_name, short_place
from nearby.core.storage.items import ItemRow


@dataclass(frozen=True)
class SearchHit:
    """One file in a result list, with the passage that matched best."""

    path: str
    kind: str
    title: str
    score: float  # in [0, 1], higher is closer; comparable across kinds (see core/calibration.py)
    snippet: str = ""
    page: int | None = None
    similarity: float = 0.0  # the raw cosine in the space that was searched
    meta: dict[str, Any] = field(default_factory=dict)  # pictures: taken, camera, width, height, thumbnail
    why: dict[str, Any] = field(default_factory=dict)  # what matched (core/search/why.py)

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def folder(self) -> str:
        return str(Path(self.path).parent)

    @property
    def thumbnail(self) -> str | None:
        return self.meta.get("thumbnail")

    @property
    def place(self) -> str:
        """The matching passage's place in words ("slide 3", "page 12"; "" for a one-part file)."""
        return place_name(self.path, self.page)

    @property
    def short_place(self) -> str:
        """As a result line shows it: "p. 12" for pages, "slide 3" for the rest."""
        return short_place(self.path, self.page)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "place": self.place}


def cosine_of(distance: float) -> float:
    return 1.0 - distance


def clip01(value: float) -> float:
    return float(min(1.0, max(0.0, value)))


def make_hit(item: ItemRow, score: float, cosine: float, text: str, page: int | None) -> SearchHit:
    return SearchHit(item.path, item.kind, item.title, score, snippet_of(text), page, cosine, json.loads(item.meta))
