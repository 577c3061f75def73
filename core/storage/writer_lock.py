"""One indexer per library file, across processes: a second one waits, then finds the work done.

Inside a process the index queue has one writer; two processes (the window and `nearby index`, two
terminals) would otherwise both embed the same new files, one of them in vain. An OS lock on a file
beside the library (`<library>.lock`) is held for the length of an index run; the operating system
releases it if the process dies (kill -9, power cut), so a crash never leaves a library locked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def lock_path(library: Path) -> Path:
    return library.with_name(library.name + ".lock")


@contextmanager
def writer_lock(library: Path) -> Iterator[bool]:
    """Try to take the library's writer lock without waiting; yields whether it was taken (held
    until the with-block ends). Where the platform has no such lock, always True."""
    path = lock_path(library)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[bytes] = path.open("a+b")
    taken = _try_lock(handle)
    try:
        yield taken
    finally:
        handle.close()  # closing releases the lock


def _try_lock(handle: IO[bytes]) -> bool:
    if os.name == "posix":
        import fcntl

        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    try:  # Windows: a byte-range lock on the first byte
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
    except OSError:
        return False
    return True
