"""The map view with pytest-qt: drawing, selection, lasso, highlights, lines and PNG export."""

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from nearby.core.mapping.similarity_map import Cluster, MapPoint, SimilarityMap
from nearby.desktop.map_view import MapView


def grid_map(n_side: int = 20) -> SimilarityMap:
    points = tuple(MapPoint(i, f"/lib/{i}.txt", "document" if i % 3 else "image", f"file {i}",
                            float(i % n_side), float(i // n_side), int(i % n_side >= n_side // 2))
                   for i in range(n_side * n_side))
    clusters = (Cluster(0, "left half", len(points) // 2, n_side / 4, n_side / 2),
                Cluster(1, "right half", len(points) // 2, 3 * n_side / 4, n_side / 2))
    return SimilarityMap("all", "test", points, clusters)


def view(qtbot: QtBot) -> MapView:
    v = MapView()
    qtbot.addWidget(v)
    v.resize(600, 600)
    v.show()
    v.set_map(grid_map())
    return v


def test_points_are_drawn_and_a_click_selects_the_point_under_it(qtbot: QtBot) -> None:
    v = view(qtbot)
    image = v.grab().toImage()
    assert not image.isNull()
    pts = v.screen_points()
    target = pts[42]
    with qtbot.waitSignal(v.point_selected) as picked:
        qtbot.mouseClick(v, Qt.MouseButton.LeftButton, pos=QPointF(*target).toPoint())
    assert picked.args[0].path == "/lib/42.txt"
    with qtbot.waitSignal(v.point_opened) as opened:
        qtbot.mouseDClick(v, Qt.MouseButton.LeftButton, pos=QPointF(*target).toPoint())
    assert opened.args[0].path == "/lib/42.txt"


def test_a_lasso_selects_the_files_inside_it(qtbot: QtBot) -> None:
    v = view(qtbot)
    pts = v.screen_points()
    lo, hi = pts[0], pts[21]  # the square around the first 2 × 2 points
    polygon = [QPointF(lo[0] - 3, lo[1] - 3), QPointF(hi[0] + 3, lo[1] - 3), QPointF(hi[0] + 3, hi[1] + 3),
               QPointF(lo[0] - 3, hi[1] + 3)]
    with qtbot.waitSignal(v.lasso_selected) as chosen:
        v.select_polygon(polygon)
    assert sorted(p.path for p in chosen.args[0]) == ["/lib/0.txt", "/lib/1.txt", "/lib/20.txt", "/lib/21.txt"]


def test_highlights_fit_the_view_and_lines_are_drawn(qtbot: QtBot) -> None:
    v = view(qtbot)
    v.highlight(["/lib/0.txt", "/lib/1.txt", "/missing.txt"])
    assert v.highlighted == {"/lib/0.txt", "/lib/1.txt"} and v.zoom > 5, "the view zoomed onto them"
    v.set_lines([("/lib/0.txt", "/lib/1.txt"), ("/lib/0.txt", "/nowhere")])
    assert v.lines == [("/lib/0.txt", "/lib/1.txt")]
    assert not v.grab().isNull()


def test_zoom_keeps_the_point_under_the_pointer_and_exports_a_png(qtbot: QtBot, tmp_path: Path) -> None:
    v = view(qtbot)
    before = v.screen_points()[210].copy()
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent

    event = QWheelEvent(QPointF(*before), QPointF(*before), QPoint(0, 0), QPoint(0, 240), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    v.wheelEvent(event)
    assert v.zoom > 1.5 and np.allclose(v.screen_points()[210], before, atol=0.5)
    out = tmp_path / "map.png"
    assert v.export_png(out) and not QImage(str(out)).isNull()


def test_the_window_opens_the_map_and_a_lasso_lists_its_files(qtbot: QtBot, tmp_path: Path) -> None:
    from nearby.core.library import Library
    from nearby.core.progress import run_to_end
    from nearby.desktop.main_window import MainWindow
    from tests.fakes import FakeEmbedder

    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(12):
        topic = "apple orchard" if i < 6 else "rocket orbit"
        (docs / f"{topic.split()[0]}{i}.txt").write_text(f"{topic} " * 5)
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    run_to_end(library.index([docs]))
    win = MainWindow(library, update_on_start=False)
    qtbot.addWidget(win)
    win.resize(900, 700)
    win.show()
    win.map_button.setChecked(True)
    qtbot.waitUntil(lambda: win.map_view.the_map is not None and len(win.map_view.the_map.points) == 12,
                    timeout=60_000)
    assert win.views.currentIndex() == 1
    pts = win.map_view.screen_points()
    lo, hi = pts.min(axis=0) - 5, pts.max(axis=0) + 5
    win.map_view.select_polygon([QPointF(lo[0], lo[1]), QPointF(hi[0], lo[1]), QPointF(hi[0], hi[1]),
                                 QPointF(lo[0], hi[1])])
    assert win.views.currentIndex() == 0 and win.model.rowCount() == 12
    assert "chosen on the map" in win.caption.text()
    # Chosen, not ranked: no score on the rows nor a "Match" in the pane, whatever query came before.
    detail = win.search.detail
    qtbot.waitUntil(lambda: detail.facts.rowCount() > 2, timeout=10_000)
    labels = [detail.facts.itemAt(r, detail.facts.ItemRole.LabelRole).widget().text()
              for r in range(detail.facts.rowCount())]
    assert "Match" not in labels and all(h.score == 0 for h in win.model.hits)


def test_the_keyboard_walks_the_points_zooms_and_opens(qtbot: QtBot) -> None:
    v = view(qtbot)
    v.setFocus()
    with qtbot.waitSignal(v.point_selected) as first:
        qtbot.keyClick(v, Qt.Key.Key_Right)
    start = first.args[0]
    assert start.path in {"/lib/189.txt", "/lib/190.txt", "/lib/209.txt", "/lib/210.txt"}, "the file nearest the centre"
    moves = {Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Down: (0, 1), Qt.Key.Key_Up: (0, -1)}
    here = start
    for key, (dx, dy) in moves.items():
        with qtbot.waitSignal(v.point_selected) as moved:
            qtbot.keyClick(v, key)
        there = moved.args[0]
        assert (there.x - here.x, there.y - here.y) == (dx, dy), f"{key} went to the next file that way"
        here = there
    v.selected = v.the_map.points[0]  # the top-left corner: nothing further left
    with qtbot.assertNotEmitted(v.point_selected):
        qtbot.keyClick(v, Qt.Key.Key_Left)
    zoom = v.zoom
    qtbot.keyClick(v, Qt.Key.Key_Plus)
    assert v.zoom > zoom
    qtbot.keyClick(v, Qt.Key.Key_0)
    assert v.zoom == pytest.approx(zoom, rel=0.01), "0 shows the whole map again"
    with qtbot.waitSignal(v.point_opened) as opened:
        qtbot.keyClick(v, Qt.Key.Key_Return)
    assert opened.args[0].path == "/lib/0.txt"
