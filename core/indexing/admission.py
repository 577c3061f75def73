"""What a file must be before Nearby reads a byte of it.

Checked from the file's metadata alone (no open, no hash): a named pipe would block the first read
for ever, a link to /dev/zero never ends, a 50 GB file takes minutes to hash before its size would
have refused it, and a link out of the indexed folders would let a folder's contents pull in
files the person never chose (/etc/passwd, another user's home). A name that is not valid UTF-8
cannot be stored or shown as it is, and is reported under a readable stand-in.
"""

from __future__ import annotations

import os
import stat as stat_flags
from collections.abc import Sequence
from pathlib import Path

from nearby.core.errors import UnsupportedFile
from nearby.core.extract.registry import size_limit
from nearby.core.indexing.mounts import is_mount
from nearby.core.indexing.scan import is_hidden
from nearby.core.media.audio import MAX_AUDIO_BYTES
from nearby.core.media.images import MAX_IMAGE_BYTES


def byte_limit(path: Path, kind: str) -> int:
    if kind == "image":
        return MAX_IMAGE_BYTES
    if kind == "song":
        return MAX_AUDIO_BYTES
    return size_limit(path)


def admit(path: Path, info: os.stat_result, kind: str, roots: Sequence[Path]) -> None:
    """Raise UnsupportedFile, with the reason, for a file that must not be opened.

    Args:
        info: the file's stat (links followed).
        roots: the folders (and single files) being indexed, resolved.
    """
    if not stat_flags.S_ISREG(info.st_mode):
        raise UnsupportedFile("not a regular file (a pipe, a device or a socket): never opened")
    if path.is_symlink() and path not in roots:
        target = path.resolve()
        if not any(target == root or target.is_relative_to(root) for root in roots):
            raise UnsupportedFile(f"a link to {target}, outside the indexed folders: not followed")
    if info.st_size == 0:
        raise UnsupportedFile("the file is empty")
    limit = byte_limit(path, kind)
    if info.st_size > limit:
        raise UnsupportedFile(f"too large to index ({info.st_size / 2**20:,.0f} MB; the limit is "
                              f"{limit / 2**20:,.0f} MB)")


def root_path(root: Path | str) -> Path:
    """A path to index as the indexer keeps it: a folder resolved (a link to a folder is indexed
    where it leads, once), a file under its own name in its resolved folder (a link to a file is
    judged as a link, by ``admit``, not replaced by where it leads)."""
    path = Path(root).expanduser().absolute()
    return path.resolve() if path.is_dir() else path.parent.resolve() / path.name


def library_folder_of(path: Path, folders: Sequence[Path]) -> Path | None:
    """The innermost folder of the library that holds a path (the path itself excluded)."""
    holding = [f for f in folders if path != f and path.is_relative_to(f)]
    return max(holding, key=lambda f: len(f.parts)) if holding else None


def scanned_within(path: Path, folder: Path, excluded: frozenset[str], mounts: frozenset[Path]) -> bool:
    """Whether a full scan of ``folder`` would list ``path``: what the watcher, Update and a named
    file inside a folder must pass too. No hidden or excluded name below the folder (a folder of the
    library may itself lie in a dot-folder), no folder link and no mount point on the way."""
    parts = path.relative_to(folder).parts
    if any(is_hidden(part, excluded) for part in parts):
        return False
    here = folder
    for part in parts[:-1]:
        here = here / part
        if here.is_symlink() or is_mount(here, mounts):
            return False
    return True


def readable_name(path: Path) -> str | None:
    """None for a name that is valid UTF-8; else a stand-in with the bad bytes shown as \\xNN."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    return None
