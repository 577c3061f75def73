"""What a person liked (and marked "less like this"), and what they opened, by path: a re-indexed
file keeps its mark, a moved one carries it (triggers on items' paths), one that is gone is simply
not joined."""

from __future__ import annotations

import time
from collections.abc import Sequence

from nearby.core.storage.connection import Connected
from nearby.core.storage.items import _ITEM_COLUMNS, ItemRow

_JOINED_COLUMNS = ", ".join(f"i.{c.strip()}" for c in _ITEM_COLUMNS.split(","))  # items joined as i
LIKE, LESS = 1, -1  # "less like this": the profile learns what not to suggest


class Likes(Connected):
    def set_likes(self, paths: Sequence[str], value: int = LIKE) -> None:
        now = time.time()
        self.conn.executemany("INSERT OR REPLACE INTO likes (path, value, at) VALUES (?, ?, ?)",
                              [(p, value, now) for p in paths])

    def remove_likes(self, paths: Sequence[str]) -> None:
        self.conn.executemany("DELETE FROM likes WHERE path = ?", [(p,) for p in paths])

    def liked_items(self, value: int = LIKE, kind: str | None = None) -> list[tuple[ItemRow, float]]:
        """The library's items marked ``value``, newest mark first, with when."""
        rows = self.conn.execute(
            f"SELECT {_JOINED_COLUMNS}, l.at FROM likes l JOIN items i ON i.path = l.path WHERE l.value = ?"
            + (" AND i.kind = ?" if kind else "") + " ORDER BY l.at DESC, i.id",
            (value, kind) if kind else (value,))
        return [(ItemRow(*r[:-1]), float(r[-1])) for r in rows]

    def all_likes(self) -> list[tuple[str, int, float]]:
        """Every mark (path, value, when), joined to an item or not (for copying to a new library)."""
        return [(str(p), int(v), float(a)) for p, v, a in self.conn.execute("SELECT path, value, at FROM likes")]

    def restore_likes(self, rows: Sequence[tuple[str, int, float]]) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO likes (path, value, at) VALUES (?, ?, ?)", rows)

    def note_opening(self, path: str, at: float | None = None) -> None:
        self.conn.execute("INSERT INTO openings (path, at, times) VALUES (?, ?, 1) ON CONFLICT(path) DO UPDATE "
                          "SET at = excluded.at, times = times + 1", (path, time.time() if at is None else at))

    def opened_items(self, since: float, kind: str | None = None) -> list[tuple[ItemRow, float]]:
        """The library's items opened since ``since`` (seconds since the epoch), latest first."""
        rows = self.conn.execute(
            f"SELECT {_JOINED_COLUMNS}, o.at FROM openings o JOIN items i ON i.path = o.path WHERE o.at >= ?"
            + (" AND i.kind = ?" if kind else "") + " ORDER BY o.at DESC", (since, kind) if kind else (since,))
        return [(ItemRow(*r[:-1]), float(r[-1])) for r in rows]

    def last_openings(self, paths: Sequence[str]) -> dict[str, float]:
        """When each of these paths was last opened from Nearby (absent: never)."""
        out: dict[str, float] = {}
        for first in range(0, len(paths), 500):
            chunk = list(paths[first : first + 500])
            marks = ",".join("?" * len(chunk))
            out.update({str(p): float(a) for p, a in self.conn.execute(
                f"SELECT path, at FROM openings WHERE path IN ({marks})", chunk)})
        return out

    def all_openings(self) -> list[tuple[str, float, int]]:
        return [(str(p), float(a), int(t)) for p, a, t in self.conn.execute("SELECT path, at, times FROM openings")]

    def restore_openings(self, rows: Sequence[tuple[str, float, int]]) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO openings (path, at, times) VALUES (?, ?, ?)", rows)
