"""The sweep after an index run: library entries whose files are gone leave the library."""

from __future__ import annotations

import os
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
            if str(root) in known and (not root.exists() or is_offline(store, root)):
                if offline is not None:
                    offline.append(str(root))
                continue
            candidates = [str(root)] if not root.is_dir() else []
            if not root.is_file():
                # A folder of the library inside this one keeps its files: the scan of this one may not
                # reach them (a hidden folder, such as the sample collection's, or an excluded name), and
                # they are swept when that folder itself is brought up to date.
                nested = [f"{k.rstrip(os.sep)}{os.sep}" for k in known
                          if k != str(root) and Path(k).is_relative_to(root) and Path(k) not in roots]
                candidates += [p for p in store.paths_under(str(root)) if not p.startswith(tuple(nested))] \
                    if nested else store.paths_under(str(root))
            if root.is_dir():
                store.add_folder(str(root))
            for path in candidates:
                if path in seen or (kind_of(Path(path)) not in kinds and Path(path).exists()):
                    continue
                removed += store.delete_path(path)
    return removed


def is_offline(store: Store, folder: Path) -> bool:
    """Whether a folder that exists is the empty mount point of an unplugged drive: empty on disk
    while the library holds files in it. (A folder a person emptied looks the same; its entries
    stay until they remove the folder from the library, which loses nothing of theirs, where
    taking an unplugged drive for an emptied one would drop its whole index.)"""
    try:
        with os.scandir(folder) as entries:
            if next(entries, None) is not None:
                return False
    except OSError:
        return True  # there, but unreadable: not something to sweep either
    return bool(store.paths_under(str(folder)))
