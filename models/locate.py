"""Where model files live: explicit path, then $NEARBY_MODELS, then the user data folder."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

from nearby.models.spec import ModelSpec

# What a person runs to (re)install the models; every "model missing" message names it.
INSTALL_COMMAND = "python -m nearby.models.install"
MODELS_ENV = "NEARBY_MODELS"
APP_NAME = "Nearby"


def models_root(explicit: Path | str | None = None) -> Path:
    """The folder holding one sub-folder per installed model.

    Never the temp dir: OS cleaners wipe it, and the models are costly to fetch again.
    """
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get(MODELS_ENV)
    if env:
        return Path(env)
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "models"


def model_dir(spec: ModelSpec, root: Path | str | None = None) -> Path:
    return models_root(root) / spec.name


def missing_files(spec: ModelSpec, root: Path | str | None = None) -> list[str]:
    """Names of the spec's files absent (or of the wrong size) in its folder."""
    folder = model_dir(spec, root)
    sizes = {f.name: f.size for f in spec.files}
    missing = []
    for name in spec.installed_names:
        path = folder / name
        if not path.is_file() or (name in sizes and path.stat().st_size != sizes[name]):
            missing.append(name)
    return missing
