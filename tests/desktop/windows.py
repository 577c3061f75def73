"""What the window tests share: the sample library, opening a window on it, searching, screenshots."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.desktop.main_window import MainWindow
from nearby.desktop.sample_collection import shipped_sample

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
WAIT_MS = 15_000


def shoot(window: MainWindow, name: str) -> Path:
    """Save what the window shows now (the README points at this folder)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert window.grab().save(str(path))
    return path


def index_sample(root: Path) -> Path:
    """The shipped sample collection indexed with the real models into ``root`` (its files at stable
    ages: a newest-first order tests can name; lease.txt over two years old)."""
    os.environ["XDG_CACHE_HOME"] = str(root / "cache")  # thumbnails outlive the first test's folders
    shutil.copytree(shipped_sample(), root / "sample")
    now = time.time()
    for age, path in enumerate(sorted((root / "sample").rglob("*.*"))):  # a stable newest-first order
        os.utime(path, (now - age * 3600, now - age * 3600))
    old = root / "sample" / "documents" / "lease.txt"
    os.utime(old, (now - 800 * 86400, now - 800 * 86400))  # over two years old
    library = Library(root / "lib.sqlite")
    summary = run_to_end(library.index([root / "sample"]))
    library.close()
    assert summary.added == 26 and not summary.failures
    return root


def open_window(qtbot: QtBot, library: Path, **kwargs: object) -> MainWindow:
    win = MainWindow(Library(library / "lib.sqlite"), update_on_start=False, watch=False, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(win)
    win.resize(1180, 760)
    win.show()
    return win


def search(qtbot: QtBot, win: MainWindow, text: str) -> list:  # type: ignore[type-arg]
    with qtbot.waitSignal(win.search_finished, timeout=WAIT_MS) as blocker:
        win.search_field.setText(text)
        win.run_search()
    return blocker.args[0]


def names(win: MainWindow) -> list[str]:
    return [h.name for h in win.model.hits]
