"""Filters a person combines with any query or with browsing: kind, folder, file type, date range.

A search asks the vectors for more files than it shows and keeps those that pass (a filter is
not known to the vector index); browsing with no query selects the same files in SQL, newest
first. Dates are the file's modification time, the one date every file has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nearby.core.search.hits import SearchHit
from nearby.core.storage.items import ItemRow, under_folder

# A filtered search asks for this many times the files it shows (at least FILTERED_MIN), so a
# filter that keeps one file in ten still fills the list.
FILTERED_WIDEN = 8
FILTERED_MIN = 200


@dataclass(frozen=True)
class Filters:
    """What a result must be. Empty fields filter nothing."""

    kind: str | None = None  # document, image or song
    folder: str | None = None  # files under this folder (any depth)
    extensions: tuple[str, ...] = field(default_factory=tuple)  # lower case with the dot: (".pdf",)
    since: float | None = None  # modified at or after (seconds since the epoch)
    until: float | None = None  # modified before

    @property
    def narrows(self) -> bool:
        """Whether anything beyond the kind is asked (the kind has its own fast path)."""
        return bool(self.folder or self.extensions or self.since is not None or self.until is not None)

    def keeps_path(self, path: str, mtime_s: float | None) -> bool:
        if self.folder and not is_under(path, self.folder):
            return False
        if self.extensions and Path(path).suffix.lower() not in self.extensions:
            return False
        if mtime_s is not None:
            if self.since is not None and mtime_s < self.since:
                return False
            if self.until is not None and mtime_s >= self.until:
                return False
        return True

    def keep(self, hits: list[SearchHit], rows: dict[str, ItemRow]) -> list[SearchHit]:
        """The hits that pass, in their order (``rows`` by path give the modification times)."""
        return [h for h in hits if (self.kind is None or h.kind == self.kind) and self.keeps_path(
            h.path, rows[h.path].mtime_ns / 1e9 if h.path in rows else None)]

    def sql(self) -> tuple[str, list[object]]:
        """A WHERE clause (and its parameters) selecting the same items."""
        where, args = ["1"], list[object]()
        if self.kind:
            where.append("kind = ?")
            args.append(self.kind)
        if self.folder:
            clause, folder_args = under_folder(self.folder)
            where.append(clause)
            args += folder_args
        if self.extensions:
            where.append("(" + " OR ".join("lower(path) LIKE ?" for _ in self.extensions) + ")")
            args += ["%" + e for e in self.extensions]
        if self.since is not None:
            where.append("mtime_ns >= ?")
            args.append(int(self.since * 1e9))
        if self.until is not None:
            where.append("mtime_ns < ?")
            args.append(int(self.until * 1e9))
        return " AND ".join(where), args


def is_under(path: str, folder: str) -> bool:
    """Whether a path is the folder or inside it (at any depth)."""
    folder = folder.rstrip("/\\")
    return path.startswith(folder) and path[len(folder):len(folder) + 1] in ("", "/", "\\")
