"""Checks every file reader makes before opening a file."""

from __future__ import annotations

import os
from pathlib import Path

from nearby.core.errors import BadRequest, UnsupportedFile


def check_size(path: Path, limit: int) -> int:
    """The file's size, or UnsupportedFile when it is unreadable, empty or over ``limit`` bytes."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnsupportedFile(f"cannot be read ({exc.strerror or exc})") from exc
    if size == 0:
        raise UnsupportedFile("the file is empty")
    if size > limit:
        raise UnsupportedFile(f"too large to index ({size / 2**20:.0f} MB; the limit is {limit / 2**20:.0f} MB)")
    return size


def is_file(text: str | Path) -> bool:
    """Whether a string a person typed names an existing file: False, not an error, for what no
    file can be called (a 100,000-character phrase, a NUL byte, a path through a regular file)."""
    try:
        return Path(text).expanduser().is_file()
    except (OSError, ValueError, RuntimeError):  # RuntimeError: ~user that does not exist
        return False


def exists(path: Path) -> bool:
    """Path.exists that answers False where the name cannot be a file at all (see is_file)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def check_output_file(path: Path) -> None:
    """Refuse an output file that cannot be written before any work is done for it.

    Raises:
        BadRequest: its folder does not exist or is not writable, or it is a folder itself.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise BadRequest(f"{path} is a folder; name a file in it, e.g. {path / 'map.png'}.")
    if not folder.is_dir():
        raise BadRequest(f"The folder {folder} does not exist; create it first or name a file in another folder.")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise BadRequest(f"{path} cannot be written here (permission denied); name a file in a folder of yours.")
