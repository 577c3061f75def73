"""The cache folder: thumbnails and other things Nearby can always make again."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir

CACHE_ENV = "NEARBY_CACHE"


def cache_root() -> Path:
    """$NEARBY_CACHE, else the platform's user cache folder (cleaners may empty it: that is fine)."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path(user_cache_dir("Nearby", appauthor=False))
