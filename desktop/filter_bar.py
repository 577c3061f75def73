"""Filters beside the search field: kind, date, folder and file type, combinable with any query.

With no query they filter browsing (the library newest first); with one, the search's results.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox

from nearby.core.search.filters import Filters

KIND_FILTERS = (("All kinds", None), ("Documents", "document"), ("Photos", "image"), ("Songs", "song"))
DAY = 86_400.0
DATE_FILTERS = (("Any date", None), ("Past week", 7), ("Past month", 31), ("Past year", 365),
                ("Older than a year", -365))
TYPE_FILTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Any type", ()),
    ("PDF", (".pdf",)),
    ("Word, LibreOffice, RTF", (".docx", ".odt", ".rtf")),
    ("Spreadsheets and slides", (".xlsx", ".pptx", ".ods", ".odp", ".csv", ".tsv")),
    ("E-books and e-mail", (".epub", ".eml", ".mbox")),
    ("Text and Markdown", (".txt", ".md", ".markdown", ".rst")),
    ("Web pages", (".html", ".htm")),
    ("JPEG", (".jpg", ".jpeg")),
    ("PNG, WebP, GIF…", (".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".heic")),
    ("MP3", (".mp3",)),
    ("FLAC, Ogg, Opus, WAV…", (".flac", ".ogg", ".oga", ".opus", ".wav", ".aif", ".aiff")),
    ("M4A, AAC, WMA", (".m4a", ".aac", ".wma")),
)


def combo(name: str, items: tuple[tuple[str, object], ...]) -> QComboBox:
    box = QComboBox()
    box.setAccessibleName(name)
    box.setToolTip(name)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(10)  # long choices ("FLAC, Ogg, Opus, WAV…") show in the open list
    for label, data in items:
        box.addItem(label, data)
    return box


class FilterBar(QObject):
    """Owns the filter boxes (the window places them); ``changed`` when any of them changes."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.kind = combo("Kind of result", KIND_FILTERS)
        self.date = combo("Modified", DATE_FILTERS)
        self.folder = combo("Folder", (("All folders", None),))
        self.type = combo("File type", TYPE_FILTERS)
        for box in self.boxes:
            box.currentIndexChanged.connect(lambda _: self.changed.emit())

    @property
    def boxes(self) -> tuple[QComboBox, ...]:
        return (self.kind, self.date, self.folder, self.type)

    def set_folders(self, folders: list[str], tree: list[tuple[str, int]] | None = None) -> None:
        """The library's folders as choices, with their subfolders indented below them when ``tree``
        (folder, files) is given (Library.subfolders); the one chosen stays chosen if it is still there."""
        chosen = self.folder.currentData()
        self.folder.blockSignals(True)
        self.folder.clear()
        self.folder.addItem("All folders", None)
        roots = sorted(folders, key=len, reverse=True)
        for folder, files in tree if tree is not None else [(f, 0) for f in folders]:
            root = next((r for r in roots if folder == r or folder.startswith(r.rstrip("/\\") + ("/" if "/" in r
                                                                                                   else "\\"))), None)
            level = len(Path(folder).relative_to(root).parts) if root and folder != root else 0
            name = Path(folder).name or folder
            label = f"{'    ' * level}{'└ ' if level else ''}{name}" + (f"  ({files:,})" if files else "")
            self.folder.addItem(label, folder)
            self.folder.setItemData(self.folder.count() - 1, folder, 3)  # Qt.ToolTipRole: the whole path
        at = self.folder.findData(chosen)
        self.folder.setCurrentIndex(max(at, 0))
        self.folder.blockSignals(False)
        if chosen is not None and at < 0:
            self.changed.emit()  # the folder chosen left the library

    def filters(self, now: float | None = None) -> Filters:
        now = time.time() if now is None else now
        days = self.date.currentData()
        since = now - days * DAY if days and days > 0 else None
        until = now + days * DAY if days and days < 0 else None
        return Filters(kind=self.kind.currentData(), folder=self.folder.currentData(),
                       extensions=tuple(self.type.currentData() or ()), since=since, until=until)

    @property
    def active(self) -> bool:
        """Whether anything but the kind filters."""
        return any(box.currentIndex() > 0 for box in (self.date, self.folder, self.type))

    def state(self) -> dict[str, int]:
        return {"kind": self.kind.currentIndex(), "date": self.date.currentIndex(), "type": self.type.currentIndex()}

    def restore(self, state: dict[str, int]) -> None:
        for name, box in (("kind", self.kind), ("date", self.date), ("type", self.type)):
            index = int(state.get(name, 0))
            if 0 <= index < box.count():
                box.setCurrentIndex(index)
