"""The result list: a model of SearchHits and a delegate that draws each as a card."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from nearby.core.search.hits import SearchHit
from nearby.desktop.thumbnails import pictures

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_LABELS = {"document": "DOC", "image": "PHOTO", "song": "SONG"}
KIND_COLOURS = {"document": "#3b6fd4", "image": "#2e9e6b", "song": "#b5562f"}
_PAD = 10
_CONTRIBUTION_BAR = 40  # px: a term's bar at similarity 1
_CONTRIBUTION_LABEL = 120  # px: a term's name before it is elided
_SNIPPET_LINES = 2
_THUMB_GAP = 12
SIMILAR_LABEL = "Find similar ›"

_Index = QModelIndex | QPersistentModelIndex


class ResultsModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self.hits: list[SearchHit] = []

    def set_hits(self, hits: list[SearchHit]) -> None:
        self.beginResetModel()
        self.hits = list(hits)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.hits)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:  # noqa: N802 (Qt's name)
        return ["text/uri-list", "text/plain"]

    def mimeData(self, indexes: Any) -> QMimeData:  # noqa: N802 (Qt's name)
        """The files as a file manager, a mail program or an editor takes them from a drag: their URLs
        (and their paths as text, for a terminal)."""
        paths = list(dict.fromkeys(self.hits[i.row()].path for i in indexes if i.isValid()))
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(p) for p in paths])
        data.setText("\n".join(paths))
        return data

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802 (Qt's name)
        return Qt.DropAction.CopyAction  # the files stay where they are: a drag never moves them

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        hit = self.hits[index.row()]
        if role == HIT_ROLE:
            return hit
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return hit.path
        if role == Qt.ItemDataRole.AccessibleTextRole:  # what a screen reader says for the drawn card
            return f"{KIND_LABELS.get(hit.kind, hit.kind)}: {display_title(hit)}, score {hit.score:.2f}. {hit.snippet}"
        return None


def _score_colour(score: float) -> QColor:
    # Greener as the score rises; scores under ~0.2 are rarely useful matches for this model.
    strength = max(0.0, min(1.0, (score - 0.15) / 0.5))
    return QColor.fromHsvF(0.33 * strength, 0.55, 0.80)


class ResultDelegate(QStyledItemDelegate):
    """Name, kind badge and score on the first line; folder; then the snippet over two lines.
    Pictures get a thumbnail on the left, songs a play button there."""

    play_clicked = Signal(object)  # SearchHit
    similar_clicked = Signal(object)  # SearchHit

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.playing = ""  # path of the song playing now, drawn with a pause sign
        self.highlight: list[str] = []  # the query's words, drawn in bold in snippets

    def media_box(self, option_rect: QRect) -> QRect:
        rect = option_rect.adjusted(_PAD, _PAD, -_PAD, -_PAD)
        return QRect(rect.left(), rect.top(), rect.height(), rect.height())

    def similar_box(self, option: QStyleOptionViewItem) -> QRect:
        """Where "Find similar" sits: the right end of the folder line."""
        metrics = QFontMetrics(option.font)
        rect = option.rect.adjusted(_PAD, _PAD, -_PAD, -_PAD)
        width = metrics.horizontalAdvance(SIMILAR_LABEL) + 8
        return QRect(rect.right() - width, rect.top() + metrics.lineSpacing(), width, metrics.lineSpacing())

    def editorEvent(self, event: QEvent, model: Any, option: QStyleOptionViewItem, index: _Index) -> bool:
        hit: SearchHit = index.data(HIT_ROLE)
        if hit is not None and event.type() == QEvent.Type.MouseButtonRelease:
            where = event.position().toPoint()  # type: ignore[attr-defined]
            if hit.kind == "song" and self.media_box(option.rect).contains(where):
                self.play_clicked.emit(hit)
                return True
            if self.similar_box(option).contains(where):
                self.similar_clicked.emit(hit)
                return True
        return super().editorEvent(event, model, option, index)

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        line = QFontMetrics(option.font).lineSpacing()
        return QSize(400, _PAD * 2 + line * (2 + _SNIPPET_LINES) + 6)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        hit: SearchHit = index.data(HIT_ROLE)
        painter.save()
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(option.rect, selection_colour(palette))
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(option.rect, palette.color(QPalette.ColorRole.AlternateBase))
        painter.setPen(palette.color(QPalette.ColorRole.Midlight))
        painter.drawLine(option.rect.bottomLeft(), option.rect.bottomRight())
        rect = option.rect.adjusted(_PAD, _PAD, -_PAD, -_PAD)
        line = QFontMetrics(option.font).lineSpacing()
        if hit.kind in ("image", "song"):
            box = self.media_box(option.rect)
            if hit.kind == "image":
                self._draw_thumbnail(painter, box, hit.thumbnail)
            else:
                self._draw_play(painter, box, hit.path == self.playing)
            rect = rect.adjusted(box.width() + _THUMB_GAP, 0, 0, 0)
        if hit.meta.get("source"):  # a similar-list's own file, first: marked, not scored
            right = self._draw_pill(painter, option.font, rect, "this file", option.palette.color(
                QPalette.ColorRole.Highlight))
        elif is_ranked(hit):
            right = self._draw_score(painter, option.font, rect, hit)
        else:
            right = self._draw_date(painter, option, rect, hit)
        left = self._draw_badge(painter, option.font, rect, hit.kind)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        name_rect = QRect(left, rect.top(), right - left - 8, line)
        title = display_title(hit)
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(bold).elidedText(title, Qt.TextElideMode.ElideRight, name_rect.width()))
        painter.setFont(option.font)
        similar = self.similar_box(option)
        if option.state & (QStyle.StateFlag.State_MouseOver | QStyle.StateFlag.State_Selected):
            painter.setPen(palette.color(QPalette.ColorRole.Link))
            painter.drawText(similar, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, SIMILAR_LABEL)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        folder_rect = QRect(rect.left(), rect.top() + line, similar.left() - rect.left() - 8, line)
        painter.drawText(folder_rect, Qt.AlignmentFlag.AlignVCenter, QFontMetrics(option.font).elidedText(
            hit.folder, Qt.TextElideMode.ElideMiddle, folder_rect.width()))
        painter.setPen(palette.color(QPalette.ColorRole.Text).lighter(140))
        contributions = hit.meta.get("contributions")
        snippet_lines = _SNIPPET_LINES - 1 if contributions else _SNIPPET_LINES
        self._draw_snippet(painter, option.font, QRect(rect.left(), rect.top() + 2 * line + 4, rect.width(),
                                                       line * snippet_lines), hit.snippet)
        if contributions:
            self._draw_contributions(painter, option.font, QRect(rect.left(), rect.top() + (2 + snippet_lines) * line
                                                                 + 4, rect.width(), line), contributions)
        painter.restore()

    def _draw_contributions(self, painter: QPainter, font: QFont, rect: QRect, contributions: list[Any]) -> None:
        """Each term of an arithmetic expression with a small bar: how close this file is to it
        (green for an added term, red for a subtracted one)."""
        metrics = QFontMetrics(font)
        x = rect.left()
        for term, similarity, sign in contributions:
            label = metrics.elidedText(f"{'−' if sign < 0 else '+'}{Path(term).name or term}",
                                       Qt.TextElideMode.ElideMiddle, _CONTRIBUTION_LABEL)
            width = metrics.horizontalAdvance(label)
            if x + width + _CONTRIBUTION_BAR + 16 > rect.right():
                break
            painter.drawText(QRect(x, rect.top(), width, rect.height()), Qt.AlignmentFlag.AlignVCenter, label)
            x += width + 4
            bar = QRect(x, rect.center().y() - 3, _CONTRIBUTION_BAR, 6)
            painter.fillRect(bar, QColor(0, 0, 0, 25))
            filled = bar.adjusted(0, 0, -round(_CONTRIBUTION_BAR * (1 - max(0.0, min(1.0, similarity)))), 0)
            painter.fillRect(filled, QColor("#3c9a5f") if sign > 0 else QColor("#c0504d"))
            x += _CONTRIBUTION_BAR + 14

    def _draw_play(self, painter: QPainter, box: QRect, playing: bool) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(KIND_COLOURS["song"]))
        circle = box.adjusted(6, 6, -6, -6)
        painter.drawEllipse(circle)
        painter.setBrush(QColor("white"))
        c, r = circle.center(), circle.width() // 5
        if playing:
            painter.drawRect(QRect(c.x() - r, c.y() - r, r * 2 // 3, 2 * r))
            painter.drawRect(QRect(c.x() + r // 3, c.y() - r, r * 2 // 3, 2 * r))
        else:
            painter.drawPolygon([QPoint(c.x() - r + 2, c.y() - r), QPoint(c.x() - r + 2, c.y() + r),
                                 QPoint(c.x() + r + 2, c.y())])

    def _draw_thumbnail(self, painter: QPainter, box: QRect, path: str | None) -> None:
        draw_picture(painter, box, path)

    def _draw_date(self, painter: QPainter, option: QStyleOptionViewItem, rect: QRect, hit: SearchHit) -> int:
        """Browsing (no query): the file's date where a search shows its score."""
        text = modified_text(hit)
        metrics = QFontMetrics(option.font)
        box = QRect(rect.right() - metrics.horizontalAdvance(text), rect.top(), metrics.horizontalAdvance(text),
                    metrics.lineSpacing())
        painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
        return box.left()

    def _draw_score(self, painter: QPainter, font: QFont, rect: QRect, hit: SearchHit) -> int:
        return self._draw_pill(painter, font, rect, f"{hit.score:.2f}", _score_colour(hit.score))

    def _draw_pill(self, painter: QPainter, font: QFont, rect: QRect, text: str, colour: QColor) -> int:
        width = QFontMetrics(font).horizontalAdvance(text) + 14
        pill = QRect(rect.right() - width, rect.top(), width, QFontMetrics(font).lineSpacing())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(pill, 8, 8)
        painter.setPen(QColor("white"))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
        return pill.left()

    def _draw_badge(self, painter: QPainter, font: QFont, rect: QRect, kind: str) -> int:
        small = QFont(font)
        small.setPointSizeF(max(6.0, font.pointSizeF() * 0.75))
        small.setBold(True)
        text = KIND_LABELS.get(kind, kind.upper())
        metrics = QFontMetrics(small)
        badge = QRect(rect.left(), rect.top() + 2, metrics.horizontalAdvance(text) + 10,
                      QFontMetrics(font).lineSpacing() - 4)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(KIND_COLOURS.get(kind, "#777777")))
        painter.drawRoundedRect(badge, 4, 4)
        painter.setFont(small)
        painter.setPen(QColor("white"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(font)
        return badge.right() + 8

    def _draw_snippet(self, painter: QPainter, font: QFont, rect: QRect, text: str) -> None:
        layout = QTextLayout(text, font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        layout.setTextOption(option)
        metrics = QFontMetrics(font)
        lines: list[str] = []
        layout.beginLayout()
        while len(lines) < _SNIPPET_LINES:
            tl = layout.createLine()
            if not tl.isValid():
                break
            tl.setLineWidth(rect.width())
            lines.append(text[tl.textStart() : tl.textStart() + tl.textLength()])
        layout.endLayout()
        consumed = sum(len(s) for s in lines)
        if lines and consumed < len(text):
            lines[-1] = metrics.elidedText(lines[-1].rstrip() + " …" + text[consumed:consumed + 40],
                                           Qt.TextElideMode.ElideRight, rect.width())
        for i, chunk in enumerate(lines):
            top = rect.top() + i * metrics.lineSpacing()
            ranges = word_ranges(chunk.strip(), self.highlight)
            if not ranges:
                painter.drawText(QRect(rect.left(), top, rect.width(), metrics.lineSpacing()),
                                 Qt.AlignmentFlag.AlignVCenter, chunk.strip())
                continue
            line_layout = QTextLayout(chunk.strip(), font)
            bold = QTextCharFormat()
            bold.setFontWeight(QFont.Weight.Bold)
            formats = []
            for start, length in ranges:
                r = QTextLayout.FormatRange()
                r.start, r.length, r.format = start, length, bold
                formats.append(r)
            line_layout.setFormats(formats)
            line_layout.beginLayout()
            text_line = line_layout.createLine()
            text_line.setLineWidth(rect.width())
            line_layout.endLayout()
            line_layout.draw(painter, QPoint(rect.left(), top))


def draw_picture(painter: QPainter, box: QRect, path: str | None, size: int = 0, fit: bool = False,
                 original: str | None = None) -> None:
    """A picture filling ``box`` (cropped to it, or whole with ``fit``), sharp on high-DPI screens;
    a grey placeholder while it loads in the background. With ``original`` (the file a thumbnail
    was made from), a box that needs more pixels than the thumbnail has is drawn from the original,
    decoded in the background at a size that fills it, and from the thumbnail until then."""
    ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
    pixmap = pictures().get(path, size)
    if original and not fit:
        need = max(box.width(), box.height()) * ratio  # the thumbnail's short side must cover this
        if need > SHARP_FROM_THUMBNAIL:
            sharper = pictures().get(original, SHARP_SIDES[0] if need <= SHARP_SIDES[0] * 0.66 else SHARP_SIDES[1])
            if sharper is not None and not sharper.isNull():
                pixmap = sharper
    if pixmap is None or pixmap.isNull():
        painter.fillRect(box, QColor("#d9dde3"))
        return
    target = QSize(round(box.width() * ratio), round(box.height() * ratio))
    mode = Qt.AspectRatioMode.KeepAspectRatio if fit else Qt.AspectRatioMode.KeepAspectRatioByExpanding
    scaled = pixmap.scaled(target, mode, Qt.TransformationMode.SmoothTransformation)
    scaled.setDevicePixelRatio(ratio)
    shown = QSize(round(scaled.width() / ratio), round(scaled.height() / ratio))
    if fit:
        x, y = box.left() + (box.width() - shown.width()) // 2, box.top() + (box.height() - shown.height()) // 2
        painter.drawPixmap(QRect(x, y, shown.width(), shown.height()), scaled)
        return
    sx, sy = (scaled.width() - target.width()) // 2, (scaled.height() - target.height()) // 2
    painter.drawPixmap(box, scaled, QRect(sx, sy, target.width(), target.height()))


# A cached thumbnail (256 px on its longest side, ~192 on its shortest) fills a cropped box up to
# this many device pixels; a bigger box (a grid tile on a high-DPI screen) is drawn from the
# original, decoded with its longest side at one of these (3:2 pictures keep 2/3 of it as the short side).
SHARP_FROM_THUMBNAIL = 200
SHARP_SIDES = (512, 1024)


def selection_colour(palette: QPalette) -> QColor:
    """The selection as a tint of the highlight colour: the text's own colour stays readable on it
    in light and dark palettes alike (a solid highlight needs HighlightedText, which cards don't use)."""
    colour = QColor(palette.color(QPalette.ColorRole.Highlight))
    colour.setAlpha(80)
    return colour


def is_ranked(hit: SearchHit) -> bool:
    """Whether a hit came from a search (with a score), not from browsing the library or a lasso."""
    if hit.meta.get("unranked"):
        return False
    return "modified" not in hit.meta or hit.score > 0


def modified_text(hit: SearchHit) -> str:
    stamp = hit.meta.get("modified")
    return time.strftime("%d %b %Y", time.localtime(stamp)) if stamp else ""


def word_ranges(text: str, words: list[str]) -> list[tuple[int, int]]:
    """(start, length) of each occurrence of the words in the text, whole-word starts, any case."""
    lower = text.lower()
    out = []
    for word in words:
        w = word.lower()
        if len(w) < 2:
            continue
        start = lower.find(w)
        while start >= 0:
            if start == 0 or not lower[start - 1].isalnum():
                end = start + len(w)
                while end < len(lower) and lower[end].isalnum():  # "cat" marks "cats" whole
                    end += 1
                out.append((start, end - start))
            start = lower.find(w, start + len(w))
    return sorted(set(out))


def display_title(hit: SearchHit) -> str:
    """Songs by their tags ("Title — Artist"), documents with their page (slide, sheet…), the rest
    by file name."""
    if hit.kind == "song" and hit.meta.get("title"):
        return " — ".join(p for p in (hit.meta["title"], hit.meta.get("artist", "")) if p)
    return hit.name + (f"  ·  {hit.short_place}" if hit.page else "")
