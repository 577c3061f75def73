"""The main window: search field, result list, Add folder, indexing progress with Cancel."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QMimeData, QModelIndex, QPoint, Qt, QThreadPool, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from nearby.core.library import Library
from nearby.core.progress import CancelToken, IndexProgress, IndexSummary
from nearby.core.search.hits import SearchHit
from nearby.desktop.errors import ErrorBanner
from nearby.desktop.player import Player
from nearby.desktop.results import HIT_ROLE, ResultDelegate, ResultsModel
from nearby.desktop.worker import Worker, start

# Typing pauses this long before a search runs: one search per word, not per keystroke.
SEARCH_DEBOUNCE_MS = 250
RESULTS_K = 50
# MiniLM gives unrelated texts cosines of about 0..0.2; below this a "match" only adds noise.
# (The CLI shows everything: scripts decide for themselves.)
MIN_SCORE = 0.2
SUMMARY_SHOWN_MS = 8_000  # how long an indexing summary replaces the counts in the status bar
SEARCH_HINT = 'Search by meaning — e.g. notes about the budget  ·  "exact words"  ·  -exclude'
EMPTY_TEXT_WIDTH = 520  # a wrapped paragraph reads best at ~70 characters a line
KIND_FILTERS = (("All kinds", None), ("Documents", "document"), ("Photos", "image"), ("Songs", "song"))
KIND_NAMES = {"document": ("document", "documents"), "image": ("photo", "photos"), "song": ("song", "songs")}

STYLE = """
#errorBanner { background: #fdecea; border: 1px solid #f5c2bd; border-radius: 6px; color: #8a1c12; }
#emptyTitle { font-size: 20px; font-weight: 600; }
#emptyText { color: palette(placeholder-text); }
#searchField { padding: 6px 10px; font-size: 15px; border-radius: 6px; }
QListView#results { border: none; }
"""


class MainWindow(QMainWindow):
    """Everything on screen. All core work goes through ``self.library`` in workers."""

    indexing_finished = Signal(object)  # IndexSummary, or None when indexing failed
    search_finished = Signal(list)  # list[SearchHit]

    def __init__(self, library: Library, pool: QThreadPool | None = None, update_on_start: bool = True) -> None:
        super().__init__()
        self.library = library
        self.pool = pool or QThreadPool.globalInstance()
        self.pool.setMaxThreadCount(max(2, self.pool.maxThreadCount()))  # indexing must not block search
        self._index_worker: Worker | None = None
        self._queued: list[str] = []  # folders added while indexing ran
        self._workers: set[Worker] = set()
        self._search_seq = 0
        self.setWindowTitle("Nearby")
        self.resize(980, 680)
        self.setStyleSheet(STYLE)
        self._build()
        self.refresh_status()
        if update_on_start:  # no folder watching yet: catch up with what changed since last time
            self.update_folders()

    # -- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.search_field = QLineEdit()
        self.search_field.setObjectName("searchField")
        self.search_field.setPlaceholderText(SEARCH_HINT)
        self.search_field.setClearButtonEnabled(True)
        self.kind_filter = QComboBox()
        for label, kind in KIND_FILTERS:
            self.kind_filter.addItem(label, kind)
        self.add_button = QPushButton("Add folder…")
        self.add_button.setDefault(True)
        self.update_button = QPushButton("Update")
        self.update_button.setToolTip("Look for new, changed and deleted files in the folders already added")
        top = QHBoxLayout()
        top.addWidget(self.search_field, 1)
        top.addWidget(self.kind_filter)
        top.addWidget(self.update_button)
        top.addWidget(self.add_button)

        self.banner = ErrorBanner()
        self.caption = QLabel()
        self.caption.setObjectName("emptyText")
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.linkActivated.connect(lambda _: self.show_weaker())
        self._weaker: list[SearchHit] = []
        self.model = ResultsModel()
        self.results = QListView()
        self.results.setObjectName("results")
        self.results.setModel(self.model)
        self.delegate = ResultDelegate(self.results)
        self.results.setItemDelegate(self.delegate)
        self.player = Player(self)
        self.results.setMouseTracking(True)
        self.results.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.results.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._empty_page())
        results_page = QWidget()
        rl = QVBoxLayout(results_page)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.caption)
        rl.addWidget(self.results, 1)
        self.stack.addWidget(results_page)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(14, 14, 14, 6)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self._connect()

    def _empty_page(self) -> QWidget:
        page = QWidget()
        title = QLabel("Find your files by what they mean")
        title.setObjectName("emptyTitle")
        self.empty_text = QLabel()
        self.empty_text.setObjectName("emptyText")
        self.empty_text.setWordWrap(True)
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        button = QPushButton("Add a folder…")
        button.clicked.connect(self.choose_folder)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text.setMinimumWidth(EMPTY_TEXT_WIDTH)
        self.empty_text.setMaximumWidth(EMPTY_TEXT_WIDTH)
        layout = QVBoxLayout(page)
        layout.setSpacing(14)
        layout.addStretch(2)
        for w in (title, self.empty_text, button):
            layout.addWidget(w, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)
        return page

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.stats_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setMinimumWidth(320)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.skipped_button = QPushButton()
        self.skipped_button.setFlat(True)
        bar.addWidget(self.stats_label, 1)
        bar.addPermanentWidget(self.skipped_button)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        for w in (self.progress, self.cancel_button, self.skipped_button):
            w.hide()

    def _connect(self) -> None:
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_search)
        self.search_field.textChanged.connect(lambda _: self._debounce.start())
        self.search_field.returnPressed.connect(self.run_search)
        self.kind_filter.currentIndexChanged.connect(lambda _: self.run_search())
        self.add_button.clicked.connect(self.choose_folder)
        self.update_button.clicked.connect(self.update_folders)
        self.cancel_button.clicked.connect(self.cancel_indexing)
        self.skipped_button.clicked.connect(self.show_skipped)
        self.results.customContextMenuRequested.connect(self._context_menu)
        self.delegate.play_clicked.connect(lambda hit: self.player.toggle(hit.path))
        self.delegate.similar_clicked.connect(self.find_similar)
        self.player.changed.connect(self._now_playing)
        focus = QAction(self)
        focus.setShortcut(QKeySequence.StandardKey.Find)
        focus.triggered.connect(self.search_field.setFocus)
        self.addAction(focus)
        self.results.activated.connect(self._open_index)  # Enter on a result, as well as a double-click
        self.search_field.installEventFilter(self)
        self.setAcceptDrops(True)

    # -- keyboard and drops -------------------------------------------------------------------

    def eventFilter(self, watched: Any, event: Any) -> bool:
        # Down from the search field goes to the results, so the keyboard alone is enough.
        if watched is self.search_field and event.type() == QEvent.Type.KeyPress \
                and event.key() == Qt.Key.Key_Down and self.model.rowCount():
            self.results.setFocus()
            self.results.setCurrentIndex(self.model.index(0))
            return True
        return super().eventFilter(watched, event)

    def dragEnterEvent(self, event: Any) -> None:
        if dropped_folders(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:
        """Folders (or files) dropped on the window are indexed, like Add folder…."""
        paths = dropped_folders(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.index_folders(paths)

    # -- workers ------------------------------------------------------------------------------

    def _run(self, task: Any, on_done: Any, on_progress: Any = None) -> Worker:
        worker = Worker(task)
        self._workers.add(worker)
        worker.signals.finished.connect(on_done)
        worker.signals.errored.connect(self.banner.show_error)
        if on_progress:
            worker.signals.progress.connect(on_progress)
        for sig in (worker.signals.finished, worker.signals.errored):
            sig.connect(lambda *_: self._workers.discard(worker))
        return start(worker, self.pool)

    # -- indexing -----------------------------------------------------------------------------

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a folder to index", str(Path.home()))
        if folder:
            self.index_folders([folder])

    def index_folders(self, folders: list[str]) -> None:
        """Index folders in the background; the window stays usable and searchable. Folders
        added while indexing runs are queued and indexed next."""
        if self._index_worker is not None:
            self._queued += [f for f in folders if f not in self._queued]
            self.statusBar().showMessage(f"Queued: {', '.join(Path(f).name for f in self._queued)}", 10_000)
            return
        self.progress.setRange(0, 0)
        self.progress.setFormat("Listing files…")
        for w in (self.progress, self.cancel_button):
            w.show()
        self.cancel_button.setEnabled(True)

        def task(token: CancelToken) -> Any:
            return self.library.index(folders, token)

        self._index_worker = self._run(task, self._indexing_done, self._indexing_progress)
        self._index_worker.signals.errored.connect(lambda _: self._indexing_done(None))

    def update_folders(self) -> None:
        """Bring every folder added before up to date, in the background."""
        self._run(lambda _t: self.library.folders(), lambda folders: self.index_folders(folders) if folders else None)

    def cancel_indexing(self) -> None:
        if self._index_worker is not None:
            self._index_worker.cancel()
            self.cancel_button.setEnabled(False)
            self.progress.setFormat("Cancelling…")

    def _indexing_progress(self, p: IndexProgress) -> None:
        if p.total:
            self.progress.setRange(0, p.total)
            self.progress.setValue(p.done)
            name = Path(p.path).name
            self.progress.setFormat(f"Indexing {p.done:,}/{p.total:,}  {name[:40]}")
        else:
            self.progress.setFormat(f"Listing files… {p.done:,}")

    def _indexing_done(self, summary: IndexSummary | None) -> None:
        self._index_worker = None
        for w in (self.progress, self.cancel_button):
            w.hide()
        if summary is not None and (summary.changed or summary.cancelled):
            self.statusBar().showMessage(summary.describe(), SUMMARY_SHOWN_MS)
        self.indexing_finished.emit(summary)
        self.refresh_status()
        if self.search_field.text().strip():
            self.run_search()
        queued, self._queued = self._queued, []
        if queued and not (summary and summary.cancelled):
            self.index_folders(queued)

    # -- search -------------------------------------------------------------------------------

    def run_search(self) -> None:
        self._debounce.stop()
        query = self.search_field.text().strip()
        self._search_seq += 1
        seq = self._search_seq
        if not query:
            self.model.set_hits([])
            self._show_page()
            return
        kind = self.kind_filter.currentData()
        self._run(lambda _t: self.library.search(query, RESULTS_K, kind),
                  lambda hits: self._show_hits(seq, f"for “{query}”", hits, MIN_SCORE))

    def find_similar(self, hit: SearchHit) -> None:
        self._search_seq += 1
        seq = self._search_seq
        self._run(lambda _t: self.library.similar(hit.path, RESULTS_K),
                  lambda hits: self._show_hits(seq, f"similar to {hit.name}", hits))

    def _show_hits(self, seq: int, caption: str, hits: list[SearchHit], min_score: float = 0.0) -> None:
        """Show the hits scoring at least ``min_score``; the weaker ones are one click away."""
        if seq != self._search_seq:  # a newer search was started meanwhile: drop stale results
            return
        strong = [h for h in hits if h.score >= min_score]
        self._weaker = hits[len(strong) :]  # hits come best first: the strong ones are a prefix
        self.model.set_hits(strong)
        count = f"{len(strong)} result{'s' if len(strong) != 1 else ''}" if strong else "No good matches"
        more = f' · <a href="weaker">show {len(self._weaker)} weaker</a>' if self._weaker else ""
        self.caption.setText(f"{count} {html.escape(caption)}{more}")
        self._show_page()
        self.search_finished.emit(strong)

    def show_weaker(self) -> None:
        self.model.set_hits(self.model.hits + self._weaker)
        self.caption.setText(self.caption.text().split(" · <a")[0])
        self._weaker = []

    def _show_page(self) -> None:
        has_query = bool(self.search_field.text().strip()) or self.model.rowCount() > 0
        self.stack.setCurrentIndex(1 if has_query else 0)

    # -- results ------------------------------------------------------------------------------

    def _open_index(self, index: QModelIndex) -> None:
        self.open_hit(index.data(HIT_ROLE))

    def open_hit(self, hit: SearchHit) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(hit.path)):
            self.banner.show_error(RuntimeError(f"No application could open {hit.path}."))

    def _now_playing(self, path: str) -> None:
        self.delegate.playing = path
        self.results.viewport().update()

    def _context_menu(self, pos: QPoint) -> None:
        index = self.results.indexAt(pos)
        if not index.isValid():
            return
        hit: SearchHit = index.data(HIT_ROLE)
        menu = QMenu(self)
        menu.addAction("Open", lambda: self.open_hit(hit))
        if hit.kind == "song":
            menu.addAction("Pause" if hit.path == self.player.playing else "Play", lambda: self.player.toggle(hit.path))
        menu.addAction("Show in folder",
                       lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(hit.folder)))
        menu.addAction("Find similar", lambda: self.find_similar(hit))
        menu.addAction("Copy path", lambda: QGuiApplication.clipboard().setText(hit.path))
        menu.exec(self.results.viewport().mapToGlobal(pos))

    # -- status -------------------------------------------------------------------------------

    def refresh_status(self) -> None:
        self._run(lambda _t: self.library.status(), self._show_status)

    def _show_status(self, status: Any) -> None:
        provider = status.provider.replace("ExecutionProvider", "")
        counts = " · ".join(f"{n:,} {KIND_NAMES.get(kind, (kind, kind))[n != 1]}"
                            for kind, n in sorted(status.by_kind.items()))
        self.stats_label.setText(f"{counts or 'Nothing indexed'} · {status.model} on {provider}")
        self.skipped_button.setText(f"{status.skipped:,} skipped…")
        self.skipped_button.setVisible(status.skipped > 0)
        if status.items == 0:
            self.empty_text.setText("Nearby has nothing indexed yet. Add a folder of documents (text, Markdown, "
                                    "HTML, PDF, Word), photos or songs, and search it by meaning, not by "
                                    "exact words. Everything stays on this computer.")
        else:
            folders = ", ".join(Path(f).name or f for f in status.folders[:4])
            self.empty_text.setText(f"Type above to search {status.items:,} files in {folders}.")

    def show_skipped(self) -> None:
        self._run(lambda _t: self.library.failures(), self._show_failures)

    def _show_failures(self, failures: list[tuple[str, str]]) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("Files Nearby skipped")
        box.setText(f"{len(failures)} file(s) could not be indexed. Everything else was indexed.")
        box.setDetailedText("\n".join(f"{p}\n    {r}" for p, r in failures))
        box.setIcon(QMessageBox.Icon.Information)
        box.open()

    def closeEvent(self, event: Any) -> None:
        self.player.stop()
        self.cancel_indexing()
        self.pool.waitForDone(5000)
        self.library.close()
        super().closeEvent(event)


def dropped_folders(mime: QMimeData) -> list[str]:
    """Local folders and files among dropped URLs."""
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and Path(url.toLocalFile()).exists()]
