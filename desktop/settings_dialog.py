"""Settings (Ctrl+,): the library's folders, the models per kind and where they run, the theme and
how many results a search shows. Changes apply at once; there is nothing to "save".
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from nearby.core.library import LibraryStatus
from nearby.desktop.operations import Operations
from nearby.desktop.theme import THEMES

KIND_TITLES = {"text": "Documents and queries", "image": "Photos", "song": "Songs", "ocr": "Text in pictures",
               "words": "Words (arithmetic)"}
RESULT_COUNTS = (10, 500)


class SettingsDialog(QDialog):
    """Three tabs: Folders, Models, General."""

    theme_changed = Signal(str)
    folder_added = Signal(str)
    folders_changed = Signal()  # a folder was removed, paused or resumed
    models_clicked = Signal()  # "Change text model…"

    def __init__(self, ops: Operations, theme: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.setWindowTitle("Settings")
        self.resize(720, 460)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._folders_tab(), "Folders")
        self.tabs.addTab(self._models_tab(), "Models")
        self.tabs.addTab(self._general_tab(theme), "General")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        ops.changed.connect(self.refresh)
        self.refresh()

    # -- folders ------------------------------------------------------------------------------

    def _folders_tab(self) -> QWidget:
        page = QWidget()
        self.folder_list = QListWidget()
        self.folder_list.setAccessibleName("Folders in the library")
        self.folder_list.itemSelectionChanged.connect(self._folder_chosen)
        self.add_folder_button = QPushButton("Add…")
        self.remove_folder_button = QPushButton("Remove")
        self.remove_folder_button.setToolTip("Its files leave the library (the files themselves are not touched)")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setToolTip("Keep its files in the library but stop updating and watching it")
        self.add_folder_button.clicked.connect(self._add_folder)
        self.remove_folder_button.clicked.connect(self._remove_folder)
        self.pause_button.clicked.connect(self._toggle_pause)
        column = QVBoxLayout()
        for button in (self.add_folder_button, self.remove_folder_button, self.pause_button):
            column.addWidget(button)
        column.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.folder_list, 1)
        row.addLayout(column)
        note = QLabel("Nearby indexes these folders and everything in them, and keeps up with changes while it runs.")
        note.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(note)
        layout.addLayout(row)
        return page

    def _folder_chosen(self) -> None:
        folder = self.chosen_folder()
        self.remove_folder_button.setEnabled(folder is not None)
        self.pause_button.setEnabled(folder is not None)
        self.pause_button.setText("Resume" if folder in self.ops.library.settings.paused_folders else "Pause")

    def chosen_folder(self) -> str | None:
        items = self.folder_list.selectedItems()
        return str(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a folder to index", str(Path.home()))
        if folder:
            self.folder_added.emit(folder)

    def _remove_folder(self) -> None:
        folder = self.chosen_folder()
        if folder is None:
            return
        answer = QMessageBox.question(self, "Remove folder", f"Remove {folder} from the library?\n\nIts files "
                                      "leave Nearby's results; the files themselves stay where they are.")
        if answer == QMessageBox.StandardButton.Yes:
            self.remove(folder)

    def remove(self, folder: str) -> None:
        """Take a folder out of the library (without asking)."""
        self.ops.library.pause_folder(folder, False)
        self.ops.read(lambda library: library.remove_folder(folder), lambda _removed: self._folders_changed())

    def _toggle_pause(self) -> None:
        folder = self.chosen_folder()
        if folder is not None:
            self.pause(folder, folder not in self.ops.library.settings.paused_folders)

    def pause(self, folder: str, paused: bool) -> None:
        self.ops.library.pause_folder(folder, paused)
        self._folders_changed()

    def _folders_changed(self) -> None:
        self.folders_changed.emit()
        self.ops.changed.emit()  # the results and counts change with the folders

    # -- models -------------------------------------------------------------------------------

    def _models_tab(self) -> QWidget:
        page = QWidget()
        self.models_table = QTableWidget(0, 3)
        self.models_table.setHorizontalHeaderLabels(("For", "Model", "Runs on"))
        self.models_table.verticalHeader().hide()
        self.models_table.horizontalHeader().setStretchLastSection(True)
        self.models_table.setAccessibleName("Models in use")
        change = QPushButton("Change the text model…")
        change.setToolTip("Another text model: other languages, or finer English (the library is read again)")
        change.clicked.connect(self.models_clicked)
        layout = QVBoxLayout(page)
        layout.addWidget(self.models_table, 1)
        layout.addWidget(change, 0, Qt.AlignmentFlag.AlignLeft)
        return page

    # -- general ------------------------------------------------------------------------------

    def _general_tab(self, theme: str) -> QWidget:
        page = QWidget()
        self.theme_box = QComboBox()
        self.theme_box.setAccessibleName("Theme")
        for label, name in THEMES:
            self.theme_box.addItem(label, name)
        self.theme_box.setCurrentIndex(max(0, self.theme_box.findData(theme)))
        self.theme_box.currentIndexChanged.connect(lambda _: self.theme_changed.emit(self.theme_box.currentData()))
        self.count_box = QSpinBox()
        self.count_box.setAccessibleName("Results per search")
        self.count_box.setRange(*RESULT_COUNTS)
        self.count_box.setValue(self.ops.library.settings.result_count)
        self.count_box.valueChanged.connect(self._set_result_count)
        form = QFormLayout(page)
        form.addRow("Theme", self.theme_box)
        form.addRow("Results per search", self.count_box)
        return page

    def _set_result_count(self, count: int) -> None:
        self.ops.library.settings.result_count = count
        self.ops.library.settings.save()

    # -- refreshing ---------------------------------------------------------------------------

    def refresh(self) -> None:
        self.ops.read(lambda library: library.status(), self._show_status)

    def _show_status(self, status: LibraryStatus) -> None:
        paused = set(self.ops.library.settings.paused_folders)
        chosen = self.chosen_folder()
        self.folder_list.clear()
        for folder in status.folders:
            item = QListWidgetItem(f"{folder}   (paused)" if folder in paused else folder)
            item.setData(Qt.ItemDataRole.UserRole, folder)
            self.folder_list.addItem(item)
            if folder == chosen:
                item.setSelected(True)
        self._folder_chosen()
        device = status.provider.replace("ExecutionProvider", "")
        rows = [("text", status.model, device)] + [(kind, name, device) for kind, name in status.media_models.items()]
        for group, found in status.decoders.items():  # formats read by a decoder of the system's
            formats = "/".join(str(f) for f in found["formats"])  # type: ignore[attr-defined]
            rows.append((f"{formats} {group}", f"{found['decoder']} (on this computer)" if found["decoder"]
                         else "none found: not read", str(found["program"] or found["install"] or "")))
        self.models_table.setRowCount(len(rows))
        for r, (kind, name, where) in enumerate(rows):
            for c, text in enumerate((KIND_TITLES.get(kind, kind), name, where)):
                self.models_table.setItem(r, c, QTableWidgetItem(text))
        self.models_table.resizeColumnsToContents()
