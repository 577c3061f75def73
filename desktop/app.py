"""Entry point of the desktop app (`nearby-desktop`)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nearby.desktop.first_frame import FirstFrame
    from nearby.desktop.main_window import MainWindow

STARTED = time.perf_counter()
ICON = Path(__file__).resolve().parent / "icon.svg"  # the window's icon (the menus' come from installed PNGs)
STARTUP_PROBE = "NEARBY_STARTUP_PROBE"
SCREENSHOT = "NEARBY_SCREENSHOT"
SCREENSHOT_AFTER_MS = 4000


class _Version(argparse.Action):
    """--version, reading the version only when asked (importlib.metadata costs the first frame ~20 ms)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        from nearby.core.version import version

        print(f"Nearby {version()}")
        parser.exit()


def parser(prog: str = "nearby-desktop") -> argparse.ArgumentParser:
    out = argparse.ArgumentParser(prog=prog, description="Nearby's window: find your own documents, photos and "
                                  "songs by what they mean, offline.")
    out.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                     help="folders (or files) to add to the library, as if dropped on the window (a launcher's %%F)")
    out.add_argument("--library", type=Path, help="library file (default: $NEARBY_LIBRARY or the user data folder)")
    out.add_argument("--search", metavar="TEXT", help="start with this search")
    out.add_argument("--version", action=_Version, help="show the version and exit")
    return out


def main(argv: list[str] | None = None) -> int:
    args, qt_args = parser().parse_known_args(argv)
    # QtMultimedia lists every optional codec library it could not find; users need none of it.
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from nearby.desktop.first_frame import FirstFrame

    app = QApplication([sys.argv[0], *qt_args])
    app.setApplicationName("Nearby")
    app.setOrganizationName("Nearby")
    app.setDesktopFileName("nearby")  # Wayland: the menu entry's icon and name for the window
    app.setWindowIcon(QIcon(str(ICON)))
    probe = bool(os.environ.get(STARTUP_PROBE))
    exit_code = [0]
    windows: list[MainWindow] = []  # the full window, held here for as long as the app runs

    def first_painted() -> None:
        if probe:  # the start-up benchmark: the first frame a person sees
            print(f"first-paint {time.perf_counter() - STARTED:.3f}", flush=True)
        # Load the rest once this frame is on screen (a zero timer runs after the paint is flushed).
        QTimer.singleShot(0, open_window)

    def open_window() -> None:
        window = build_window(args, first)
        if window is None:
            exit_code[0] = 1
            app.quit()
            return
        windows.append(window)
        if probe:  # then the full window, usable, and out ("stay": kept open, for the tests of signals)
            def ready() -> None:
                print(f"window-ready {time.perf_counter() - STARTED:.3f}", flush=True)
                if os.environ.get(STARTUP_PROBE) != "stay":
                    window.close()

            QTimer.singleShot(0, ready)

    from PySide6.QtCore import QTimer

    first = FirstFrame(first_painted)
    first.show()
    notifier = close_on_stop_signals(lambda: windows[0].close() if windows else app.quit())  # noqa: F841 (kept)
    code = app.exec()
    return exit_code[0] or code


def close_on_stop_signals(close: Callable[[], object]) -> object:
    """Ctrl-C in the terminal (SIGINT) and a logout's or `kill`'s SIGTERM close the window as its close
    button does: running work is cancelled, the library closed cleanly, exit status 0 — not a
    KeyboardInterrupt traceback with the window still running, nor a kill that leaves the library open.

    Python runs a signal's handler only when it next gets control, which Qt's event loop never gives
    it: the signal's number is written to a socket (set_wakeup_fd) that the event loop watches.
    Returns what must be kept alive for as long as the app runs."""
    import signal
    import socket

    from PySide6.QtCore import QSocketNotifier

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)

    def drain() -> None:
        with contextlib.suppress(OSError):
            reader.recv(64)

    notifier.activated.connect(drain)
    asked: list[bool] = []

    def handler(_signum: int, _frame: object) -> None:
        if not asked:  # a second Ctrl-C while closing waits for the first
            asked.append(True)
            close()

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, handler)
    return (reader, writer, notifier)


def build_window(args: argparse.Namespace, first: FirstFrame) -> MainWindow | None:
    """The core, the library and the full window, put where the first frame is; None (after saying
    why in a dialog) if the library cannot be opened."""
    from PySide6.QtWidgets import QApplication

    from nearby.core.errors import NearbyError
    from nearby.core.library import Library
    from nearby.core.logfile import configure_logging
    from nearby.core.privacy import private_by_default
    from nearby.desktop.main_window import MainWindow

    private_by_default()
    configure_logging()
    try:
        library = Library(args.library)
    except NearbyError as exc:  # no window to show it in: a dialog, then out
        from PySide6.QtWidgets import QMessageBox

        first.close()
        QMessageBox.critical(None, "Nearby cannot open its library", str(exc))
        return None
    window = MainWindow(library)
    window.closed.connect(QApplication.quit)  # closing may finish after the window hid (work is cancelled first)
    first.hand_over(window)
    shot = os.environ.get(SCREENSHOT)
    if shot:  # a picture of the window as it settles (searches done), then quit: for checks and docs
        from PySide6.QtCore import QTimer

        QTimer.singleShot(SCREENSHOT_AFTER_MS, lambda: (window.grab().save(shot), window.close()))
    if args.search:
        window.search_field.setText(args.search)
        window.run_search()
    add_named(window, args.paths)
    return window


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
