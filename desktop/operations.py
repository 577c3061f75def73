"""Core work off the GUI thread, and the notice that the library changed.

Every view asks through one Operations object (like anki's QueryOp / CollectionOp):
``read`` for work that only looks at the library (search, status, similar), ``write`` for work
that changes it (indexing). Results come back on the main thread; errors go to the one error
handler; after a write that changed anything, ``changed`` is emitted and each view refreshes
itself, so no view has to know which others exist.

Closing never blocks the GUI thread: ``shutdown`` cancels what runs and closes the library only
once the last worker has finished with it.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThreadPool, Signal

from nearby.core.library import Library
from nearby.core.progress import CancelToken, IndexProgress, IndexSummary
from nearby.desktop.worker import Worker, start

T = TypeVar("T")


class Operations(QObject):
    """Runs library calls on a thread pool and announces changes to the library."""

    changed = Signal()  # the library's content changed: views showing it refresh themselves
    errored = Signal(object)  # an exception from any operation, for the one error banner
    shut_down = Signal()  # after a shutdown that had to wait: the last operation ended, the library is closed

    def __init__(self, library: Library, pool: QThreadPool | None = None) -> None:
        super().__init__()
        self.library = library
        self.pool = pool or QThreadPool.globalInstance()
        # Indexing holds one thread for its whole run: searches must still find one free.
        self.pool.setMaxThreadCount(max(2, self.pool.maxThreadCount()))
        self._workers: set[Worker] = set()
        self._closing = False
        self._closed = False

    @property
    def closing(self) -> bool:
        return self._closing or self._closed

    @property
    def active(self) -> int:
        """Operations started and not finished yet."""
        return len(self._workers)

    def read(self, work: Callable[[Library], T], on_done: Callable[[T], None]) -> Worker | None:
        """Run ``work(library)`` off the GUI thread; hand its result to ``on_done`` on the GUI thread."""
        return self._start(lambda _token: work(self.library), on_done)

    def write(self, work: Callable[[Library, CancelToken], Generator[IndexProgress, None, Any]],
              on_done: Callable[[Any], None],
              on_progress: Callable[[IndexProgress], None] | None = None, announce: bool = True) -> Worker | None:
        """Run long library work that yields progress and can be cancelled; ``on_done`` gets what it
        returns (None when it failed: the error went to ``errored``). Unless ``announce`` is False
        (work that changes no file's entry, like a map's layout), emits ``changed`` after an
        indexing run that changed, cancelled or failed."""
        def done(summary: Any) -> None:
            on_done(summary)
            if announce and (summary is None or not isinstance(summary, IndexSummary)
                             or summary.changed or summary.cancelled):
                self.changed.emit()

        worker = self._start(lambda token: work(self.library, token), done, on_progress)
        if worker is not None:
            worker.signals.errored.connect(lambda _exc: None if self.closing else done(None))
        return worker

    def _start(self, task: Callable[[CancelToken], Any], on_done: Callable[[Any], None],
               on_progress: Callable[[Any], None] | None = None) -> Worker | None:
        if self.closing:
            return None  # closing: start nothing new on a library about to close
        worker = Worker(task)
        self._workers.add(worker)
        # Once closing, results and errors have no view left to go to: drop them.
        worker.signals.finished.connect(lambda result: None if self.closing else on_done(result))
        worker.signals.errored.connect(lambda exc: None if self.closing else self.errored.emit(exc))
        if on_progress is not None:
            worker.signals.progress.connect(lambda record: None if self.closing else on_progress(record))
        for signal in (worker.signals.finished, worker.signals.errored):
            signal.connect(lambda *_: self._retire(worker))
        return start(worker, self.pool)

    def _retire(self, worker: Worker) -> None:
        self._workers.discard(worker)
        if self._closing and not self._workers:
            self._closing = False
            self._close_library()
            self.shut_down.emit()

    def shutdown(self) -> bool:
        """Cancel everything running and close the library once nothing uses it.

        Returns True when that happened at once (nothing was running); otherwise ``shut_down``
        is emitted on the GUI thread when the last operation has ended and the library is closed.
        """
        if self._closed:
            return True
        for worker in self._workers:
            worker.cancel()
        if not self._workers:
            self._close_library()
            return True
        self._closing = True
        return False

    def _close_library(self) -> None:
        self._closed = True
        self.library.close()
