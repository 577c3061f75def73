"""Indexing from the window: Add folder, Update, dropped folders, with progress and Cancel.

Folders go to the core's index queue (one writer; folders added while it works are done by the
same drain, right after). The controller only starts a drain when none runs, and shows its
progress in the status bar's bar and Cancel button, which it owns.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressBar, QPushButton, QStatusBar

from nearby.core.progress import IndexProgress, IndexSummary
from nearby.desktop.operations import Operations
from nearby.desktop.worker import Worker

QUEUED_SHOWN_MS = 10_000  # how long "Queued: …" stays in the status bar
TICK_MS = 1_000  # the progress text (elapsed time, estimate) moves at least this often
LIVE_COUNTS_MS = 3_000  # while indexing, the counts (and the results) are refreshed this often
ESTIMATE_AFTER = 3  # files done before an estimate is shown (the first files include model start-up)
ESTIMATE_AFTER_S = 5.0  # and seconds spent: an estimate from the first second swings wildly
PACE_WINDOW_S = 60.0  # the recent pace is measured over this last stretch of time
PART_STEPS = 100  # the bar's steps per file (a big file's text moves it while it is read)


def duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02} s"
    return f"{seconds // 3600} h {seconds // 60 % 60:02} min"


class IndexController(QObject):
    """Starts and cancels index runs and shows their progress."""

    finished = Signal(object)  # IndexSummary, or None when indexing failed
    committed = Signal()  # while a run works: files may have been committed (refresh counts and results)
    running_changed = Signal(bool)  # a run began (True) or ended

    def __init__(self, ops: Operations, status_bar: QStatusBar) -> None:
        super().__init__(status_bar)  # goes with the window (its timers too)
        self.ops = ops
        self.status_bar = status_bar
        self.progress = QProgressBar()
        self.progress.setMinimumWidth(360)
        self.progress.setTextVisible(True)
        self.progress.setAccessibleName("Indexing progress")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel indexing")
        self.cancel_button.clicked.connect(self.cancel)
        self._worker: Worker | None = None
        self._last: IndexProgress | None = None
        self._started = 0.0  # when this run began
        self._phase_started = (0.0, 0)  # when indexing files began, and how many were done then
        self._paces: deque[tuple[float, float]] = deque()  # (when, files done): the recent pace
        self._ticker = QTimer(self, interval=TICK_MS)
        self._ticker.timeout.connect(self._tick)
        self._live = QTimer(self, interval=LIVE_COUNTS_MS)
        self._live.timeout.connect(self.committed)
        self._shown_running = False  # what running_changed said last
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
        self._started, self._last, self._phase_started = time.monotonic(), None, (0.0, 0)
        self._paces.clear()
        self._show_running(True)
        self._worker = self.ops.write(lambda library, token: library.queue.drain(token), self._done, self._progress)
        if self._worker is None:  # closing
            self._show_running(False)

    def update_folders(self) -> None:
        """Bring every folder added before up to date, in the background."""
        self.ops.read(lambda library: library.folders(with_paused=False),
                      lambda folders: self.index_folders(folders) if folders else None)

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.cancel_button.setEnabled(False)
            self.progress.setFormat("Stopping after the file in hand…")

    def _show_running(self, running: bool) -> None:
        if running != self._shown_running:
            self._shown_running = running
            self.running_changed.emit(running)
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        for timer in (self._ticker, self._live):
            timer.start() if running else timer.stop()

    def _progress(self, p: IndexProgress) -> None:
        if p.total and self._phase_started[0] == 0.0:
            self._phase_started = (time.monotonic(), p.done)
        self._last = p
        self._tick()

    def _tick(self) -> None:
        """The bar's words: the phase, counts, the file in hand, time so far and an estimate."""
        if self._worker is None or not self.cancel_button.isEnabled():
            return
        p = self._last
        elapsed = time.monotonic() - self._started
        if p is None:
            self.progress.setFormat(f"Listing files… ({duration(elapsed)})")
        elif p.phase in ("sweeping", "done"):
            self.progress.setRange(0, 0)  # no count to show: a moving bar, and the time so far
            self.progress.setFormat(f"Finishing: looking for deleted files, tuning scores… ({duration(elapsed)})")
        elif p.total:
            self.progress.setRange(0, p.total * PART_STEPS)  # fine steps: a big file's passages move it too
            self.progress.setValue(round(self._done_so_far(p) * PART_STEPS))
            share = f"{p.part_done * 100 // p.part_total}%" if p.part_total else ""
            name = Path(p.path).name if p.path else ""
            details = [f" · {name}" + (f" ({share} read)" if share else "")] if name else []
            details += [f" · {share} of its text read"] if share else []
            self._show_words(f"Indexing {min(p.done + 1, p.total):,} of {p.total:,} · {self.estimate(p)}", *details)
        elif p.phase.startswith("waiting"):
            self.progress.setFormat(f"{p.phase.capitalize()}… ({duration(elapsed)})")
        else:
            self.progress.setFormat(f"Listing files… {p.done:,} found ({duration(elapsed)})")

    def _show_words(self, words: str, *details: str) -> None:
        """The bar's words on one line: the first of the details (longest first: the file's name, how far
        its text is read) that fits, the words cut with an ellipsis if even they do not (wrapped, they were
        cut in half by the status bar)."""
        metrics, room = self.progress.fontMetrics(), max(40, self.progress.width() - 16)
        fits = next((d for d in details if metrics.horizontalAdvance(words + d) <= room), "")
        self.progress.setFormat(metrics.elidedText(words + fits, Qt.TextElideMode.ElideRight, room))

    @property
    def left_undone(self) -> int:
        """Files the last run had still to do when it ended (a cancelled run's remainder)."""
        p = self._last
        return max(0, p.total - p.done) if p is not None and p.total else 0

    @staticmethod
    def _done_so_far(p: IndexProgress) -> float:
        """Files done, the one in hand counted by how much of its text the model has read."""
        return p.done + (p.part_done / p.part_total if p.part_total else 0.0)

    def estimate(self, p: IndexProgress) -> str:
        """Time left, from the pace of the whole run blended with that of the last minute: the first
        files include the model's start-up, and one big file should not make the estimate leap (it once
        climbed from "about 5 s" to "3 min 12 s" in 40 s while one file was read). Files differ: it is
        an estimate, and says so."""
        now = time.monotonic()
        began, done_then = self._phase_started
        done = self._done_so_far(p) - done_then
        self._paces.append((now, done))
        while len(self._paces) > 2 and now - self._paces[1][0] > PACE_WINDOW_S:
            self._paces.popleft()
        spent = now - began
        if done < ESTIMATE_AFTER or spent < ESTIMATE_AFTER_S:
            return f"{duration(now - self._started)} so far"
        overall = done / spent
        (then, done_before), recent = self._paces[0], 0.0
        if now - then > 1.0:
            recent = (done - done_before) / (now - then)
        pace = (overall + recent) / 2 if recent > 0 else overall
        left = (p.total - self._done_so_far(p)) / max(pace, 1e-6)
        if left >= 120:  # minutes are enough past two of them (and the words stay short)
            return f"about {duration(round(left / 60) * 60).replace(' 00 s', '')} left"
        return f"about {duration(left)} left"

    def _done(self, summary: IndexSummary | None) -> None:
        self._worker = None
        self._show_running(False)
        self.finished.emit(summary)
        if summary is not None and not summary.cancelled and self.ops.library.queue.pending:
            self.index_folders([])  # asked for after the drain's last look: one more run
