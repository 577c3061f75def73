"""The shell window: places the search view and the indexing controls, shows status and errors.

The work itself lives elsewhere: searching in SearchView, indexing in IndexController, every call
into the library in Operations (off the GUI thread), errors in the one ErrorBanner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QThreadPool, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nearby.core.library import Library, LibraryStatus
from nearby.core.progress import IndexSummary
from nearby.desktop.errors import ErrorBanner
from nearby.desktop.index_controller import IndexController
from nearby.desktop.operations import Operations
from nearby.desktop.search_view import SearchView

SUMMARY_SHOWN_MS = 8_000  # how long an indexing summary replaces the counts in the status bar
KIND_NAMES = {"document": ("document", "documents"), "image": ("photo", "photos"), "song": ("song", "songs")}

STYLE = """
#errorBanner { background: #fdecea; border: 1px solid #f5c2bd; border-radius: 6px; color: #8a1c12; }
#emptyTitle { font-size: 20px; font-weight: 600; }
#emptyText { color: palette(placeholder-text); }
#searchField { padding: 6px 10px; font-size: 15px; border-radius: 6px; }
QListView#results { border: none; }
"""


class MainWindow(QMainWindow):
    """The window: a search view over the results, indexing controls, status and errors."""

    closed = Signal()  # the window has closed and the library with it (the app quits on it)

    def __init__(self, library: Library, pool: QThreadPool | None = None, update_on_start: bool = True) -> None:
        super().__init__()
        self.library = library
        self.ops = Operations(library, pool)
        self.setWindowTitle("Nearby")
        self.resize(980, 680)
        self.setStyleSheet(STYLE)
        self._build()
        self.refresh_status()
        if update_on_start:  # no folder watching yet: catch up with what changed since last time
            self.indexer.update_folders()

    def _build(self) -> None:
        self.banner = ErrorBanner()
        self.search = SearchView(self.ops, self)
        self.indexer = IndexController(self.ops, self.statusBar())
        self.add_button = QPushButton("Add folder…")
        self.add_button.setDefault(True)
        self.update_button = QPushButton("Update")
        self.update_button.setToolTip("Look for new, changed and deleted files in the folders already added")
        top = QHBoxLayout()
        top.addWidget(self.search.field, 1)
        top.addWidget(self.search.kind_filter)
        top.addWidget(self.update_button)
        top.addWidget(self.add_button)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(14, 14, 14, 6)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.search.stack, 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self._connect()
        # What tests and the app reach through the window.
        self.search_field, self.kind_filter = self.search.field, self.search.kind_filter
        self.results = self.search.results
        self.model, self.delegate, self.caption, self.stack = (self.search.model, self.search.delegate,
                                                               self.search.caption, self.search.stack)
        self.progress, self.cancel_button = self.indexer.progress, self.indexer.cancel_button
        self.search_finished, self.indexing_finished = self.search.search_finished, self.indexer.finished
        self.run_search, self.find_similar, self.index_folders = (self.search.run_search, self.search.find_similar,
                                                                  self.indexer.index_folders)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.stats_label = QLabel()
        self.skipped_button = QPushButton()
        self.skipped_button.setFlat(True)
        self.skipped_button.hide()
        bar.addWidget(self.stats_label, 1)
        bar.addPermanentWidget(self.skipped_button)
        bar.addPermanentWidget(self.indexer.progress)
        bar.addPermanentWidget(self.indexer.cancel_button)

    def _connect(self) -> None:
        self.ops.errored.connect(self.banner.show_error)
        self.ops.changed.connect(self.refresh_status)
        self.ops.shut_down.connect(self.close)  # closing had to wait for running work: finish it now
        self.indexer.finished.connect(self._indexing_done)
        self.search.add_folder_clicked.connect(self.choose_folder)
        self.add_button.clicked.connect(self.choose_folder)
        self.update_button.clicked.connect(self.indexer.update_folders)
        self.skipped_button.clicked.connect(self.show_skipped)
        focus = QAction(self)
        focus.setShortcut(QKeySequence.StandardKey.Find)
        focus.triggered.connect(self.search.field.setFocus)
        self.addAction(focus)
        self.setAcceptDrops(True)

    # -- folders ------------------------------------------------------------------------------

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a folder to index", str(Path.home()))
        if folder:
            self.indexer.index_folders([folder])

    def dragEnterEvent(self, event: Any) -> None:
        if dropped_folders(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:
        """Folders (or files) dropped on the window are indexed, like Add folder…."""
        paths = dropped_folders(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.indexer.index_folders(paths)

    def _indexing_done(self, summary: IndexSummary | None) -> None:
        if summary is None:
            return
        if summary.changed or summary.cancelled:
            self.statusBar().showMessage(summary.describe(), SUMMARY_SHOWN_MS)
        for problem in summary.problems:
            self.banner.show_message(problem)

    # -- status -------------------------------------------------------------------------------

    def refresh_status(self) -> None:
        self.ops.read(lambda library: library.status(), self._show_status)

    def _show_status(self, status: LibraryStatus) -> None:
        provider = status.provider.replace("ExecutionProvider", "")
        counts = " · ".join(f"{n:,} {KIND_NAMES.get(kind, (kind, kind))[n != 1]}"
                            for kind, n in sorted(status.by_kind.items()))
        self.stats_label.setText(f"{counts or 'Nothing indexed'} · {status.model} on {provider}")
        self.skipped_button.setText(f"{status.skipped:,} skipped…")
        self.skipped_button.setVisible(status.skipped > 0)
        self.search.show_status(status)

    def show_skipped(self) -> None:
        self.ops.read(lambda library: library.failures(), self._show_failures)

    def _show_failures(self, failures: list[tuple[str, str]]) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("Files Nearby skipped")
        box.setText(f"{len(failures)} file(s) could not be indexed. Everything else was indexed.")
        box.setDetailedText("\n".join(f"{p}\n    {r}" for p, r in failures))
        box.setIcon(QMessageBox.Icon.Information)
        box.open()

    # -- closing ------------------------------------------------------------------------------

    def closeEvent(self, event: Any) -> None:
        """Close at once: running work is cancelled and the library closed when it has stopped,
        without the GUI thread waiting for it (the window hides meanwhile)."""
        self.search.player.stop()
        if self.ops.shutdown():
            super().closeEvent(event)
            self.closed.emit()
        else:
            event.ignore()
            self.hide()


def dropped_folders(mime: QMimeData) -> list[str]:
    """Local folders and files among dropped URLs."""
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and Path(url.toLocalFile()).exists()]
