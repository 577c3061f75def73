"""The full-screen viewer and slideshow: the chosen result as large as the screen allows, and the
results before and after it a key away.

Pictures are fitted to the screen or shown at 100% (zoom with the wheel or + and -, drag to pan);
PDF pages are drawn at the screen's size (Page Up and Page Down move through the file); other
documents show their whole text as read, the passage that matched marked and scrolled to; songs
show their tags and play. A slideshow steps through the pictures among the results.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QImageIOHandler,
    QImageReader,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import QLabel, QStackedLayout, QTextBrowser, QVBoxLayout, QWidget

from nearby.core.extract.places import place_name
from nearby.core.search.browse import ItemDetails
from nearby.core.search.hits import SearchHit
from nearby.desktop.detail_pane import KIND_LABELS, clock, mark
from nearby.desktop.operations import Operations
from nearby.desktop.player import Player
from nearby.desktop.results import display_title
from nearby.desktop.thumbnails import pictures

SLIDE_MS = 4000  # each picture of a slideshow stays this long (digiKam and Photos use 3-5 s)
FIT_SIDE_LIMIT = 4096  # a fitted picture is decoded at most this large: sharp on a 4K screen, not 100 MB
ZOOM_STEP = 1.25
ZOOM_RANGE = (0.05, 16.0)
BACKGROUND = "#111214"
READING_WIDTH = 820  # px: a document's text column (~90 characters), centred on a wide screen
HINTS = {  # the keys that do something for what is shown
    "image": "← → previous / next · F fit or 100% · + − zoom · S slideshow · Enter open · Esc close",
    "pdf": "← → previous / next · Page Up / Down pages · Enter open in its app · Esc close",
    "document": "← → previous / next · ↑ ↓ scroll · Enter open in its app · Esc close",
    "song": "← → previous / next · P play or pause · Enter open in its app · Esc close",
}


class _ReadingText(QTextBrowser):
    """A document's text in a centred column of reading width, whatever the screen's."""

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        side = max(24, (self.width() - READING_WIDTH) // 2)
        self.setViewportMargins(side, 24, side, 24)
        super().resizeEvent(event)


class _Canvas(QWidget):
    """A picture (or a PDF page) fitted to the widget, or at a zoom with a pan."""

    def __init__(self) -> None:
        super().__init__()
        self.path: str | None = None
        self.thumbnail: str | None = None
        self.page: QPixmap | None = None
        self.zoom: float | None = None  # None: fit; else device pixels per picture pixel
        self.pan = QPointF(0, 0)
        self._drag: QPoint | None = None
        self._sizes: dict[str, tuple[int, int] | None] = {}
        pictures().ready.connect(self._picture_ready)

    def show_picture(self, path: str | None, thumbnail: str | None = None) -> None:
        self.path, self.thumbnail, self.page = path, thumbnail, None
        self.zoom, self.pan = None, QPointF(0, 0)
        self.update()

    def show_page(self, image: QImage) -> None:
        self.path, self.thumbnail, self.page = None, None, QPixmap.fromImage(image)
        self.update()

    def _picture_ready(self, path: str) -> None:
        if path in (self.path, self.thumbnail):
            self.update()

    def fit_side(self) -> int:
        ratio = self.devicePixelRatioF()
        return min(FIT_SIDE_LIMIT, round(max(self.width(), self.height(), 1) * ratio))

    def pixmap(self) -> QPixmap | None:
        """The best picture loaded now: the page, the full picture (at 100% or zoomed), the fitted one,
        or the thumbnail until either arrives."""
        if self.page is not None:
            return self.page
        if self.path is None:
            return None
        wanted = pictures().get(self.path, 0 if self.zoom is not None else self.fit_side())
        if wanted is not None and not wanted.isNull():
            return wanted
        fitted = pictures().get(self.path, self.fit_side()) if self.zoom is not None else None
        if fitted is not None and not fitted.isNull():
            return fitted
        return pictures().get(self.thumbnail) if self.thumbnail else None

    def full_size(self) -> tuple[int, int] | None:
        """The picture's own pixels as the camera held it (a loaded fitted copy is smaller), read from its
        header; a PDF page's as drawn."""
        if self.path is not None:
            if self.path not in self._sizes:
                reader = QImageReader(self.path)
                size = reader.size()
                turned = bool(reader.transformation() & QImageIOHandler.Transformation.TransformationRotate90)
                self._sizes[self.path] = ((size.height(), size.width()) if turned else (size.width(), size.height())) \
                    if size.isValid() else None
            if self._sizes[self.path]:
                return self._sizes[self.path]
        shown = self.pixmap()
        return (shown.width(), shown.height()) if shown is not None and not shown.isNull() else None

    def set_zoom(self, zoom: float | None) -> None:
        self.zoom = None if zoom is None else min(max(zoom, ZOOM_RANGE[0]), ZOOM_RANGE[1])
        if zoom is None:
            self.pan = QPointF(0, 0)
        self.update()

    def fitted_zoom(self) -> float:
        size = self.full_size()
        if not size:
            return 1.0
        ratio = self.devicePixelRatioF()
        return min(self.width() * ratio / size[0], self.height() * ratio / size[1])

    def target(self) -> QRectF | None:
        """Where the picture is drawn, in widget coordinates."""
        shown = self.pixmap()
        if shown is None or shown.isNull():
            return None
        size = self.full_size() or (shown.width(), shown.height())
        ratio = self.devicePixelRatioF()
        # Fitted to the screen, enlarged if smaller (as Photos and Immich show them), or at the zoom.
        scale = min(self.width() / size[0], self.height() / size[1]) if self.zoom is None else self.zoom / ratio
        w, h = size[0] * scale, size[1] * scale
        return QRectF((self.width() - w) / 2 + self.pan.x(), (self.height() - h) / 2 + self.pan.y(), w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(BACKGROUND))
        shown, box = self.pixmap(), self.target()
        if shown is None or box is None:
            if self.path or self.page is not None:
                painter.setPen(QColor("#9aa0a6"))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Loading…")
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self.zoom is None or self.zoom < 2)
        painter.drawPixmap(box, shown, QRectF(shown.rect()))

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.set_zoom((self.zoom or self.fitted_zoom()) * ZOOM_STEP ** steps)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._drag = event.position().toPoint()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None and self.zoom is not None:
            now = event.position().toPoint()
            self.pan += QPointF(now - self._drag)
            self._drag = now
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag = None


class Viewer(QWidget):
    """The results in full screen, one at a time. Emits ``moved`` with the row shown (the list
    follows it) and ``closed`` when it goes."""

    moved = Signal(int)
    closed = Signal()
    open_requested = Signal(object)  # SearchHit: open it in its application

    def __init__(self, ops: Operations, player: Player, hits: list[SearchHit], row: int,
                 words: list[str] | None = None) -> None:
        super().__init__()
        self.ops, self.player, self.hits, self.words = ops, player, hits, words or []
        self.row = max(0, min(row, len(hits) - 1))
        self._gone = False
        self.page: int | None = None  # the PDF page shown
        self.pages = 0
        self.setWindowTitle("Nearby — viewer")
        self.setAccessibleName("Viewer")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setStyleSheet(f"background: {BACKGROUND}; color: #e8e8e8;")
        self.canvas = _Canvas()
        self.text = _ReadingText()
        self.text.setOpenLinks(False)
        self.text.setAccessibleName("The document's text")
        self.text.setStyleSheet("QTextBrowser { background: #1b1d20; color: #e8e8e8; border: none; font-size: 13pt; }")
        self.song = QLabel()
        self.song.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.song.setWordWrap(True)
        self.song.setTextFormat(Qt.TextFormat.RichText)
        self.pages_stack = QStackedLayout()
        for widget in (self.canvas, self.text, self.song):
            self.pages_stack.addWidget(widget)
        self.caption = QLabel()
        self.caption.setObjectName("viewerCaption")
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.setStyleSheet("color: #c8cacd; padding: 8px 16px; background: #1b1d20;")
        self.caption.setAccessibleName("What is shown")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(self.pages_stack, 1)
        layout.addWidget(self.caption)
        self.slideshow = QTimer(self, interval=SLIDE_MS)
        self.slideshow.timeout.connect(self._next_slide)
        self.text.installEventFilter(self)  # its arrow keys scroll; Esc and the viewer's keys still reach us
        pictures().ready.connect(self._picture_ready)  # (a bound method: let go when the viewer is deleted)
        self.show_row(self.row)

    # -- what is shown -------------------------------------------------------------------------

    @property
    def hit(self) -> SearchHit:
        return self.hits[self.row]

    def show_row(self, row: int) -> None:
        if not self.hits:
            return
        self.row = max(0, min(row, len(self.hits) - 1))
        hit = self.hit
        self.page, self.pages = None, 0
        if hit.kind == "image":
            self.pages_stack.setCurrentWidget(self.canvas)
            self.canvas.show_picture(hit.path, hit.thumbnail)
        elif hit.kind == "song":
            self.pages_stack.setCurrentWidget(self.song)
            tags = [html.escape(str(hit.meta[k])) for k in ("artist", "album", "genre", "date") if hit.meta.get(k)]
            length = f"<br>{clock(float(hit.meta['duration']) * 1000)}" if hit.meta.get("duration") else ""
            self.song.setText(f"<p style='font-size: 64pt'>♪</p><p style='font-size: 22pt'><b>"
                              f"{html.escape(display_title(hit))}</b></p><p style='font-size: 14pt'>"
                              f"{' · '.join(tags)}{length}</p><p style='color: #9aa0a6'>P plays or pauses</p>")
        elif hit.path.lower().endswith(".pdf"):
            self.pages_stack.setCurrentWidget(self.canvas)
            self.canvas.show_picture(None)
            self.show_pdf_page(hit.page or 1)
        else:
            self.pages_stack.setCurrentWidget(self.text)
            self.text.setHtml(f"{self._heading(hit)}<p>{mark(hit.snippet, self.words)}</p>")
        if hit.kind == "document":
            self.ops.read(lambda library: library.details(hit.path), lambda d: self._details(hit, d))
        self._caption()
        self.moved.emit(self.row)

    def show_pdf_page(self, page: int) -> None:
        hit, side = self.hit, self.canvas.fit_side()
        self.page = page
        path = Path(hit.path)

        def draw(_library: Any) -> bytes:
            from nearby.core.extract.pdf import page_png

            return page_png(path, page, side)

        self.ops.read(draw, lambda png: self._page_drawn(hit, page, png))
        self._caption()

    def _page_drawn(self, hit: SearchHit, page: int, png: bytes) -> None:
        if not self._gone and hit is self.hit and page == self.page:
            self.canvas.show_page(QImage.fromData(png))

    def _details(self, hit: SearchHit, details: ItemDetails | None) -> None:
        """A document's whole text (the passage that matched marked and in view); a PDF's page count."""
        if self._gone or hit is not self.hit or details is None:
            return
        self.pages = max((p for _, p in details.passages if p), default=0)
        if self.pages_stack.currentWidget() is self.text:
            parts, last_page, anchor = [], None, False
            for text, page in details.passages:
                if page and page != last_page:
                    parts.append(f'<p style="color: #9aa0a6; font-size: small">{place_name(hit.path, page)}</p>')
                    last_page = page
                if not anchor and hit.snippet and text.startswith(hit.snippet.rstrip("…").strip()[:60]):
                    parts.append('<a name="match"></a>')
                    anchor = True
                    parts.append(f'<p style="background-color: rgba(80, 140, 255, 0.18)">{mark(text, self.words)}</p>')
                else:
                    parts.append(f"<p>{mark(text, self.words)}</p>")
            self.text.setHtml(self._heading(hit) + ("".join(parts) or "<p>(no text was read from this file)</p>"))
            if anchor:
                self.text.scrollToAnchor("match")
        self._caption()

    @staticmethod
    def _heading(hit: SearchHit) -> str:
        return f"<h2>{html.escape(display_title(hit))}</h2>"

    def _picture_ready(self, path: str) -> None:
        if self.hits and path == self.hit.path:
            self._caption()  # its size is known now: the fitted zoom

    def _caption(self) -> None:
        hit = self.hit
        where = f"{self.row + 1} of {len(self.hits)}"
        page = f" · page {self.page}{f' of {self.pages}' if self.pages else ''}" if self.page else ""
        zoom = ""
        if self.pages_stack.currentWidget() is self.canvas and hit.kind == "image":
            zoom = f" · fitted ({self.canvas.fitted_zoom():.0%})" if self.canvas.zoom is None \
                else f" · {self.canvas.zoom:.0%}"
        mode = "<b>Slideshow</b> · S stops · " if self.slideshow.isActive() else ""
        shown = "pdf" if self.page else hit.kind if hit.kind in HINTS else "document"
        self.caption.setText(f"<b>{html.escape(display_title(hit))}</b> · {KIND_LABELS.get(hit.kind, hit.kind)} · "
                             f"{where}{page}{zoom}<span style='color: #8a8f96'> &nbsp; {mode}{HINTS[shown]}</span>")

    # -- moving ----------------------------------------------------------------------------------

    def step(self, by: int) -> None:
        if 0 <= self.row + by < len(self.hits):
            self.show_row(self.row + by)

    def start_slideshow(self) -> None:
        """Step through the pictures among the results, from the one shown (or the next picture)."""
        if self.hit.kind != "image" and not self._next_picture():
            return
        self.slideshow.start()
        self._caption()

    def stop_slideshow(self) -> None:
        self.slideshow.stop()
        self._caption()

    def _next_picture(self) -> bool:
        ahead = next((i for i in range(self.row + 1, len(self.hits)) if self.hits[i].kind == "image"), None)
        if ahead is None:
            return False
        self.show_row(ahead)
        return True

    def _next_slide(self) -> None:
        if not self._next_picture():  # the last picture: the slideshow ends on it
            self.stop_slideshow()

    # -- keys ------------------------------------------------------------------------------------

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if watched is self.text and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress \
                and event.key() not in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Home, Qt.Key.Key_End) \
                and not event.matches(QKeySequence.StandardKey.Copy) \
                and not event.matches(QKeySequence.StandardKey.SelectAll):
            self.keyPressEvent(event)
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Escape, Qt.Key.Key_Space, Qt.Key.Key_Backspace):
            self.close()
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Up):
            # (a document's text keeps Up and Down to scroll: its filter does not pass them here)
            self.stop_slideshow()
            self.step(1 if key in (Qt.Key.Key_Right, Qt.Key.Key_Down) else -1)
        elif key == Qt.Key.Key_Home:
            self.show_row(0)
        elif key == Qt.Key.Key_End:
            self.show_row(len(self.hits) - 1)
        elif key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp) and self.page:
            page = self.page + (1 if key == Qt.Key.Key_PageDown else -1)
            if page >= 1 and (not self.pages or page <= self.pages):
                self.show_pdf_page(page)
        elif key == Qt.Key.Key_F:
            self.canvas.set_zoom(1.0 if self.canvas.zoom is None else None)
            self._caption()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal, Qt.Key.Key_Minus):
            factor = ZOOM_STEP if key != Qt.Key.Key_Minus else 1 / ZOOM_STEP
            self.canvas.set_zoom((self.canvas.zoom or self.canvas.fitted_zoom()) * factor)
            self._caption()
        elif key in (Qt.Key.Key_S, Qt.Key.Key_F9):
            self.stop_slideshow() if self.slideshow.isActive() else self.start_slideshow()
        elif key == Qt.Key.Key_P and self.hit.kind == "song":
            self.player.toggle(self.hit.path)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_requested.emit(self.hit)
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event: Any) -> None:
        self._gone = True  # answers still on their way find nothing to fill
        self.slideshow.stop()
        self.closed.emit()
        super().closeEvent(event)
