"""The similarity map's rows: each map's layout (points) and its named clusters."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass

from nearby.core.storage.connection import Connected


@dataclass(frozen=True)
class MapInfo:
    name: str
    model: str  # the vector space the layout was made from
    made_at: float
    items: int  # how many items the full layout placed
    clusters: list[dict[str, object]]  # [{"id", "label"}] as named when the layout was made


class MapRecord(Connected):
    """Reading and writing stored map layouts."""

    def map_info(self, name: str) -> MapInfo | None:
        row = self.conn.execute("SELECT name, model, made_at, items, clusters FROM maps WHERE name = ?",
                                (name,)).fetchone()
        return None if row is None else MapInfo(row[0], row[1], row[2], row[3], json.loads(row[4]))

    def save_map(self, name: str, model: str, points: Sequence[tuple[int, float, float, int]],
                 clusters: list[dict[str, object]]) -> None:
        """Replace a map's layout (a full layout). Call in a transaction."""
        self.conn.execute("DELETE FROM maps WHERE name = ?", (name,))
        self.conn.execute("INSERT INTO maps VALUES (?, ?, ?, ?, ?)",
                          (name, model, time.time(), len(points), json.dumps(clusters)))
        self.add_map_points(name, points)

    def add_map_points(self, name: str, points: Sequence[tuple[int, float, float, int]]) -> None:
        """Add (item id, x, y, cluster) points to an existing map. Call in a transaction. A file
        removed by an index run while the layout was computed is left out (its point would name
        an item that no longer exists)."""
        self.conn.executemany("INSERT OR REPLACE INTO map_points SELECT ?, ?, ?, ?, ? WHERE EXISTS "
                              "(SELECT 1 FROM items WHERE id = ?)",
                              [(name, item, float(x), float(y), int(c), item) for item, x, y, c in points])

    def map_points(self, name: str) -> list[tuple[int, float, float, int]]:
        """(item id, x, y, cluster) of every point of a map."""
        return [(r[0], r[1], r[2], r[3]) for r in self.conn.execute(
            "SELECT item_id, x, y, cluster FROM map_points WHERE map = ?", (name,))]

    def item_texts(self, ids: Sequence[int]) -> dict[int, str]:
        """Each item's title and first passage: the words its map group is named from."""
        out: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            chunk = tuple(ids[start : start + 500])
            rows = self.conn.execute(
                "SELECT i.id, i.title, coalesce(p.text, '') FROM items i LEFT JOIN passages p "
                f"ON p.item_id = i.id AND p.ord = 0 WHERE i.id IN ({','.join('?' * len(chunk))})", chunk)
            out.update((r[0], f"{r[1]} {r[2]}") for r in rows)
        return out

    def item_ids(self, kind: str | None = None) -> list[int]:
        """Every item's id, or those of one kind."""
        if kind is None:
            return [r[0] for r in self.conn.execute("SELECT id FROM items ORDER BY id")]
        return [r[0] for r in self.conn.execute("SELECT id FROM items WHERE kind = ? ORDER BY id", (kind,))]
