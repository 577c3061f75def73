"""Where model files live: explicit path, then $NEARBY_MODELS, then the user data folder."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

from nearby.models.spec import ModelSpec

# What a person runs to (re)install the models; every "model missing" message names it.
INSTALL_COMMAND = "python -m nearby.models.install"
MODELS_ENV = "NEARBY_MODELS"
# Where a bundle's own (read-only) models are: used for a model that is not in the models folder.
BUNDLED_MODELS_ENV = "NEARBY_BUNDLED_MODELS"
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
    """A model's folder: in the models folder; for a model only a bundle carries (the bundle's
    models are read-only, and what a person installs goes to the models folder), the bundle's."""
    folder = models_root(root) / spec.name
    bundled = os.environ.get(BUNDLED_MODELS_ENV)
    if root is None and bundled and _missing_in(spec, folder) and not _missing_in(spec, Path(bundled) / spec.name):
        return Path(bundled) / spec.name
    return folder


def is_bundled(folder: Path) -> bool:
    """Whether a model folder is one of a bundle's own (never written to)."""
    bundled = os.environ.get(BUNDLED_MODELS_ENV)
    return bundled is not None and bundled != "" and folder.is_relative_to(bundled)


def missing_files(spec: ModelSpec, root: Path | str | None = None) -> list[str]:
    """Names of the spec's files absent (or of the wrong size) in its folder."""
    return _missing_in(spec, model_dir(spec, root))


def _missing_in(spec: ModelSpec, folder: Path) -> list[str]:
    sizes = {f.name: f.size for f in spec.files}
    missing = []
    for name in spec.installed_names:
        path = folder / name
        if not path.is_file() or (name in sizes and path.stat().st_size != sizes[name]):
            missing.append(name)
    return missing
