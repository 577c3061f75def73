"""The result grid: pictures as tiles sized to fill the window's width; other files as labelled tiles.

A grid is how photo tools show photos (Apple Photos, Immich, digiKam): many per screen, no text
but a name. Tiles are square; the view picks how many fit a row and shares the rest of the width.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from nearby.core.search.hits import SearchHit
from nearby.desktop.results import (
    HIT_ROLE,
    KIND_COLOURS,
    KIND_LABELS,
    display_title,
    draw_picture,
    is_ranked,
    selection_colour,
)

# A tile's side aims at this (logical px) and stretches up to a third more to fill the row; the size
# slider (and Ctrl+wheel) moves the aim within TILE_RANGE.
TILE_TARGET = 168
TILE_RANGE = (72, 480)
TILE_GAP = 6
_Index = QModelIndex | QPersistentModelIndex


def tile_size(width: int, target: int = TILE_TARGET) -> int:
    """The side of a square tile such that whole tiles fill ``width``."""
    columns = max(1, (width + TILE_GAP) // (target + TILE_GAP))
    return max(64, (width - TILE_GAP * (columns + 1)) // columns)


class GridDelegate(QStyledItemDelegate):
    """A picture filling its tile with the name under it; songs and documents as a coloured tile
    with their kind and title."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.side = TILE_TARGET
        self.target = TILE_TARGET  # the side aimed at (the size slider's value)

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        line = QFontMetrics(option.font).lineSpacing()
        return QSize(self.side, self.side + line + 4)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        hit: SearchHit = index.data(HIT_ROLE)
        painter.save()
        palette = option.palette
        rect = option.rect.adjusted(2, 2, -2, -2)
        line = QFontMetrics(option.font).lineSpacing()
        picture = QRect(rect.left(), rect.top(), rect.width(), rect.height() - line - 2)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, selection_colour(palette))
        if hit.kind == "image":
            draw_picture(painter, picture.adjusted(2, 2, -2, -2), hit.thumbnail, original=hit.path)
        else:
            self._draw_card(painter, option.font, picture.adjusted(2, 2, -2, -2), hit)
        if hit.meta.get("source"):
            self._draw_score(painter, option.font, picture, "this file")
        elif is_ranked(hit):
            self._draw_score(painter, option.font, picture, f"{hit.score:.2f}")
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        name = QRect(rect.left() + 2, picture.bottom() + 2, rect.width() - 4, line)
        painter.drawText(name, Qt.AlignmentFlag.AlignCenter, QFontMetrics(option.font).elidedText(
            display_title(hit), Qt.TextElideMode.ElideMiddle, name.width()))
        if option.state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRect(option.rect.adjusted(0, 0, -1, -1))
        painter.restore()

    def _draw_card(self, painter: QPainter, font: QFont, box: QRect, hit: SearchHit) -> None:
        colour = QColor(KIND_COLOURS.get(hit.kind, "#777777"))
        painter.fillRect(box, colour.lighter(175))
        painter.fillRect(QRect(box.left(), box.top(), box.width(), 4), colour)
        big = QFont(font)
        big.setBold(True)
        painter.setFont(big)
        painter.setPen(colour.darker(150))
        painter.drawText(box.adjusted(8, 10, -8, -8), Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft,
                         KIND_LABELS.get(hit.kind, hit.kind.upper()))
        painter.setFont(font)
        painter.setPen(QColor("#333333"))
        painter.drawText(box.adjusted(8, 32, -8, -8), int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap),
                         hit.snippet[:160])

    def _draw_score(self, painter: QPainter, font: QFont, picture: QRect, text: str) -> None:
        small = QFont(font)
        small.setPointSizeF(max(6.0, font.pointSizeF() * 0.8))
        metrics = QFontMetrics(small)
        pill = QRect(picture.right() - metrics.horizontalAdvance(text) - 14, picture.top() + 6,
                     metrics.horizontalAdvance(text) + 10, metrics.lineSpacing() + 2)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 150))
        painter.drawRoundedRect(pill, 6, 6)
        painter.setFont(small)
        painter.setPen(QColor("white"))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(font)


def use_grid(view: QListView, delegate: GridDelegate) -> None:
    """Lay the view out as a wrapping grid of tiles sized to its width."""
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setFlow(QListView.Flow.LeftToRight)
    view.setWrapping(True)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setMovement(QListView.Movement.Static)
    view.setUniformItemSizes(True)
    view.setSpacing(TILE_GAP // 2)
    fit_tiles(view, delegate)


def fit_tiles(view: QListView, delegate: GridDelegate) -> None:
    width = view.viewport().width() - view.verticalScrollBar().sizeHint().width()
    delegate.side = tile_size(width, delegate.target)
    view.doItemsLayout()


def use_list(view: QListView) -> None:
    view.setViewMode(QListView.ViewMode.ListMode)
    view.setFlow(QListView.Flow.TopToBottom)
    view.setWrapping(False)
    view.setUniformItemSizes(False)
    view.setSpacing(0)
