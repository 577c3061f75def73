"""The detail pane: the chosen result large, what the library knows of it, and what to do with it.

A picture is shown whole; a PDF its page; any other document the matching passage in its context
with the query's words marked; a song its tags with play, seek and time. Below: dates, camera,
size, duration, folder; then Open, Show in folder, Copy path, Find similar, Add to mix.
Everything it reads (the file's details, a PDF page) is read off the GUI thread.
"""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from nearby.core.extract.passages import snippet_of
from nearby.core.extract.places import place_name, unit_of
from nearby.core.search.browse import ItemDetails
from nearby.core.search.hits import SearchHit
from nearby.core.search.why import why_text
from nearby.desktop.operations import Operations
from nearby.desktop.player import Player
from nearby.desktop.results import KIND_LABELS, display_title, draw_picture, word_ranges
from nearby.desktop.thumbnails import pictures

PREVIEW_SIDE = 1200  # px: a picture or PDF page decoded this large is sharp in a wide pane at 2×
CONTEXT_PASSAGES = 2  # passages shown before and after the one that matched
MARK_STYLE = "background-color: rgba(255, 200, 0, 0.35)"  # a highlighter's yellow, readable on light and dark
# A picture class is named in the facts from this share up (its runners-up are often noise).
SURE_SHARE = 0.1


class PicturePreview(QWidget):
    """A picture scaled to fit, sharp at any device pixel ratio; the thumbnail until it loads."""

    def __init__(self) -> None:
        super().__init__()
        self.path: str | None = None
        self.thumbnail: str | None = None
        self.page: QPixmap | None = None  # a PDF page drawn in the background
        self.setMinimumHeight(160)
        self.setAccessibleName("Preview")
        pictures().ready.connect(self._picture_ready)

    def _picture_ready(self, path: str) -> None:
        if path in (self.path, self.thumbnail):
            self.update()

    def show_picture(self, path: str | None, thumbnail: str | None = None) -> None:
        self.path, self.thumbnail, self.page = path, thumbnail, None
        self.update()

    def show_page(self, image: QImage) -> None:
        self.path, self.thumbnail, self.page = None, None, QPixmap.fromImage(image)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        box = QRect(0, 0, self.width(), self.height())
        if self.page is not None and not self.page.isNull():
            ratio = self.devicePixelRatioF()
            scaled = self.page.scaled(round(box.width() * ratio), round(box.height() * ratio),
                                      Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            scaled.setDevicePixelRatio(ratio)
            w, h = round(scaled.width() / ratio), round(scaled.height() / ratio)
            painter.drawPixmap(QRect((box.width() - w) // 2, (box.height() - h) // 2, w, h), scaled)
            return
        full = pictures().get(self.path, PREVIEW_SIDE) if self.path else None
        if (full is None or full.isNull()) and self.thumbnail:
            draw_picture(painter, box, self.thumbnail, fit=True)
        elif self.path:
            draw_picture(painter, box, self.path, PREVIEW_SIDE, fit=True)


class DetailPane(QWidget):
    """Shows one result; empty (with a hint) when none is chosen."""

    similar_clicked = Signal(object)  # SearchHit
    mix_clicked = Signal(object)  # SearchHit
    open_clicked = Signal(object)  # SearchHit
    folder_clicked = Signal(object)  # SearchHit
    copy_clicked = Signal(object)  # SearchHit
    like_clicked = Signal(object)  # SearchHit: like it, or take the like off

    def __init__(self, ops: Operations, player: Player) -> None:
        super().__init__()
        self.ops = ops
        self.player = player
        self.hit: SearchHit | None = None
        self.details: ItemDetails | None = None
        self.words: list[str] = []
        self.setMinimumWidth(260)
        self.setAccessibleName("Details of the chosen result")
        self._build()
        player.position.connect(self._song_position)
        player.changed.connect(lambda _path: self._song_state())
        self.show_hit(None)

    def _build(self) -> None:
        self.title = QLabel()
        self.title.setObjectName("detailTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.picture = PicturePreview()
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setAccessibleName("The passage in its context")
        self.song = QWidget()
        self.play_button = QPushButton("Play")
        self.play_button.setAccessibleName("Play or pause the song")
        self.play_button.clicked.connect(self._play)
        self.seek = QSlider(Qt.Orientation.Horizontal)
        self.seek.setAccessibleName("Position in the song")
        self.seek.setEnabled(False)
        self.seek.sliderMoved.connect(self.player.seek)
        self.time = QLabel("0:00 / 0:00")
        self.song_tags = QLabel()
        self.song_tags.setWordWrap(True)
        song_row = QHBoxLayout()
        song_row.addWidget(self.play_button)
        song_row.addWidget(self.seek, 1)
        song_row.addWidget(self.time)
        song_layout = QVBoxLayout(self.song)
        song_layout.setContentsMargins(0, 0, 0, 0)
        song_layout.addWidget(self.song_tags)
        song_layout.addLayout(song_row)
        song_layout.addStretch(1)
        self.preview = QStackedWidget()
        for page in (self.picture, self.text, self.song):
            self.preview.addWidget(page)
        self.facts = QFormLayout()
        self.facts.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        facts = QWidget()
        facts.setLayout(self.facts)
        self.buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for label, signal, tip in (("Open", self.open_clicked, "Open with the system's application (Enter)"),
                                   ("Show in folder", self.folder_clicked, "Open the folder that holds it"),
                                   ("Copy path", self.copy_clicked, "Copy where the file is (Ctrl+Shift+C)"),
                                   ("Find similar", self.similar_clicked, "Files that look, sound or read alike"),
                                   ("Add to mix", self.mix_clicked, "Make it a term of concept arithmetic"),
                                   ("Like", self.like_clicked, "Like it: For you (Ctrl+Y) suggests more like it (S)")):
            button = QPushButton(label)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, s=signal: self.hit and s.emit(self.hit))
            self.buttons[label] = button
        rows = QVBoxLayout()
        first, second = QHBoxLayout(), QHBoxLayout()
        for name in ("Open", "Show in folder", "Copy path"):
            first.addWidget(self.buttons[name])
        for name in ("Like", "Find similar", "Add to mix"):
            second.addWidget(self.buttons[name])
        rows.addLayout(first)
        rows.addLayout(second)
        actions.addLayout(rows)
        self.hint = QLabel("Choose a result to see it here.")
        self.hint.setObjectName("emptyText")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 0, 0, 0)
        layout.addWidget(self.hint, 1)
        layout.addWidget(self.title)
        layout.addWidget(self.preview, 3)
        layout.addWidget(facts)
        layout.addLayout(actions)
        self._parts: list[QWidget] = [self.title, self.preview, facts, *self.buttons.values()]

    # -- showing ------------------------------------------------------------------------------

    liked: set[str] = set()  # paths the person liked (kept up to date by the search view)

    def show_liked(self, liked: bool) -> None:
        self.buttons["Like"].setText("★ Liked" if liked else "☆ Like")
        self.buttons["Like"].setAccessibleName("Liked: take the like off" if liked else "Like")

    def show_hit(self, hit: SearchHit | None, words: list[str] | None = None) -> None:
        """Show a result (None: the hint). Details arrive from the library a moment later."""
        self.hit, self.details, self.words = hit, None, words or []
        self.show_liked(hit is not None and hit.path in self.liked)
        self.hint.setVisible(hit is None)
        for part in self._parts:
            part.setVisible(hit is not None)
        if hit is None:
            return
        self.title.setText(f"<b>{html.escape(display_title(hit))}</b>"
                           f"<br><small>{KIND_LABELS.get(hit.kind, hit.kind)} · {html.escape(hit.folder)}</small>")
        self._fill_facts(hit, None)
        if hit.kind == "image":
            self.preview.setCurrentWidget(self.picture)
            self.picture.show_picture(hit.path, hit.thumbnail)
        elif hit.kind == "song":
            self.preview.setCurrentWidget(self.song)
            tags = [f"<b>{html.escape(str(hit.meta[k]))}</b>" if k == "title" else html.escape(str(hit.meta[k]))
                    for k in ("title", "artist", "album", "genre", "date") if hit.meta.get(k)]
            heard = ", ".join(hit.meta.get("labels", [])[:6])
            self.song_tags.setText("<br>".join(tags + ([f"<i>Sounds like {html.escape(heard)}</i>"] if heard else [])))
            if self.player.current != hit.path:  # its length is known before it plays
                length = float(hit.meta.get("duration") or 0) * 1000
                self.time.setText(f"0:00 / {clock(length)}" if length else "0:00")
                self.seek.setRange(0, int(length))
                self.seek.setValue(0)
            self._song_state()
        elif hit.path.lower().endswith(".pdf") and hit.page:
            self.preview.setCurrentWidget(self.picture)
            self.picture.show_picture(None)
            path, page = Path(hit.path), hit.page

            def draw(_library: Any) -> bytes:
                from nearby.core.extract.pdf import page_png

                return page_png(path, page, PREVIEW_SIDE)

            self.ops.read(draw, lambda png: self._show_page(hit, png))
        else:
            self.preview.setCurrentWidget(self.text)
            self.text.setHtml(f"<p>{mark(hit.snippet, self.words)}</p>")
        self.ops.read(lambda library: library.details(hit.path), lambda d: self._show_details(hit, d))

    def _show_page(self, hit: SearchHit, png: bytes) -> None:
        if hit is self.hit:
            self.picture.show_page(QImage.fromData(png))

    def _show_details(self, hit: SearchHit, details: ItemDetails | None) -> None:
        if hit is not self.hit or details is None:
            return
        self.details = details
        self._fill_facts(hit, details)
        if details.kind == "document" and self.preview.currentWidget() is self.text:
            self.text.setHtml(context_html(details, hit, self.words))

    def _fill_facts(self, hit: SearchHit, details: ItemDetails | None) -> None:
        while self.facts.rowCount():
            self.facts.removeRow(0)
        meta = {**hit.meta, **(details.meta if details else {})}
        rows: list[tuple[str, str]] = []
        if details is not None:
            rows.append(("Modified", time.strftime("%d %b %Y, %H:%M", time.localtime(details.modified))))
        if meta.get("taken"):
            rows.append(("Taken", str(meta["taken"])))
        if meta.get("camera"):
            rows.append(("Camera", str(meta["camera"])))
        seen = seen_text(hit.kind, meta)
        if seen:  # what the picture or song model made of it: why it matched a query
            rows.append(("Looks like" if hit.kind == "image" else "Sounds like", seen))
        if meta.get("width") and meta.get("height"):
            rows.append(("Pixels", f"{meta['width']} × {meta['height']}"))
        if meta.get("duration"):
            rows.append(("Duration", clock(float(meta["duration"]) * 1000)))
        if details is not None:
            rows.append(("Size", human_size(details.size)))
            if hit.kind == "document":
                pages = max((p for _, p in details.passages if p), default=0)
                unit = f"{unit_of(hit.path).capitalize()}s"  # Pages, Slides, Sheets, Chapters, Messages
                rows.append((unit if pages else "Passages", f"{pages or len(details.passages):,}"))
        if hit.score > 0:
            rows.append(("Match", f"{hit.score:.2f}"))
        reason = why_text(hit.why, classes=not seen) if hit.why else ""  # "Looks like" already says them
        if reason:  # what matched: the words found, the classes and their shares, the text read (why.py)
            rows.append(("Why", reason[:1].upper() + reason[1:]))
        rows.append(("Folder", hit.folder))
        for label, value in rows:
            field = QLabel(value)
            field.setWordWrap(True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts.addRow(label, field)

    # -- the song -----------------------------------------------------------------------------

    def _play(self) -> None:
        if self.hit is not None:
            self.player.toggle(self.hit.path)

    def _song_state(self) -> None:
        if self.hit is None or self.hit.kind != "song":
            return
        playing = self.player.playing == self.hit.path
        self.play_button.setText("Pause" if playing else "Play")
        self.seek.setEnabled(self.player.current == self.hit.path)
        if self.player.available is False or not self.player.has_output():
            self.play_button.setToolTip("No sound output here: the song opens in the system's player")

    def _song_position(self, path: str, position: int, duration: int) -> None:
        if self.hit is None or path != self.hit.path:
            return
        self.seek.setRange(0, max(duration, 0))
        if not self.seek.isSliderDown():
            self.seek.setValue(position)
        self.time.setText(f"{clock(position)} / {clock(duration)}")


def clock(ms: float) -> str:
    seconds = int(ms // 1000)
    return f"{seconds // 3600}:{seconds // 60 % 60:02}:{seconds % 60:02}" if seconds >= 3600 else \
        f"{seconds // 60}:{seconds % 60:02}"


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def mark(text: str, words: list[str]) -> str:
    """HTML of the text with the query's words in bold on a tint."""
    out, at = [], 0
    for start, length in word_ranges(text, words):
        if start < at:
            continue
        out.append(html.escape(text[at:start]))
        out.append(f'<b style="{MARK_STYLE}">{html.escape(text[start:start + length])}</b>')
        at = start + length
    out.append(html.escape(text[at:]))
    return "".join(out).replace("\n", "<br>")


def context_html(details: ItemDetails, hit: SearchHit, words: list[str]) -> str:
    """The passage that matched with its neighbours; the match on a tint, the query's words marked."""
    texts = [t for t, _ in details.passages]
    at = next((i for i, t in enumerate(texts) if snippet_of(t) == hit.snippet), None)
    if at is None:  # the file changed since the search, or a keyword passage: show its start
        at = 0
    parts = []
    for i in range(max(0, at - CONTEXT_PASSAGES), min(len(texts), at + CONTEXT_PASSAGES + 1)):
        page = details.passages[i][1]
        heading = f'<p style="color: gray; font-size: small">{place_name(hit.path, page)}</p>' if page and (
            i == max(0, at - CONTEXT_PASSAGES) or details.passages[i - 1][1] != page) else ""
        style = ' style="background-color: rgba(80, 140, 255, 0.14)"' if i == at else ""
        parts.append(f"{heading}<p{style}>{mark(texts[i], words)}</p>")
    return "".join(parts)


def seen_text(kind: str, meta: dict[str, object]) -> str:
    """What the picture or song model saw, for the facts: a picture's classes with their shares, only
    those it is fairly sure of (its runners-up are often odd: "crutch", "barbershop"), and its colours."""
    labels = [str(x) for x in _listed(meta.get("labels"))]
    shares = [float(x) for x in _listed(meta.get("label_shares")) if isinstance(x, (int, float))]
    if kind == "image" and len(shares) == len(labels) and labels:
        labels = [f"{label} ({share:.0%})" for label, share in zip(labels, shares, strict=True)
                  if share >= SURE_SHARE] or ["no clear object"]
    return ", ".join([*labels, *(str(x) for x in _listed(meta.get("looks")))])


def _listed(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []

