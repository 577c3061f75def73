"""Indexing from the window: Add folder, Update, dropped folders, with progress and Cancel.

Folders go to the core's index queue (one writer; folders added while it works are done by the
same drain, right after). The controller only starts a drain when none runs, and shows its
progress in the status bar's bar and Cancel button, which it owns.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QProgressBar, QPushButton, QStatusBar

from nearby.core.progress import IndexProgress, IndexSummary
from nearby.desktop.operations import Operations
from nearby.desktop.worker import Worker

QUEUED_SHOWN_MS = 10_000  # how long "Queued: …" stays in the status bar


class IndexController(QObject):
    """Starts and cancels index runs and shows their progress."""

    finished = Signal(object)  # IndexSummary, or None when indexing failed

    def __init__(self, ops: Operations, status_bar: QStatusBar) -> None:
        super().__init__()
        self.ops = ops
        self.status_bar = status_bar
        self.progress = QProgressBar()
        self.progress.setMinimumWidth(320)
        self.progress.setTextVisible(True)
        self.progress.setAccessibleName("Indexing progress")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel indexing")
        self.cancel_button.clicked.connect(self.cancel)
        self._worker: Worker | None = None
        self._show_running(False)

    @property
    def running(self) -> bool:
        return self._worker is not None

    def index_folders(self, folders: Iterable[str | Path]) -> None:
        """Index folders in the background; the window stays usable and searchable. Folders
        asked for while a run works are queued and indexed by that run, right after."""
        folders = [str(f) for f in folders]
        self.ops.library.queue.submit(folders)
        if self._worker is not None:
            names = ", ".join(Path(f).name for f in self.ops.library.queue.pending)
            self.status_bar.showMessage(f"Queued: {names}", QUEUED_SHOWN_MS)
            return
        self.progress.setRange(0, 0)
        self.progress.setFormat("Listing files…")
        self._show_running(True)
        self._worker = self.ops.write(lambda library, token: library.queue.drain(token), self._done, self._progress)
        if self._worker is None:  # closing
            self._show_running(False)

    def update_folders(self) -> None:
        """Bring every folder added before up to date, in the background."""
        self.ops.read(lambda library: library.folders(),
                      lambda folders: self.index_folders(folders) if folders else None)

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.cancel_button.setEnabled(False)
            self.progress.setFormat("Cancelling…")

    def _show_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)

    def _progress(self, p: IndexProgress) -> None:
        if p.total:
            self.progress.setRange(0, p.total)
            self.progress.setValue(p.done)
            self.progress.setFormat(f"Indexing {p.done:,}/{p.total:,}  {Path(p.path).name[:40]}")
        elif p.phase.startswith("waiting"):
            self.progress.setFormat(p.phase.capitalize() + "…")
        else:
            self.progress.setFormat(f"Listing files… {p.done:,}")

    def _done(self, summary: IndexSummary | None) -> None:
        self._worker = None
        self._show_running(False)
        self.finished.emit(summary)
        if summary is not None and not summary.cancelled and self.ops.library.queue.pending:
            self.index_folders([])  # asked for after the drain's last look: one more run
