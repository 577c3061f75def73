"""The library without a query: files newest first (a timeline), and one file's details.

What the window shows before anything is typed, and what its detail pane shows of a result.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nearby.core.extract.passages import snippet_of
from nearby.core.search.filters import Filters
from nearby.core.search.hits import SearchHit
from nearby.core.storage.items import ItemRow
from nearby.core.storage.store import Store

# Passages a detail pane reads of one document: enough for the context of any match in a long
# PDF's first hundreds of pages, small enough to fetch in a few milliseconds.
DETAIL_PASSAGES = 400


@dataclass(frozen=True)
class ItemDetails:
    """One file as the library knows it."""

    path: str
    kind: str
    title: str
    size: int
    modified: float  # seconds since the epoch
    meta: dict[str, Any] = field(default_factory=dict)
    passages: tuple[tuple[str, int | None], ...] = ()  # (text, page) in reading order

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "title": self.title, "size": self.size,
                "modified": self.modified, "meta": self.meta, "passages": [list(p) for p in self.passages]}


def browse(store: Store, filters: Filters, limit: int, offset: int = 0) -> list[SearchHit]:
    """Files passing the filters, newest first, each with its first passage as the snippet."""
    where, args = filters.sql()
    rows = store.browse(where, args, limit, offset)
    return [_browse_hit(store, row) for row in rows]


def _browse_hit(store: Store, row: ItemRow) -> SearchHit:
    text, page = store.first_passage(row.id)
    meta = json.loads(row.meta)
    meta["modified"] = row.mtime_ns / 1e9
    return SearchHit(row.path, row.kind, row.title, 0.0, snippet_of(text), page, 0.0, meta)


def details(store: Store, path: str) -> ItemDetails | None:
    """What the library holds about one file (None when it is not in the library)."""
    row = store.item_by_path(path)
    if row is None:
        return None
    return ItemDetails(row.path, row.kind, row.title, row.size, row.mtime_ns / 1e9, json.loads(row.meta),
                       tuple(store.item_passages(row.id, DETAIL_PASSAGES)))


SUBFOLDER_DEPTH = 3  # levels of subfolders offered by the folder filter
SUBFOLDER_LIMIT = 400  # folders offered at most (a photo library of 5,000 day folders keeps its fullest)


def folder_tree(roots: Sequence[str], paths: Iterable[str], depth: int, limit: int) -> list[tuple[str, int]]:
    """(folder, files within) for the roots and their subfolders down to ``depth`` levels."""
    counts: dict[str, int] = {}
    ordered_roots = sorted(roots, key=len, reverse=True)  # a file counts under its innermost root
    for path in paths:
        root = next((r for r in ordered_roots if path.startswith(r.rstrip(os.sep) + os.sep)), None)
        if root is None:
            continue
        parts = Path(path).parent.relative_to(root).parts[:depth]
        counts[root] = counts.get(root, 0) + 1
        for n in range(1, len(parts) + 1):
            folder = os.path.join(root, *parts[:n])
            counts[folder] = counts.get(folder, 0) + 1
    kept = set(roots) | set(sorted((f for f in counts if f not in roots), key=lambda f: -counts[f])[:limit])
    return sorted(((f, counts.get(f, 0)) for f in kept), key=lambda fc: Path(fc[0]).parts)
