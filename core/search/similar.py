"""Find similar: the files most like one indexed file, in the space where its kind compares best."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nearby.core.errors import NotIndexed
from nearby.core.search.calibration import QUERY_SAMPLE, squash
from nearby.core.search.hits import SearchHit, cosine_of, make_hit
from nearby.core.search.why import explain
from nearby.core.storage.row_filter import OPEN, RowFilter, id_array
from nearby.core.storage.store import Store
from nearby.core.storage.vectors import NATIVE_TABLES

# The score of a neighbour when its kind has too few items to calibrate against.
UNKNOWN_SCORE = 0.5
# Other items of the kind needed to judge how unusual a closeness is (as for search: calibration.MIN_SAMPLE).
MIN_OTHERS = 4
# A sample row this close is the item itself (or a byte-identical copy): no yardstick for the rest.
SELF_COSINE = 0.9999
# The smallest spread believed: a handful of near-identical items would otherwise make any
# difference look enormous.
MIN_SPREAD = 0.05


def similar(store: Store, path: Path | str | Sequence[Path | str], k: int = 10, kind: str | None = None,
            only: RowFilter = OPEN) -> list[SearchHit]:
    """Files most like an indexed file (or like several together: their mean), those files left
    out; only files of ``kind`` (when given) that ``only`` allows: the true k nearest of those,
    however few.

    Pictures and songs are compared in their model's own space (look-alikes, near-duplicates,
    sound-alikes); documents by their mean passage vector, among documents. Several files are
    compared as the mean of their vectors, in the space of the first file's kind (files of other
    kinds have no vector there and are left out of the mean). Each hit's ``score`` is calibrated like
    a search's (see _calibrated); ``similarity`` keeps the raw cosine.

    Raises:
        NotIndexed: a file is not in the library, or waits for its model.
    """
    paths = [path] if isinstance(path, str | Path) else list(path)
    if not paths:
        raise ValueError("similar needs at least one file")
    items = []
    for one in paths:
        key = str(Path(one).expanduser().resolve())
        item = store.item_by_path(key)
        if item is None:
            raise NotIndexed(f"{key} is not in the library; index its folder first (nearby index FOLDER).")
        items.append(item)
    first = items[0]
    table = NATIVE_TABLES.get(first.kind, "item_vectors")
    vectors = []
    for item in items:
        if item.kind != first.kind:
            continue  # another kind's model: no vector in this space
        vector = store.item_embedding(item.id, table)
        if vector is None:
            raise NotIndexed(f"{item.path} waits to be analysed again by a newly installed {item.kind} model; "
                             "bring the library up to date first (nearby index, or Update in the window).")
        vectors.append(vector)
    if kind is not None and kind != first.kind:
        return []  # look-alikes are of the file's own kind
    mean = np.mean(vectors, axis=0).astype(np.float32)
    vector = mean / max(float(np.linalg.norm(mean)), 1e-12)
    own = {item.id for item in items}
    if only.is_open:  # vec0's own KNN (a filter makes it a scan): the files themselves dropped after
        neighbours = [n for n in store.knn(table, vector, k + len(own), first.kind) if n.item_id not in own][:k]
    else:
        neighbours = store.knn(table, vector, k, first.kind, only.narrowed(not_items=id_array(sorted(own))))
    rows = store.items_by_ids([n.item_id for n in neighbours])
    stats = neighbourhood(vector, store.sample_vectors(first.kind, QUERY_SAMPLE, table))
    hits = []
    for n in neighbours:
        cosine = cosine_of(n.distance)
        hits.append(explain(make_hit(rows[n.item_id], _calibrated(cosine, stats), cosine,
                                     *store.first_passage(n.item_id)), ["look-alike"]))
    return hits


def neighbourhood(vector: np.ndarray, sample: np.ndarray) -> tuple[float, float] | None:
    """(centre, spread) of the item's cosines to a random sample of its kind, robustly: the median
    and the MAD scaled to a standard deviation, so that the item itself and its few look-alikes in
    the sample do not widen the yardstick they are measured with. None with too few items."""
    cosines = sample @ vector if len(sample) else np.zeros(0, dtype=np.float32)
    cosines = cosines[cosines < SELF_COSINE]
    if len(cosines) < MIN_OTHERS:
        return None
    centre = float(np.median(cosines))
    spread = 1.4826 * float(np.median(np.abs(cosines - centre)))
    return centre, max(spread, MIN_SPREAD)


def _calibrated(cosine: float, stats: tuple[float, float] | None) -> float:
    """The same unit as a search's score: how far this neighbour stands out from a random sample
    of its kind (a z-score, squashed), not a raw cosine, whose typical level differs per space.
    With too few items of the kind to tell, the middle of the scale."""
    if stats is None:
        return UNKNOWN_SCORE
    mean, std = stats
    return squash((cosine - mean) / std)
