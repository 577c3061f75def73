"""Items (files), their passages, failures and folders: the rows the indexer writes and search reads."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from nearby.core.storage.connection import Connected
from nearby.core.storage.vectors import NATIVE_TABLES, PASSAGE_VECTORS, item_vector


def under_folder(folder: str) -> tuple[str, list[object]]:
    """A WHERE condition on ``path`` selecting what lies inside a folder at any depth, and its
    parameters. The prefix ends with the folder's own separator: /a/photos holds /a/photos/x.jpg,
    not /a/photos-old/x.jpg."""
    prefix = folder.rstrip("/\\") + ("\\" if "\\" in folder and "/" not in folder else "/")
    return "substr(path, 1, ?) = ?", [len(prefix), prefix]


@dataclass(frozen=True)
class ItemRow:
    id: int
    path: str
    kind: str
    title: str
    size: int
    mtime_ns: int
    sha256: str
    meta: str = "{}"  # JSON: EXIF date, camera, pixel size … whatever the file told

_ITEM_COLUMNS = "id, path, kind, title, size, mtime_ns, sha256, meta"


class Items(Connected):
    """Reading and writing items, passages, failures and folders."""

    def item_by_path(self, path: str) -> ItemRow | None:
        row = self.conn.execute(
            f"SELECT {_ITEM_COLUMNS} FROM items WHERE path = ?", (path,)).fetchone()
        return ItemRow(*row) if row else None

    def items_by_sha(self, sha256: str) -> list[ItemRow]:
        rows = self.conn.execute(
            f"SELECT {_ITEM_COLUMNS} FROM items WHERE sha256 = ?", (sha256,))
        return [ItemRow(*r) for r in rows]

    def items_named(self, name: str) -> list[ItemRow]:
        """Items whose file name (the last part of the path) is ``name``."""
        pattern = "%/" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.conn.execute(f"SELECT {_ITEM_COLUMNS} FROM items WHERE path LIKE ? ESCAPE '\\' ORDER BY path",
                                 (pattern,))
        return [ItemRow(*r) for r in rows]

    def items_by_ids(self, ids: Sequence[int]) -> dict[int, ItemRow]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT {_ITEM_COLUMNS} FROM items WHERE id IN ({marks})", tuple(ids))
        return {r[0]: ItemRow(*r) for r in rows}

    def paths_under(self, folder: str) -> list[str]:
        clause, args = under_folder(folder)
        rows = self.conn.execute(
            f"SELECT path FROM items WHERE {clause} UNION SELECT path FROM failures WHERE {clause}", (*args, *args))
        return [r[0] for r in rows]

    def add_item(self, row: ItemRow, passages: Sequence[tuple[str, int | None]], vectors: np.ndarray,
                 native: np.ndarray | None = None) -> int:
        """Insert (or replace) an item with its passages, their text-space vectors and, for
        pictures, the vector in the image model's own space. Call in a transaction."""
        old = self.item_by_path(row.path)
        if old is not None:
            self.delete_item(old.id)
        self.conn.execute(
            "INSERT INTO items (path, kind, title, size, mtime_ns, sha256, indexed_at, meta) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (row.path, row.kind, row.title, row.size, row.mtime_ns, row.sha256, time.time(), row.meta))
        item_id = int(self.conn.last_insert_rowid())
        for order, ((text, page), vector) in enumerate(zip(passages, vectors, strict=True)):
            self.conn.execute("INSERT INTO passages (item_id, ord, page, text) VALUES (?, ?, ?, ?)",
                              (item_id, order, page, text))
            passage_id, blob = self.conn.last_insert_rowid(), vector.astype(np.float32).tobytes()
            self.conn.execute(f"INSERT INTO {PASSAGE_VECTORS} VALUES (?, ?, ?, ?)",
                              (passage_id, blob, row.kind, item_id))
            self.log_vector(passage_id, item_id, row.kind)
        self.vectors_changed = True
        self.conn.execute("INSERT INTO item_vectors VALUES (?, ?, ?)",
                          (item_id, item_vector(vectors).tobytes(), row.kind))
        if native is not None:
            self.conn.execute(f"INSERT INTO {NATIVE_TABLES[row.kind]} VALUES (?, ?)",
                              (item_id, np.asarray(native, dtype=np.float32).tobytes()))
        self.conn.execute("DELETE FROM failures WHERE path = ?", (row.path,))
        return item_id

    def log_vector(self, passage_id: int, item_id: int, kind: str) -> None:
        """Note an added passage for the side index (core/storage/vector_index.py): by id, its
        vector read from vec0 when the side index takes it in (a second copy in the log left
        as many free pages behind in the library file once trimmed)."""
        self.conn.execute("INSERT INTO vector_log (passage_id, item_id, kind) VALUES (?, ?, ?)",
                          (passage_id, item_id, kind))

    def delete_item(self, item_id: int) -> None:
        self.vectors_changed = True
        self.conn.execute(f"DELETE FROM {PASSAGE_VECTORS} WHERE passage_id IN "
                          "(SELECT id FROM passages WHERE item_id = ?)", (item_id,))
        self.conn.execute("DELETE FROM item_vectors WHERE item_id = ?", (item_id,))
        for table in NATIVE_TABLES.values():
            self.conn.execute(f"DELETE FROM {table} WHERE item_id = ?", (item_id,))
        self.conn.execute("DELETE FROM items WHERE id = ?", (item_id,))

    def delete_path(self, path: str) -> bool:
        old = self.item_by_path(path)
        self.conn.execute("DELETE FROM failures WHERE path = ?", (path,))
        if old is not None:
            self.delete_item(old.id)
        return old is not None

    def move_item(self, item_id: int, new_path: str, mtime_ns: int) -> None:
        """The item now lives at ``new_path`` (a skip recorded there before is no longer true)."""
        self.conn.execute("UPDATE items SET path = ?, mtime_ns = ? WHERE id = ?", (new_path, mtime_ns, item_id))
        self.conn.execute("DELETE FROM failures WHERE path = ?", (new_path,))

    def touch_item(self, item_id: int, size: int, mtime_ns: int) -> None:
        self.conn.execute("UPDATE items SET size = ?, mtime_ns = ? WHERE id = ?", (size, mtime_ns, item_id))

    # -- failures and folders -----------------------------------------------------------------

    def record_failure(self, path: str, reason: str, size: int, mtime_ns: int) -> None:
        self.conn.execute("INSERT OR REPLACE INTO failures VALUES (?, ?, ?, ?, ?)",
                          (path, reason, size, mtime_ns, time.time()))

    def failure(self, path: str) -> tuple[str, int, int] | None:
        row = self.conn.execute("SELECT reason, size, mtime_ns FROM failures WHERE path = ?", (path,)).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def failures(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.conn.execute("SELECT path, reason FROM failures ORDER BY path")]

    def add_folder(self, folder: str) -> None:
        self.conn.execute("INSERT OR IGNORE INTO folders VALUES (?, ?)", (folder, time.time()))

    def remove_folder(self, folder: str) -> int:
        """Forget a folder: its files' entries (and skipped-file records) leave the library; the
        files themselves are not touched. Returns how many items were removed. Call in a transaction."""
        removed = sum(self.delete_path(path) for path in self.paths_under(folder))
        self.conn.execute("DELETE FROM folders WHERE path = ?", (folder,))
        return removed

    def folders(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT path FROM folders ORDER BY path")]

    # -- reading ------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        one = self.conn.execute
        return {
            "items": one("SELECT count(*) FROM items").fetchone()[0],
            "passages": one("SELECT count(*) FROM passages").fetchone()[0],
            "failures": one("SELECT count(*) FROM failures").fetchone()[0],
            "folders": one("SELECT count(*) FROM folders").fetchone()[0],
        }

    def counts_by_kind(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT kind, count(*) FROM items GROUP BY kind").fetchall())

    def passages_by_ids(self, ids: Sequence[int]) -> dict[int, tuple[str, int | None]]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(f"SELECT id, text, page FROM passages WHERE id IN ({marks})", tuple(ids))
        return {r[0]: (r[1], r[2]) for r in rows}

    def passage_places(self, ids: Sequence[int]) -> dict[int, int]:
        """Each passage's place in its file (0: the first; a picture's or song's description)."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return dict(self.conn.execute(f"SELECT id, ord FROM passages WHERE id IN ({marks})", tuple(ids)).fetchall())

    def first_passage(self, item_id: int) -> tuple[str, int | None]:
        row = self.conn.execute("SELECT text, page FROM passages WHERE item_id = ? ORDER BY ord LIMIT 1",
                                (item_id,)).fetchone()
        return ("", None) if row is None else (row[0], row[1])

    def term_passages(self, term: str) -> int:
        """How many passages hold a term of the keyword index (one index seek)."""
        row = self.conn.execute("SELECT doc FROM passage_words_vocab WHERE term = ?", (term,)).fetchone()
        return int(row[0]) if row else 0

    def count_matching(self, fts_query: str) -> int:
        """Passages matching an FTS5 query (a phrase's document frequency)."""
        return int(self.conn.execute("SELECT count(*) FROM passage_words WHERE passage_words MATCH ?",
                                     (fts_query,)).fetchone()[0])

    def prefix_passages(self, prefix: str) -> int:
        """Passages holding a term that starts with ``prefix`` (counted once per term: an upper
        bound), from the keyword index's vocabulary (one range scan)."""
        row = self.conn.execute("SELECT sum(doc) FROM passage_words_vocab WHERE term >= ? AND term < ?",
                                (prefix, prefix + "\U0010ffff")).fetchone()
        return int(row[0] or 0)

    def items_with_name_containing(self, word: str, limit: int | None) -> list[tuple[int, str]]:
        """(item id, kind) of files whose name (the path's last part) holds a word as whole tokens,
        any case (at most ``limit``; None: all): "zephyr" names zephyr-roadmap.txt, not
        zephyrine.txt; "2014" would not name IMG_20140101.jpg (see name_tokens)."""
        pattern = "%" + word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.conn.execute(
            "SELECT id, kind, path FROM items WHERE path LIKE ? ESCAPE '\\'", (pattern,))  # LIKE ignores ASCII case
        wanted = name_tokens(word)
        out = []
        for item, kind, path in rows:
            name = path.replace("\\", "/").rsplit("/", 1)[-1]
            if holds_tokens(name_tokens(name), wanted):
                out.append((int(item), str(kind)))
                if limit is not None and len(out) >= limit:
                    break
        return out

    def item_ids_where(self, where: str, args: Sequence[object]) -> Iterator[int]:
        """Ids of the items passing a WHERE clause (core/search/filters.py), in no order."""
        return (r[0] for r in self.conn.execute(f"SELECT id FROM items WHERE {where}", tuple(args)))

    def browse(self, where: str, args: Sequence[object], limit: int, offset: int = 0) -> list[ItemRow]:
        """Items passing a WHERE clause (core/search/filters.py), newest first."""
        rows = self.conn.execute(f"SELECT {_ITEM_COLUMNS} FROM items WHERE {where} "
                                 "ORDER BY mtime_ns DESC, id DESC LIMIT ? OFFSET ?", (*args, limit, offset))
        return [ItemRow(*r) for r in rows]

    def items_by_paths(self, paths: Sequence[str]) -> dict[str, ItemRow]:
        if not paths:
            return {}
        marks = ",".join("?" * len(paths))
        rows = self.conn.execute(f"SELECT {_ITEM_COLUMNS} FROM items WHERE path IN ({marks})", tuple(paths))
        return {r[1]: ItemRow(*r) for r in rows}

    def item_passages(self, item_id: int, limit: int) -> list[tuple[str, int | None]]:
        """A file's passages in reading order (text, page)."""
        rows = self.conn.execute("SELECT text, page FROM passages WHERE item_id = ? ORDER BY ord LIMIT ?",
                                 (item_id, limit))
        return [(r[0], r[1]) for r in rows]

    def passages_of_kind_containing(self, fts_query: str, kind: str) -> Iterator[tuple[int, int]]:
        """(passage id, item id) of every passage of one kind matching an FTS5 query, in no order
        (BM25 ranking costs ~50 ms over 30,000 matches, and the caller ranks them by meaning
        anyway), read as the caller goes: stop when you have enough."""
        cursor = self.conn.execute(
            "SELECT p.id, p.item_id FROM passage_words w JOIN passages p ON p.id = w.rowid "
            "JOIN items i ON i.id = p.item_id WHERE passage_words MATCH ? AND i.kind = ?", (fts_query, kind))
        try:
            yield from ((r[0], r[1]) for r in cursor)
        finally:
            cursor.close()

    def passages_by_bm25(self, fts_query: str) -> Iterator[tuple[int, int, str, int, float]]:
        """(passage id, item id, kind, the passage's place in its file, BM25 score) of the passages
        matching an FTS5 query, best first (FTS5's bm25: k1 1.2, b 0.75; its sign turned so that
        more is better), read as the caller goes."""
        cursor = self.conn.execute(
            "SELECT p.id, p.item_id, i.kind, p.ord, -w.rank FROM passage_words w JOIN passages p ON p.id = w.rowid "
            "JOIN items i ON i.id = p.item_id WHERE passage_words MATCH ? ORDER BY w.rank", (fts_query,))
        try:
            yield from ((r[0], r[1], r[2], r[3], float(r[4])) for r in cursor)
        finally:
            cursor.close()

    def passages_containing(self, fts_query: str, ranked: bool = True) -> Iterator[tuple[int, int, str]]:
        """(passage id, item id, kind) of every passage matching an FTS5 query, best matches first
        when ``ranked``, read as the caller goes: stop when you have enough."""
        cursor = self.conn.execute(
            "SELECT p.id, p.item_id, i.kind FROM passage_words w JOIN passages p ON p.id = w.rowid "
            "JOIN items i ON i.id = p.item_id WHERE passage_words MATCH ?" + (" ORDER BY w.rank" if ranked else ""),
            (fts_query,))
        try:
            yield from ((r[0], r[1], r[2]) for r in cursor)
        finally:
            cursor.close()


_TOKEN = re.compile(r"[^\W_]+")
_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def name_tokens(text: str) -> list[str]:
    """A file name's (or a word's) tokens: cut at anything but letters and digits, at a capital
    after a small letter and between letters and digits; lower case. "TaxReturn_2024-v2.pdf" →
    tax, return, 2024, v, 2, pdf."""
    return [t.lower() for piece in _TOKEN.findall(text) for t in _BOUNDARY.sub(" ", piece).split()]


def holds_tokens(tokens: Sequence[str], wanted: Sequence[str]) -> bool:
    """Whether wanted occurs in tokens as a run of whole tokens."""
    n = len(wanted)
    return n > 0 and any(list(tokens[i : i + n]) == list(wanted) for i in range(len(tokens) - n + 1))
