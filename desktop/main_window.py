"""The shell window: places the search view and the indexing controls, shows status and errors.

The work itself lives elsewhere: searching in SearchView, indexing in IndexController, every call
into the library in Operations (off the GUI thread), errors in the one ErrorBanner.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, QThreadPool, Signal
from PySide6.QtGui import QAction, QKeySequence, QMouseEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSlider,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nearby.core.indexing.watch import FolderWatcher
from nearby.core.library import Library, LibraryStatus
from nearby.core.mapping.similarity_map import FIRST_PICTURE, MapPoint, SimilarityMap
from nearby.core.progress import IndexProgress, IndexSummary
from nearby.core.search.expression import is_expression
from nearby.core.search.filters import is_under
from nearby.core.search.hits import SearchHit
from nearby.desktop import window_state
from nearby.desktop.about import about_dialog, help_dialog
from nearby.desktop.duplicates_dialog import DuplicatesDialog
from nearby.desktop.errors import ErrorBanner
from nearby.desktop.gc_guard import collect_on_gui_thread
from nearby.desktop.grid import TILE_TARGET
from nearby.desktop.index_controller import IndexController
from nearby.desktop.map_view import MapView
from nearby.desktop.models_dialog import ModelsDialog
from nearby.desktop.operations import Operations
from nearby.desktop.sample_collection import install_sample
from nearby.desktop.search_view import SearchView
from nearby.desktop.settings_dialog import SettingsDialog
from nearby.desktop.theme import apply_theme

# Keys for standard actions on platforms that define none (Windows has no Quit key; Preferences is
# empty outside macOS and KDE): what people know from other apps there.
FALLBACK_KEYS = {QKeySequence.StandardKey.Quit: "Ctrl+Q", QKeySequence.StandardKey.Preferences: "Ctrl+,",
                 QKeySequence.StandardKey.Back: "Alt+Left", QKeySequence.StandardKey.Forward: "Alt+Right",
                 QKeySequence.StandardKey.HelpContents: "F1", QKeySequence.StandardKey.Find: "Ctrl+F",
                 QKeySequence.StandardKey.Open: "Ctrl+O"}
GIL_SWITCH_S = 0.001
TIME_STEPS = 1000  # the map's time slider's steps from the oldest file to the newest
SAID_MS = 5_000  # a confirmation ("Copied 3 paths") stays this long in the status bar
SUMMARY_SHOWN_MS = 8_000  # how long an indexing summary replaces the counts in the status bar
KIND_NAMES = {"document": ("document", "documents"), "image": ("photo", "photos"), "song": ("song", "songs")}

STYLE = """
#errorBanner { background: #fdecea; border: 1px solid #f5c2bd; border-radius: 6px; color: #8a1c12; }
#emptyTitle { font-size: 20px; font-weight: 600; }
#detailTitle { font-size: 15px; }
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
        # Worker threads running Python (indexing, searching) hand the interpreter lock over every
        # millisecond instead of every 5: the GUI thread waits less for it to paint or answer a key.
        sys.setswitchinterval(GIL_SWITCH_S)
        # Cyclic garbage (closed windows' widgets among it) is freed on this thread, never a worker's.
        collect_on_gui_thread()
        self.library = library
        self.ops = Operations(library, pool)
        self.setWindowTitle("Nearby")
        self.resize(1180, 760)
        self.setStyleSheet(STYLE)
        self.models_dialog: ModelsDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.state = window_state.window_settings()
        self.theme = window_state.read(self.state, "theme", "system")
        apply_theme(self.theme)
        self._items = -1  # files in the library at the last status (live refreshes while indexing)
        self._active_folders: list[str] = []
        self._build()
        self._build_menus()
        self._restore()
        self.refresh_status()
        # A text model that is missing says so at once (in the banner), not at the first search.
        self.ops.read(lambda lib: lib.embedder.check_installed(), lambda _: None)
        if update_on_start:  # catch up with what changed while the app was closed
            self.indexer.update_folders()
        self.watcher: FolderWatcher | None = None
        if watch:  # then keep up: files added, changed or deleted reach the index within seconds
            self.watcher = library.watcher(lambda changed, deleted: self.files_changed.emit(
                [str(p) for p in changed], [str(p) for p in deleted]))
            self.files_changed.connect(self._files_changed)
            self.ops.read(lambda lib: lib.folders(with_paused=False), self._watch_folders)

    def _build(self) -> None:
        self.banner = ErrorBanner()
        self.search = SearchView(self.ops, self)
        self.indexer = IndexController(self.ops, self.statusBar())
        self.add_button = QPushButton("Add folder…")
        self.add_button.setDefault(True)
        self.add_button.setToolTip("Index a folder of documents, photos or songs (Ctrl+O)")
        self.map_button = QPushButton("Map")
        self.map_button.setCheckable(True)
        self.map_button.setToolTip("See the whole library as a map of meaning (Ctrl+M)")
        self.back_button, self.forward_button = QToolButton(), QToolButton()
        for button, arrow, tip in ((self.back_button, Qt.ArrowType.LeftArrow, "Back (Alt+Left)"),
                                   (self.forward_button, Qt.ArrowType.RightArrow, "Forward (Alt+Right)")):
            button.setArrowType(arrow)
            button.setToolTip(tip)
            button.setAccessibleName(tip.split(" (")[0])
            button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.forward_button)
        top.addWidget(self.search.field, 1)
        top.addWidget(self.map_button)
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
        self.map_colours.addItem("Colour by date", "date")
        # The library as it grew: files appear in the order they were made as the slider moves.
        self.map_time = QSlider(Qt.Orientation.Horizontal)
        self.map_time.setRange(0, TIME_STEPS)
        self.map_time.setValue(TIME_STEPS)
        self.map_time.setFixedWidth(140)
        self.map_time.setAccessibleName("Files made up to")
        self.map_time.setToolTip("Move left to see the library as it was: files appear in the order they were made")
        self.map_time.valueChanged.connect(self._map_time_moved)
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
        self.export_button = export
        export.clicked.connect(self.export_map)
        self.map_status = QLabel("Shift+drag to lasso files · scroll to zoom · drag to pan")
        self.map_status.setObjectName("emptyText")
        self.map_status.setWordWrap(True)  # on one line it held the window 320 px wider than small screens allow
        when = QLabel("Made up to")
        when.setBuddy(self.map_time)
        for widget in (self.map_kind, self.map_colours, when, self.map_time, relayout, export):
            bar.addWidget(widget)
        bar.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.map_status)  # a line of its own: beside the controls it was a tall thin column
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
        self.search.said.connect(lambda text: self.statusBar().showMessage(text, SAID_MS))
        self.indexer.running_changed.connect(self.search.set_indexing)
        self.search.chosen_changed.connect(self._chosen_changed)
        self.ops.changed.connect(self.refresh_status)
        self.ops.shut_down.connect(self.close)  # closing had to wait for running work: finish it now
        self.indexer.finished.connect(self._indexing_done)
        self.search.add_folder_clicked.connect(self.choose_folder)
        self.add_button.clicked.connect(self.choose_folder)
        self.map_button.toggled.connect(self.show_map)
        self.back_button.clicked.connect(self.search.go_back)
        self.forward_button.clicked.connect(self.search.go_forward)
        self.search.history_changed.connect(self._history_changed)
        self.search.map_requested.connect(self.map_button.setChecked)
        self.search.sample_clicked.connect(self.try_sample)
        self.indexer.committed.connect(self._live_refresh)
        self.ops.changed.connect(lambda: self.update_map() if self.map_button.isChecked() else None)
        self.search.search_finished.connect(self._highlight_on_map)
        self.search.map_lines.connect(self.map_view.set_lines)
        self.map_view.point_selected.connect(lambda p: self.statusBar().showMessage(p.path, SUMMARY_SHOWN_MS))
        self.map_view.point_opened.connect(lambda p: self.search.open_hit(hit_of(p)))
        self.map_view.lasso_selected.connect(self._show_lassoed)
        self.skipped_button.clicked.connect(self.show_skipped)
        self.setAcceptDrops(True)
        app = QApplication.instance()
        if app is not None:  # the mouse's back and forward buttons, wherever the pointer is in the window
            app.installEventFilter(self)

    def _build_menus(self) -> None:
        """File, Edit, View, Go, Help: every command, with the platform's shortcuts."""
        bar = self.menuBar()
        Key = QKeySequence.StandardKey

        def item(menu: Any, text: str, slot: Any, shortcut: Any = None, tip: str = "") -> QAction:
            action = menu.addAction(text)
            action.triggered.connect(slot)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
                if action.shortcut().isEmpty() and shortcut in FALLBACK_KEYS:  # a platform without that key
                    action.setShortcut(QKeySequence(FALLBACK_KEYS[shortcut]))
            if tip:
                action.setStatusTip(tip)
            self.actions_by_name[text.replace("&", "").rstrip("…")] = action
            return action

        self.actions_by_name: dict[str, QAction] = {}
        file = bar.addMenu("&File")
        item(file, "&Add Folder…", self.choose_folder, Key.Open, "Index a folder of documents, photos or songs")
        item(file, "&Update Folders", self.indexer.update_folders, "F5",
             "Look for new, changed and deleted files in the folders added before")
        item(file, "Try the &Sample Collection", self.try_sample, tip="A few photos, songs and notes to try Nearby")
        file.addSeparator()
        self.export_action = item(file, "&Export Map as PNG…", self.export_map)
        self.export_action.setEnabled(False)  # until the library holds files (status)
        file.addSeparator()
        settings = item(file, "&Settings…", self.show_settings, Key.Preferences)  # Ctrl+, (⌘, on macOS)
        settings.setMenuRole(QAction.MenuRole.PreferencesRole)
        quit_action = item(file, "&Quit", self.close, Key.Quit)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        edit = bar.addMenu("&Edit")
        item(edit, "&Find", self.focus_search, Key.Find)
        item(edit, "&Open", lambda: self.search.open_hits(self.search.selected_hits()), "Ctrl+Return",
             "Open the chosen files in their applications")
        item(edit, "&Copy Path", lambda: self.search.copy_paths(self.search.selected_hits()), "Ctrl+Shift+C",
             "Copy where the chosen files are, one path a line")
        item(edit, "Show in &Folder", lambda: self._with_hit(self.search.show_in_folder), "Ctrl+Shift+F")
        item(edit, "Find &Similar", lambda: self.search.find_similar_to(self.search.selected_hits()), "Ctrl+Shift+S",
             "Files like the chosen one (or like the chosen files together)")
        item(edit, "Add to &Mix", lambda: self.search.add_to_mix_all(self.search.selected_hits()))
        item(edit, "Select &All Results", self._select_all_results, Key.SelectAll)
        item(edit, "&Like", lambda: self._with_hit(self.search.toggle_like), "S",
             "Like the chosen file (or take the like off): For you suggests more like it")
        edit.addSeparator()
        item(edit, "Find &Duplicates…", self.show_duplicates, tip="Copies, resized photos, re-saved documents")
        view = bar.addMenu("&View")
        item(view, "As a &List", lambda: self.search.set_view_mode("list"), "Ctrl+1")
        item(view, "As a &Grid", lambda: self.search.set_view_mode("grid"), "Ctrl+2")
        item(view, "&Automatic (Grid for Photos)", lambda: self.search.set_view_mode("auto"))
        view.addSeparator()
        item(view, "View &Full Screen\tSpace", self.search.view_full_screen,
             tip="The chosen result as large as the screen: arrows for the next, Esc to come back")
        item(view, "Slide&show", lambda: self.search.view_full_screen(slideshow=True), "F9",
             "The pictures among the results, full screen, one every few seconds")
        item(view, "&Larger Thumbnails", lambda: self.search.size_slider.setValue(self.search.size_slider.value() + 24),
             Key.ZoomIn)
        item(view, "S&maller Thumbnails",
             lambda: self.search.size_slider.setValue(self.search.size_slider.value() - 24), Key.ZoomOut)
        view.addSeparator()
        map_action = item(view, "Similarity &Map", lambda: self.map_button.toggle(), "Ctrl+M")
        map_action.setCheckable(True)
        self.map_button.toggled.connect(map_action.setChecked)
        item(view, "Show &Weaker Matches", self.search.show_weaker)
        go = bar.addMenu("&Go")
        self.back_action = item(go, "&Back", self.search.go_back, Key.Back)
        self.forward_action = item(go, "&Forward", self.search.go_forward, Key.Forward)
        go.addSeparator()
        item(go, "For &You", self.show_for_you, "Ctrl+Y", "Files like the ones you liked")
        help_menu = bar.addMenu("&Help")
        item(help_menu, "Nearby &Help", self.show_help, Key.HelpContents)
        about = item(help_menu, "&About Nearby", self.show_about)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        self._history_changed()

    def _chosen_changed(self, count: int) -> None:
        if count > 1:
            self.statusBar().showMessage(f"{count} chosen · Ctrl+Shift+C copies their paths · drag them out to "
                                         "another app · right-click for more", SAID_MS)

    def _select_all_results(self) -> None:
        """Ctrl+A: in the search field, its text; elsewhere, every result."""
        if self.search.field.hasFocus():
            self.search.field.selectAll()
        else:
            self.search.results.selectAll()
            self.search.results.setFocus()

    def _with_hit(self, act: Any) -> None:
        hit = self.search.current_hit
        if hit is not None:
            act(hit)

    def focus_search(self) -> None:
        """Ctrl+F: the search field; on the map, the map stays (its results light up on it)."""
        self.search.field.setFocus()
        self.search.field.selectAll()

    def _history_changed(self) -> None:
        history = self.search.history
        for widget in (self.back_button, getattr(self, "back_action", None)):
            if widget is not None:
                widget.setEnabled(history.can_go_back())
        for widget in (self.forward_button, getattr(self, "forward_action", None)):
            if widget is not None:
                widget.setEnabled(history.can_go_forward())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent) \
                and isinstance(watched, QWidget) and watched.window() is self:
            if event.button() == Qt.MouseButton.BackButton:
                self.search.go_back()
                return True
            if event.button() == Qt.MouseButton.ForwardButton:
                self.search.go_forward()
                return True
        return super().eventFilter(watched, event)

    def show_for_you(self) -> None:
        self.map_button.setChecked(False)
        self.search.show_for_you()

    def show_duplicates(self) -> DuplicatesDialog:
        dialog = DuplicatesDialog(self.ops, self)
        dialog.trashed.connect(lambda paths: self._files_changed([], paths))
        dialog.refresh()
        dialog.show()
        return dialog

    def show_settings(self) -> SettingsDialog:
        """Settings: folders, models, theme, result count (one dialog, raised again if open)."""
        if self.settings_dialog is None:
            self.settings_dialog = SettingsDialog(self.ops, self.theme, self)
            self.settings_dialog.theme_changed.connect(self.set_theme)
            self.settings_dialog.folder_added.connect(lambda folder: self.indexer.index_folders([folder]))
            self.settings_dialog.folders_changed.connect(self._folders_changed)
            self.settings_dialog.models_clicked.connect(self.show_models)
        self.settings_dialog.show()
        self.settings_dialog.raise_()
        return self.settings_dialog

    def set_theme(self, theme: str) -> None:
        self.theme = theme
        self.state.setValue("theme", theme)
        apply_theme(theme)

    def show_about(self) -> QWidget:
        dialog = about_dialog(self)
        dialog.open()
        return dialog

    def show_help(self) -> QWidget:
        dialog = help_dialog(self)
        dialog.open()
        return dialog

    def try_sample(self) -> None:
        """Copy the sample collection to the user data folder and index it."""
        try:
            folder = install_sample()
        except OSError as exc:
            self.banner.show_message(f"The sample collection could not be copied ({exc}). Check that your user "
                                     "data folder has free space and can be written.")
            return
        self.statusBar().showMessage(f"Indexing the sample collection in {folder}…", SUMMARY_SHOWN_MS)
        self.indexer.index_folders([str(folder)])

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

    def _files_changed(self, changed: list[str], deleted: list[str]) -> None:
        """The watcher saw files change: index those under folders still in the library and not paused."""
        wanted = [p for p in [*changed, *deleted] if any(is_under(p, f) for f in self._active_folders)]
        if wanted:
            self.indexer.index_folders(wanted)

    def _folders_changed(self) -> None:
        self.ops.read(lambda lib: lib.folders(with_paused=False), self._set_active_folders)

    def _set_active_folders(self, folders: list[str]) -> None:
        self._active_folders = folders

    def _watch_folders(self, folders: list[str]) -> None:
        self._active_folders = folders
        if self.watcher is None or self.ops.closing:
            return
        if not self.watcher.started:
            self.watcher.start(folders)
        for folder in folders:
            self.watcher.watch(folder)

    def _indexing_done(self, summary: IndexSummary | None) -> None:
        if self.watcher is not None:  # a folder added just now is watched from now on
            self.ops.read(lambda lib: lib.folders(with_paused=False), self._watch_folders)
        if summary is None:
            return
        if summary.changed or summary.cancelled:
            left = self.indexer.left_undone if summary.cancelled else 0
            rest = f" · {left:,} files not indexed yet: Update (F5) does them" if left else ""
            self.statusBar().showMessage(summary.describe() + rest, SUMMARY_SHOWN_MS)
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
            self.map_view.setFocus()  # the arrow keys walk the map at once
            self.search.visit_map()
            kind = self.map_kind.currentData()
            self.ops.read(lambda library: library.load_map(kind), self._map_loaded)  # at once, as it was
            self.update_map()

    def update_map(self, full: bool = False) -> None:
        self.map_status.setText("Arranging the map…")
        self.map_view.arranging = True
        self.map_view.update()
        kind = self.map_kind.currentData()

        refining: list[bool] = []

        def progress(p: IndexProgress) -> None:
            if p.path == FIRST_PICTURE:  # a big map's first picture is stored: show it while it is refined
                refining.append(True)
                self.ops.read(lambda library: library.load_map(kind), self._map_loaded)
            more = " (the first picture is shown; it is being refined)" if refining else ""
            self.map_status.setText(f"Arranging the map… {100 * p.done // max(p.total, 1)}%{more}")

        self.ops.write(lambda library, token: library.update_map(kind, full, token), self._map_done, progress,
                       announce=False)

    def _map_done(self, the_map: SimilarityMap | None) -> None:
        self.map_view.arranging = False
        self.map_view.update()
        self._map_loaded(the_map)

    def _map_loaded(self, the_map: SimilarityMap | None) -> None:
        if the_map is None or the_map.name != (self.map_kind.currentData() or "all"):
            return  # cancelled, or a map of another kind than the one chosen now
        self.map_view.set_map(the_map)
        if self.map_time.value() < TIME_STEPS:
            self._map_time_moved(self.map_time.value())  # the slider holds for the new map too
        self._highlight_on_map(self.search.model.hits, fit=False)
        self.map_status.setText(f"{len(the_map.points):,} files in {len(the_map.clusters)} groups · "
                                "Shift+drag to lasso · scroll or +/- to zoom · drag to pan · arrows to walk")

    def _highlight_on_map(self, hits: list[SearchHit], fit: bool | None = None) -> None:
        """Light up a search's results on the map (browsing the library answers nothing: no lights);
        an expression is drawn on it, its terms, result and answers."""
        paths = [] if self.search.browsing else [h.path for h in hits]
        on_map = self.map_button.isChecked()
        self.map_view.highlight(paths, fit=on_map if fit is None else fit)
        query = self.search.field.text().strip()
        if on_map and paths:
            self.map_status.setText(f"{len(paths)} result{'s' if len(paths) != 1 else ''} for “{query}” lit on the "
                                    "map · the Map button shows them as a list")
        self._draw_expression(query)

    def _map_time_moved(self, value: int) -> None:
        first, last = self.map_view.date_range()
        if value >= TIME_STEPS or last <= first:
            self.map_view.set_until(None)
            self.map_time.setToolTip("Every file (move left to see the library as it was)")
            return
        until = first + (last - first) * value / TIME_STEPS
        self.map_view.set_until(until)
        shown = int((self.map_view.made_times() <= until).sum())
        words = f"{shown:,} files made up to {time.strftime('%d %b %Y', time.localtime(until))}"
        self.map_time.setToolTip(words)
        self.map_status.setText(words)

    def _draw_expression(self, query: str) -> None:
        """The query's arithmetic on the map, when it is an expression and the map is shown."""
        if not (self.map_button.isChecked() and query and is_expression(query)):
            self.map_view.set_overlay(None)
            return

        def placed(answer: Any) -> None:
            the_map, overlay, _ = answer
            if the_map is not None and overlay is not None and self.search.field.text().strip() == query:
                self.map_view.set_overlay(overlay)
                best = ", ".join(w for w, _, _ in overlay.words[:3])
                self.map_status.setText(f"{query} drawn on the map" + (f": = {best}" if best else "")
                                        + " · the arrows run from each term taken away to each one added")

        self.ops.read(lambda library: library.map_arithmetic(query, library.settings.result_count), placed)

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

    def _live_refresh(self) -> None:
        """While indexing: new counts in the status bar, and what is shown searched again when files
        were committed (so they can be found at once, not at the end of the run)."""
        def show(status: LibraryStatus) -> None:
            grew = status.items != self._items
            self._show_status(status)
            if grew:
                self.search.refresh()

        self.ops.read(lambda library: library.status(), show)

    def _show_status(self, status: LibraryStatus) -> None:
        self._items = status.items
        provider = status.provider.replace("ExecutionProvider", "")
        counts = " · ".join(f"{n:,} {KIND_NAMES.get(kind, (kind, kind))[n != 1]}"
                            for kind, n in sorted(status.by_kind.items()))
        self.stats_label.setText(f"{counts or 'Nothing indexed'} · {status.model} on {provider}")
        self.skipped_button.setText(f"{status.skipped:,} skipped…")
        self.skipped_button.setVisible(status.skipped > 0)
        for widget in (self.export_action, self.export_button):  # no map of an empty library to export
            widget.setEnabled(status.items > 0)
        self.search.show_status(status)

    def show_skipped(self) -> None:
        self.ops.read(lambda library: library.failures(), self._show_failures)

    def _show_failures(self, failures: list[tuple[str, str]]) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("Files Nearby skipped")
        box.setText(f"{len(failures):,} file{'s' if len(failures) != 1 else ''} could not be indexed; "
                    "the details say why. Nearby tries them again when they change.")
        box.setDetailedText("\n".join(f"{p}\n    {r}" for p, r in failures))
        box.setIcon(QMessageBox.Icon.Information)
        box.open()

    # -- what the window remembers ----------------------------------------------------------------

    def _restore(self) -> None:
        """Size and place, splitter, list or grid, filters and the last query, as they were."""
        geometry = window_state.saved_state(self.state, "geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = window_state.saved_state(self.state, "splitter")
        if splitter is not None:
            self.search.splitter.restoreState(splitter)
        else:
            self.search.splitter.setSizes([self.width() * 3 // 5, self.width() * 2 // 5])
        self.search.view_mode = window_state.read(self.state, "view", "auto")
        self.search.size_slider.setValue(window_state.read(self.state, "tile", TILE_TARGET))
        self.search.set_sort(window_state.read(self.state, "sort", "relevance"))
        self.search.filter_bar.blockSignals(True)
        self.search.filter_bar.restore({name: window_state.read(self.state, f"filters/{name}", 0)
                                        for name in ("kind", "date", "type")})
        self.search.filter_bar.blockSignals(False)
        query = window_state.read(self.state, "query", "")
        if query:
            self.search.field.blockSignals(True)
            self.search.field.setText(query)
            self.search.field.blockSignals(False)
            self.search.run_search()

    def _save(self) -> None:
        self.state.setValue("geometry", self.saveGeometry())
        self.state.setValue("splitter", self.search.splitter.saveState())
        self.state.setValue("view", self.search.view_mode)
        self.state.setValue("tile", self.search.size_slider.value())
        self.state.setValue("sort", self.search.sort)
        self.state.setValue("query", self.search.field.text())
        for name, index in self.search.filter_bar.state().items():
            self.state.setValue(f"filters/{name}", index)
        self.state.sync()

    # -- closing ------------------------------------------------------------------------------

    def closeEvent(self, event: Any) -> None:
        """Close at once: running work is cancelled and the library closed when it has stopped,
        without the GUI thread waiting for it (the window hides meanwhile)."""
        self.search.player.stop()
        self._save()
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        if self.ops.shutdown():
            app = QApplication.instance()
            if app is not None:  # a filter left on the application after the window goes crashed Python's exit
                app.removeEventFilter(self)
            super().closeEvent(event)
            self.closed.emit()
        else:
            event.ignore()
            self.hide()


def hit_of(point: MapPoint) -> SearchHit:
    """A map point as a result row (for a lasso's list, and to open it): chosen, not ranked, so it
    carries no score ("Match 1.00" beside an unrelated query said what was not true)."""
    meta: dict[str, object] = {"unranked": True}
    if point.thumbnail:
        meta["thumbnail"] = point.thumbnail
    return SearchHit(point.path, point.kind, point.title, 0.0, "", None, 0.0, meta)


def dropped_folders(mime: QMimeData) -> list[str]:
    """Local folders and files among dropped URLs."""
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and Path(url.toLocalFile()).exists()]
