"""Operations: work off the GUI thread, "library changed" notices, and closing without waiting."""

from pathlib import Path

from pytestqt.qtbot import QtBot

from nearby.core.library import Library
from nearby.desktop.main_window import MainWindow
from tests.fakes import FakeEmbedder

INDEX_TIMEOUT_MS = 60_000


def test_closing_while_indexing_returns_at_once_and_closes_the_library_after(qtbot: QtBot, tmp_path: Path) -> None:
    docs = tmp_path / "many"
    docs.mkdir()
    for i in range(120):
        (docs / f"n{i}.txt").write_text(f"Note {i}. " + "Filler sentence about ordinary things. " * 60)
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(delay_s=0.5), with_media=False)
    win = MainWindow(library, update_on_start=False)
    qtbot.addWidget(win)
    win.show()
    win.index_folders([str(docs)])
    # (some files committed: the bar moves before that, while the first files' text is read)
    qtbot.waitUntil(lambda: library.status().items > 0, timeout=10_000)
    with qtbot.waitSignal(win.closed, timeout=INDEX_TIMEOUT_MS):
        win.close()
        # The GUI thread did not wait: the window is gone, the run is still stopping, the library open.
        assert not win.isVisible() and win.ops.active == 1 and win.ops.closing
    assert win.ops.active == 0 and library.open_connections == 0
    assert 0 < library.status().items < 120, "the cancelled run kept what it had committed"


def test_a_write_announces_the_change_and_the_shown_search_refreshes(qtbot: QtBot, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("harvest of apples in the orchard")
    win = MainWindow(Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False), update_on_start=False)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.indexing_finished, timeout=INDEX_TIMEOUT_MS):
        win.index_folders([str(docs)])
    with qtbot.waitSignal(win.search_finished) as first:
        win.search_field.setText("apples orchard")
        win.run_search()
    assert [Path(h.path).name for h in first.args[0]] == ["a.txt"]
    (docs / "b.txt").write_text("apples orchard apples orchard")
    shown: list[list] = []  # type: ignore[type-arg]
    win.search_finished.connect(shown.append)
    with qtbot.waitSignal(win.ops.changed, timeout=INDEX_TIMEOUT_MS):
        win.index_folders([str(docs)])
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)  # the search ran again by itself
    assert [Path(h.path).name for h in shown[-1]][:1] == ["b.txt"]
    qtbot.waitUntil(lambda: "2 documents" in win.stats_label.text())
