"""The sweep after an index run: library entries whose files are gone leave the library."""

from __future__ import annotations

from pathlib import Path

from nearby.core.kinds import kind_of
from nearby.core.storage.store import Store


def sweep(store: Store, roots: list[Path], seen: set[str], kinds: frozenset[str],
          offline: list[str] | None = None) -> int:
    """Drop library entries under the indexed roots whose files are gone or no longer indexable.

    A root may be a folder, a single file, or a path that no longer exists (a file or a folder
    deleted since it was indexed): its own entry and everything under it are candidates. A file
    that still exists but whose kind was not indexed this time (its model is missing just now) is
    kept: losing a model must not empty the library of pictures or songs. A folder of the library
    that cannot be reached (an unplugged drive, a renamed folder, a network share that is down) is
    *offline*, not deleted: its entries are kept until the person removes it, and it is added to
    ``offline``.

    Returns:
        How many items were removed.
    """
    removed = 0
    known = set(store.folders())
    with store.transaction():
        for root in roots:
            if not root.exists() and str(root) in known:
                if offline is not None:
                    offline.append(str(root))
                continue
            candidates = [str(root)] if not root.is_dir() else []
            if not root.is_file():
                candidates += store.paths_under(str(root))
            if root.is_dir():
                store.add_folder(str(root))
            for path in candidates:
                if path in seen or (kind_of(Path(path)) not in kinds and Path(path).exists()):
                    continue
                removed += store.delete_path(path)
    return removed
