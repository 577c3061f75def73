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
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from nearby.core.indexing.watch import FolderWatcher
from nearby.core.library import Library, LibraryStatus
from nearby.core.mapping.similarity_map import MapPoint, SimilarityMap
from nearby.core.progress import IndexSummary
from nearby.core.search.hits import SearchHit
from nearby.desktop.errors import ErrorBanner
from nearby.desktop.index_controller import IndexController
from nearby.desktop.map_view import MapView
from nearby.desktop.models_dialog import ModelsDialog
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
    files_changed = Signal(list, list)  # from the folder watcher's thread: (changed or new, deleted) paths

    def __init__(self, library: Library, pool: QThreadPool | None = None, update_on_start: bool = True,
                 watch: bool = True) -> None:
        super().__init__()
        self.library = library
        self.ops = Operations(library, pool)
        self.setWindowTitle("Nearby")
        self.resize(980, 680)
        self.setStyleSheet(STYLE)
        self.models_dialog: ModelsDialog | None = None
        self._build()
        self.refresh_status()
        # A text model that is missing says so at once (in the banner), not at the first search.
        self.ops.read(lambda lib: lib.embedder.check_installed(), lambda _: None)
        if update_on_start:  # catch up with what changed while the app was closed
            self.indexer.update_folders()
        self.watcher: FolderWatcher | None = None
        if watch:  # then keep up: files added, changed or deleted reach the index within seconds
            self.watcher = library.watcher(lambda changed, deleted: self.files_changed.emit(
                [str(p) for p in changed], [str(p) for p in deleted]))
            self.files_changed.connect(lambda changed, deleted: self.indexer.index_folders([*changed, *deleted]))
            self.ops.read(lambda lib: lib.folders(), self._watch_folders)

    def _build(self) -> None:
        self.banner = ErrorBanner()
        self.search = SearchView(self.ops, self)
        self.indexer = IndexController(self.ops, self.statusBar())
        self.add_button = QPushButton("Add folder…")
        self.add_button.setDefault(True)
        self.map_button = QPushButton("Map")
        self.map_button.setCheckable(True)
        self.map_button.setToolTip("See the whole library as a map of meaning (Ctrl+M)")
        self.map_button.setShortcut(QKeySequence("Ctrl+M"))
        self.update_button = QPushButton("Update")
        self.models_button = QPushButton("Models…")
        self.models_button.setToolTip("Settings → Models: which text model reads your files (Ctrl+,)")
        self.update_button.setToolTip("Look for new, changed and deleted files in the folders already added")
        top = QHBoxLayout()
        top.addWidget(self.search.field, 1)
        top.addWidget(self.search.kind_filter)
        top.addWidget(self.map_button)
        top.addWidget(self.update_button)
        top.addWidget(self.models_button)
        top.addWidget(self.add_button)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(14, 14, 14, 6)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        self.map_view = MapView()
        self.views = QStackedWidget()
        self.views.addWidget(self.search.stack)
        self.views.addWidget(self._map_page())
        layout.addWidget(self.views, 1)
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

    def _map_page(self) -> QWidget:
        page = QWidget()
        bar = QHBoxLayout()
        self.map_colours = QComboBox()
        self.map_colours.addItem("Colour by group", "cluster")
        self.map_colours.addItem("Colour by kind", "kind")
        self.map_colours.setAccessibleName("Map colours")
        self.map_colours.currentIndexChanged.connect(
            lambda _: self.map_view.set_colour_mode(self.map_colours.currentData()))
        self.map_kind = QComboBox()
        for label, kind in (("Every kind", None), ("Documents", "document"), ("Photos, by look", "image"),
                            ("Songs, by sound", "song")):
            self.map_kind.addItem(label, kind)
        self.map_kind.setAccessibleName("Which files the map shows")
        self.map_kind.setToolTip("Every kind together by meaning, or one kind in its own model's space")
        self.map_kind.currentIndexChanged.connect(lambda _: self.show_map(True))
        relayout = QPushButton("Lay out again")
        relayout.setToolTip("Make the whole layout again (new files are otherwise placed among the others)")
        relayout.clicked.connect(lambda: self.update_map(full=True))
        export = QPushButton("Export PNG…")
        export.clicked.connect(self.export_map)
        self.map_status = QLabel("Shift+drag to lasso files · scroll to zoom · drag to pan")
        self.map_status.setObjectName("emptyText")
        for widget in (self.map_kind, self.map_colours, relayout, export):
            bar.addWidget(widget)
        bar.addWidget(self.map_status, 1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.map_view, 1)
        return page

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
        self.map_button.toggled.connect(self.show_map)
        self.ops.changed.connect(lambda: self.update_map() if self.map_button.isChecked() else None)
        self.search.search_finished.connect(lambda hits: self.map_view.highlight(
            [h.path for h in hits], fit=self.map_button.isChecked()))
        self.search.map_lines.connect(self.map_view.set_lines)
        self.map_view.point_selected.connect(lambda p: self.statusBar().showMessage(p.path, SUMMARY_SHOWN_MS))
        self.map_view.point_opened.connect(lambda p: self.search.open_hit(hit_of(p)))
        self.map_view.lasso_selected.connect(self._show_lassoed)
        self.skipped_button.clicked.connect(self.show_skipped)
        focus = QAction(self)
        focus.setShortcut(QKeySequence.StandardKey.Find)
        focus.triggered.connect(self.search.field.setFocus)
        self.addAction(focus)
        settings = QAction(self)
        settings.setShortcut(QKeySequence.StandardKey.Preferences)  # Ctrl+, (⌘, on macOS)
        settings.triggered.connect(self.show_models)
        self.addAction(settings)
        self.models_button.clicked.connect(self.show_models)
        self.setAcceptDrops(True)

    def show_models(self) -> ModelsDialog:
        """Settings → Models (one dialog, raised again if open)."""
        if self.models_dialog is None:
            self.models_dialog = ModelsDialog(self.ops, self)
            self.models_dialog.switched.connect(lambda name: self.statusBar().showMessage(
                f"The library now uses {name}", SUMMARY_SHOWN_MS))
        self.models_dialog.show()
        self.models_dialog.raise_()
        return self.models_dialog

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

    def _watch_folders(self, folders: list[str]) -> None:
        if self.watcher is None or self.ops.closing:
            return
        if not self.watcher.started:
            self.watcher.start(folders)
        for folder in folders:
            self.watcher.watch(folder)

    def _indexing_done(self, summary: IndexSummary | None) -> None:
        if self.watcher is not None:  # a folder added just now is watched from now on
            self.ops.read(lambda lib: lib.folders(), self._watch_folders)
        if summary is None:
            return
        if summary.changed or summary.cancelled:
            self.statusBar().showMessage(summary.describe(), SUMMARY_SHOWN_MS)
        for problem in summary.problems:
            self.banner.show_message(problem)
        if summary.added and not summary.problems:
            self.ops.read(lambda library: library.language_hint(),
                          lambda hint: self.banner.show_message(hint) if hint else None)

    # -- the map ------------------------------------------------------------------------------

    def show_map(self, on: bool) -> None:
        """Switch between the result list and the map; the map is brought up to date as it opens."""
        self.views.setCurrentIndex(1 if on else 0)
        if on:
            kind = self.map_kind.currentData()
            self.ops.read(lambda library: library.load_map(kind), self._map_loaded)  # at once, as it was
            self.update_map()

    def update_map(self, full: bool = False) -> None:
        self.map_status.setText("Arranging the map…")
        kind = self.map_kind.currentData()
        self.ops.write(lambda library, token: library.update_map(kind, full, token), self._map_loaded,
                       lambda p: self.map_status.setText(f"Arranging the map… {100 * p.done // max(p.total, 1)}%"),
                       announce=False)

    def _map_loaded(self, the_map: SimilarityMap | None) -> None:
        if the_map is None or the_map.name != (self.map_kind.currentData() or "all"):
            return  # cancelled, or a map of another kind than the one chosen now
        self.map_view.set_map(the_map)
        self.map_view.highlight([h.path for h in self.search.model.hits], fit=False)
        self.map_status.setText(f"{len(the_map.points):,} files in {len(the_map.clusters)} groups · "
                                "Shift+drag to lasso · scroll to zoom · drag to pan")

    def _show_lassoed(self, points: list[MapPoint]) -> None:
        self.map_button.setChecked(False)
        self.search.show_files([hit_of(p) for p in points], f"chosen on the map ({len(points)})")

    def export_map(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the map", str(Path.home() / "nearby-map.png"),
                                              "PNG images (*.png)")
        if path and not self.map_view.export_png(path):
            self.banner.show_message(f"The map could not be written to {path}. Choose a folder you can write to.")

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
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        if self.ops.shutdown():
            super().closeEvent(event)
            self.closed.emit()
        else:
            event.ignore()
            self.hide()


def hit_of(point: MapPoint) -> SearchHit:
    """A map point as a result row (for a lasso's list, and to open it)."""
    meta = {"thumbnail": point.thumbnail} if point.thumbnail else {}
    return SearchHit(point.path, point.kind, point.title, 1.0, "", None, 1.0, meta)


def dropped_folders(mime: QMimeData) -> list[str]:
    """Local folders and files among dropped URLs."""
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and Path(url.toLocalFile()).exists()]
