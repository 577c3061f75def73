"""The search view: the query field and kind filter, the result list, and the empty state.

It asks the library through Operations only, and refreshes itself when the library changes
(the current search is run again, so new files appear in it).
"""

from __future__ import annotations

import html
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from nearby.core.library import LibraryStatus
from nearby.core.search.arithmetic import ArithmeticResult
from nearby.core.search.expression import is_expression
from nearby.core.search.hits import SearchHit
from nearby.desktop.mix_bar import MixBar
from nearby.desktop.operations import Operations
from nearby.desktop.player import Player
from nearby.desktop.results import HIT_ROLE, ResultDelegate, ResultsModel

# Typing pauses this long before a search runs: one search per word, not per keystroke.
SEARCH_DEBOUNCE_MS = 250
SEARCH_HINT = 'Search by meaning — e.g. notes about the budget  ·  "exact words"  ·  -exclude  ·  king - man + woman'
EMPTY_TEXT_WIDTH = 520  # a wrapped paragraph reads best at ~70 characters a line
ANSWER_WORDS = 8  # answer words shown above an expression's files: one line's worth
KIND_FILTERS = (("All kinds", None), ("Documents", "document"), ("Photos", "image"), ("Songs", "song"))


class SearchView(QObject):
    """Owns the search widgets; the shell window places them."""

    search_finished = Signal(list)  # list[SearchHit] shown (the strong ones)
    map_lines = Signal(list)  # [(from path, to path)]: similar files, or arithmetic's file terms → answer
    add_folder_clicked = Signal()

    def __init__(self, ops: Operations, parent: QWidget) -> None:
        super().__init__(parent)
        self.ops = ops
        self._seq = 0
        self._weaker: list[SearchHit] = []
        self._repeat: Any = None  # the last search or similar, run again when the library changes
        self._build(parent)
        self._connect()
        ops.changed.connect(self.refresh)

    # -- widgets ------------------------------------------------------------------------------

    def _build(self, parent: QWidget) -> None:
        self.field = QLineEdit()
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText(SEARCH_HINT)
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName("Search")
        self.kind_filter = QComboBox()
        self.kind_filter.setAccessibleName("Kind of result")
        for label, kind in KIND_FILTERS:
            self.kind_filter.addItem(label, kind)
        self.caption = QLabel()
        self.caption.setObjectName("emptyText")
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.mix = MixBar()
        self.answers = QLabel()  # an expression's answer words, each a link that searches it
        self.answers.setObjectName("answers")
        self.answers.setTextFormat(Qt.TextFormat.RichText)
        self.answers.setWordWrap(True)
        self.answers.setAccessibleName("Answer words")
        self.answers.hide()
        self.model = ResultsModel()
        self.results = QListView()
        self.results.setObjectName("results")
        self.results.setModel(self.model)
        self.delegate = ResultDelegate(self.results)
        self.results.setItemDelegate(self.delegate)
        self.player = Player(parent)
        self.results.setMouseTracking(True)
        self.results.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.results.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._empty_page())
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mix)
        layout.addWidget(self.answers)
        layout.addWidget(self.caption)
        layout.addWidget(self.results, 1)
        self.stack.addWidget(page)

    def _empty_page(self) -> QWidget:
        page = QWidget()
        title = QLabel("Find your files by what they mean")
        title.setObjectName("emptyTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text = QLabel()
        self.empty_text.setObjectName("emptyText")
        self.empty_text.setWordWrap(True)
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text.setMinimumWidth(EMPTY_TEXT_WIDTH)
        self.empty_text.setMaximumWidth(EMPTY_TEXT_WIDTH)
        button = QPushButton("Add a folder…")
        button.clicked.connect(self.add_folder_clicked)
        layout = QVBoxLayout(page)
        layout.setSpacing(14)
        layout.addStretch(2)
        for widget in (title, self.empty_text, button):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)
        return page

    def _connect(self) -> None:
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_search)
        self.field.textChanged.connect(lambda _: self._debounce.start())
        self.field.returnPressed.connect(self.run_search)
        self.kind_filter.currentIndexChanged.connect(lambda _: self.run_search())
        self.caption.linkActivated.connect(lambda _: self.show_weaker())
        self.answers.linkActivated.connect(self.field.setText)  # a word searches itself
        self.mix.changed.connect(self.field.setText)
        self.results.customContextMenuRequested.connect(self._context_menu)
        self.results.activated.connect(self._open_index)  # Enter on a result, as well as a double-click
        self.delegate.play_clicked.connect(lambda hit: self.player.toggle(hit.path))
        self.delegate.similar_clicked.connect(self.find_similar)
        self.player.changed.connect(self._now_playing)
        self.field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Down from the search field goes to the results, so the keyboard alone is enough.
        if watched is self.field and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress \
                and event.key() == Qt.Key.Key_Down and self.model.rowCount():
            self.results.setFocus()
            self.results.setCurrentIndex(self.model.index(0))
            return True
        return super().eventFilter(watched, event)

    # -- searching ----------------------------------------------------------------------------

    def run_search(self) -> None:
        self._debounce.stop()
        query = self.field.text().strip()
        self._seq += 1
        seq = self._seq
        if not query:
            self._repeat = None
            self.model.set_hits([])
            self._show_page()
            return
        kind = self.kind_filter.currentData()
        settings = self.ops.library.settings
        self._repeat = self.run_search
        self.mix.show_expression(query)
        if is_expression(query):
            self.ops.read(lambda library: library.arithmetic(query, settings.result_count, ANSWER_WORDS, kind),
                          lambda result: self._show_arithmetic(seq, result))
            return
        self.answers.hide()
        self.ops.read(lambda library: library.search(query, settings.result_count, kind),
                      lambda hits: self._show_hits(seq, f"for “{query}”", hits, settings.min_score))

    def _show_arithmetic(self, seq: int, result: ArithmeticResult) -> None:
        """Answer words in a row of links above the files; each file carries its terms' contributions."""
        if seq != self._seq:
            return
        links = " · ".join(f'<a href="{html.escape(w)}">{html.escape(w)}</a>' for w, _ in result.words)
        self.answers.setText(f"<b>Answers:</b> {links}" if links else "")
        self.answers.setVisible(bool(links))
        signs = [t.term.sign for t in result.terms]
        hits = [replace(r.hit, meta={**r.hit.meta, "contributions": [
            [term, similarity, sign] for (term, similarity), sign in zip(r.contributions, signs, strict=True)]})
            for r in result.results]
        self._show_hits(seq, f"for {result.expression}", hits)
        if hits:
            self.map_lines.emit([(t.item.path, hits[0].path) for t in result.terms if t.item is not None])

    def find_similar(self, hit: SearchHit) -> None:
        self.answers.hide()
        self.mix.show_expression("")
        self._seq += 1
        seq = self._seq
        self._repeat = lambda: self.find_similar(hit)
        def show(hits: list[SearchHit]) -> None:
            self._show_hits(seq, f"similar to {hit.name}", hits)
            self.map_lines.emit([(hit.path, h.path) for h in hits[:10]])

        self.ops.read(lambda library: library.similar(hit.path, library.settings.result_count), show)

    def refresh(self) -> None:
        """The library changed: run what is shown again, so it shows the library as it is now."""
        if self._repeat is not None:
            self._repeat()

    def _show_hits(self, seq: int, caption: str, hits: list[SearchHit], min_score: float = 0.0) -> None:
        """Show the hits scoring at least ``min_score`` (a calibrated score); weaker ones are one click away."""
        if seq != self._seq:  # a newer search was started meanwhile: drop stale results
            return
        strong = [h for h in hits if h.score >= min_score]
        self._weaker = hits[len(strong) :]  # hits come best first: the strong ones are a prefix
        self.model.set_hits(strong)
        count = f"{len(strong)} result{'s' if len(strong) != 1 else ''}" if strong else "No good matches"
        more = f' · <a href="weaker">show {len(self._weaker)} weaker</a>' if self._weaker else ""
        self.caption.setText(f"{count} {html.escape(caption)}{more}")
        self._show_page()
        self.search_finished.emit(strong)

    def show_files(self, hits: list[SearchHit], caption: str) -> None:
        """Show chosen files (a lasso on the map) as a result list, where Find similar and Add to mix work."""
        self._seq += 1
        self._repeat = None
        self.answers.hide()
        self._show_hits(self._seq, caption, hits)
        self.stack.setCurrentIndex(1)

    def show_weaker(self) -> None:
        self.model.set_hits(self.model.hits + self._weaker)
        self.caption.setText(self.caption.text().split(" · <a")[0])
        self._weaker = []

    def _show_page(self) -> None:
        has_query = bool(self.field.text().strip()) or self.model.rowCount() > 0
        self.stack.setCurrentIndex(1 if has_query else 0)

    def show_status(self, status: LibraryStatus) -> None:
        """The empty state's words, from what the library holds."""
        if status.items == 0:
            self.empty_text.setText("Nearby has nothing indexed yet. Add a folder of documents (text, Markdown, "
                                    "HTML, PDF, Word), photos or songs, and search it by meaning, not by "
                                    "exact words. Everything stays on this computer.")
        else:
            folders = ", ".join(Path(f).name or f for f in status.folders[:4])
            self.empty_text.setText(f"Type above to search {status.items:,} files in {folders}.")

    # -- results ------------------------------------------------------------------------------

    def _open_index(self, index: QModelIndex) -> None:
        self.open_hit(index.data(HIT_ROLE))

    def open_hit(self, hit: SearchHit) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(hit.path)):
            self.ops.errored.emit(RuntimeError(f"No application could open {hit.path}."))

    def add_to_mix(self, hit: SearchHit) -> None:
        """Make the file a term of the expression in the search field (a mix of one starts one)."""
        self.mix.add_file(hit.path, self.field.text())

    def _now_playing(self, path: str) -> None:
        self.delegate.playing = path
        self.results.viewport().update()

    def _context_menu(self, pos: QPoint) -> None:
        index = self.results.indexAt(pos)
        if not index.isValid():
            return
        hit: SearchHit = index.data(HIT_ROLE)
        menu = QMenu(self.results)
        menu.addAction("Open", lambda: self.open_hit(hit))
        if hit.kind == "song":
            menu.addAction("Pause" if hit.path == self.player.playing else "Play", lambda: self.player.toggle(hit.path))
        menu.addAction("Show in folder", lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(hit.folder)))
        menu.addAction("Find similar", lambda: self.find_similar(hit))
        menu.addAction("Add to mix", lambda: self.add_to_mix(hit))
        menu.addAction("Copy path", lambda: QGuiApplication.clipboard().setText(hit.path))
        menu.exec(self.results.viewport().mapToGlobal(pos))
