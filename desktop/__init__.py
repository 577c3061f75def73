"""Nearby's PySide6 desktop app. Reaches the core only through core.library.Library."""
