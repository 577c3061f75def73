"""Listing the files to index and fingerprinting them."""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from platformdirs import user_data_dir

from nearby.core.indexing.mounts import is_mount
from nearby.core.kinds import Kind, kind_of


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


# Never indexed, besides names starting with a dot; Settings.excluded_names replaces this.
DEFAULT_EXCLUDED = frozenset({"__pycache__", "node_modules"})


def is_hidden(name: str, excluded: frozenset[str] = DEFAULT_EXCLUDED) -> bool:
    return name.startswith(".") or name in excluded


def own_folders() -> frozenset[Path]:
    """Nearby's own cache, data, models and log folders: never indexed (its thumbnails are
    pictures; on macOS and Windows these folders are not hidden by a leading dot)."""
    from nearby.core.cache import cache_root
    from nearby.core.logfile import log_path
    from nearby.models.locate import models_root

    data = Path(user_data_dir("Nearby", appauthor=False))
    return frozenset(p.expanduser().resolve() for p in (cache_root(), data, models_root(), log_path().parent))


def list_files(roots: Iterable[Path], kinds: frozenset[Kind], excluded: frozenset[str] = DEFAULT_EXCLUDED,
               skip: frozenset[Path] = frozenset(), mounts: frozenset[Path] = frozenset(),
               unreadable: list[tuple[str, str]] | None = None) -> Iterator[Path]:
    """Files of the given kinds under the roots; hidden or excluded folders below a root, folder
    symlinks, mount points inside a root (see core/indexing/mounts.py) and the ``skip`` folders
    (resolved paths) are skipped. Folders that cannot be listed (no permission, a path longer
    than the system allows) are added to ``unreadable`` as (folder, why), not passed over in silence."""

    def refused(error: OSError) -> None:
        if unreadable is not None and error.errno != errno.ENOENT:  # gone is not unreadable: the sweep sees it
            unreadable.append((str(error.filename), error.strerror or str(error)))

    for root in roots:
        if root.is_file():
            if kind_of(root) in kinds:
                yield root
            continue
        for folder, dirs, files in os.walk(root, onerror=refused, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not is_hidden(d, excluded) and Path(folder, d) not in skip
                             and not is_mount(Path(folder, d), mounts))
            for name in sorted(files):
                path = Path(folder) / name
                if not is_hidden(name, excluded) and kind_of(path) in kinds:
                    yield path
