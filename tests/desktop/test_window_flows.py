"""The window a person uses: browsing, the photo grid, the detail pane, Back and Forward, filters,
settings, what is remembered, themes, menus, the first run. Each main state is saved as a
screenshot in tests/screenshots/ (named in the README) for anyone to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QDesktopServices, QKeySequence, QMouseEvent, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLineEdit, QListView
from pytestqt.qtbot import QtBot

from nearby.core.library import Library
from nearby.core.media.decoders import for_songs
from nearby.core.progress import run_to_end
from nearby.core.settings import Settings
from nearby.desktop.detail_pane import clock
from nearby.desktop.grid import TILE_GAP
from nearby.desktop.main_window import MainWindow
from nearby.desktop.map_view import DATE_COLOURS
from nearby.desktop.player import Player
from nearby.desktop.results import selection_colour
from nearby.desktop.thumbnails import pictures
from tests.desktop.windows import SCREENSHOTS, WAIT_MS, names, open_window, search, shoot
from tests.documents import write_pdf
from tests.fakes import FakeEmbedder

# -- browsing, the grid, the detail pane ---------------------------------------------------------


def test_with_no_query_the_library_is_shown_newest_first(qtbot: QtBot, sample_library: Path) -> None:
    win = open_window(qtbot, sample_library)
    qtbot.waitUntil(lambda: win.model.rowCount() == 26, timeout=WAIT_MS)
    modified = [h.meta["modified"] for h in win.model.hits]
    assert modified == sorted(modified, reverse=True)
    assert "newest first" in win.caption.text()
    assert win.search.detail.hit is not None  # the first file is chosen and shown in the pane
    shoot(win, "browse")


def test_photos_show_as_a_grid_that_fills_the_width_and_the_list_grid_switch(qtbot: QtBot,
                                                                             sample_library: Path) -> None:
    win = open_window(qtbot, sample_library)
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        win.kind_filter.setCurrentIndex(win.kind_filter.findData("image"))
    assert win.results.viewMode() == QListView.ViewMode.IconMode
    assert {h.kind for h in win.model.hits} == {"image"} and len(win.model.hits) == 10
    side = win.search.grid_delegate.side
    width = win.results.viewport().width()
    columns = (width - TILE_GAP) // (side + TILE_GAP)
    assert columns >= 3 and width - columns * (side + TILE_GAP) < side  # whole tiles fill the row
    qtbot.waitUntil(lambda: win.search.detail.details is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: all(pictures().get(h.thumbnail) for h in win.model.hits), timeout=WAIT_MS)  # lazily
    shoot(win, "photo-grid")
    win.resize(800, 700)  # tiles are resized with the window
    qtbot.waitUntil(lambda: win.search.grid_delegate.side != side or win.results.viewport().width() == width)
    assert win.actions_by_name["As a List"].shortcut().toString() == "Ctrl+1"
    win.actions_by_name["As a List"].trigger()
    assert win.results.viewMode() == QListView.ViewMode.ListMode and win.search.list_button.isChecked()
    win.actions_by_name["As a Grid"].trigger()
    assert win.results.viewMode() == QListView.ViewMode.IconMode and win.search.grid_button.isChecked()


def test_the_detail_pane_shows_a_document_in_context_with_its_facts(qtbot: QtBot, sample_library: Path) -> None:
    win = open_window(qtbot, sample_library)
    hits = search(qtbot, win, "fixing a flat bicycle tyre")
    assert hits[0].name == "bike-repair.txt"
    detail = win.search.detail
    qtbot.waitUntil(lambda: detail.details is not None and detail.details.path == hits[0].path, timeout=WAIT_MS)
    shown = detail.text.toPlainText()
    assert "thorn" in shown and "brakes" in shown  # the passage with its neighbours
    assert "<b" in detail.text.toHtml() and "tyre" in detail.text.toHtml()  # the query's words marked
    facts = {detail.facts.itemAt(r, detail.facts.ItemRole.LabelRole).widget().text()
             for r in range(detail.facts.rowCount())}
    assert {"Modified", "Size", "Folder", "Match"} <= facts
    assert all(detail.buttons[b].isVisible() for b in ("Open", "Show in folder", "Copy path", "Find similar",
                                                       "Add to mix"))
    shoot(win, "search-detail")


def test_a_picture_in_the_pane_and_find_similar_shows_its_source_first(qtbot: QtBot, sample_library: Path) -> None:
    win = open_window(qtbot, sample_library)
    hits = search(qtbot, win, "a photo of a cat")
    cat = hits[0]
    assert cat.name == "cat.jpg"
    assert win.search.detail.preview.currentWidget() is win.search.detail.picture
    detail = win.search.detail
    qtbot.waitUntil(lambda: detail.details is not None and detail.details.path == cat.path, timeout=WAIT_MS)
    role, form = detail.facts.ItemRole, detail.facts
    facts = {form.itemAt(r, role.LabelRole).widget().text(): form.itemAt(r, role.FieldRole).widget().text()
             for r in range(form.rowCount())}
    assert "cat" in facts["Looks like"], facts  # what the picture model saw: why it matched
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS) as blocker:
        win.search.detail.buttons["Find similar"].click()
    assert cat.path not in [h.path for h in blocker.args[0]]
    assert win.model.hits[0].path == cat.path and win.model.hits[0].meta.get("source")  # the source, first
    # No other sample photo looks like a cat: said, the 9 weaker look-alikes a click away, not 9 in a row.
    assert win.caption.text().startswith("Nothing else is much like cat.jpg · ") and win.model.rowCount() == 1
    win.search.show_weaker()
    assert win.model.rowCount() == 10 and win.model.hits[0].path == cat.path
    assert win.search_field.text() == ""  # the old query does not pretend to be what is shown
    shoot(win, "similar")


# -- Back and Forward ----------------------------------------------------------------------------


def test_back_and_forward_across_searches_similar_lists_and_the_map(qtbot: QtBot, sample_library: Path) -> None:
    win = open_window(qtbot, sample_library)
    qtbot.waitUntil(lambda: win.model.rowCount() > 0, timeout=WAIT_MS)
    search(qtbot, win, "household budget")
    first = search(qtbot, win, "stars and planets")
    win.results.setCurrentIndex(win.model.index(1))  # the second result chosen: Back chooses it again
    chosen = win.search.current_hit.path
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        win.find_similar(first[0])
    win.map_button.setChecked(True)
    assert win.back_button.isEnabled() and not win.forward_button.isEnabled()
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        win.back_button.click()  # from the map back to the similar-list
    assert not win.map_button.isChecked() and f"similar to {first[0].name}" in win.caption.text()
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        win.back_action.trigger()  # Alt+Left
    assert win.search_field.text() == "stars and planets" and names(win)[0] == first[0].name
    assert win.search.current_hit.path == chosen and win.search.detail.hit.path == chosen
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):  # the mouse's back button
        press = QMouseEvent(QEvent.Type.MouseButtonPress, QPointF(5, 5), QPointF(5, 5), Qt.MouseButton.BackButton,
                            Qt.MouseButton.BackButton, Qt.KeyboardModifier.NoModifier)
        win.eventFilter(win.results.viewport(), press)
    assert win.search_field.text() == "household budget"
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        win.forward_action.trigger()
    assert win.search_field.text() == "stars and planets" and win.forward_button.isEnabled()
    assert win.back_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Back)


def test_typing_a_query_word_by_word_is_one_step_back(qtbot: QtBot, sample_library: Path) -> None:
    win = open_window(qtbot, sample_library)
    search(qtbot, win, "moon")
    for text in ("a photo", "a photo of", "a photo of a cat"):
        search(qtbot, win, text)
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        win.search.go_back()
    assert win.search_field.text() == "moon"


# -- filters -------------------------------------------------------------------------------------


def test_filters_combine_with_a_query_and_with_browsing(qtbot: QtBot, sample_library: Path) -> None:
    win = open_window(qtbot, sample_library)
    bar = win.search.filter_bar
    # "All folders", the sample, and its subfolders below it with their files: a tree to filter by.
    qtbot.waitUntil(lambda: bar.folder.count() == 5, timeout=WAIT_MS)
    labels = [bar.folder.itemText(i) for i in range(bar.folder.count())]
    assert labels[1] == "sample  (26)" and "    └ pictures  (10)" in labels and "    └ songs  (6)" in labels
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        bar.folder.setCurrentIndex(labels.index("    └ songs  (6)"))
    assert len(names(win)) == 6 and all(n.endswith(".ogg") for n in names(win))
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        bar.folder.setCurrentIndex(0)
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        bar.date.setCurrentIndex(bar.date.findText("Older than a year"))
    assert names(win) == ["lease.txt"]
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        bar.date.setCurrentIndex(0)
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        bar.type.setCurrentIndex(bar.type.findText("Text and Markdown"))
    assert names(win) and all(n.endswith((".txt", ".md")) for n in names(win))
    hits = search(qtbot, win, "the night sky")  # a query through the type filter: documents only
    assert hits and all(h.name.endswith((".txt", ".md")) for h in hits)
    assert "moon.jpg" not in names(win)


# -- settings, and what is remembered ----------------------------------------------------------


def test_settings_pause_and_remove_a_folder(qtbot: QtBot, tmp_path: Path) -> None:
    docs, more = tmp_path / "docs", tmp_path / "more"
    docs.mkdir()
    more.mkdir()
    (docs / "a.txt").write_text("Notes about sailing boats on a windy lake.")
    (more / "b.txt").write_text("A recipe for onion soup with thyme.")
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    run_to_end(library.index([docs, more]))
    win = MainWindow(library, update_on_start=False, watch=False)
    qtbot.addWidget(win)
    win.show()
    dialog = win.show_settings()
    qtbot.waitUntil(lambda: dialog.folder_list.count() == 2, timeout=WAIT_MS)
    shoot(win, "settings-behind")
    dialog.grab().save(str(SCREENSHOTS / "settings.png"))
    dialog.pause(str(more), True)
    assert Settings.load().paused_folders == (str(more),)  # saved
    assert library.folders(with_paused=False) == [str(docs)]
    qtbot.waitUntil(lambda: "(paused)" in dialog.folder_list.item(1).text(), timeout=WAIT_MS)
    with qtbot.waitSignal(win.ops.changed, timeout=WAIT_MS):
        dialog.remove(str(docs))
    qtbot.waitUntil(lambda: dialog.folder_list.count() == 1, timeout=WAIT_MS)
    assert library.status().items == 1 and library.folders() == [str(more)]
    qtbot.waitUntil(lambda: names(win) == ["b.txt"], timeout=WAIT_MS)  # its files left the results
    assert dialog.models_table.rowCount() >= 1 and dialog.models_table.item(0, 2).text()  # where it runs
    table = dialog.models_table
    rows = [[table.item(r, c).text() for c in range(3)] for r in range(table.rowCount())]
    songs = next(row for row in rows if row[0] == "M4A/AAC/WMA songs")  # read through the system's decoder, or not
    if for_songs():
        assert songs[1].startswith(for_songs()[0].decoder.name)
    else:
        assert "not read" in songs[1] and "ffmpeg" in songs[2]


def test_the_window_remembers_size_query_filters_and_layout(qtbot: QtBot, sample_library: Path) -> None:
    win = open_window(qtbot, sample_library)
    win.resize(720, 520)  # inside the offscreen screen (800×600): restoring never clamps it
    search(qtbot, win, "calm piano")
    win.search.filter_bar.date.setCurrentIndex(2)
    win.search.set_view_mode("list")
    size = win.size()
    win.close()
    again = MainWindow(Library(sample_library / "lib.sqlite"), update_on_start=False, watch=False)
    qtbot.addWidget(again)
    again.show()
    assert again.size() == size
    assert again.search_field.text() == "calm piano"
    assert again.search.filter_bar.date.currentIndex() == 2 and again.search.view_mode == "list"
    assert (Path(os.environ["XDG_CONFIG_HOME"]) / "Nearby" / "window.ini").is_file()


def test_the_dark_theme_keeps_selected_rows_readable(qtbot: QtBot, sample_library: Path) -> None:
    win = open_window(qtbot, sample_library)
    search(qtbot, win, "stars and planets")
    for theme in ("dark", "light"):
        win.set_theme(theme)
        wanted = QApplication.palette().color(QPalette.ColorRole.Base)
        qtbot.waitUntil(lambda w=wanted: win.results.palette().color(QPalette.ColorRole.Base) == w)  # type: ignore[misc]
        palette = win.results.palette()
        background = blend(selection_colour(palette), palette.color(QPalette.ColorRole.Base))
        assert contrast(palette.color(QPalette.ColorRole.Text), background) >= 4.5, theme  # WCAG AA
        assert contrast(palette.color(QPalette.ColorRole.PlaceholderText),
                        palette.color(QPalette.ColorRole.Base)) >= 3.0, theme
        shoot(win, f"theme-{theme}")
    assert win.state.value("theme") == "light"


def blend(top: QColor, under: QColor) -> QColor:
    a = top.alphaF()
    return QColor.fromRgbF(*(a * t + (1 - a) * u for t, u in zip(top.getRgbF()[:3], under.getRgbF()[:3],
                                                                  strict=True)))


def contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        r, g, bl = (channel(v) for v in c.getRgbF()[:3])
        return 0.2126 * r + 0.7152 * g + 0.0722 * bl

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# -- menus, help, errors, accessibility --------------------------------------------------------


def test_menus_shortcuts_about_and_help(qtbot: QtBot, sample_library: Path) -> None:
    win = open_window(qtbot, sample_library)
    menus = [a.text().replace("&", "") for a in win.menuBar().actions()]
    assert menus == ["File", "Edit", "View", "Go", "Help"]
    shortcuts = {name: a.shortcut().toString() for name, a in win.actions_by_name.items()}
    assert shortcuts["Quit"] == "Ctrl+Q" and shortcuts["Settings"] == "Ctrl+," and shortcuts["Find"] == "Ctrl+F"
    assert shortcuts["Similarity Map"] == "Ctrl+M"
    about = win.show_about()
    text = about.text.toPlainText()  # type: ignore[attr-defined]
    assert all(name in text for name in ("all-MiniLM-L6-v2", "efficientnet-lite2", "Apache-2.0", "LGPL-3.0"))
    about.close()
    help_page = win.show_help()
    assert "king - man + woman" in help_page.text.toPlainText() and '"exact words"' in \
        help_page.text.toPlainText()  # type: ignore[attr-defined]
    help_page.close()
    win.results.setFocus()
    win.actions_by_name["Find"].trigger()
    assert win.focusWidget() is win.search_field  # the window's focus, whether or not it is active now


def test_opening_a_file_without_an_application_says_what_to_do(qtbot: QtBot, sample_library: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    win = open_window(qtbot, sample_library)
    hit = search(qtbot, win, "household budget")[0]
    monkeypatch.setattr("nearby.desktop.search_view.QDesktopServices.openUrl", lambda url: False)
    win.search.open_hit(hit)
    assert "No application" in win.banner.text and "Show in folder" in win.banner.text
    assert "Error" not in win.banner.text and "went wrong" not in win.banner.text


def test_every_control_has_a_name_and_the_keyboard_reaches_the_results(qtbot: QtBot, sample_library: Path) -> None:
    win = open_window(qtbot, sample_library)
    search(qtbot, win, "a cat")
    unnamed = [w for w in win.findChildren(QAbstractButton) + win.findChildren(QComboBox)
               + win.findChildren(QLineEdit)
               if w.isVisible() and not (w.accessibleName() or (isinstance(w, QAbstractButton) and w.text()))]
    assert not unnamed, [type(w).__name__ + ":" + w.toolTip() for w in unnamed]
    win.search_field.setFocus()
    qtbot.keyClick(win.search_field, Qt.Key.Key_Down)
    assert win.results.hasFocus() and win.results.currentIndex().row() == 0


# -- first run -----------------------------------------------------------------------------------


def test_the_first_run_explains_itself_and_offers_the_sample(qtbot: QtBot, tmp_path: Path, models_dir: Path) -> None:
    win = MainWindow(Library(tmp_path / "lib.sqlite"), update_on_start=False, watch=False)
    qtbot.addWidget(win)
    win.resize(640, 420)  # a small window: the empty state still fits, nothing clipped
    win.show()
    qtbot.waitUntil(lambda: "nothing indexed" in win.search.empty_text.text(), timeout=WAIT_MS)
    assert win.stack.currentIndex() == 0 and win.search.sample_button.isVisible()
    for widget in (win.search.empty_text, win.search.sample_button):
        top_left = widget.mapTo(win, widget.rect().topLeft())
        assert win.rect().contains(top_left) and win.rect().contains(widget.mapTo(win, widget.rect().bottomRight()))
    shoot(win, "first-run")
    with qtbot.waitSignal(win.indexing_finished, timeout=120_000) as blocker:
        win.search.sample_button.click()
    assert blocker.args[0].added == 26
    qtbot.waitUntil(lambda: win.model.rowCount() == 26, timeout=WAIT_MS)  # browsing it, newest first
    hits = search(qtbot, win, "rocket launch")
    assert hits[0].name == "rocket-launch.jpg"


def test_a_song_and_a_pdf_page_in_the_detail_pane(qtbot: QtBot, sample_library: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    win = open_window(qtbot, sample_library)
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        win.kind_filter.setCurrentIndex(win.kind_filter.findData("song"))
    hits = search(qtbot, win, "calm piano")
    assert hits[0].name == "evening.ogg"
    detail = win.search.detail
    assert detail.preview.currentWidget() is detail.song and "Sounds like" in detail.song_tags.text()
    qtbot.waitUntil(lambda: any(detail.facts.itemAt(r, detail.facts.ItemRole.LabelRole).widget().text()
                                == "Duration" for r in range(detail.facts.rowCount())), timeout=WAIT_MS)
    length = clock(float(hits[0].meta["duration"]) * 1000)
    assert detail.play_button.text() == "Play" and detail.time.text() == f"0:00 / {length}"  # known before it plays
    # No sound output and no music player (a bare machine, a bundle on a server): said in words.
    monkeypatch.setattr(Player, "has_output", staticmethod(lambda: False))
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda _url: False))
    win.search.player.available = None
    detail.play_button.click()
    assert win.banner.isVisible() and "evening.ogg cannot be played" in win.banner.label.text()
    assert "speakers or headphones" in win.banner.label.text()
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda _url: True))
    detail.play_button.click()
    assert "opened in your music player" in win.statusBar().currentMessage()

    docs = tmp_path / "pdfs"
    docs.mkdir()
    write_pdf(docs / "manual.pdf", ["Page one: unpacking the espresso machine.",
                                    "Page two: descaling the espresso machine with citric acid every month."])
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    run_to_end(library.index([docs]))
    pdf_window = MainWindow(library, update_on_start=False, watch=False)
    qtbot.addWidget(pdf_window)
    pdf_window.show()
    qtbot.waitUntil(lambda: pdf_window.model.rowCount() > 0, timeout=WAIT_MS)
    pane = pdf_window.search.detail
    assert pane.hit is not None and pane.hit.page == 1
    qtbot.waitUntil(lambda: pane.picture.page is not None and not pane.picture.page.isNull(), timeout=WAIT_MS)
    assert max(pane.picture.page.width(), pane.picture.page.height()) == 1200  # drawn sharp for a wide pane


def test_the_map_of_the_sample(qtbot: QtBot, sample_library: Path) -> None:
    win = open_window(qtbot, sample_library)
    win.map_button.setChecked(True)
    qtbot.waitUntil(lambda: win.map_view.the_map is not None and len(win.map_view.the_map.points) == 26,
                    timeout=60_000)
    assert "26 files" in win.map_status.text() or "Arranging" in win.map_status.text()
    shoot(win, "map")
    # Three zoom levels (thumbnails and titles appear as it zooms), the legend in a strip of its own.
    view = win.map_view
    for level, factor in (("near", 4.0), ("close", 4.0)):
        view.zoom_by(factor)
        shoot(win, f"map-{level}")
    view.fit()
    assert not win.map_view.arranging


def test_arithmetic_on_the_map_and_a_search_that_keeps_it(qtbot: QtBot, sample_library: Path) -> None:
    """With the map shown, Ctrl+F and a search keep the map and light the results up on it; an
    expression is drawn on it (terms, arrows, the result ringed with its answers)."""
    win = open_window(qtbot, sample_library)
    win.map_button.setChecked(True)
    qtbot.waitUntil(lambda: win.map_view.the_map is not None and not win.map_view.arranging, timeout=60_000)
    win.actions_by_name["Find"].trigger()
    assert win.map_button.isChecked() and win.search_field.hasFocus()
    hits = search(qtbot, win, "stars and planets")
    assert win.map_button.isChecked() and win.views.currentIndex() == 1
    assert win.map_view.highlighted and "lit on the map" in win.map_status.text()
    assert len(win.map_view.highlighted) == len([h for h in hits if h.path in win.map_view._index])  # noqa: SLF001
    search(qtbot, win, "king - man + woman")
    qtbot.waitUntil(lambda: win.map_view.overlay is not None, timeout=WAIT_MS)
    overlay = win.map_view.overlay
    assert [t for t, _, _, _ in overlay.terms] == ["king", "man", "woman"] and overlay.words[0][0] == "queen"
    shoot(win, "map-arithmetic")
    search(qtbot, win, "moon")
    qtbot.waitUntil(lambda: win.map_view.overlay is None, timeout=WAIT_MS)


def test_the_map_by_date_and_as_the_library_grew(qtbot: QtBot, sample_library: Path) -> None:
    """Colour by date (oldest blue to newest orange, the legend saying when); the time slider shows
    the library as it was: files appear in the order they were made."""
    win = open_window(qtbot, sample_library)
    win.map_button.setChecked(True)
    qtbot.waitUntil(lambda: win.map_view.the_map is not None and not win.map_view.arranging, timeout=60_000)
    view = win.map_view
    win.map_colours.setCurrentIndex(win.map_colours.findData("date"))
    assert view.colour_mode == "date"
    colours = view._colours()  # noqa: SLF001
    made = view.made_times()
    oldest, newest = int(np.argmin(made)), int(np.argmax(made))
    assert tuple(colours[oldest][:3]) == DATE_COLOURS[0] and tuple(colours[newest][:3]) == DATE_COLOURS[1]
    shoot(win, "map-by-date")
    win.map_time.setValue(500)  # half way from the oldest file (lease.txt, 800 days ago) to the newest
    assert view.until is not None and "files made up to" in win.map_status.text()
    shown = int((made <= view.until).sum())
    assert shown == 1, shown  # only the lease: the others were made within the last day
    layer = view._points_layer()  # noqa: SLF001 - what is drawn: one dot's worth of pixels
    drawn = np.frombuffer(layer.constBits(), dtype=np.uint32)[: layer.width() * layer.height()]
    assert 0 < int((drawn != 0).sum()) < 200
    win.map_time.setValue(win.map_time.maximum())
    assert view.until is None
