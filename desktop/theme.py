"""Light and dark palettes: the system's, or one the person chose (Settings → General → Theme).

Fusion with an explicit palette looks the same on every platform and keeps every role readable:
selected rows, disabled text, links and placeholders all get colours picked for their background.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = (("Same as the system", "system"), ("Light", "light"), ("Dark", "dark"))

_DARK = {
    QPalette.ColorRole.Window: "#26282b", QPalette.ColorRole.WindowText: "#e8e8e8",
    QPalette.ColorRole.Base: "#1d1f21", QPalette.ColorRole.AlternateBase: "#2c2f33",
    QPalette.ColorRole.Text: "#e8e8e8", QPalette.ColorRole.Button: "#33363a",
    QPalette.ColorRole.ButtonText: "#e8e8e8", QPalette.ColorRole.Highlight: "#3d7be0",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.Link: "#7fb0ff",
    QPalette.ColorRole.PlaceholderText: "#9aa0a6", QPalette.ColorRole.ToolTipBase: "#33363a",
    QPalette.ColorRole.ToolTipText: "#e8e8e8", QPalette.ColorRole.Midlight: "#3a3d42",
    QPalette.ColorRole.Mid: "#44484d", QPalette.ColorRole.Dark: "#151618", QPalette.ColorRole.BrightText: "#ff6b6b",
}
_LIGHT = {
    QPalette.ColorRole.Window: "#f3f4f6", QPalette.ColorRole.WindowText: "#1f2328",
    QPalette.ColorRole.Base: "#ffffff", QPalette.ColorRole.AlternateBase: "#f0f3f7",
    QPalette.ColorRole.Text: "#1f2328", QPalette.ColorRole.Button: "#f7f8fa",
    QPalette.ColorRole.ButtonText: "#1f2328", QPalette.ColorRole.Highlight: "#2f6fd6",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.Link: "#1d5fc4",
    QPalette.ColorRole.PlaceholderText: "#6a737d", QPalette.ColorRole.ToolTipBase: "#ffffdc",
    QPalette.ColorRole.ToolTipText: "#1f2328", QPalette.ColorRole.Midlight: "#e3e6ea",
    QPalette.ColorRole.Mid: "#c5cad1", QPalette.ColorRole.Dark: "#9aa1a9", QPalette.ColorRole.BrightText: "#c62828",
}


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)  # Qt ≥ 6.5
    if scheme is not None:
        return bool(scheme() == Qt.ColorScheme.Dark)
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def palette_for(theme: str) -> QPalette:
    dark = theme == "dark" or (theme == "system" and system_is_dark())
    palette = QPalette()
    for role, colour in (_DARK if dark else _LIGHT).items():
        palette.setColor(role, QColor(colour))
        if role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
            faded = QColor(colour)
            faded.setAlpha(110)
            palette.setColor(QPalette.ColorGroup.Disabled, role, faded)
    return palette


def apply_theme(theme: str) -> None:
    """Use a theme ("system", "light" or "dark") for the whole app."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    app.setPalette(palette_for(theme))
    for window in app.topLevelWidgets():  # widgets under a style sheet keep their old palette otherwise
        sheet = window.styleSheet()
        if sheet:
            window.setStyleSheet("")
            window.setStyleSheet(sheet)
