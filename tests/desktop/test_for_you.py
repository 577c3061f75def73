"""For you and duplicates in the window: S likes the chosen file (the pane says ★ Liked; typing
"s" in the search field still types), Ctrl+Y lists suggestions "because you liked", and the
Duplicates dialog ticks all but the file to keep and moves the ticked ones to the trash when asked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.desktop.main_window import MainWindow
from tests.topics import write_topic_notes

WAIT_MS = 15_000


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, text_embedder: object,
           monkeypatch: pytest.MonkeyPatch) -> tuple[MainWindow, Path, dict[str, str]]:
    (tmp_path / "data").mkdir()  # the trash, under the test's own folder (Qt wants its parent there)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    folder = tmp_path / "notes"
    truth = write_topic_notes(folder, per_topic=6)
    shutil.copy(folder / "garden-00.txt", folder / "garden-00 copy.txt")
    library = Library(tmp_path / "lib.sqlite", text_embedder, with_media=False)  # type: ignore[arg-type]
    run_to_end(library.index([folder]))
    win = MainWindow(library, update_on_start=False, watch=False)
    qtbot.addWidget(win)
    win.resize(1180, 760)
    win.show()
    return win, folder, truth


def test_s_likes_the_chosen_file_and_for_you_suggests_more(qtbot: QtBot, window: tuple[MainWindow, Path,
                                                                                         dict[str, str]]) -> None:
    win, folder, truth = window
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        win.search_field.setText("stars telescope")
        win.run_search()
    hit = win.search.current_hit
    assert hit is not None and truth.get(hit.name) == "stars"
    win.search.results.setFocus()
    qtbot.keyClick(win.search.results, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: win.search.detail.buttons["Like"].text() == "★ Liked", timeout=WAIT_MS)
    assert [row.path for row, _ in win.library.likes()] == [hit.path]
    win.search_field.setFocus()
    qtbot.keyClick(win.search_field, Qt.Key.Key_S)
    assert win.search_field.text().endswith("s") and len(win.library.likes()) == 1  # typed, not a like
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        qtbot.keyClick(win, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    hits = win.model.hits
    assert hits and hit.path not in {h.path for h in hits}
    assert sum(truth.get(h.name) == "stars" for h in hits[:5]) >= 4
    assert all(h.snippet.startswith(f"Because you liked {hit.name} · ") for h in hits)
    assert "for you" in win.search.caption.text()
    first = hits[0]
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS):
        win.search.less_like(first)  # the result menu's "Less like this"
    assert first.path not in {h.path for h in win.model.hits}


def test_the_duplicates_dialog_moves_only_ticked_copies_to_the_trash(qtbot: QtBot, window: tuple[
        MainWindow, Path, dict[str, str]]) -> None:
    win, folder, _ = window
    dialog = win.show_duplicates()
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1, timeout=WAIT_MS)
    assert "same bytes" in dialog.tree.topLevelItem(0).text(0)
    ticked = dialog.ticked()
    assert len(ticked) == 1 and dialog.trash_button.isEnabled()
    kept = ({str(folder / "garden-00.txt"), str(folder / "garden-00 copy.txt")} - set(ticked)).pop()
    assert dialog.move_ticked_to_trash(confirm=False) == ticked, dialog.failed
    assert not Path(ticked[0]).exists() and Path(kept).exists()
    trash = folder.parent / "data" / "Trash" / "files"
    assert [p.name for p in trash.iterdir()] == [Path(ticked[0]).name]
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 0, timeout=WAIT_MS)
    assert "No duplicates" in dialog.summary.text()
