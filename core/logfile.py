"""Where Nearby's log goes: one rotating file in the platform's log folder."""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

from platformdirs import user_log_dir

LOG_ENV = "NEARBY_LOG_DIR"
# A user who reports a problem sends this file: keep a few runs, not years.
MAX_LOG_BYTES = 2 * 1024 * 1024


def log_path() -> Path:
    env = os.environ.get(LOG_ENV)
    return Path(env) / "nearby.log" if env else Path(user_log_dir("Nearby", appauthor=False)) / "nearby.log"


def configure_logging(level: int = logging.INFO) -> Path:
    """Send core's log records to the log file (once per process); return its path."""
    path = log_path()
    root = logging.getLogger()
    if any(getattr(h, "nearby", False) for h in root.handlers):
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(path, maxBytes=MAX_LOG_BYTES, backupCount=2, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()  # an unwritable log folder must not stop the app
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.nearby = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return path
