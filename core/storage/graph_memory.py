"""A side-index graph held in the process's own memory instead of mapped from its file.

A mapped graph is shared with other processes through the OS's page cache and opens at once, but
a walk jumps between ~1,700 rows a search spread over hundreds of megabytes, and on a mapped file
each of those pages costs more to reach (measured at 1M passages, 2 cores: a walk of the 800k-row
part 1.13-1.31 ms mapped, 0.81-0.91 ms read into the process's memory, 0.67-0.73 ms there on
2 MB pages, which Linux gives memory advised as such: one translation covers 512 of the small
pages). So a process that keeps searching (the window; not a one-search CLI call) reads its
graphs into memory once it has answered a few searches (vector_index.View), where they fit a
share of the machine's memory; faiss reads them in place (no second copy while parsing).
"""

from __future__ import annotations

import atexit
import importlib
import logging
import mmap
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
MEMORY_SHARE = 8  # graphs held in memory take at most this part of the machine's memory
UNKNOWN_MEMORY = 8 << 30  # what a machine whose memory cannot be read is taken to have
_PIECE = 32 << 20  # read a piece at a time: a process leaving stops a read within one piece
_LEAVE_WAIT_S = 10.0
_leaving = threading.Event()
_readers: list[threading.Thread] = []


def in_background(work: Callable[[], None]) -> threading.Thread:
    """Run ``work`` (reading graphs in) on a thread that the process's exit stops and waits for:
    a daemon thread stopped by the interpreter inside faiss would abort the process."""
    thread = threading.Thread(target=work, name="nearby-graphs-in-memory", daemon=True)
    _readers[:] = [t for t in _readers if t.is_alive()] + [thread]
    thread.start()
    return thread


@atexit.register
def _stop_readers() -> None:  # atexit runs before daemon threads are stopped mid-call
    _leaving.set()
    for thread in list(_readers):
        thread.join(_LEAVE_WAIT_S)


def physical_memory() -> int:
    """This machine's memory in bytes (UNKNOWN_MEMORY where the OS does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, OSError, ValueError):  # Windows has no sysconf
        return UNKNOWN_MEMORY


def fits(paths: list[Path]) -> bool:
    """Whether graph files this large may be held in memory together."""
    try:
        total = sum(p.stat().st_size for p in paths)
    except OSError:
        return False
    return total <= physical_memory() // MEMORY_SHARE


def read_resident(path: Path, rows: int) -> Any | None:
    """The graph in ``path`` read into anonymous memory (advised for huge pages where the OS
    offers it) and parsed in place; None if the file is gone or is not a graph of ``rows`` rows
    (replaced since: the caller keeps the mapped one)."""
    faiss: Any = importlib.import_module("faiss")  # imported already by the side index that asks
    try:
        size = path.stat().st_size
        if hasattr(mmap, "MAP_PRIVATE"):  # private: Linux gives huge pages to private memory, not shared
            buffer = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        else:  # Windows: the process's own memory all the same
            buffer = mmap.mmap(-1, size)
        if hasattr(buffer, "madvise") and hasattr(mmap, "MADV_HUGEPAGE"):
            buffer.madvise(mmap.MADV_HUGEPAGE)  # before the first touch: faults then take 2 MB pages
        if not _read_into(path, buffer, size):
            return None
        data = np.frombuffer(buffer, dtype=np.uint8)
        graph = faiss.read_index(faiss.ZeroCopyIOReader(faiss.swig_ptr(data), size))
    except (OSError, RuntimeError, ValueError) as exc:
        log.debug("graph %s stays mapped: %s", path, exc)
        return None
    if graph.ntotal != rows:
        return None
    graph.referenced_objects = [data, buffer]  # faiss's idiom: the codes and lists point into them
    return graph


def _read_into(path: Path, buffer: mmap.mmap, size: int) -> bool:
    view = memoryview(buffer)  # type: ignore[arg-type]
    try:
        with open(path, "rb", buffering=0) as file:
            done = 0
            while done < size:
                if _leaving.is_set():
                    return False
                got = file.readinto(view[done : min(size, done + _PIECE)])
                if not got:
                    return False  # shorter than when measured: replaced meanwhile
                done += got
    finally:
        view.release()
    return True
