"""The index queue: every request to index (Add folder, Update, folder watching, the CLI) goes
through one writer, one run at a time.

Requests that arrive while a run works are merged and done by the next run of the same drain,
so a burst of changes costs one run, not one per change, and two runs never write at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterable
from pathlib import Path

from nearby.core.progress import CancelToken, IndexProgress, IndexSummary

IndexRun = Callable[[list[Path], CancelToken], Generator[IndexProgress, None, IndexSummary]]


class IndexQueue:
    """Paths waiting to be indexed, and the one writer that works them off."""

    def __init__(self, run: IndexRun) -> None:
        """Args:
            run: one index run over some paths (folders, files, or paths that no longer exist).
        """
        self._run = run
        self._pending: dict[Path, None] = {}  # an ordered set: first asked, first done
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
                if any(path == q or path.is_relative_to(q) for q in self._pending):
                    continue
                for inside in [q for q in self._pending if q.is_relative_to(path)]:
                    del self._pending[inside]
                self._pending[path] = None

    @property
    def pending(self) -> list[Path]:
        with self._lock:
            return list(self._pending)

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
        if not self._writer.acquire(blocking=False):
            return total
        held = True
        try:
            while not cancel.cancelled:
                with self._lock:
                    batch, self._pending = list(self._pending), {}
                    asked, self._asked = self._asked, False
                    if not asked:
                        self._writer.release()  # under _lock: a submit after this finds the writer free
                        held = False
                        return total
                try:
                    total += yield from self._run(batch, cancel)
                except BaseException:
                    self.submit(batch)  # nothing of a failed run is lost: asked again next time
                    raise
            return total
        finally:
            if held:
                self._writer.release()
