"""One generic worker: runs core work on a thread pool, reports on the main thread.

Core work is either a plain call or a generator that yields progress records and returns a
result. The worker forwards progress at most ~10 times a second (enough for a smooth bar,
cheap for the event loop), checks nothing itself: cancelling sets the core's CancelToken,
which the generator checks between batches.
"""

from __future__ import annotations

import time
import types
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from nearby.core.progress import CancelToken

# Seconds between two progress signals; the screen does not need more than ~10 updates a second.
PROGRESS_INTERVAL_S = 0.1


class WorkerSignals(QObject):
    """Lives on the main thread, so connected slots run there (queued from the pool thread)."""

    progress = Signal(object)
    finished = Signal(object)
    errored = Signal(object)


class Worker(QRunnable):
    """Runs ``task(cancel_token)``; drains it if it returns a generator."""

    def __init__(self, task: Callable[[CancelToken], Any]) -> None:
        super().__init__()
        self.task = task
        self.token = CancelToken()
        self.signals = WorkerSignals()
        self.setAutoDelete(False)  # the owner keeps it alive until it has finished

    def cancel(self) -> None:
        self.token.cancel()

    def run(self) -> None:
        try:
            result = self.task(self.token)
            if isinstance(result, types.GeneratorType):
                result = self._drain(result)
        except Exception as exc:  # every failure reaches the GUI's one error handler
            self.signals.errored.emit(exc)
            return
        self.signals.finished.emit(result)

    def _drain(self, gen: types.GeneratorType[Any, None, Any]) -> Any:
        last = 0.0
        try:
            while True:
                item = next(gen)
                now = time.monotonic()
                if now - last >= PROGRESS_INTERVAL_S:
                    last = now
                    self.signals.progress.emit(item)
        except StopIteration as stop:
            return stop.value


def start(worker: Worker, pool: QThreadPool | None = None) -> Worker:
    (pool or QThreadPool.globalInstance()).start(worker)
    return worker
