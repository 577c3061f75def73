"""The search view: the query field and kind filter, the result list, and the empty state.

It asks the library through Operations only, and refreshes itself when the library changes
(the current search is run again, so new files appear in it).
"""

from __future__ import annotations

import html
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, QObject, QPoint, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeyEvent, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QScrollArea,
    QSlider,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nearby.core.errors import NearbyError
from nearby.core.kinds import KIND_PLURALS
from nearby.core.library import Library, LibraryStatus
from nearby.core.search.arithmetic import ArithmeticResult
from nearby.core.search.expression import is_expression
from nearby.core.search.hits import SearchHit
from nearby.core.search.taste import LESS
from nearby.desktop.detail_pane import DetailPane
from nearby.desktop.filter_bar import FilterBar
from nearby.desktop.grid import TILE_RANGE, TILE_TARGET, GridDelegate, fit_tiles, use_grid, use_list
from nearby.desktop.history import History, Place
from nearby.desktop.mix_bar import MixBar
from nearby.desktop.operations import Operations
from nearby.desktop.player import Player
from nearby.desktop.results import HIT_ROLE, ResultDelegate, ResultsModel, display_title
from nearby.desktop.thumbnails import pictures
from nearby.desktop.viewer import Viewer

# Typing pauses this long before a search runs: one search per word, not per keystroke.
SEARCH_DEBOUNCE_MS = 250
SEARCH_HINT = 'Search by meaning — e.g. notes about the budget  ·  "exact words"  ·  -exclude  ·  king - man + woman'
EMPTY_TEXT_WIDTH = 520  # a wrapped paragraph reads best at ~70 characters a line
ANSWER_WORDS = 8  # answer words shown above an expression's files: one line's worth
BROWSE_COUNT = 300  # files shown when browsing with no query (newest first)
# Said after a caption while a run indexes files (and taken off when it ends).
STILL_INDEXING = " · still indexing: results so far"
STILL_INDEXING_NOTHING = " yet · still indexing, more files to come"
NARROW_WIDTH = 1000  # px: under this the detail pane goes below the results
OPEN_AT_ONCE = 12  # files a selection opens in their applications at one go (more is likely a slip)
SORTS = (("Best match first", "relevance"), ("Newest first", "newest"), ("Oldest first", "oldest"),
         ("Name", "name"), ("Largest first", "size"))
# Words too common to mark in snippets.
UNMARKED = frozenset(("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it",
                      "of", "on", "or", "the", "to", "with", "my", "me", "photo", "picture", "song", "music",
                      "document", "note"))


class NoOpener(NearbyError):
    """No application is set to open a kind of file."""


class PlayFailed(NearbyError):
    """A song could not be played, in the window or by the system's player."""


class ResultsView(QListView):
    """The result list; as a grid its tiles are resized to fill the width whenever it changes, and
    Ctrl+wheel makes them larger or smaller (as the size slider does)."""

    zoomed = Signal(int)  # wheel steps with Ctrl held: + larger tiles, - smaller

    def __init__(self) -> None:
        super().__init__()
        self.grid_delegate: GridDelegate | None = None

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = round(event.angleDelta().y() / 120)
            if steps:
                self.zoomed.emit(steps)
            event.accept()
            return
        super().wheelEvent(event)

    def picture_ready(self, _path: str) -> None:
        self.viewport().update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.grid_delegate is not None and self.viewMode() == QListView.ViewMode.IconMode:
            fit_tiles(self, self.grid_delegate)


class _CentredColumn(QWidget):
    """A page whose layout keeps a centred column at most `width` pixels wide (margins follow the size)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self._width = width

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        layout = self.layout()
        if layout is not None:
            side = max(16, (self.width() - self._width) // 2)
            layout.setContentsMargins(side, 16, side, 16)
        super().resizeEvent(event)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """The column's own minimum: the margins grown by the last resize do not count (a window once wide
        could not be made narrow again)."""
        hint = super().minimumSizeHint()
        layout = self.layout()
        grown = layout.contentsMargins().left() + layout.contentsMargins().right() - 32 if layout else 0
        return QSize(max(0, hint.width() - grown), hint.height())


class SearchView(QObject):
    """Owns the search widgets; the shell window places them."""

    search_finished = Signal(list)  # list[SearchHit] shown (the strong ones)
    history_changed = Signal()  # Back or Forward may have become possible or impossible
    map_requested = Signal(bool)  # Back/Forward reached (True) or left (False) the map
    map_lines = Signal(list)  # [(from path, to path)]: similar files, or arithmetic's file terms → answer
    add_folder_clicked = Signal()
    sample_clicked = Signal()
    said = Signal(str)  # a short confirmation for the status bar ("Copied 3 paths")
    chosen_changed = Signal(int)  # how many results are selected now

    def __init__(self, ops: Operations, parent: QWidget) -> None:
        super().__init__(parent)
        self.ops = ops
        self._seq = 0
        self.browsing = False  # the list shows the library newest first, not an answer to anything
        self._weaker: list[SearchHit] = []
        self._found: list[SearchHit] = []  # the results as found (best first), before any other sort
        self.indexing = False  # a run is reading files: the results are those found so far
        self._tree: list[tuple[str, int]] = []  # the folder filter's subfolders (Library.subfolders)
        self._tree_of: list[str] = []  # the library folders they were listed for
        self._tree_asked: tuple[int, list[str]] | None = None
        self._repeat: Any = None  # the last search or similar, run again when the library changes
        self._build(parent)
        self._connect()
        ops.changed.connect(self.refresh)
        self.refresh_likes()

    # -- widgets ------------------------------------------------------------------------------

    def _build(self, parent: QWidget) -> None:
        self.field = QLineEdit()
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText(SEARCH_HINT)
        self.field.setClearButtonEnabled(True)
        for button in self.field.findChildren(QToolButton):  # Qt's own clear button, unnamed for screen readers
            button.setAccessibleName("Clear the search")
        self.field.setAccessibleName("Search")
        self.field.setMinimumWidth(260)
        self.filter_bar = FilterBar()
        self.kind_filter = self.filter_bar.kind
        self.history = History()
        self._navigating = False  # going Back or Forward: the place is not visited anew
        self.view_mode = "auto"  # or "list", "grid"; auto: a grid when the results are pictures
        self.source: SearchHit | None = None  # a similar-list's file, shown first
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
        self.results = ResultsView()
        self.results.setObjectName("results")
        self.results.setAccessibleName("Results")
        self.results.setModel(self.model)
        self.delegate = ResultDelegate(self.results)
        self.grid_delegate = GridDelegate(self.results)
        self.results.grid_delegate = self.grid_delegate
        self.results.setItemDelegate(self.delegate)
        self.player = Player(parent)
        self.detail = DetailPane(self.ops, self.player)
        self.list_button, self.grid_button = QToolButton(), QToolButton()
        self.layout_buttons = QButtonGroup(self)
        for button, label, tip in ((self.list_button, "☰ List", "Show results as a list (Ctrl+1)"),
                                   (self.grid_button, "▦ Grid", "Show results as a grid of thumbnails (Ctrl+2)")):
            button.setText(label)
            button.setToolTip(tip)
            button.setAccessibleName(tip.split(" (")[0])
            button.setCheckable(True)
            button.setAutoRaise(True)
            self.layout_buttons.addButton(button)
        self.results.setMouseTracking(True)
        # Ctrl and Shift choose several, as in a file manager; chosen files drag out to other apps.
        self.results.setSelectionMode(QListView.SelectionMode.ExtendedSelection)
        self._drag_out()
        self.sort = "relevance"
        self.sort_box = QComboBox()
        self.sort_box.setAccessibleName("Sort results")
        self.sort_box.setToolTip("Sort results")
        for label, key in SORTS:
            self.sort_box.addItem(label, key)
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(*TILE_RANGE)
        self.size_slider.setValue(TILE_TARGET)
        self.size_slider.setFixedWidth(110)
        self.size_slider.setAccessibleName("Thumbnail size")
        self.size_slider.setToolTip("Thumbnail size (Ctrl+wheel over the grid)")
        self._stats: dict[str, tuple[float, int]] = {}  # path → (modified, size), for sorting
        self._chosen_again: str | None = None  # Back or Forward: the file to choose when the list comes
        self.viewer: Viewer | None = None
        self.results.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.results.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._empty_page())
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mix)
        layout.addWidget(self.answers)
        filter_row = QHBoxLayout()
        for box in self.filter_bar.boxes:
            filter_row.addWidget(box)
        filter_row.addStretch(1)
        layout.addLayout(filter_row)
        # What is shown on the left; how it is shown (order, tile size, list or grid) on the right.
        caption_row = QHBoxLayout()
        self.caption.setWordWrap(True)  # a long query's caption wraps instead of widening the window
        caption_row.addWidget(self.caption, 1)
        for widget in (self.sort_box, self.size_slider, self.list_button, self.grid_button):
            caption_row.addWidget(widget)
        layout.addLayout(caption_row)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.results)
        # The pane scrolls when the window is too short for it (800×600, or below the results).
        self.detail_area = QScrollArea()
        self.detail_area.setWidget(self.detail)
        self.detail_area.setWidgetResizable(True)
        self.detail_area.setFrameShape(QFrame.Shape.NoFrame)
        self.detail_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.detail_area.setMinimumWidth(self.detail.minimumWidth())
        self.splitter.addWidget(self.detail_area)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter, 1)
        self._results_page = page
        page.installEventFilter(self)  # narrow: the detail pane goes below the results
        self.stack.addWidget(page)

    def _empty_page(self) -> QWidget:
        page = _CentredColumn(EMPTY_TEXT_WIDTH)
        title = QLabel("Find your files by what they mean")
        title.setObjectName("emptyTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text = QLabel()
        self.empty_text.setObjectName("emptyText")
        self.empty_text.setWordWrap(True)
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        button = QPushButton("Add a folder…")
        button.setDefault(True)
        button.clicked.connect(self.add_folder_clicked)
        self.sample_button = QPushButton("Try the sample collection")
        self.sample_button.setToolTip("A few public-domain photos, songs and notes, to try search, similar, "
                                      "arithmetic and the map first")
        self.sample_button.clicked.connect(self.sample_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(button)
        buttons.addWidget(self.sample_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setSpacing(14)
        layout.addStretch(2)
        title.setWordWrap(True)
        # Full width of the column, no alignment flag: a wrapped label placed by an alignment gets its
        # width hint's height and was clipped at top and bottom; filling the width, it gets its height.
        for widget in (title, self.empty_text):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addStretch(3)
        return page

    def _connect(self) -> None:
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_search)
        self.field.textChanged.connect(lambda _: self._debounce.start())
        self.field.returnPressed.connect(self.run_search)
        self.filter_bar.changed.connect(self.run_search)
        self.caption.linkActivated.connect(lambda _: self.show_weaker())
        self.list_button.clicked.connect(lambda: self.set_view_mode("list"))
        self.grid_button.clicked.connect(lambda: self.set_view_mode("grid"))
        self.results.selectionModel().selectionChanged.connect(self._selection_changed)
        self.results.selectionModel().currentChanged.connect(self._current_changed)
        self.sort_box.currentIndexChanged.connect(lambda _: self.set_sort(self.sort_box.currentData()))
        self.size_slider.valueChanged.connect(self.set_tile_size)
        self.results.zoomed.connect(lambda steps: self.size_slider.setValue(self.size_slider.value() + steps * 24))
        self.results.installEventFilter(self)
        self.detail.similar_clicked.connect(self.find_similar)
        self.detail.mix_clicked.connect(self.add_to_mix)
        self.detail.open_clicked.connect(self.open_hit)
        self.detail.folder_clicked.connect(self.show_in_folder)
        self.detail.copy_clicked.connect(lambda hit: self.copy_paths([hit]))
        self.detail.like_clicked.connect(self.toggle_like)
        pictures().ready.connect(self.results.picture_ready)
        self.answers.linkActivated.connect(self.field.setText)  # a word searches itself
        self.mix.changed.connect(self.field.setText)
        self.results.customContextMenuRequested.connect(self._context_menu)
        self.results.activated.connect(self._open_index)  # Enter on a result, as well as a double-click
        self.delegate.play_clicked.connect(lambda hit: self.player.toggle(hit.path))
        self.delegate.similar_clicked.connect(self.find_similar)
        self.player.changed.connect(self._now_playing)
        self.player.failed.connect(lambda words: self.ops.errored.emit(PlayFailed(words)))
        self.player.said.connect(self.said)
        self.field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Down from the search field goes to the results, so the keyboard alone is enough.
        if watched is self.field and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress \
                and event.key() == Qt.Key.Key_Down and self.model.rowCount():
            self.results.setFocus()
            self.results.setCurrentIndex(self.model.index(0))
            return True
        if watched is self._results_page and event.type() == QEvent.Type.Resize:
            self._fit_splitter()
        # Space on a result: the viewer (as Quick Look and file managers do); Space there closes it.
        if watched is self.results and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress \
                and event.key() == Qt.Key.Key_Space and not event.modifiers() and self.current_hit is not None:
            self.view_full_screen()
            return True
        return super().eventFilter(watched, event)

    # -- searching ----------------------------------------------------------------------------

    def run_search(self) -> None:
        """Search for what the field holds, through the filters; with nothing typed, browse the
        library newest first."""
        self._debounce.stop()
        query = self.field.text().strip()
        self._seq += 1
        seq = self._seq
        self.source = None
        kind = self.kind_filter.currentData()
        filters = self.filter_bar.filters()
        self._visit(Place("search", query, kind))
        self._repeat = self.run_search
        self.mix.show_expression(query)
        self.delegate.highlight = marked_words(query)
        if not query:
            self.answers.hide()
            self.ops.read(lambda library: library.browse(filters, BROWSE_COUNT),
                          lambda hits: self._show_browse(seq, hits))
            return
        settings = self.ops.library.settings
        if is_expression(query):
            self.ops.read(lambda library: library.arithmetic(query, settings.result_count, ANSWER_WORDS, kind),
                          lambda result: self._show_arithmetic(seq, result))
            return
        self.answers.hide()
        self.ops.read(lambda library: library.search(query, settings.result_count, kind, filters=filters),
                      lambda hits: self._show_hits(seq, f"for “{query}”", hits, settings.min_score))

    def _show_browse(self, seq: int, hits: list[SearchHit]) -> None:
        if seq != self._seq:
            return
        self._weaker = []
        self._set_hits(hits)
        self.browsing = True
        what = "filtered, " if self.filter_bar.active or self.kind_filter.currentIndex() else ""
        self.caption.setText(f"{len(hits):,} file{'s' if len(hits) != 1 else ''} ({what}newest first)"
                             if hits else "No files match these filters")
        self._show_page()
        self.search_finished.emit(hits)

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
        # Files scored as a search for the combination would be: "Nothing matches well" when none answers it.
        self._show_hits(seq, f"for {result.expression}", hits, self.ops.library.settings.min_score)
        if hits:
            self.map_lines.emit([(t.item.path, hits[0].path) for t in result.terms if t.item is not None])

    def _new_listing(self) -> int:
        """A list that answers no query (look-alikes, For you): the field emptied without searching (the
        query is not what is shown now; Back brings it back), the answer words and mix put away.
        Returns the new list's number (answers to older requests are dropped)."""
        self.answers.hide()
        self.mix.show_expression("")
        self.field.blockSignals(True)
        self.field.clear()
        self.field.blockSignals(False)
        self._seq += 1
        return self._seq

    def find_similar(self, hit: SearchHit) -> None:
        """The file's look-alikes, the file itself shown first (marked as the source)."""
        seq = self._new_listing()
        self._visit(Place("similar", source=hit))
        self._repeat = lambda: self.find_similar(hit)
        self.delegate.highlight = []

        def show(hits: list[SearchHit]) -> None:
            self.source = replace(hit, meta={**hit.meta, "source": True})
            # Look-alikes scored as a search's results are: weak ones one click away, not 50 in a row.
            self._show_hits(seq, f"similar to {hit.name}", hits, self.ops.library.settings.min_score,
                            f"Nothing else is much like {hit.name}")
            self.map_lines.emit([(hit.path, h.path) for h in hits[:10]])

        self.ops.read(lambda library: library.similar(hit.path, library.settings.result_count), show)

    def _similar_to_several(self, hits: list[SearchHit]) -> None:
        seq = self._new_listing()
        files = tuple(hits)
        self._visit(Place("similar", files=files, caption=f"similar to these {len(hits)}"))
        self._repeat = lambda: self._similar_to_several(list(files))
        self.delegate.highlight = []
        self.source = None
        kinds = {h.kind for h in hits}
        mixed = f" (the {KIND_PLURALS.get(hits[0].kind, 'files')} among them)" if len(kinds) > 1 else ""
        paths = [h.path for h in hits]

        def show(found: list[SearchHit]) -> None:
            self._show_hits(seq, f"similar to {len(hits)} files{mixed}", found, self.ops.library.settings.min_score,
                            f"Nothing else is much like these {len(hits)} files")
            self.map_lines.emit([(p, h.path) for p in paths for h in found[:3]])

        self.ops.read(lambda library: library.similar(paths, library.settings.result_count), show)

    def show_for_you(self) -> None:
        """Files close to what the person liked and not liked yet, each "because you liked" one."""
        seq = self._new_listing()
        self._visit(Place("foryou"))
        self._repeat = self.show_for_you
        self.source = None
        self.delegate.highlight = []

        def show(hits: list[SearchHit]) -> None:
            self._show_hits(seq, "for you" if hits else "to suggest yet: like a few files (☆ Like, or S) and "
                            "For you finds more like them", hits)

        self.ops.read(lambda library: [s.hit for s in library.suggest(None, library.settings.result_count)
                                       if s.hit is not None], show)

    def refresh_likes(self) -> None:
        self.ops.read(liked_paths, self._set_liked)

    def toggle_like(self, hit: SearchHit) -> None:
        """Like the file, or take its like off."""
        liked = hit.path in self.detail.liked

        def work(library: Library) -> set[str]:
            if liked:
                library.unlike([hit.path])
            else:
                library.like([hit.path])
            return liked_paths(library)

        self.ops.read(work, self._set_liked)

    def less_like(self, hit: SearchHit) -> None:
        """Mark a suggestion "less like this": it, and files much like it, are not suggested again."""
        def work(library: Library) -> set[str]:
            library.like([hit.path], LESS)
            return liked_paths(library)

        def done(paths: set[str]) -> None:
            self._set_liked(paths)
            self.refresh()  # For you again, without it

        self.ops.read(work, done)

    def _set_liked(self, paths: set[str]) -> None:
        self.detail.liked = set(paths)
        current = self.detail.hit
        self.detail.show_liked(current is not None and current.path in paths)

    def refresh(self) -> None:
        """The library changed: run what is shown again, so it shows the library as it is now."""
        if self._repeat is not None:
            navigating, self._navigating = self._navigating, True  # not a new place
            try:
                self._repeat()
            finally:
                self._navigating = navigating

    def _show_hits(self, seq: int, caption: str, hits: list[SearchHit], min_score: float = 0.0,
                   none_strong: str = "") -> None:
        """Show the hits scoring at least ``min_score`` (a calibrated score); weaker ones are one click away
        (``none_strong``: the caption when all are weaker)."""
        if seq != self._seq:  # a newer search was started meanwhile: drop stale results
            return
        strong = [h for h in hits if h.score >= min_score]
        self._weaker = hits[len(strong) :]  # hits come best first: the strong ones are a prefix
        self._set_hits(([self.source] if self.source else []) + strong)
        if strong:
            count = f"{len(strong)} result{'s' if len(strong) != 1 else ''}"
        else:
            count = "Nothing matches well" if self._weaker else "No matches"
        more = f' · <a href="weaker">show {len(self._weaker)} weaker</a>' if self._weaker else ""
        said = f"{count} {caption}" if strong or not none_strong else none_strong
        if self.indexing:  # files not read yet may answer better: say so, beside what is found so far
            said += STILL_INDEXING if strong else STILL_INDEXING_NOTHING
        self.caption.setText(f"{html.escape(said)}{more}")
        self._show_page()
        self.search_finished.emit(strong)

    def _set_hits(self, hits: list[SearchHit]) -> None:
        """Fill the list (as a list or a grid, whichever fits them) and choose the first result."""
        self.browsing = False  # the list answers a search, a similar-list or a lasso (browsing says otherwise)
        self._found = list(hits)
        self._stats.clear()  # dates and sizes read afresh for each list (files change)
        self.model.set_hits(self._sorted(hits))
        self._apply_view_mode()
        chosen, self._chosen_again = self._chosen_again, None
        self._choose(chosen)

    def _choose(self, path: str | None) -> None:
        """Make the result with this path the chosen one (the first result if it is not there)."""
        if not self.model.hits:
            self.detail.show_hit(None)
            return
        row = next((i for i, h in enumerate(self.model.hits) if h.path == path), 0)
        index = self.model.index(row)
        self.results.setCurrentIndex(index)
        self.results.scrollTo(index)

    def show_files(self, hits: list[SearchHit], caption: str) -> None:
        """Show chosen files (a lasso on the map) as a result list, where Find similar and Add to mix work."""
        self._seq += 1
        self._repeat = None
        self.source = None
        self.answers.hide()
        self._visit(Place("files", files=tuple(hits), caption=caption))
        self._show_hits(self._seq, caption, hits)
        self.stack.setCurrentIndex(1)

    def show_weaker(self) -> None:
        self._found = self._found + self._weaker
        self.model.set_hits(self._sorted(self._found))
        self._apply_view_mode()
        self.caption.setText(self.caption.text().split(" · <a")[0])
        self._weaker = []

    def _show_page(self) -> None:
        has_query = bool(self.field.text().strip()) or self.model.rowCount() > 0
        self.stack.setCurrentIndex(1 if has_query else 0)

    def show_status(self, status: LibraryStatus) -> None:
        """The empty state's words, from what the library holds; a library that has files is browsed."""
        self.filter_bar.set_folders(status.folders, self._tree if self._tree_of == status.folders else None)
        # The subfolders, when the files changed (not while a run adds them: it would list every
        # path of a big library every few seconds); the end of a run asks again.
        if (status.items, status.folders) != self._tree_asked and not self.indexing:
            self._tree_asked = (status.items, list(status.folders))
            listed = list(status.folders)
            self.ops.read(lambda library: library.subfolders(), lambda tree: self._set_tree(listed, tree))
        if status.items == 0:
            self.empty_text.setText("Nearby has nothing indexed yet. Add a folder of documents (text, Markdown, "
                                    "HTML, PDF, Word), photos or songs, and search it by meaning, not by "
                                    "exact words. Everything stays on this computer.")
        else:
            folders = ", ".join(Path(f).name or f for f in status.folders[:4])
            self.empty_text.setText(f"Type above to search {status.items:,} files in {folders}.")
            if self._repeat is None and not self.field.text().strip() and self.stack.currentIndex() == 0:
                self.run_search()  # nothing asked yet: show the library, newest first

    # -- list or grid -------------------------------------------------------------------------

    def set_view_mode(self, mode: str) -> None:
        """"list", "grid" or "auto" (a grid when every result is a picture, or Photos is chosen)."""
        self.view_mode = mode
        self._apply_view_mode()

    def showing_grid(self) -> bool:
        if self.view_mode != "auto":
            return self.view_mode == "grid"
        kinds = {h.kind for h in self.model.hits if not h.meta.get("source")}
        return self.kind_filter.currentData() == "image" or kinds == {"image"}

    def _apply_view_mode(self) -> None:
        grid = self.showing_grid()
        (self.grid_button if grid else self.list_button).setChecked(True)
        if grid == (self.results.viewMode() == QListView.ViewMode.IconMode):
            return
        if grid:
            self.results.setItemDelegate(self.grid_delegate)
            use_grid(self.results, self.grid_delegate)
        else:
            self.results.setItemDelegate(self.delegate)
            use_list(self.results)
        self._drag_out()

    def _drag_out(self) -> None:
        """Chosen results drag out to other apps as files. (QListView turns dragging off whenever its
        items are made immovable, as both layouts make them: it is turned on again after each.)"""
        self.results.setDragEnabled(True)
        self.results.setDragDropMode(QListView.DragDropMode.DragOnly)
        self.results.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.results.viewport().setAcceptDrops(False)  # folders dropped go to the window (to be added)

    # -- Back and Forward ---------------------------------------------------------------------

    def _visit(self, place: Place) -> None:
        if not self._navigating:
            self.history.visit(place)
            self.history_changed.emit()

    def go_back(self) -> bool:
        return self._go(self.history.back())

    def go_forward(self) -> bool:
        return self._go(self.history.forward())

    def _go(self, place: Place | None) -> bool:
        if place is None:
            return False
        self.history_changed.emit()
        self._chosen_again = self.history.chosen  # the file that was chosen there, chosen again
        self._navigating = True
        try:
            if place.what == "map":
                self.map_requested.emit(True)
                return True
            self.map_requested.emit(False)
            if place.what == "similar" and place.source is not None:
                self.find_similar(place.source)
            elif place.what == "similar":
                self._similar_to_several(list(place.files))
            elif place.what == "files":
                self.show_files(list(place.files), place.caption)
            elif place.what == "foryou":
                self.show_for_you()
            else:
                self.field.blockSignals(True)
                self.field.setText(place.query)
                self.field.blockSignals(False)
                at = self.kind_filter.findData(place.kind)
                self.kind_filter.blockSignals(True)
                self.kind_filter.setCurrentIndex(max(at, 0))
                self.kind_filter.blockSignals(False)
                self.run_search()
        finally:
            self._navigating = False
        return True

    def visit_map(self) -> None:
        self._visit(Place("map"))

    # -- results ------------------------------------------------------------------------------

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        chosen = self.results.selectionModel().selectedIndexes()
        if not chosen:
            self.detail.show_hit(None)
        elif self.results.currentIndex() not in chosen:  # Ctrl+click took the current one off
            self.detail.show_hit(chosen[0].data(HIT_ROLE), self.delegate.highlight)
        self.chosen_changed.emit(len(chosen))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        """The pane shows the result the keyboard or the last click is on; Back brings it back."""
        hit = current.data(HIT_ROLE) if current.isValid() else None
        if hit is not None and self.results.selectionModel().isSelected(current):
            if hit is not self.detail.hit:  # (the selection's change may have shown it already)
                self.detail.show_hit(hit, self.delegate.highlight)
            self.history.note_chosen(hit.path)
        elif hit is not None and not self.results.selectionModel().hasSelection():
            self.detail.show_hit(None)

    def selected_hits(self) -> list[SearchHit]:
        """The chosen results in the list's order; the current one when none is chosen."""
        rows = sorted(i.row() for i in self.results.selectionModel().selectedIndexes())
        hits = [self.model.hits[r] for r in rows if r < len(self.model.hits)]
        current = self.current_hit
        return hits or ([current] if current is not None else [])

    # -- on several files ---------------------------------------------------------------------

    def copy_paths(self, hits: list[SearchHit]) -> None:
        """Their paths on the clipboard, one a line, said in the status bar."""
        if not hits:
            return
        QGuiApplication.clipboard().setText("\n".join(h.path for h in hits))
        self.said.emit(f"Copied the path of {hits[0].name}" if len(hits) == 1 else f"Copied {len(hits)} paths")

    def open_hits(self, hits: list[SearchHit]) -> None:
        for hit in hits[:OPEN_AT_ONCE]:
            self.open_hit(hit)
        if len(hits) > OPEN_AT_ONCE:
            self.said.emit(f"Opened the first {OPEN_AT_ONCE} of {len(hits)} files (more at once is rarely meant)")

    def find_similar_to(self, hits: list[SearchHit]) -> None:
        """Look-alikes of one file, or of several together (their mean)."""
        if len(hits) == 1:
            self.find_similar(hits[0])
        elif hits:
            self._similar_to_several(hits)

    def add_to_mix_all(self, hits: list[SearchHit]) -> None:
        for hit in hits:
            self.add_to_mix(hit)

    # -- sort, tile size, the viewer ----------------------------------------------------------

    def set_sort(self, key: str) -> None:
        """Best match first (as found), newest, oldest, name or largest first; the chosen file stays chosen."""
        self.sort = key if key in {k for _, k in SORTS} else "relevance"
        at = self.sort_box.findData(self.sort)
        if at != self.sort_box.currentIndex():
            self.sort_box.blockSignals(True)
            self.sort_box.setCurrentIndex(at)
            self.sort_box.blockSignals(False)
        current = self.current_hit
        self.model.set_hits(self._sorted(self._found))
        self._choose(current.path if current is not None else None)

    def _sorted(self, hits: list[SearchHit]) -> list[SearchHit]:
        source = [h for h in hits if h.meta.get("source")]  # a similar-list's own file stays first
        rest = [h for h in hits if not h.meta.get("source")]
        if self.sort == "relevance":
            return source + rest
        for hit in rest:
            if hit.path not in self._stats:
                try:
                    info = os.stat(hit.path)
                    self._stats[hit.path] = (info.st_mtime, info.st_size)
                except OSError:  # gone or unreachable: sorted last
                    self._stats[hit.path] = (0.0, -1)
        if self.sort == "name":
            rest.sort(key=lambda h: (display_title(h).casefold(), h.path))
        elif self.sort == "size":
            rest.sort(key=lambda h: -self._stats[h.path][1])
        else:
            rest.sort(key=lambda h: self._stats[h.path][0], reverse=self.sort == "newest")
        return source + rest

    def _set_tree(self, folders: list[str], tree: list[tuple[str, int]]) -> None:
        self._tree, self._tree_of = tree, folders
        self.filter_bar.set_folders(folders, tree)

    def set_indexing(self, running: bool) -> None:
        """Indexing began or ended: the caption says whether the results are those found so far."""
        self.indexing = running
        text = self.caption.text()
        if not running and "still indexing" in text:
            self.caption.setText(text.replace(STILL_INDEXING, "").replace(STILL_INDEXING_NOTHING, ""))

    def _fit_splitter(self) -> None:
        """Side by side where the width allows; below each other on a narrow window (a small laptop
        screen, or the window beside another), each half its share."""
        narrow = self._results_page.width() < NARROW_WIDTH
        wanted = Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal
        if self.splitter.orientation() != wanted:
            self.splitter.setOrientation(wanted)
            whole = self.splitter.height() if narrow else self.splitter.width()
            self.splitter.setSizes([whole * 3 // 5, whole * 2 // 5])

    def set_tile_size(self, side: int) -> None:
        self.grid_delegate.target = side
        if self.results.viewMode() == QListView.ViewMode.IconMode:
            fit_tiles(self.results, self.grid_delegate)

    def view_full_screen(self, slideshow: bool = False) -> None:
        """The chosen result full screen (a slideshow of the pictures from there); the list follows it."""
        hits = self.model.hits
        if not hits:
            return
        row = max(self.results.currentIndex().row(), 0)
        viewer = Viewer(self.ops, self.player, hits, row, self.delegate.highlight)
        viewer.moved.connect(lambda r: self._choose(hits[r].path) if hits is self.model.hits else None)
        viewer.open_requested.connect(self.open_hit)
        viewer.closed.connect(self._viewer_closed)
        self.viewer = viewer
        viewer.showFullScreen()
        viewer.activateWindow()
        if slideshow:
            viewer.start_slideshow()

    def _viewer_closed(self) -> None:
        self.viewer = None
        self.results.setFocus()

    @property
    def current_hit(self) -> SearchHit | None:
        index = self.results.currentIndex()
        return index.data(HIT_ROLE) if index.isValid() else None

    def _open_index(self, index: QModelIndex) -> None:
        """Enter or a double-click: a picture opens in the viewer (as in a photo app), any other file
        in its application."""
        hit: SearchHit = index.data(HIT_ROLE)
        if hit.kind == "image":
            self.results.setCurrentIndex(index)
            self.view_full_screen()
        else:
            self.open_hit(hit)

    def open_hit(self, hit: SearchHit) -> None:
        if not Path(hit.path).exists():
            self.ops.errored.emit(NoOpener(f"{hit.path} is no longer there (moved, deleted, or on a drive that is "
                                           "not plugged in). Update the folder to bring the library up to date."))
        elif QDesktopServices.openUrl(QUrl.fromLocalFile(hit.path)):
            self.ops.read(lambda library: library.note_opened(hit.path), lambda _: None)  # For you weighs it
        else:
            self.ops.errored.emit(NoOpener(
                f"No application on this computer is set to open {Path(hit.path).suffix or 'this kind of'} files. "
                f"Choose one in your system's settings, or use Show in folder and open {hit.name} from there."))

    def show_in_folder(self, hit: SearchHit) -> None:
        """The file's folder in the file manager, the file selected there where the system allows."""
        if Path(hit.path).exists() and reveal(hit.path):
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(hit.folder)):
            self.ops.errored.emit(NoOpener(f"No file manager could show {hit.folder}. Its path was copied instead: "
                                           "paste it into your file manager."))
            QGuiApplication.clipboard().setText(hit.folder)

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
        chosen = self.selected_hits()
        if len(chosen) > 1 and hit in chosen:  # a right-click inside a selection acts on all of it
            self._several_menu(chosen, pos)
            return
        menu = QMenu(self.results)
        menu.addAction("Open", lambda: self.open_hit(hit))
        if hit.kind == "song":
            menu.addAction("Pause" if hit.path == self.player.playing else "Play", lambda: self.player.toggle(hit.path))
        menu.addAction("Show in folder", lambda: self.show_in_folder(hit))
        menu.addAction("Find similar", lambda: self.find_similar(hit))
        menu.addAction("Add to mix", lambda: self.add_to_mix(hit))
        menu.addAction("Unlike" if hit.path in self.detail.liked else "Like", lambda: self.toggle_like(hit))
        if hit.why.get("because"):  # a suggestion: teach the profile
            menu.addAction("Less like this", lambda: self.less_like(hit))
        menu.addAction("View full screen", self.view_full_screen)
        menu.addAction("Copy path", lambda: self.copy_paths([hit]))
        menu.exec(self.results.viewport().mapToGlobal(pos))

    def _several_menu(self, hits: list[SearchHit], pos: QPoint) -> None:
        count = len(hits)
        menu = QMenu(self.results)
        menu.addAction(f"Open {count} files" if count <= OPEN_AT_ONCE else f"Open the first {OPEN_AT_ONCE}",
                       lambda: self.open_hits(hits))
        menu.addAction("Show in folder", lambda: self.show_in_folder(hits[0]))
        menu.addAction(f"Find similar to these {count}", lambda: self.find_similar_to(hits))
        menu.addAction(f"Add {count} to mix", lambda: self.add_to_mix_all(hits))
        menu.addAction(f"Copy {count} paths", lambda: self.copy_paths(hits))
        menu.exec(self.results.viewport().mapToGlobal(pos))


def reveal(path: str) -> bool:
    """Show a file selected in the system's file manager: Finder (`open -R`), Explorer (`/select,`),
    or the freedesktop FileManager1 service over D-Bus (Files, Dolphin, Nemo, Caja, Thunar…).
    False where none answers (the caller opens the folder instead)."""
    try:
        if sys.platform == "darwin":
            return subprocess.run(["open", "-R", path], check=False, timeout=10, capture_output=True).returncode == 0
        if sys.platform == "win32":
            subprocess.Popen(["explorer", f"/select,{os.path.normpath(path)}"])  # its exit code is always 1
            return True
        from PySide6.QtDBus import QDBusConnection, QDBusInterface

        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            return False
        manager = QDBusInterface("org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                                 "org.freedesktop.FileManager1", bus)
        if not manager.isValid():
            return False
        reply = manager.call("ShowItems", [QUrl.fromLocalFile(path).toString()], "")
        return not reply.errorName()
    except (OSError, ImportError, subprocess.SubprocessError):
        return False


def liked_paths(library: Library) -> set[str]:
    return {row.path for row, _ in library.likes()}


def marked_words(query: str) -> list[str]:
    """The words of a query worth marking in a snippet (no operators, quotes or common words)."""
    words = [w.strip('"\'').lower() for w in query.replace('"', " ").split()]
    return [w for w in words if len(w) > 1 and not w.startswith("-") and w not in UNMARKED and w not in "+-"]
