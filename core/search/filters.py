"""Filters a person combines with any query or with browsing: kind, folder, file type, date range.

The files that pass are selected in SQL: browsing lists them newest first; a search takes them
as the rows its nearest-neighbour search may answer with (core/storage/row_filter.py), so it
returns the true best matches among them however few they are. Dates are the file's modification
time, the one date every file has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nearby.core.storage.items import under_folder
from nearby.core.storage.row_filter import OPEN, RowFilter, id_array
from nearby.core.storage.store import Store


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

    def rows(self, store: Store) -> RowFilter:
        """The rows a search may answer with: the files passing (every row when nothing beyond the
        kind is asked; the kind is searched by its own partition)."""
        if not self.narrows:
            return OPEN
        return RowFilter(items=id_array(store.item_ids_where(*self.sql())))

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
            # the exact ending (LIKE would read _ and % in it as wildcards)
            where.append("(" + " OR ".join("substr(lower(path), -?) = ?" for _ in self.extensions) + ")")
            for e in self.extensions:
                args += [len(e), e.lower()]
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
