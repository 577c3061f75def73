"""What the window remembers between runs: its size and place, splitter sizes, the last query,
filters, list or grid, theme. Kept with QSettings in an INI file in the platform's config folder
(beside Nearby's settings.json), so it is found the same way on every platform and in tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from platformdirs import user_config_dir
from PySide6.QtCore import QByteArray, QSettings

WINDOW_FILE = "window.ini"


def window_settings() -> QSettings:
    folder = Path(user_config_dir("Nearby", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return QSettings(str(folder / WINDOW_FILE), QSettings.Format.IniFormat)


def saved_state(settings: QSettings, key: str) -> QByteArray | None:
    """A state Qt saved as bytes (a window's geometry, a splitter's sizes), or None if none was."""
    value = settings.value(key)
    return QByteArray(value) if isinstance(value, QByteArray | bytes) and value else None


def read(settings: QSettings, key: str, default: Any) -> Any:
    """A value of the default's type (INI files give back strings), or the default."""
    value = settings.value(key, default)
    if value is None:
        return default
    try:
        if isinstance(default, bool):
            return value in (True, "true", "1", 1)
        if isinstance(default, int):
            return int(str(value))
        if isinstance(default, str):
            return str(value)
    except (TypeError, ValueError):
        return default
    return value
