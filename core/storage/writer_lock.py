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
    with file_lock(lock_path(library), wait=False) as taken:
        yield taken


@contextmanager
def file_lock(path: Path, wait: bool) -> Iterator[bool]:
    """An OS lock on a file, held for the with-block (the OS drops it if the process dies);
    yields whether it was taken: with ``wait``, always, once it is free."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[bytes] = path.open("a+b")
    try:
        yield _lock(handle, wait)
    finally:
        handle.close()  # closing releases the lock


def _lock(handle: IO[bytes], wait: bool) -> bool:
    if os.name == "posix":
        import fcntl

        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        return True
    import msvcrt  # Windows: a byte-range lock on the first byte (LK_LOCK retries for ~10 s, then fails)

    mode = msvcrt.LK_LOCK if wait else msvcrt.LK_NBLCK  # type: ignore[attr-defined]
    while True:
        try:
            msvcrt.locking(handle.fileno(), mode, 1)  # type: ignore[attr-defined]
        except OSError:
            if wait:
                continue
            return False
        return True
