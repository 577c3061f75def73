"""Everyday use of the window: the full-screen viewer and slideshow, choosing several results,
sorting, the thumbnail size, dragging files out, and layouts from 800×600 to 2560×1440. Each state
is saved as a screenshot in tests/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListView,
    QScrollArea,
    QWidget,
)
from pytestqt.qtbot import QtBot

from nearby.desktop.main_window import MainWindow
from nearby.desktop.viewer import Viewer
from tests.desktop.windows import SCREENSHOTS, WAIT_MS, names, open_window, search, shoot
from tests.documents import write_pdf


def viewer_of(win: MainWindow) -> Viewer:
    viewer = win.search.viewer
    assert viewer is not None and viewer.isVisible()
    return viewer


def shoot_widget(widget: QWidget, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    assert widget.grab().save(str(SCREENSHOTS / f"{name}.png"))


def test_a_keyboard_only_task(qtbot: QtBot, sample_library: Path) -> None:
    """Search → choose three photos → view them full screen → back → copy their paths, by keys alone."""
    win = open_window(qtbot, sample_library)
    qtbot.waitUntil(lambda: win.model.rowCount() > 0, timeout=WAIT_MS)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=WAIT_MS)
    QTest.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # Edit → Find
    assert win.search_field.hasFocus()
    QTest.keyClicks(win.search_field, "photos of animals")
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        QTest.keyClick(win.search_field, Qt.Key.Key_Return)
    assert win.search.showing_grid() and len(win.model.hits) >= 3  # horse, cat, moon: all photos
    QTest.keyClick(win.search_field, Qt.Key.Key_Down)  # to the results, the first chosen
    assert win.results.hasFocus()
    for _ in range(2):
        QTest.keyClick(win.results, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    chosen = win.search.selected_hits()
    assert len(chosen) == 3 and {h.kind for h in chosen} == {"image"}
    QTest.keyClick(win.results, Qt.Key.Key_Space)  # full screen, on the current (third) photo
    viewer = viewer_of(win)
    assert viewer.hit.path == chosen[-1].path
    QTest.keyClick(viewer, Qt.Key.Key_Left)
    assert viewer.hit.path == chosen[1].path
    QTest.keyClick(viewer, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: win.search.viewer is None, timeout=WAIT_MS)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=WAIT_MS)
    assert win.search.current_hit is not None and win.search.current_hit.path == chosen[1].path  # the list followed
    # the viewer's move chose one file in the list; Shift+Home..  choose the three again by keys
    QTest.keyClick(win.results, Qt.Key.Key_Home)
    for _ in range(2):
        QTest.keyClick(win.results, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClick(win.results, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert QGuiApplication.clipboard().text().splitlines() == [h.path for h in chosen]
    assert win.statusBar().currentMessage() == "Copied 3 paths"


def test_the_viewer_shows_pictures_pdf_pages_and_documents(qtbot: QtBot, sample_library: Path,
                                                           tmp_path: Path) -> None:
    win = open_window(qtbot, sample_library)
    win.resize(1280, 800)
    search(qtbot, win, "space")  # the rocket, the moon, the astronaut… and a song, the licences
    win.search.view_full_screen()
    viewer = viewer_of(win)
    assert viewer.isFullScreen() and viewer.hit.kind == "image" and viewer.canvas.zoom is None
    qtbot.waitUntil(lambda: viewer.canvas.target() is not None, timeout=WAIT_MS)
    box, shown = viewer.canvas.target(), viewer.canvas
    assert box is not None
    # Fitted: the picture touches two opposite edges of the screen and stays inside it.
    assert box.left() >= -0.5 and box.top() >= -0.5 and box.right() <= shown.width() + 0.5
    assert abs(box.width() - shown.width()) < 1 or abs(box.height() - shown.height()) < 1
    qtbot.waitUntil(lambda: "fitted (" in viewer.caption.text(), timeout=WAIT_MS)
    shoot_widget(viewer, "viewer")
    QTest.keyClick(viewer, Qt.Key.Key_F)  # 100%: the picture's own pixels
    own = viewer.canvas.full_size()
    assert own is not None and viewer.canvas.zoom == 1.0 and "100%" in viewer.caption.text()
    box = viewer.canvas.target()
    assert box is not None and abs(box.width() * viewer.devicePixelRatioF() - own[0]) < 1
    QTest.keyClick(viewer, Qt.Key.Key_Plus)
    assert viewer.canvas.zoom == 1.25
    QTest.keyClick(viewer, Qt.Key.Key_F)
    assert viewer.canvas.zoom is None
    # The rows move with the viewer; a document shows its text with the query's words marked.
    QTest.keyClick(viewer, Qt.Key.Key_Escape)
    win.search.show_weaker()
    win.search.view_full_screen()
    viewer = viewer_of(win)
    document = next(i for i, h in enumerate(win.model.hits) if h.kind == "document")
    viewer.show_row(document)
    assert win.search.current_hit is not None and win.search.current_hit.path == win.model.hits[document].path
    qtbot.waitUntil(lambda: len(viewer.text.toPlainText()) > 100, timeout=WAIT_MS)
    assert viewer.pages_stack.currentWidget() is viewer.text
    QTest.keyClick(viewer, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: win.search.viewer is None, timeout=WAIT_MS)
    # A PDF: its matching page drawn, Page Down to the next.
    pdf = sample_library / "sample" / "documents" / "report.pdf"
    write_pdf(pdf, ["The first page speaks of orchards and apples in the autumn.",
                    "The second page is about harbour cranes unloading ships at night."])
    with qtbot.waitSignal(win.indexing_finished, timeout=60_000):
        win.index_folders([str(pdf.parent)])
    try:
        hits = search(qtbot, win, "harbour cranes unloading ships")
        assert hits[0].name == "report.pdf" and hits[0].page == 2
        win.search.view_full_screen()
        viewer = viewer_of(win)
        assert viewer.page == 2
        qtbot.waitUntil(lambda: viewer.canvas.page is not None and viewer.pages == 2, timeout=WAIT_MS)
        assert "page 2 of 2" in viewer.caption.text()
        QTest.keyClick(viewer, Qt.Key.Key_PageUp)
        assert viewer.page == 1
        QTest.keyClick(viewer, Qt.Key.Key_PageUp)  # no page 0
        assert viewer.page == 1
        QTest.keyClick(viewer, Qt.Key.Key_Space)  # Space closes, as it opened
        qtbot.waitUntil(lambda: win.search.viewer is None, timeout=WAIT_MS)
    finally:
        pdf.unlink()
        with qtbot.waitSignal(win.indexing_finished, timeout=60_000):
            win.index_folders([str(pdf.parent)])


def test_a_slideshow_steps_through_the_pictures_only(qtbot: QtBot, sample_library: Path) -> None:
    win = open_window(qtbot, sample_library)
    search(qtbot, win, "space")
    pictures = [h.path for h in win.model.hits if h.kind == "image"]
    assert len(pictures) >= 3 and len(pictures) < len(win.model.hits)  # songs and documents among them
    win.results.setCurrentIndex(win.model.index(0))
    win.actions_by_name["Slideshow"].trigger()  # F9
    viewer = viewer_of(win)
    assert viewer.slideshow.isActive() and "Slideshow" in viewer.caption.text()
    viewer.slideshow.setInterval(200)  # (the person's pace is 4 s; the steps are the same)
    seen = [viewer.hit.path]
    viewer.moved.connect(lambda _row: seen.append(viewer.hit.path))
    qtbot.waitUntil(lambda: not viewer.slideshow.isActive(), timeout=WAIT_MS)  # it ends at the last picture
    assert seen == pictures, "every picture once, in order, nothing else"
    shoot_widget(viewer, "slideshow")
    QTest.keyClick(viewer, Qt.Key.Key_Escape)


def test_choosing_several_results_and_acting_on_them(qtbot: QtBot, sample_library: Path) -> None:
    win = open_window(qtbot, sample_library)
    search(qtbot, win, "space")
    photos = [i for i, h in enumerate(win.model.hits) if h.kind == "image"][:3]
    model = win.results.selectionModel()
    win.results.setCurrentIndex(win.model.index(photos[0]))
    for row in photos[1:]:  # Ctrl+click
        model.setCurrentIndex(win.model.index(row), QItemSelectionModel.SelectionFlag.Select)
    chosen = win.search.selected_hits()
    assert [h.path for h in chosen] == [win.model.hits[r].path for r in photos]
    assert win.search.detail.hit is not None and win.search.detail.hit.path == chosen[-1].path  # the last clicked
    assert "3 chosen" in win.statusBar().currentMessage()
    shoot(win, "multi-selection")
    # Dragged out: the files as URLs (a file manager copies them; nothing moves).
    data = win.model.mimeData([win.model.index(r) for r in photos])
    assert [u.toLocalFile() for u in data.urls()] == [h.path for h in chosen]
    assert win.model.supportedDragActions() == Qt.DropAction.CopyAction
    assert win.model.flags(win.model.index(photos[0])) & Qt.ItemFlag.ItemIsDragEnabled
    for mode in ("grid", "list", "auto"):  # (QListView turns dragging off as either layout is set)
        win.search.set_view_mode(mode)
        assert win.results.dragEnabled() and win.results.dragDropMode() == QListView.DragDropMode.DragOnly, mode
    # Find similar of several: their mean, none of them among the answers; Back returns.
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        win.actions_by_name["Find Similar"].trigger()
    assert "these 3" in win.caption.text() or "similar to 3 files" in win.caption.text()
    win.search.show_weaker()
    assert win.model.hits and not {h.path for h in win.model.hits} & {h.path for h in chosen}
    assert {h.kind for h in win.model.hits} == {"image"}
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        win.back_action.trigger()
    assert win.search_field.text() == "space"
    # Add to mix: each a term of the expression.
    win.results.setCurrentIndex(win.model.index(photos[0]))
    model.setCurrentIndex(win.model.index(photos[1]), QItemSelectionModel.SelectionFlag.Select)
    win.actions_by_name["Add to Mix"].trigger()
    expression = win.search_field.text()
    assert all(win.model.hits[r].name in expression for r in photos[:2]), expression


def test_sort_orders_and_the_thumbnail_size(qtbot: QtBot, sample_library: Path) -> None:
    win = open_window(qtbot, sample_library)
    search(qtbot, win, "space")
    found = names(win)
    win.search.sort_box.setCurrentIndex(win.search.sort_box.findData("name"))
    assert names(win) == sorted(found, key=str.casefold)
    win.search.set_sort("size")
    sizes = [Path(h.path).stat().st_size for h in win.model.hits]
    assert sizes == sorted(sizes, reverse=True)
    win.search.set_sort("oldest")
    times = [Path(h.path).stat().st_mtime for h in win.model.hits]
    assert times == sorted(times)
    win.search.set_sort("newest")
    assert [Path(h.path).stat().st_mtime for h in win.model.hits] == sorted(times, reverse=True)
    win.search.set_sort("relevance")
    assert names(win) == found
    # The grid's tiles follow the slider and Ctrl+wheel, within its range.
    win.search.set_view_mode("grid")
    small = win.search.grid_delegate.side
    win.search.size_slider.setValue(360)
    large = win.search.grid_delegate.side
    assert large > small * 1.5
    win.results.zoomed.emit(-3)
    assert win.search.size_slider.value() == 360 - 72 and win.search.grid_delegate.side < large
    win.search.size_slider.setValue(10_000)
    assert win.search.size_slider.value() == win.search.size_slider.maximum()
    win.search.set_view_mode("auto")


def _ancestors(widget: QWidget) -> list[QWidget]:
    out, parent = [], widget.parentWidget()
    while parent is not None:
        out.append(parent)
        parent = parent.parentWidget()
    return out


def _clipped_or_overlapping(win: MainWindow) -> list[str]:
    """Visible controls and texts cut by the window's edge, labels shorter than their wrapped text
    needs, and controls of one row drawn over each other."""
    problems = []
    window = win.rect()
    controls = [w for w in win.findChildren(QWidget) if w.isVisible() and isinstance(w, QAbstractButton | QComboBox |
                                                                                         QLineEdit | QLabel)]
    for widget in controls:
        box = widget.rect().translated(widget.mapTo(win, QPoint(0, 0)))
        scrolled = next((a for a in _ancestors(widget) if isinstance(a, QScrollArea)), None)
        if scrolled is not None:  # reached by scrolling down: only its width must fit
            area = scrolled.viewport().rect().translated(scrolled.viewport().mapTo(win, QPoint(0, 0)))
            if box.left() < area.left() or box.right() > area.right():
                problems.append(f"{type(widget).__name__} {widget.accessibleName()} at {box} wider than its pane "
                                f"{area}")
        elif not window.contains(box) and widget.window() is win:
            problems.append(f"{type(widget).__name__} {widget.objectName() or widget.accessibleName()} at {box} "
                            f"leaves the window {window}")
        if isinstance(widget, QLabel) and widget.wordWrap() and widget.text() and \
                widget.height() < widget.heightForWidth(widget.width()):
            needs = widget.heightForWidth(widget.width())
            problems.append(f"label {widget.text()[:30]!r} cut: {widget.height()} < {needs}")
    rows: dict[int, list[tuple[int, int, str]]] = {}
    for widget in controls:
        if isinstance(widget, QAbstractButton | QComboBox | QLineEdit) and widget.parent() is not None \
                and not isinstance(widget.parent(), QLineEdit | QComboBox):
            at = widget.mapTo(win, QPoint(0, 0))
            rows.setdefault(at.y() // 8, []).append((at.x(), at.x() + widget.width(), widget.accessibleName()))
    for row in rows.values():
        row.sort()
        for (_, end, name), (start, _, other) in zip(row, row[1:], strict=False):
            if start < end:
                problems.append(f"{name} and {other} overlap")
    return problems


def test_layouts_from_800x600_to_4k(qtbot: QtBot, sample_library: Path) -> None:
    """A 13-inch laptop at 125% is about 1100 px wide; 800×600 must still work: nothing clipped or
    overlapping; the detail pane goes below the results when the window is narrow."""
    win = open_window(qtbot, sample_library)
    assert win.minimumSizeHint().width() <= 800 and win.minimumSizeHint().height() <= 600
    search(qtbot, win, "when is the deposit returned")
    for (width, height), name in (((800, 600), "small-800x600"), ((1180, 760), None),
                                  ((2560, 1440), "large-2560x1440"), ((3840, 2160), None)):
        win.resize(width, height)
        qtbot.waitUntil(lambda w=width, h=height: win.size().width() == w and win.size().height() == h,
                        timeout=WAIT_MS)
        QApplication.processEvents()
        assert not _clipped_or_overlapping(win), (width, _clipped_or_overlapping(win))
        narrow = width < 1000
        assert (win.search.splitter.orientation() == Qt.Orientation.Vertical) == narrow
        results, detail = win.results.geometry(), win.search.detail_area.geometry()
        assert results.height() >= 150 and detail.height() >= 150 and results.width() >= 300
        if name:
            shoot(win, name)


def test_opening_many_chosen_files_stops_at_a_dozen(qtbot: QtBot, sample_library: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl+A then Open: at most OPEN_AT_ONCE files open in their applications, and it says so."""
    from PySide6.QtGui import QDesktopServices

    from nearby.desktop.search_view import OPEN_AT_ONCE

    win = open_window(qtbot, sample_library)
    qtbot.waitUntil(lambda: win.model.rowCount() > OPEN_AT_ONCE, timeout=WAIT_MS)  # browsing: all 26 files
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toLocalFile()) or True))
    win.results.setFocus()
    win.actions_by_name["Select All Results"].trigger()
    assert len(win.search.selected_hits()) == win.model.rowCount()
    win.actions_by_name["Open"].trigger()
    assert opened == [h.path for h in win.search.selected_hits()][:OPEN_AT_ONCE]
    assert f"first {OPEN_AT_ONCE} of {win.model.rowCount()}" in win.statusBar().currentMessage()
    win.results.clearSelection()
    win.results.setCurrentIndex(win.model.index(2))
    opened.clear()
    win.actions_by_name["Open"].trigger()
    assert opened == [win.model.hits[2].path]
