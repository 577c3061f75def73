"""Wheels rebuilt from installed model files, so the install step can be run offline in tests."""

from __future__ import annotations

import zipfile
from pathlib import Path

from nearby.models.locate import model_dir
from nearby.models.spec import WHOLE_WHEEL, ModelSpec


def rebuild_wheels(spec: ModelSpec, models_root: Path, into: Path) -> Path:
    """For each source package of the model's kept files, a wheel holding those files at their
    member paths (same bytes, so the same checksums). Returns the folder of wheels."""
    into.mkdir(parents=True, exist_ok=True)
    installed = model_dir(spec, models_root)
    for file in spec.files:
        assert file.keep and file.member != WHOLE_WHEEL, f"{spec.name}: {file.name} cannot be rebuilt from the install"
        wheel = into / f"{file.source.name.replace('-', '_')}-{file.source.version}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "a") as zf:
            zf.write(installed / file.name, file.member)
    return into
