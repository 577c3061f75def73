"""Entry point of the desktop app (`nearby-desktop`)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()
STARTUP_PROBE = "NEARBY_STARTUP_PROBE"
SCREENSHOT = "NEARBY_SCREENSHOT"
SCREENSHOT_AFTER_MS = 4000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nearby-desktop")
    parser.add_argument("--library", type=Path, help="library file (default: $NEARBY_LIBRARY or the user data folder)")
    parser.add_argument("--search", metavar="TEXT", help="start with this search")
    args, qt_args = parser.parse_known_args(argv)
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
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
