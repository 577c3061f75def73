"""Checks every file reader makes before opening a file."""

from __future__ import annotations

from pathlib import Path

from nearby.core.errors import UnsupportedFile


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
