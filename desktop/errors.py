"""The one place the window turns errors into messages: a banner above the results."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from nearby.core.errors import NearbyError, explain_storage_failure
from nearby.core.logfile import log_path

log = logging.getLogger(__name__)


def message_for(exc: BaseException) -> str:
    """Words for the user. Nearby's own errors already say what happened and how to fix it."""
    if isinstance(exc, NearbyError):
        return str(exc)
    explained = explain_storage_failure(exc, "the library")
    if explained is not None:
        return str(explained)
    return (f"Something went wrong: {type(exc).__name__}: {exc}. Details are in the log "
            f"({log_path()}); please include it if you report this.")


class ErrorBanner(QFrame):
    """A dismissable strip that shows the latest error; hidden when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.addWidget(self.label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_error(self, exc: BaseException) -> None:
        if not isinstance(exc, NearbyError):
            log.error("unexpected error", exc_info=exc)
        else:
            log.warning("%s", exc)
        self.show_message(message_for(exc))

    def show_message(self, text: str) -> None:
        """Show words that are already fit for a person (a run-wide problem, say)."""
        self.label.setText(text)
        self.show()

    @property
    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""
