"""Duplicates: files that are the same thing twice, in groups, each group saying why and which to keep.

- **Same bytes**: items with one content hash (SHA-256), whatever their kind.
- **The same picture** resized, re-encoded, cropped a little, rotated, brightened, or a burst of
  near-identical shots: close in the picture model's own space *and* alike by a perceptual hash
  (a 64-bit gradient hash of the thumbnail, under the four right-angle turns).
- **The same document** in several formats or versions: close in the text space *and* sharing
  most of their word 4-grams (the share says how much: "the same text, 97%").
- **The same song** in several encodings: close in the music model's space *and* of the same length.

Candidates come from each item's nearest neighbours (faiss: exact for small kinds, an HNSW graph
over a 64-d projection past SMALL_KIND), never from all pairs: 100k items are a few seconds.
Groups are the connected pairs (union-find).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nearby.core.media.picture_hash import distance, from_text, turned_hashes
from nearby.core.storage.items import ItemRow
from nearby.core.storage.store import Store
from nearby.core.storage.vectors import NATIVE_TABLES

KINDS = ("image", "document", "song")
NEIGHBOURS = 12  # nearest neighbours looked at per item (a burst larger than this chains through them)
SMALL_KIND = 20_000  # items of a kind compared exactly; more go through a graph on a projection
PROJECTED_DIM = 64
# Closeness each kind's candidates need in its own space, then the second test that confirms them
# (measured by `python -m bench duplicates`: see its numbers in the README).
MIN_COSINE = {"image": 0.55, "document": 0.70, "song": 0.90}
MAX_HASH_BITS = 14  # of 64: a resized, re-encoded, brightened or slightly cropped copy differs in ~0-10
MIN_SHARED_TEXT = 0.80  # of the smaller document's word 4-grams (a note with an edited sentence keeps ~90%)
MAX_LENGTH_GAP_S = 2.0  # between two encodings of one song
MIN_ENVELOPE_MATCH = 0.85  # correlation of their loudness over time, in 200 ms steps
LOSSLESS = (".flac", ".wav", ".aif", ".aiff")
# Formats a person edits, before those made from them (a PDF printed from a Word file).
DOCUMENT_FORMATS = (".docx", ".odt", ".rtf", ".md", ".markdown", ".txt", ".html", ".htm", ".epub", ".pdf")


@dataclass(frozen=True)
class DuplicateFile:
    path: str
    kind: str
    size: int
    modified: float  # seconds since the epoch
    detail: dict[str, Any] = field(default_factory=dict)  # pixels, duration: what the choice weighed

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "size": self.size, "modified": self.modified, **self.detail}


@dataclass(frozen=True)
class DuplicateGroup:
    reason: str  # "same bytes", "the same picture, resized or edited", …
    kind: str
    keep: str  # the path suggested to keep
    files: tuple[DuplicateFile, ...]  # the one to keep first
    why_keep: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "kind": self.kind, "keep": self.keep, "why_keep": self.why_keep,
                "files": [f.to_json() for f in self.files]}


def find_duplicates(store: Store, kind: str | None = None, thumbnail: Callable[[ItemRow], Path | None] | None = None
                    ) -> list[DuplicateGroup]:
    """Every group of duplicates in the library (or of one ``kind``), largest groups first.
    ``thumbnail`` finds a picture's small copy for its perceptual hash (default: the cache's)."""
    kinds = [kind] if kind else list(KINDS)
    exact = _same_bytes(store, kinds)
    groups: list[DuplicateGroup] = []
    for k in kinds:
        rows = {r.id: r for r in store.browse("kind = ?", (k,), limit=-1)}
        if len(rows) < 2:
            continue
        joined = _Joined(rows)
        for ids in exact.get(k, []):
            for other in ids[1:]:
                joined.union(ids[0], other, "same bytes")
        for a, b, reason in _near_pairs(store, k, rows, thumbnail):
            joined.union(a, b, reason)
        groups += [_group(k, [rows[i] for i in members], reasons) for members, reasons in joined.groups()]
    return sorted(groups, key=lambda g: (-len(g.files), g.kind, g.keep))


def _same_bytes(store: Store, kinds: Sequence[str]) -> dict[str, list[list[int]]]:
    out: dict[str, list[list[int]]] = {}
    marks = ",".join("?" * len(kinds))
    for k, ids in store.conn.execute(
            f"SELECT kind, group_concat(id) FROM items WHERE kind IN ({marks}) AND sha256 != '' "
            "GROUP BY kind, sha256 HAVING count(*) > 1", tuple(kinds)):
        out.setdefault(str(k), []).append(sorted(int(i) for i in str(ids).split(",")))
    return out


def _near_pairs(store: Store, kind: str, rows: dict[int, ItemRow],
                thumbnail: Callable[[ItemRow], Path | None] | None) -> Iterator[tuple[int, int, str]]:
    table = NATIVE_TABLES.get(kind, "item_vectors")
    found = store.vectors_by_ids(table, list(rows))
    if len(found) < 2:
        return
    ids = np.fromiter(found, dtype=np.int64)
    vectors = np.stack([found[int(i)] for i in ids]).astype(np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    confirm = _confirmer(store, kind, rows, thumbnail)
    for a, b, cosine in candidate_pairs(vectors, MIN_COSINE[kind]):
        i, j = int(ids[a]), int(ids[b])
        reason = confirm(i, j, cosine)
        if reason:
            yield i, j, reason


def candidate_pairs(vectors: np.ndarray, min_cosine: float) -> Iterator[tuple[int, int, float]]:
    """Pairs (a < b) of unit rows at least ``min_cosine`` alike among each row's nearest neighbours."""
    import faiss

    n = len(vectors)
    k = min(NEIGHBOURS + 1, n)
    if n <= SMALL_KIND:
        flat = faiss.IndexFlatIP(vectors.shape[1])
        flat.add(vectors)
        scores, neighbours = flat.search(vectors, k)
    else:  # a projection keeps near-copies near; the exact cosine is checked below
        pca = faiss.PCAMatrix(vectors.shape[1], PROJECTED_DIM)
        pca.train(vectors[np.random.default_rng(0).choice(n, min(n, 20_000), replace=False)])
        projected = pca.apply(vectors)
        projected /= np.maximum(np.linalg.norm(projected, axis=1, keepdims=True), 1e-12)
        index = faiss.IndexHNSWFlat(PROJECTED_DIM, 16, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 40
        index.add(projected)
        index.hnsw.efSearch = 48
        _, neighbours = index.search(projected, k)
        scores = np.einsum("ij,ikj->ik", vectors, vectors[np.maximum(neighbours, 0)])
    seen: set[tuple[int, int]] = set()
    for a in range(n):
        for b, score in zip(neighbours[a], scores[a], strict=True):
            if b < 0 or b == a or score < min_cosine:
                continue
            pair = (min(a, int(b)), max(a, int(b)))
            if pair not in seen:
                seen.add(pair)
                yield pair[0], pair[1], float(score)


def _confirmer(store: Store, kind: str, rows: dict[int, ItemRow],
               thumbnail: Callable[[ItemRow], Path | None] | None) -> Callable[[int, int, float], str]:
    """The second test a kind's candidates pass: its reason, or "" (not duplicates)."""
    if kind == "image":
        hashes: dict[int, list[int] | None] = {}

        def picture(i: int, j: int, cosine: float) -> str:
            for item in (i, j):
                if item not in hashes:
                    hashes[item] = picture_hashes(rows[item], thumbnail)
            first, second = hashes[i], hashes[j]
            if first is None or second is None:  # no small copy to compare: the model alone, stricter
                return "the same picture, resized or edited" if cosine >= 0.95 else ""
            bits = distance(first, second)
            return "the same picture, resized or edited" if bits <= MAX_HASH_BITS else ""
        return picture
    if kind == "document":
        grams: dict[int, set[int]] = {}

        def document(i: int, j: int, cosine: float) -> str:
            for item in (i, j):
                if item not in grams:
                    grams[item] = word_grams(" ".join(text for text, _ in store.item_passages(item, 2_000)))
            small = min(len(grams[i]), len(grams[j]))
            shared = len(grams[i] & grams[j]) / small if small else 0.0
            if shared < MIN_SHARED_TEXT:
                return ""
            if Path(rows[i].path).suffix.lower() != Path(rows[j].path).suffix.lower():
                return f"the same document in several formats ({shared:.0%} of the text shared)"
            return f"versions of one document ({shared:.0%} of the text shared)"
        return document

    envelopes: dict[int, np.ndarray | None] = {}

    def song(i: int, j: int, cosine: float) -> str:
        first, second = (json.loads(rows[x].meta or "{}").get("duration") for x in (i, j))
        if first is None or second is None or abs(float(first) - float(second)) > MAX_LENGTH_GAP_S:
            return ""
        # The model hears a song's sound, not its order (a song and its remix sound alike): the
        # loudness over time, at the same places in both, tells one recording from another.
        for item in (i, j):
            if item not in envelopes:
                envelopes[item] = loudness_envelope(Path(rows[item].path))
        a, b = envelopes[i], envelopes[j]
        if a is None or b is None or len(a) != len(b):
            return ""
        return "the same song in several encodings" if float(np.corrcoef(a, b)[0, 1]) >= MIN_ENVELOPE_MATCH else ""
    return song


def loudness_envelope(path: Path) -> np.ndarray | None:
    """The song's loudness in 200 ms steps (coarse enough for an encoder's delay) over the windows
    that stand for it (core/media/audio.py), or None where it cannot be decoded now."""
    from nearby.core.errors import UnsupportedFile
    from nearby.core.media.audio import open_song

    rate = 8_000
    try:
        song = open_song(path, rate)
    except (UnsupportedFile, OSError):
        return None
    step = rate // 5
    frames = [np.sqrt(np.mean(e[: len(e) // step * step].reshape(-1, step) ** 2, axis=1)) for e in song.excerpts]
    return np.log1p(100 * np.concatenate(frames)) if frames else None


def _thumbnail_of(row: ItemRow, thumbnail: Callable[[ItemRow], Path | None] | None) -> Path | None:
    if thumbnail is not None:
        return thumbnail(row)
    from nearby.core.media.images import thumbnail_path

    recorded = json.loads(row.meta or "{}").get("thumbnail")  # where indexing wrote it
    for path in (Path(recorded) if recorded else None, thumbnail_path(row.sha256)):
        if path is not None and path.is_file():
            return path
    return None


def picture_hashes(row: ItemRow,
                   thumbnail: Callable[[ItemRow], Path | None] | None = None) -> list[int] | None:
    """The picture's perceptual hashes (core/media/picture_hash.py): from its meta where indexing
    kept them, else from its thumbnail; None where neither is there."""
    kept = from_text(json.loads(row.meta or "{}").get("dhash"))
    if kept is not None:
        return kept
    path = _thumbnail_of(row, thumbnail)
    if path is None:
        return None
    from PIL import Image

    try:
        with Image.open(path) as im:
            return turned_hashes(im)
    except (OSError, ValueError):
        return None


_WORD = re.compile(r"\w+")


def word_grams(text: str, n: int = 4) -> set[int]:
    """Hashes of a text's runs of ``n`` words (lower case), for how much of it two files share."""
    words = _WORD.findall(text.lower())
    if len(words) < n:
        return {hash(" ".join(words))} if words else set()
    return {hash(" ".join(words[i:i + n])) for i in range(len(words) - n + 1)}


class _Joined:
    """Union-find over item ids, remembering why each pair was joined."""

    def __init__(self, rows: dict[int, ItemRow]) -> None:
        self.parent = {i: i for i in rows}
        self.reasons: dict[int, set[str]] = {}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int, reason: str) -> None:
        ra, rb = self.find(a), self.find(b)
        reasons = self.reasons.pop(ra, set()) | self.reasons.pop(rb, set()) | {reason}
        if ra != rb:
            self.parent[rb] = ra
        self.reasons[ra] = reasons

    def groups(self) -> list[tuple[list[int], set[str]]]:
        members: dict[int, list[int]] = {}
        for i in self.parent:
            members.setdefault(self.find(i), []).append(i)
        return [(sorted(m), self.reasons.get(root, set())) for root, m in members.items() if len(m) > 1]


def _group(kind: str, rows: list[ItemRow], reasons: set[str]) -> DuplicateGroup:
    files = [_file(r) for r in rows]
    ranked, why_keep = _ranked(kind, files)
    near = sorted(r for r in reasons if r != "same bytes")
    if len({r.sha256 for r in rows}) == 1 or not near:  # copies alike by their vectors too: same bytes says it all
        reason = "same bytes"
    else:
        reason = near[0] if len(near) == 1 else "; ".join(near)
    return DuplicateGroup(reason=reason, kind=kind, keep=ranked[0].path, files=tuple(ranked), why_keep=why_keep)


def _file(row: ItemRow) -> DuplicateFile:
    meta = json.loads(row.meta or "{}")
    detail = {key: meta[key] for key in ("width", "height", "duration") if key in meta}
    return DuplicateFile(row.path, row.kind, row.size, row.mtime_ns / 1e9, detail)


def _ranked(kind: str, files: list[DuplicateFile]) -> tuple[list[DuplicateFile], str]:
    """The files, the one to keep first, and why it is kept."""
    if len({f.size for f in files}) == 1 and kind != "image":
        return sorted(files, key=lambda f: (f.modified, len(f.path))), "the oldest copy"
    if kind == "image":
        def pixels(f: DuplicateFile) -> int:
            return int(f.detail.get("width", 0)) * int(f.detail.get("height", 0))
        return sorted(files, key=lambda f: (-pixels(f), f.modified, -f.size)), "the most pixels (the oldest of equals)"
    if kind == "song":
        return sorted(files, key=lambda f: (Path(f.path).suffix.lower() not in LOSSLESS, -f.size, f.modified)), \
            "lossless, or the largest encoding"

    def format_rank(f: DuplicateFile) -> int:
        suffix = Path(f.path).suffix.lower()
        return DOCUMENT_FORMATS.index(suffix) if suffix in DOCUMENT_FORMATS else len(DOCUMENT_FORMATS)
    return sorted(files, key=lambda f: (format_rank(f), -f.modified)), "the editable format, the newest version"
