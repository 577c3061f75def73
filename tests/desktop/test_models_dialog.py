"""Settings → Models in the window: the text models listed with their state, a switch run in the
background with progress while search keeps answering, and the library using the new model after."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from nearby.core.inference.text_embedder import TextEmbedder
from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.desktop.main_window import MainWindow

SWITCH_TIMEOUT_MS = 120_000


def test_switching_the_text_model_from_the_window(qtbot: QtBot, tmp_path: Path, models_dir: Path) -> None:
    notes = tmp_path / "notas"
    notes.mkdir()
    (notes / "gato.txt").write_text("El gato duerme toda la tarde en el sofá del salón.", encoding="utf-8")
    (notes / "steuer.txt").write_text("Die Steuererklärung muss bis Ende Juli beim Finanzamt sein.", encoding="utf-8")
    library = Library(tmp_path / "lib.sqlite", TextEmbedder(models_root=models_dir), with_media=False)
    run_to_end(library.index([notes]))
    window = MainWindow(library, update_on_start=False)
    qtbot.addWidget(window)
    window.show()

    dialog = window.show_models()
    qtbot.waitUntil(lambda: dialog.table.rowCount() >= 2)
    states = {dialog.table.item(r, 0).text(): dialog.table.item(r, 3).text() for r in range(dialog.table.rowCount())}
    assert states["all-MiniLM-L6-v2"] == "In use" and states["use-multilingual-v3"] == "Installed"
    row = next(r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 0).text() == "use-multilingual-v3")
    dialog.table.selectRow(row)
    assert dialog.use_button.isEnabled() and "read again" in dialog.note.text()
    active = next(r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 0).text() == "all-MiniLM-L6-v2")
    dialog.table.selectRow(active)
    assert not dialog.use_button.isEnabled()  # already in use
    dialog.table.selectRow(row)

    with qtbot.waitSignal(dialog.switched, timeout=SWITCH_TIMEOUT_MS) as blocker:
        dialog.use_button.click()
        assert dialog.progress.isVisible() and dialog.cancel_button.isVisible() and not dialog.table.isEnabled()
        assert library.search("tax return", k=1)  # the old model answers while the new one fills in
    assert blocker.args == ["use-multilingual-v3"] and library.embedder.name == "use-multilingual-v3"
    assert "now uses use-multilingual-v3" in dialog.note.text() and not dialog.progress.isVisible()
    qtbot.waitUntil(lambda: any(dialog.table.item(r, 3).text() == "In use" and
                                dialog.table.item(r, 0).text() == "use-multilingual-v3"
                                for r in range(dialog.table.rowCount())))
    hits = library.search("tax return deadline", k=1)
    assert Path(hits[0].path).name == "steuer.txt"  # an English query finds the German note
    dialog.grab().save(str(tmp_path / "models.png"))
