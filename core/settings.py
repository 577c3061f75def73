"""One typed settings object, saved as JSON in the platform's config folder.

Values a person may want to change live here instead of in constants spread over the code:
which folder names are never indexed, how many results a search shows, and the score under
which a result counts as a weaker match. Tests start from the defaults (their config folder is
a fresh temp dir).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir

log = logging.getLogger(__name__)

SETTINGS_ENV = "NEARBY_SETTINGS"
SETTINGS_FILE = "settings.json"


@dataclass
class Settings:
    """What a person can set. Unknown or malformed values in the file fall back to these defaults."""

    # Folder and file names never indexed (besides every name starting with a dot): build
    # output and package caches hold thousands of files nobody searches for.
    excluded_names: tuple[str, ...] = ("__pycache__", "node_modules")
    # Results a search asks for: a screenful of thumbnails or two of rows.
    result_count: int = 50
    # Calibrated scores (core/search/calibration.py: 0.5 is "as likely a good match as not", for
    # every kind) under this are weaker matches, one click away (`nearby search --all`, the window's
    # "show weaker"). 0.35 is where, on `python -m bench.nothing_eval`, 18 of 20 queries about nothing
    # in the library show nothing and every wanted file of the mixed queries is shown.
    min_score: float = 0.35
    # Folders kept in the library but not brought up to date or watched until resumed (an
    # archive being reorganised, a folder on a slow network drive).
    paused_folders: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """The saved settings, or the defaults where the file is missing or a value is malformed."""
        path = path or settings_path()
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable settings %s (%s); using the defaults", path, exc)
            return cls()
        return cls(**{f.name: _checked(f.name, saved[f.name], getattr(cls(), f.name))
                      for f in fields(cls) if isinstance(saved, dict) and f.name in saved})

    def save(self, path: Path | None = None) -> None:
        """Write the settings atomically (a crash leaves the old file, never half of one)."""
        path = path or settings_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        partial.replace(path)


def _checked(name: str, value: Any, default: Any) -> Any:
    if isinstance(default, tuple) and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    if isinstance(default, float) and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if type(value) is type(default):
        return value
    log.warning("ignoring setting %s=%r (expected a %s); using %r", name, value, type(default).__name__, default)
    return default


def settings_path() -> Path:
    """$NEARBY_SETTINGS, else settings.json in the platform's user config folder."""
    env = os.environ.get(SETTINGS_ENV)
    return Path(env) if env else Path(user_config_dir("Nearby", appauthor=False)) / SETTINGS_FILE
