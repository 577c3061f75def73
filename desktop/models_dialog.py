"""Settings → Models: the text models, which one the library uses, and switching to another.

A switch indexes everything again in the new model's space, in the background (the core keeps
answering searches from the old vectors until the new ones are complete); Cancel stops it and
the next "Use" resumes. Models that are not installed show the command that installs them: the
window itself never goes to the network.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nearby.core.progress import IndexProgress, IndexSummary
from nearby.desktop.operations import Operations
from nearby.desktop.worker import Worker

COLUMNS = ("Model", "Languages", "Size", "State", "Good at")
# Names for the codes the catalog gives (ISO 639-1); a model of many languages shows their count.
LANGUAGE_NAMES = {"ar": "Arabic", "de": "German", "en": "English", "es": "Spanish", "fr": "French",
                  "it": "Italian", "ja": "Japanese", "ko": "Korean", "nl": "Dutch", "pl": "Polish",
                  "pt": "Portuguese", "ru": "Russian", "th": "Thai", "tr": "Turkish", "zh": "Chinese",
                  "zh-TW": "Chinese (Taiwan)"}


def language_names(codes: list[str]) -> list[str]:
    return [LANGUAGE_NAMES.get(code, code) for code in codes]


class ModelsDialog(QDialog):
    """The library's text model, and the others it could use."""

    switched = Signal(str)  # the model now in charge, after a switch that finished

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.setWindowTitle("Settings — Models")
        self.resize(860, 360)
        self.rows: list[dict[str, Any]] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.verticalHeader().setMinimumSectionSize(30)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.horizontalHeader().setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Text models")
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.explain = QLabel("The text model reads your documents and your queries. Switching indexes the "
                              "library again in the new model's space; search keeps working meanwhile.")
        self.explain.setWordWrap(True)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.use_button = QPushButton("Use this model")
        self.use_button.setAccessibleName("Use the selected model for this library")
        self.use_button.clicked.connect(self.use_selected)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Switching progress")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self._worker: Worker | None = None
        self._show_running(False)
        self.refresh()

    def refresh(self) -> None:
        self.ops.read(lambda library: [m for m in library.models() if m["kind"] == "text"], self._show)

    def _show(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            state = "In use" if row["active"] else ("Installed" if row["installed"] else "Not installed")
            names = language_names(row["languages"])
            languages = ", ".join(names) if len(names) <= 3 else f"{len(names)} languages"
            for c, text in enumerate((row["name"], languages, f"{row['size_mb']:.0f} MB", state, row["good_at"])):
                item = QTableWidgetItem(text)
                if c == 1:
                    item.setToolTip(", ".join(names))
                if row["active"]:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        for column in range(len(COLUMNS) - 1):  # the last one stretches, its text wrapped
            self.table.resizeColumnToContents(column)
        self.table.resizeRowsToContents()
        self._selection_changed()

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        row = self.selected()
        running = self._worker is not None
        self.use_button.setEnabled(bool(row and row["installed"] and not row["active"] and not running))
        if row is None or running:
            return
        if not row["installed"]:
            self.note.setText(f"{row['name']} is not installed. Install it from a terminal with "
                              f"“nearby models install {row['name']}” (about {row['size_mb']:.0f} MB), then "
                              "come back here.")
        elif row["active"]:
            self.note.setText(f"This library uses {row['name']}.")
        else:
            self.note.setText(f"Use {row['name']}: every file is read again in its space, in the background.")

    def use_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        name = row["name"]

        def switch(library: Any, token: Any) -> Any:
            from nearby.core.inference.text_embedder import TextEmbedder
            from nearby.models.catalog import get_model

            return library.use_text_model(TextEmbedder(get_model(name)), cancel=token)

        self.progress.setRange(0, 0)
        self.progress.setFormat(f"Switching to {name}…")
        self._worker = self.ops.write(switch, lambda summary: self._done(name, summary), self._progress)
        self._show_running(self._worker is not None)

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.cancel_button.setEnabled(False)
            self.progress.setFormat("Stopping… (the current model stays in charge)")

    def _progress(self, p: IndexProgress) -> None:
        phase = p.phase.removeprefix("switching: ")
        if p.total:
            self.progress.setRange(0, p.total)
            self.progress.setValue(p.done)
        self.progress.setFormat(f"{phase.capitalize()} {p.done:,}/{p.total:,}" if p.total else f"{phase.capitalize()}…")

    def _done(self, name: str, summary: IndexSummary | None) -> None:
        self._worker = None
        self._show_running(False)
        in_charge = self.ops.library.embedder.name
        if in_charge == name:
            self.note.setText(f"The library now uses {name}." + (f" {summary.describe()}" if summary else ""))
            self.switched.emit(name)
        else:
            self.note.setText(f"The switch to {name} stopped; {in_charge} still answers searches. "
                              "“Use this model” again resumes where it stopped.")
        self.refresh()

    def _show_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.table.setEnabled(not running)
        self.use_button.setEnabled(not running and self.use_button.isEnabled())
