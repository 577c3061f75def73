"""Entry point of the desktop app (`nearby-desktop`)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nearby.desktop.main_window import MainWindow

STARTED = time.perf_counter()
ICON = Path(__file__).resolve().parent / "icon.svg"  # the window's icon (the menus' come from installed PNGs)
STARTUP_PROBE = "NEARBY_STARTUP_PROBE"
SCREENSHOT = "NEARBY_SCREENSHOT"
SCREENSHOT_AFTER_MS = 4000


def parser(prog: str = "nearby-desktop") -> argparse.ArgumentParser:
    from nearby.core.version import version

    out = argparse.ArgumentParser(prog=prog, description="Nearby's window: find your own documents, photos and "
                                  "songs by what they mean, offline.")
    out.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                     help="folders (or files) to add to the library, as if dropped on the window (a launcher's %%F)")
    out.add_argument("--library", type=Path, help="library file (default: $NEARBY_LIBRARY or the user data folder)")
    out.add_argument("--search", metavar="TEXT", help="start with this search")
    out.add_argument("--version", action="version", version=f"Nearby {version()}")
    return out


def main(argv: list[str] | None = None) -> int:
    args, qt_args = parser().parse_known_args(argv)
    # QtMultimedia lists every optional codec library it could not find; users need none of it.
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")

    from PySide6.QtWidgets import QApplication

    from nearby.core.errors import NearbyError
    from nearby.core.library import Library
    from nearby.core.logfile import configure_logging
    from nearby.core.privacy import private_by_default
    from nearby.desktop.main_window import MainWindow

    private_by_default()
    configure_logging()
    app = QApplication([sys.argv[0], *qt_args])
    app.setApplicationName("Nearby")
    app.setOrganizationName("Nearby")
    app.setDesktopFileName("nearby")  # Wayland: the menu entry's icon and name for the window
    from PySide6.QtGui import QIcon

    app.setWindowIcon(QIcon(str(ICON)))
    try:
        library = Library(args.library)
    except NearbyError as exc:  # no window to show it in yet: a dialog, then out
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, "Nearby cannot open its library", str(exc))
        return 1
    window = MainWindow(library)
    window.closed.connect(app.quit)  # closing may finish after the window hid (work is cancelled first)
    window.show()
    if os.environ.get(STARTUP_PROBE):  # the start-up benchmark: report the first painted frame, then quit
        from PySide6.QtCore import QTimer

        def painted() -> None:
            print(f"first-paint {time.perf_counter() - STARTED:.3f}", flush=True)
            window.close()

        QTimer.singleShot(0, painted)
    shot = os.environ.get(SCREENSHOT)
    if shot:  # a picture of the window as it settles (searches done), then quit: for checks and docs
        from PySide6.QtCore import QTimer

        QTimer.singleShot(SCREENSHOT_AFTER_MS, lambda: (window.grab().save(shot), window.close()))
    if args.search:
        window.search_field.setText(args.search)
        window.run_search()
    add_named(window, args.paths)
    return app.exec()


def add_named(window: MainWindow, paths: list[Path]) -> list[str]:
    """Folders (or files) dropped on the launcher (the menu entry's %F) or named on the command line
    are added and indexed, as a drop on the window is; what does not exist is said in the status bar.
    Returns the paths added."""
    added = [str(p.expanduser().resolve()) for p in paths if p.expanduser().exists()]
    if added:
        window.index_folders(added)
    missing = [str(p) for p in paths if not p.expanduser().exists()]
    if missing:
        window.statusBar().showMessage(f"Not found, so not added: {', '.join(missing)}", 15000)
    return added


if __name__ == "__main__":
    raise SystemExit(main())
