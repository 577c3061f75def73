"""The first frame: the window's place, size and colours with "Opening your library…", painted
before the core (numpy, onnxruntime, the library file) and the full window are loaded.

Loading those takes about half a second on a fast machine and several on a slow laptop; without this
frame a double-click shows nothing for that long. It imports only Qt and the window's remembered
state, and hands over to the full window, shown at the same place, once that is built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from nearby.desktop import window_state
from nearby.desktop.theme import apply_theme

DEFAULT_SIZE = (1180, 760)  # the full window's size before it remembers one (main_window.py)


class FirstFrame(QWidget):
    """A top-level window that looks like Nearby's opening: calls `painted` once, after its first
    frame has been drawn (not merely shown), so the slow loading starts with something on screen."""

    def __init__(self, painted: Callable[[], None]) -> None:
        super().__init__()
        self._painted: Callable[[], None] | None = painted
        self.setWindowTitle("Nearby")
        state = window_state.window_settings()
        apply_theme(window_state.read(state, "theme", "system"))
        self.resize(*DEFAULT_SIZE)
        geometry = window_state.saved_state(state, "geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.message = QLabel("Opening your library…")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("font-size: 13pt; color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)

    def paintEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().paintEvent(event)
        if self._painted is not None:
            painted, self._painted = self._painted, None
            painted()

    def hand_over(self, window: QWidget) -> None:
        """Show the full window where this one is (maximised or full screen as it is), then go."""
        if self.isMaximized() or self.isFullScreen():
            window.setWindowState(self.windowState())
        else:
            window.setGeometry(self.geometry())
        window.show()
        window.raise_()
        window.activateWindow()
        self.close()
