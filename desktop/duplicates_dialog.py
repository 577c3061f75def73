"""Duplicates (Edit → Find Duplicates…): the library's groups of copies, each saying why and which
file to keep; the others are ticked, and Move to Trash moves the ticked files to the system's trash
after asking — never deleting, never a file outside the library's folders (core/search/duplicates.py).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QFile, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nearby.core.kinds import KIND_PLURALS
from nearby.core.search.duplicates import DuplicateGroup
from nearby.desktop.detail_pane import human_size
from nearby.desktop.operations import Operations

PATH_ROLE = Qt.ItemDataRole.UserRole


class DuplicatesDialog(QDialog):
    trashed = Signal(list)  # paths moved to the trash: the library updates them

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.setWindowTitle("Duplicates")
        self.resize(820, 520)
        self.summary = QLabel("Looking for duplicates…")
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(("File", "Size", ""))
        self.tree.setAccessibleName("Groups of duplicates")
        self.tree.itemChanged.connect(lambda *_: self._count_ticked())
        self.trash_button = QPushButton("Move Ticked Files to Trash…")
        self.trash_button.setEnabled(False)
        self.trash_button.clicked.connect(self.move_ticked_to_trash)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.trash_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.groups: list[DuplicateGroup] = []
        self.folders: list[str] = []
        self.failed: list[str] = []  # the last move's files that could not be moved

    def refresh(self) -> None:
        self.ops.read(lambda library: (library.duplicates(), library.folders()), lambda found: self.show_groups(*found))

    def show_groups(self, groups: list[DuplicateGroup], folders: list[str]) -> None:
        self.groups, self.folders = groups, folders
        self.tree.blockSignals(True)
        self.tree.clear()
        for group in groups:
            top = QTreeWidgetItem([f"{group.reason} — {len(group.files)} {KIND_PLURALS.get(group.kind, group.kind)}",
                                   "", ""])
            for file in group.files:
                keep = file.path == group.keep
                row = QTreeWidgetItem([file.path, human_size(file.size),
                                       f"keep ({group.why_keep})" if keep else ""])
                row.setData(0, PATH_ROLE, file.path)
                row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                row.setCheckState(0, Qt.CheckState.Unchecked if keep else Qt.CheckState.Checked)
                top.addChild(row)
            self.tree.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)  # the reason across the row (once the item is in the tree)
            top.setExpanded(True)
        self.tree.resizeColumnToContents(1)
        self.tree.setColumnWidth(0, max(420, self.tree.columnWidth(0)))
        self.tree.blockSignals(False)
        self._count_ticked()

    def ticked(self) -> list[str]:
        out = []
        for g in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(g)
            for c in range(top.childCount() if top is not None else 0):
                child = top.child(c) if top is not None else None
                if child is not None and child.checkState(0) == Qt.CheckState.Checked:
                    out.append(str(child.data(0, PATH_ROLE)))
        return out

    def _count_ticked(self) -> None:
        ticked = self.ticked()
        spare = sum(f.size for g in self.groups for f in g.files if f.path in set(ticked))
        if not self.groups:
            self.summary.setText("No duplicates: no file in the library is another's copy.")
        else:
            self.summary.setText(f"{len(self.groups)} groups of files that are the same thing. The one to keep "
                                 f"is unticked in each; {len(ticked)} ticked ({spare / 2**20:,.1f} MB). Untick "
                                 "what you want to keep too.")
        self.trash_button.setEnabled(bool(ticked))

    def move_ticked_to_trash(self, confirm: bool = True) -> list[str]:
        """Ask, then move the ticked files to the system's trash; returns those moved."""
        ticked = [p for p in self.ticked() if self._inside_library(p)]
        if not ticked:
            return []
        if confirm:
            answer = QMessageBox.question(
                self, "Move to Trash", f"Move {len(ticked)} file{'s' * (len(ticked) != 1)} to the trash? "
                "They can be restored from there.", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return []
        moved: list[str] = []
        failed: list[str] = []
        for path in ticked:
            done = QFile.moveToTrash(path)  # a bool, or (bool, where) in some PySide6 versions
            (moved if (done[0] if isinstance(done, tuple) else done) else failed).append(path)
        self.failed = failed
        if failed:
            many = "s" * (len(failed) != 1)
            box = QMessageBox(QMessageBox.Icon.Warning, "Move to Trash",
                              f"{len(failed)} file{many} could not be moved to the trash (no trash on that drive, or "
                              "no permission); they are unchanged:\n" + "\n".join(failed[:10]), parent=self)
            box.open()  # not modal for the caller: the dialog's list stays usable
        if moved:
            gone = set(moved)
            left = [replace(g, files=tuple(f for f in g.files if f.path not in gone)) for g in self.groups]
            self.show_groups([g for g in left if len(g.files) > 1], self.folders)  # at once; the library follows
            self.trashed.emit(moved)
        return moved

    def _inside_library(self, path: str) -> bool:
        """Only files under a folder of the library are ever moved."""
        resolved = Path(path).resolve()
        return any(resolved.is_relative_to(Path(f).resolve()) for f in self.folders)
