"""The sample collection shipped with Nearby: a few public-domain photos, synthesised songs and
short notes (licences in sample/LICENSES.md), to try search, find similar, arithmetic and the map
before adding one's own folders.

It is copied into the user data folder first, so the library points at files that stay put
(an app bundle's own folder may be read-only or replaced by an update) and the person may delete it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from platformdirs import user_data_dir

SAMPLE_NAME = "Sample collection"


def shipped_sample() -> Path:
    return Path(__file__).resolve().parent / "sample"


def install_sample(target: Path | None = None) -> Path:
    """Copy the sample collection to the user data folder (once; files already there are kept)."""
    target = target or Path(user_data_dir("Nearby", appauthor=False)) / SAMPLE_NAME
    for source in shipped_sample().rglob("*"):
        if source.is_file():
            destination = target / source.relative_to(shipped_sample())
            if not destination.exists():
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, destination)
    return target
