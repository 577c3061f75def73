"""The map view: the whole library as one zoomable picture of points.

No item per point: the points are rasterised with numpy into one image (a few milliseconds for
100k points), which panning only moves and zooming redraws; names, highlights, lines and the
lasso are painted on top. Hover shows a file's title, click selects it, double-click opens it,
Shift+drag draws a lasso whose files become a result list.
"""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QToolTip, QWidget

from nearby.core.mapping.arithmetic_overlay import Overlay
from nearby.core.mapping.similarity_map import MapPoint, SimilarityMap
from nearby.desktop.thumbnails import pictures

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac", "#1f77b4", "#8c564b")
KIND_COLOURS = {"document": "#3b6fd4", "image": "#2e9e6b", "song": "#b5562f"}
MARGIN = 30
HOVER_PX = 8  # a point this close to the pointer is the one under it
DRAG_PX = 4  # a press that moves less than this is a click, not a pan
TITLES_AT_ZOOM = 6.0  # past this zoom, titles (and small thumbnails) appear beside the points in view
THUMBNAILS_AT_ZOOM = 12.0  # past this, thumbnails are drawn full size
THUMBNAIL_PX = 64
LEGEND_GROUPS = 8
FEW = 60  # files: a map of this few shows titles and thumbnails without zooming in
SPARSE = 500  # files: at most this many get big dots
CROWDED = 20_000  # points past which the zoomed-out dots are drawn smaller
MAX_TITLES = 150
# Search hits, the lasso and an expression's answers: a colour none of the groups or kinds uses.
LIT = "#ff1f8e"
TERM_COLOURS = {1: "#1a7f37", -1: "#c62828"}  # an added term, a subtracted one
ANSWER_WORDS_SHOWN = 5
DATE_COLOURS = ((192, 76, 59), (48, 160, 240))  # BGR: the oldest files (blue), the newest (orange)


class MapView(QWidget):
    """Draws a SimilarityMap; emits what the person points at, selects and opens."""

    point_selected = Signal(object)  # MapPoint
    point_opened = Signal(object)  # MapPoint
    lasso_selected = Signal(list)  # list[MapPoint]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # arrows walk the points, Enter opens one
        self.setMinimumSize(320, 240)
        self.setAccessibleName("Similarity map")
        self.setAccessibleDescription("Arrow keys move to the nearest file in that direction, Enter opens it, "
                                      "+ and - zoom, 0 shows the whole map.")
        pictures().ready.connect(self._picture_ready)  # a method: disconnected when the view goes
        self.the_map: SimilarityMap | None = None
        self.colour_mode = "cluster"
        self.arranging = False  # a layout is being made: say so where the map will be, not "no map yet"
        self.until: float | None = None  # the time slider: files made after this are not drawn
        self._made_cache = np.zeros(0)
        self._made_of: SimilarityMap | None = None
        self.zoom, self.offset = 1.0, QPointF(0, 0)  # screen = base(world) * zoom + offset
        self.selected: MapPoint | None = None
        self.highlighted: set[str] = set()
        self.lines: list[tuple[str, str]] = []  # (from path, to path): similar files, arithmetic arrows
        self.overlay: Overlay | None = None  # an expression drawn on the map (terms, result, answers)
        self._xy: np.ndarray = np.zeros((0, 2), dtype=np.float32)
        self._index: dict[str, int] = {}  # path → row
        self._bounds: tuple[np.ndarray, np.ndarray] | None = None
        self._layer: QImage | None = None
        self._colour_rows = np.zeros((0, 4), dtype=np.uint8)
        self._colour_key: tuple[Any, ...] = ()
        self._base_cache: tuple[tuple[int, int, int], np.ndarray] | None = None
        self._layer_key: tuple[Any, ...] = ()
        self._press: QPointF | None = None
        self._lasso: list[QPointF] = []

    # -- what is shown ------------------------------------------------------------------------

    def set_map(self, the_map: SimilarityMap | None) -> None:
        self.the_map = the_map
        points = the_map.points if the_map else ()
        self._xy = np.array([[p.x, p.y] for p in points], dtype=np.float32).reshape(-1, 2)
        self._index = {p.path: i for i, p in enumerate(the_map.points)} if the_map else {}
        self._bounds = None
        self.zoom, self.offset = 1.0, QPointF(0, 0)
        self._layer = None
        self.update()

    def _picture_ready(self, _path: str) -> None:
        self.update()

    def made_times(self) -> np.ndarray:
        """When each point's file was made (epoch seconds), in the map's order (cached per map)."""
        if self._made_of is not self.the_map:
            points = self.the_map.points if self.the_map else ()
            self._made_cache = np.fromiter((p.made for p in points), dtype=np.float64, count=len(points))
            self._made_of = self.the_map
        return self._made_cache

    def date_range(self) -> tuple[float, float]:
        """When the map's oldest and newest files were made (0, 0 for an empty map)."""
        made = self.made_times()
        return (float(made.min()), float(made.max())) if len(made) else (0.0, 0.0)

    def set_until(self, until: float | None) -> None:
        """Show only the files made up to this time (None: all of them), as the library grew."""
        self.until = until
        self.update()

    def set_colour_mode(self, mode: str) -> None:
        self.colour_mode = mode
        self._layer = None
        self.update()

    def highlight(self, paths: list[str], fit: bool = True) -> None:
        """Light up these files (a search's results); the view fits them."""
        self.highlighted = {p for p in paths if p in self._index}
        if fit and self.highlighted:
            self.fit([self._index[p] for p in self.highlighted])
        self.update()

    def set_overlay(self, overlay: Overlay | None) -> None:
        """Draw an expression on the map (None: take it off); the view shows the whole map and it."""
        self.overlay = overlay
        if overlay is not None and len(self._xy):
            spots = np.array([(x, y) for _, _, x, y in overlay.terms] + [overlay.result], dtype=np.float32)
            self._fit_base(np.concatenate([self._base(self._xy), self._base(spots)]))
        self.update()

    def set_lines(self, lines: list[tuple[str, str]]) -> None:
        """Lines from one file to others (find similar) or arrows from terms to an answer."""
        self.lines = [(a, b) for a, b in lines if a in self._index and b in self._index]
        self.update()

    def fit(self, rows: list[int] | None = None) -> None:
        """Zoom so that these points (default: all) fill the view."""
        if not len(self._xy):
            return
        self._fit_base(self._base(self._xy if rows is None else self._xy[rows]))

    def _fit_base(self, base: np.ndarray) -> None:
        """Zoom and pan so that these unzoomed screen points fill the view."""
        lo, hi = base.min(axis=0), base.max(axis=0)
        span = np.maximum(hi - lo, 1.0)  # each axis on its own: a wide map in a wide window fills it
        self.zoom = float(np.clip(min((self.width() - 2 * MARGIN) / span[0], (self.height() - 2 * MARGIN) / span[1]),
                                  0.2, 200))
        centre = (lo + hi) / 2 * self.zoom
        self.offset = QPointF(self.width() / 2 - centre[0], self.height() / 2 - centre[1])
        self.update()

    def export_png(self, path: str | Path) -> bool:
        return self.grab().save(str(path), "PNG")

    # -- geometry -----------------------------------------------------------------------------

    def _base(self, xy: np.ndarray) -> np.ndarray:
        """World → unzoomed screen pixels: the whole map fitted into the widget."""
        if not len(self._xy):
            return xy
        if self._bounds is None:  # once per map: a min and max over 100k points cost ~6 ms a frame
            self._bounds = (self._xy.min(axis=0), self._xy.max(axis=0))
        lo, hi = self._bounds
        scale = min((self.width() - 2 * MARGIN) / max(float(hi[0] - lo[0]), 1e-9),
                    (self.height() - 2 * MARGIN) / max(float(hi[1] - lo[1]), 1e-9))
        return (xy - lo) * scale + MARGIN

    def screen_points(self) -> np.ndarray:
        """Every point's place on screen now (the unzoomed places are cached per map and size)."""
        key = (id(self.the_map), self.width(), self.height())
        if self._base_cache is None or self._base_cache[0] != key:
            self._base_cache = (key, self._base(self._xy).astype(np.float32))
        offset = np.array([self.offset.x(), self.offset.y()], dtype=np.float32)
        return self._base_cache[1] * np.float32(self.zoom) + offset

    def point_at(self, where: QPointF) -> int | None:
        if not len(self._xy):
            return None
        d2 = ((self.screen_points() - np.array([where.x(), where.y()])) ** 2).sum(axis=1)
        row = int(np.argmin(d2))
        return row if d2[row] <= HOVER_PX**2 else None

    def select_polygon(self, polygon: list[QPointF]) -> list[MapPoint]:
        """The points inside a screen polygon (ray casting, vectorised), emitted as a selection."""
        if self.the_map is None or len(polygon) < 3:
            return []
        pts = self.screen_points()
        poly = np.array([[p.x(), p.y()] for p in polygon])
        inside = np.zeros(len(pts), dtype=bool)
        x, y = pts[:, 0], pts[:, 1]
        for (x1, y1), (x2, y2) in zip(poly, np.roll(poly, -1, axis=0), strict=True):
            crosses = ((y1 > y) != (y2 > y)) & (x < (x2 - x1) * (y - y1) / ((y2 - y1) or 1e-12) + x1)
            inside ^= crosses
        chosen = [self.the_map.points[i] for i in np.flatnonzero(inside)]
        self.lasso_selected.emit(chosen)
        return chosen

    # -- drawing ------------------------------------------------------------------------------

    def _colours(self) -> np.ndarray:
        """Each point's colour as BGRA bytes (what a 32-bit QImage holds), cached per map and mode."""
        key = (id(self.the_map), self.colour_mode)
        if self._colour_key != key:
            assert self.the_map is not None
            if self.colour_mode == "date":  # oldest blue to newest orange, by rank (a few old files do not squash it)
                made = np.fromiter((p.made for p in self.the_map.points), dtype=np.float64, count=len(self._xy))
                share = np.argsort(np.argsort(made, kind="stable"), kind="stable") / max(len(made) - 1, 1)
                old_c, new_c = np.array(DATE_COLOURS[0], dtype=np.float64), np.array(DATE_COLOURS[1], dtype=np.float64)
                bgr = old_c[None, :] + (new_c - old_c)[None, :] * share[:, None]
                rows = np.concatenate([bgr, np.full((len(made), 1), 255.0)], axis=1).astype(np.uint8)
            elif self.colour_mode == "kind":
                kinds = np.array([p.kind for p in self.the_map.points])
                table = {k: QColor(v) for k, v in KIND_COLOURS.items()}
                rows = np.zeros((len(kinds), 4), dtype=np.uint8)
                rows[:] = (136, 136, 136, 255)
                for kind, colour in table.items():
                    rows[kinds == kind] = (colour.blue(), colour.green(), colour.red(), 255)
            else:
                palette = np.array([(c.blue(), c.green(), c.red(), 255) for c in map(QColor, PALETTE)], dtype=np.uint8)
                clusters = np.fromiter((p.cluster for p in self.the_map.points), dtype=np.int64, count=len(self._xy))
                rows = palette[clusters % len(palette)]
            self._colour_rows, self._colour_key = rows, key
        return self._colour_rows

    def _points_layer(self) -> QImage:
        """The points in view, rasterised with numpy into one image the size of the view: a few
        milliseconds for 100k points, so every pan and zoom frame is drawn afresh."""
        key = (self.width(), self.height(), round(self.zoom, 4), round(self.offset.x(), 2),
               round(self.offset.y(), 2), self.colour_mode, id(self.the_map), self.until)
        if self._layer is not None and self._layer_key == key:
            return self._layer
        width, height = max(self.width(), 1), max(self.height(), 1)
        # Dots grow as you zoom in; a crowded map starts with smaller ones (and fewer writes a frame),
        # a small library with dots big enough to see and click.
        n = len(self._xy)
        base = 5 if n <= SPARSE else 3 if n <= 10 * SPARSE else 2 if n <= CROWDED else 1
        radius = base + (self.zoom >= 2) + (self.zoom >= 8)
        pad = 2 * radius  # a border wide enough that no dot needs a bounds check
        full_w, full_h = width + 2 * pad, height + 2 * pad
        buffer = np.zeros(full_h * full_w, dtype=np.uint32)
        at = np.round(self.screen_points()).astype(np.int64)
        inside = (at[:, 0] >= -radius) & (at[:, 1] >= -radius) & (at[:, 0] < width + radius) \
            & (at[:, 1] < height + radius)
        if self.until is not None and self.the_map is not None:  # the library as it was then
            inside &= self.made_times() <= self.until
        centres = (at[inside, 1] + pad) * full_w + (at[inside, 0] + pad)
        colours = self._colours()[inside].view(np.uint32).ravel()
        for dx in range(-radius, radius + 1):
            for dy in range(-radius, radius + 1):
                if dx * dx + dy * dy <= radius * radius:
                    buffer[centres + dy * full_w + dx] = colours
        whole = QImage(buffer.data, full_w, full_h, 4 * full_w, QImage.Format.Format_ARGB32_Premultiplied)
        self._layer = whole.copy(pad, pad, width, height)
        self._layer_key = key
        return self._layer

    def paintEvent(self, event: Any) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().base())
        if self.the_map is None or not len(self._xy):
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Arranging the map…" if self.arranging
                             else "No map yet: add a folder, then open the map.")
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.drawImage(0, 0, self._points_layer())
        pts = self.screen_points()
        self._draw_lines(painter, pts)
        self._draw_highlights(painter, pts)
        self._draw_titles(painter, pts)
        legend = self._draw_legend(painter)
        self._draw_cluster_names(painter, [legend])
        self._draw_overlay(painter)
        if self._lasso:
            painter.setPen(QPen(QColor("#333333"), 1, Qt.PenStyle.DashLine))
            path = QPainterPath(self._lasso[0])
            for p in self._lasso[1:]:
                path.lineTo(p)
            painter.drawPath(path)

    def _draw_lines(self, painter: QPainter, pts: np.ndarray) -> None:
        painter.setPen(QPen(QColor(40, 40, 40, 150), 1.5))
        for a, b in self.lines:
            pa, pb = pts[self._index[a]], pts[self._index[b]]
            painter.drawLine(QPointF(*pa), QPointF(*pb))
            direction = (pb - pa) / max(float(np.linalg.norm(pb - pa)), 1e-6)
            side = np.array([-direction[1], direction[0]])
            for tip in (pb - 9 * direction + 4 * side, pb - 9 * direction - 4 * side):  # an arrow head
                painter.drawLine(QPointF(*pb), QPointF(*tip))

    def _draw_highlights(self, painter: QPainter, pts: np.ndarray) -> None:
        painter.setPen(QPen(QColor("white"), 2))
        painter.setBrush(QColor(LIT))
        for path in self.highlighted:
            x, y = pts[self._index[path]]
            painter.drawEllipse(QPointF(x, y), 6, 6)
        if self.selected is not None and self.selected.path in self._index:
            x, y = pts[self._index[self.selected.path]]
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(self.palette().highlight().color(), 3))
            painter.drawEllipse(QPointF(x, y), 10, 10)

    def _draw_titles(self, painter: QPainter, pts: np.ndarray) -> None:
        """Zoomed in (level of detail): pictures as thumbnails, other files with their titles."""
        if self.the_map is None or (self.zoom < TITLES_AT_ZOOM and len(self._xy) > FEW):
            return
        visible = np.flatnonzero((pts[:, 0] > 0) & (pts[:, 1] > 0) & (pts[:, 0] < self.width())
                                 & (pts[:, 1] < self.height()))[:MAX_TITLES]
        painter.setPen(self.palette().text().color())
        metrics = QFontMetrics(self.font())
        side = THUMBNAIL_PX if self.zoom >= THUMBNAILS_AT_ZOOM else THUMBNAIL_PX // 2
        for i in visible:
            point = self.the_map.points[i]
            x, y = float(pts[i][0]), float(pts[i][1])
            # Decoded in the background (a zoomed-in map shows hundreds); the title until it is.
            pixmap = pictures().get(point.thumbnail, 2 * THUMBNAIL_PX) if point.kind == "image" else None
            if pixmap is not None and not pixmap.isNull():
                scaled = pixmap.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation)
                painter.drawPixmap(int(x - scaled.width() / 2), int(y - scaled.height() - 6), scaled)
                continue
            text = metrics.elidedText(point.title or Path(point.path).name, Qt.TextElideMode.ElideRight, 160)
            painter.drawText(QPointF(x + 6, y + 4), text)

    def _draw_cluster_names(self, painter: QPainter, kept_clear: list[QRectF]) -> None:
        """Group names at their centres, the biggest first; more appear as you zoom in (no overlaps,
        nothing over the legend)."""
        if self.the_map is None:
            return
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        taken: list[QRectF] = list(kept_clear)
        base = self._base(np.array([[c.x, c.y] for c in self.the_map.clusters], dtype=np.float32))
        for c, b in sorted(zip(self.the_map.clusters, base, strict=True), key=lambda cb: -cb[0].size):
            x, y = b * self.zoom + np.array([self.offset.x(), self.offset.y()])
            width = metrics.horizontalAdvance(c.label) + 10
            left = float(np.clip(x - width / 2, 2, max(2.0, self.width() - width - 2)))  # kept inside the view
            box = QRectF(left, y - metrics.height() / 2 - 2, width, metrics.height() + 4)
            if any(box.intersects(t) for t in taken) or not self.rect().intersects(box.toRect()):
                continue
            taken.append(box)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255, 215))
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(QColor("#222222"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, c.label)
        painter.setFont(self.font())

    def _draw_legend(self, painter: QPainter) -> QRectF:
        """What the colours mean (the kinds, or the biggest groups), in a strip of its own at the
        bottom left that group names keep clear of; returns where it is."""
        if self.colour_mode == "kind":
            entries = [(KIND_NAMES.get(k, k), c) for k, c in KIND_COLOURS.items()]
        elif self.colour_mode == "date":
            first, last = self.date_range()
            entries = [(f"oldest ({time.strftime('%b %Y', time.localtime(first))})", _hex(DATE_COLOURS[0])),
                       (f"newest ({time.strftime('%b %Y', time.localtime(last))})", _hex(DATE_COLOURS[1]))]
        else:
            groups = sorted(self.the_map.clusters, key=lambda c: -c.size)[:LEGEND_GROUPS] if self.the_map else []
            entries = [(c.label, PALETTE[c.id % len(PALETTE)]) for c in groups]
        if self.highlighted:
            entries.append(("found by the search", LIT))
        metrics = QFontMetrics(self.font())
        width = max((metrics.horizontalAdvance(name) for name, _ in entries), default=0) + 34
        box = QRectF(6, self.height() - 18 * len(entries) - 14, min(width, self.width() / 2), 18 * len(entries) + 8)
        if not entries:
            return QRectF()
        panel = QColor(self.palette().base().color())
        panel.setAlpha(225)
        painter.setPen(QPen(self.palette().mid().color(), 1))
        painter.setBrush(panel)
        painter.drawRoundedRect(box, 5, 5)
        y = box.top() + 13
        for name, colour in entries:
            painter.setBrush(QColor(colour))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(QPointF(box.left() + 12, y), 5, 5)
            painter.setPen(self.palette().text().color())
            painter.drawText(QPointF(box.left() + 24, y + 4),
                             metrics.elidedText(name, Qt.TextElideMode.ElideRight, int(box.width() - 30)))
            y += 18
        return box

    def _draw_overlay(self, painter: QPainter) -> None:
        """An expression on the map: arrows from each subtracted term to each added one, the terms as
        labelled diamonds, the result as a ring, the best answer words beside it, answer files lit."""
        overlay = self.overlay
        if overlay is None or self.the_map is None:
            return

        def screen(x: float, y: float) -> QPointF:
            b = self._base(np.array([[x, y]], dtype=np.float32))[0] * self.zoom
            return QPointF(float(b[0]) + self.offset.x(), float(b[1]) + self.offset.y())

        bold = QFont(self.font())
        bold.setBold(True)
        minus = [screen(x, y) for _, w, x, y in overlay.terms if w < 0]
        plus = [screen(x, y) for _, w, x, y in overlay.terms if w > 0]
        painter.setPen(QPen(QColor(60, 60, 60, 170), 1.5, Qt.PenStyle.DashLine))
        for a in minus:
            for b in plus:
                _arrow(painter, a, b)
        result = screen(*overlay.result)
        painter.setPen(QPen(QColor(LIT), 2))
        for b in plus:
            _arrow(painter, b, result)
        for _path, x, y in overlay.files:
            painter.setPen(QPen(QColor("white"), 2))
            painter.setBrush(QColor(LIT))
            painter.drawEllipse(screen(x, y), 6, 6)
        painter.setFont(bold)
        for text, weight, x, y in overlay.terms:
            at = screen(x, y)
            colour = QColor(TERM_COLOURS[1 if weight > 0 else -1])
            painter.setPen(QPen(QColor("white"), 1.5))
            painter.setBrush(colour)
            painter.drawPolygon([at + QPointF(0, -8), at + QPointF(8, 0), at + QPointF(0, 8), at + QPointF(-8, 0)])
            _label(painter, at + QPointF(10, 4), f"{'+' if weight > 0 else '−'}{text}", colour)
        painter.setPen(QPen(QColor(LIT), 3))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(result, 9, 9)
        # The answers lie about the result by their score, the best nearest: named beside it, best first.
        answers = ", ".join(w for w, _, _ in overlay.words[:ANSWER_WORDS_SHOWN])
        _label(painter, result + QPointF(12, -10), f"= {answers}" if answers else "= the result", QColor(LIT), bold)
        painter.setFont(self.font())

    # -- interaction --------------------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.zoom_by(1.25 ** (event.angleDelta().y() / 120), event.position())

    def zoom_by(self, factor: float, at: QPointF | None = None) -> None:
        """Zoom in (factor > 1) or out, keeping the point at ``at`` (default: the centre) in place."""
        new_zoom = float(np.clip(self.zoom * factor, 0.2, 400))
        at = QPointF(self.width() / 2, self.height() / 2) if at is None else at
        self.offset = at - (at - self.offset) * (new_zoom / self.zoom)  # the point under the pointer stays
        self.zoom = new_zoom
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        step = {Qt.Key.Key_Left: (-1.0, 0.0), Qt.Key.Key_Right: (1.0, 0.0),
                Qt.Key.Key_Up: (0.0, -1.0), Qt.Key.Key_Down: (0.0, 1.0)}.get(Qt.Key(key))
        if step is not None and self.the_map is not None and len(self._xy):
            self.step_selection(np.array(step, dtype=np.float32))
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.selected is not None:
            self.point_opened.emit(self.selected)
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.25, self._selected_place())
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(0.8, self._selected_place())
        elif key == Qt.Key.Key_0:
            self.zoom, self.offset = 1.0, QPointF(0, 0)  # the whole map, as it first opened
            self.update()
        else:
            super().keyPressEvent(event)

    def _selected_place(self) -> QPointF | None:
        if self.selected is None or self.selected.path not in self._index:
            return None
        return QPointF(*self.screen_points()[self._index[self.selected.path]])

    def step_selection(self, direction: np.ndarray) -> None:
        """Select the nearest file in a direction (within 60° of it) from the selected one, or the
        file nearest the centre when none is selected; the view follows it."""
        assert self.the_map is not None
        pts = self.screen_points()
        if self.selected is None or self.selected.path not in self._index:
            centre = np.array([self.width() / 2, self.height() / 2], dtype=np.float32)
            row = int(np.argmin(((pts - centre) ** 2).sum(axis=1)))
        else:
            here = self._index[self.selected.path]
            delta = pts - pts[here]
            along = delta @ direction
            distance = np.sqrt((delta ** 2).sum(axis=1))
            # Ahead and within 60° of the direction; off-axis files count as farther than they are.
            ahead = (along > 0.5) & (along >= 0.5 * distance)
            if not ahead.any():
                return
            cost = np.where(ahead, distance + 2.0 * np.sqrt(np.maximum(distance ** 2 - along ** 2, 0)), np.inf)
            row = int(np.argmin(cost))
        self.selected = self.the_map.points[row]
        x, y = (float(v) for v in pts[row])
        if not (MARGIN <= x <= self.width() - MARGIN and MARGIN <= y <= self.height() - MARGIN):
            self.offset += QPointF(self.width() / 2 - x, self.height() / 2 - y)  # bring it into view
        self.point_selected.emit(self.selected)
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position()
        self._press_offset = QPointF(self.offset)
        self._lasso = [event.position()] if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else []

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            if self._lasso:
                self._lasso.append(event.position())
            else:
                self.offset = self._press_offset + (event.position() - self._press)  # pan: only moves the image
            self.update()
            return
        row = self.point_at(event.position())
        if row is not None and self.the_map is not None:
            point = self.the_map.points[row]
            picture = f'<br><img src="{html.escape(point.thumbnail)}" width="{THUMBNAIL_PX * 2}">' \
                if point.kind == "image" and point.thumbnail else ""
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"<b>{html.escape(point.title or Path(point.path).name)}</b><br>"
                              f"{html.escape(point.path)}{picture}", self)
        else:
            QToolTip.hideText()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._lasso:
            self.select_polygon(self._lasso)
            self._lasso = []
        elif self._press is not None and (event.position() - self._press).manhattanLength() < DRAG_PX:
            row = self.point_at(event.position())
            if row is not None and self.the_map is not None:
                self.selected = self.the_map.points[row]
                self.point_selected.emit(self.selected)
        self._press = None
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        row = self.point_at(event.position())
        if row is not None and self.the_map is not None:
            self.point_opened.emit(self.the_map.points[row])


KIND_NAMES = {"document": "documents", "image": "photos", "song": "songs"}


def _arrow(painter: QPainter, a: QPointF, b: QPointF) -> None:
    painter.drawLine(a, b)
    d = np.array([b.x() - a.x(), b.y() - a.y()])
    d = d / max(float(np.linalg.norm(d)), 1e-6)
    side = np.array([-d[1], d[0]])
    tip = np.array([b.x(), b.y()]) - 11 * d
    for head in (tip + 5 * side, tip - 5 * side):
        painter.drawLine(b, QPointF(float(head[0]), float(head[1])))


def _label(painter: QPainter, at: QPointF, text: str, colour: QColor, font: QFont | None = None) -> None:
    """Text on a pale pill, readable over the dots."""
    if font is not None:
        painter.setFont(font)
    metrics = QFontMetrics(painter.font())
    box = QRectF(at.x() - 3, at.y() - metrics.ascent() - 2, metrics.horizontalAdvance(text) + 6,
                 metrics.height() + 3)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(255, 255, 255, 220))
    painter.drawRoundedRect(box, 4, 4)
    painter.setPen(colour)
    painter.drawText(at, text)


def _hex(bgr: tuple[int, int, int]) -> str:
    return f"#{bgr[2]:02x}{bgr[1]:02x}{bgr[0]:02x}"
