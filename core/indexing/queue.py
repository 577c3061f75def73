"""The index queue: every request to index (Add folder, Update, folder watching, the CLI) and to
remove a folder goes through one writer, one run at a time.

Requests that arrive while a run works are merged and done by the next run of the same drain,
so a burst of changes costs one run, not one per change, and two runs never write at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from nearby.core.indexing.scan import DEFAULT_EXCLUDED, is_hidden
from nearby.core.progress import CancelToken, IndexProgress, IndexSummary

IndexRun = Callable[[list[Path], "list[Removal]", CancelToken], Generator[IndexProgress, None, IndexSummary]]


def covers(folder: Path, path: Path) -> bool:
    """Whether indexing ``folder`` also brings ``path`` up to date: it lies inside, and not under a
    hidden or excluded folder that the scan of ``folder`` passes by (the sample collection in
    ~/.local/share/Nearby is a folder of its own even when the home folder is one too)."""
    if path == folder or not path.is_relative_to(folder):
        return False
    return not any(is_hidden(part, DEFAULT_EXCLUDED) for part in path.relative_to(folder).parts)


class Removal:
    """A folder asked to leave the library: done by the queue's writer, awaited by whoever asked."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.removed = 0  # items removed, once done
        self.error: BaseException | None = None
        self._done = threading.Event()

    def finish(self, removed: int = 0, error: BaseException | None = None) -> None:
        self.removed, self.error = removed, error
        self._done.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Whether it is done (waiting up to ``timeout`` seconds)."""
        return self._done.wait(timeout)


class IndexQueue:
    """Paths waiting to be indexed, and the one writer that works them off."""

    def __init__(self, run: IndexRun) -> None:
        """Args:
            run: one index run over some paths (folders, files, or paths that no longer exist).
        """
        self._run = run
        self._pending: dict[Path, None] = {}  # an ordered set: first asked, first done
        self._removals: dict[Path, Removal] = {}  # folders asked to leave, not yet removed
        self._running: list[Path] = []  # the batch of the run in flight
        self._held = False  # the writer is held by ``holding`` (not a drain): a drain waits for it
        self._asked = False  # a run was asked for, even with no path (it still finishes items left waiting)
        self._lock = threading.Lock()  # guards _pending and the hand-over of the writer
        self._writer = threading.Lock()  # held by the drain that is writing

    def submit(self, paths: Iterable[Path | str]) -> None:
        """Ask for paths to be brought up to date. A path inside a folder already waiting is
        covered by it; a folder takes over the waiting paths inside it. Asking with no path still
        asks for a run: it finishes the items a model switch left waiting."""
        with self._lock:
            self._asked = True
            for path in (Path(p).expanduser().absolute() for p in paths):
                if any(path == q or covers(q, path) for q in self._pending):
                    continue
                for inside in [q for q in self._pending if covers(path, q)]:
                    del self._pending[inside]
                self._pending[path] = None

    def remove(self, folder: Path | str) -> Removal:
        """Ask for a folder's entries to leave the library, by the writer (wait on the Removal).
        Paths waiting inside it are dropped, and a run in flight stops reading it (``removing``)."""
        path = Path(folder).expanduser().absolute()
        with self._lock:
            self._asked = True
            for inside in [q for q in self._pending if q == path or q.is_relative_to(path)]:
                del self._pending[inside]
            return self._removals.setdefault(path, Removal(path))

    def involves(self, path: Path | str) -> bool:
        """Whether a path is waiting or being indexed now (itself, or a folder or file inside it)."""
        path = Path(path)
        with self._lock:
            return any(q == path or q.is_relative_to(path) for q in (*self._pending, *self._running))

    def removing(self, path: Path) -> bool:
        """Whether a path lies in a folder asked to leave the library (a run skips it)."""
        with self._lock:
            return any(path == f or path.is_relative_to(f) for f in self._removals)

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Hold the writer (waiting for a run in flight to end) for a short write of another kind
        (a map's layout, a model switch's last stretch): no run writes meanwhile. A drain that
        starts meanwhile waits for it, then does its requests (it does not leave them to a drain
        that is not coming)."""
        self._writer.acquire()
        with self._lock:
            self._held = True
        try:
            yield
        finally:
            with self._lock:
                self._held = False
                self._writer.release()

    @property
    def pending(self) -> list[Path]:
        with self._lock:
            return list(self._pending)

    @property
    def running(self) -> list[Path]:
        """The paths of the run in flight (empty when none)."""
        with self._lock:
            return list(self._running)

    @property
    def busy(self) -> bool:
        """A drain is writing now."""
        return self._writer.locked()

    def drain(self, cancel: CancelToken | None = None) -> Generator[IndexProgress, None, IndexSummary]:
        """Index everything pending, run after run, until nothing is left or a run is cancelled.

        If another drain is writing already, return at once: it takes these requests too.
        A cancelled run's paths are not asked again; requests that came in meanwhile stay pending.

        Returns:
            The summary of all the runs together.
        """
        cancel = cancel or CancelToken()
        total = IndexSummary()
        with self._lock:
            taken = self._writer.acquire(blocking=False)
            wait = not taken and self._held
        if not taken:
            if not wait:
                return total  # another drain is writing: it takes these requests too
            self._writer.acquire()  # held for a map's write or a switch's swap: wait, then do them
        held = True
        try:
            while not cancel.cancelled:
                with self._lock:
                    batch, self._pending = list(self._pending), {}
                    self._running = batch
                    removals = list(self._removals.values())
                    asked, self._asked = self._asked, False
                    if not asked:
                        self._writer.release()  # under _lock: a submit after this finds the writer free
                        held = False
                        return total
                try:
                    total += yield from self._run(batch, removals, cancel)
                except BaseException:
                    self.submit(batch)  # nothing of a failed run is lost: asked again next time
                    raise
                finally:
                    with self._lock:  # removals done (or failed: the asker hears why) are no longer pending
                        self._running = []
                        for removal in removals:
                            if removal.wait(0):
                                self._removals.pop(removal.folder, None)
            return total
        finally:
            if held:
                self._writer.release()
