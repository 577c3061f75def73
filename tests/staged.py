"""The `nearby` namespace staged from the top-level folders, for tools that cannot see setuptools'
editable finder (mypy, import-linter): a folder holding `nearby/core`, `nearby/desktop` and
`nearby/models` as links to the real folders, put first on their path."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "desktop", "models")


def staged_namespace() -> Path:
    """A fresh folder with `nearby/<package>` links to this checkout's folders."""
    top = Path(tempfile.mkdtemp(prefix="nearby-ns-"))
    (top / "nearby").mkdir()
    for package in PACKAGES:
        os.symlink(ROOT / package, top / "nearby" / package, target_is_directory=True)
    return top


def tool_env(top: Path) -> dict[str, str]:
    """The environment for a tool run: the staged namespace first on its import path."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(top), str(ROOT)]), "MYPYPATH": f"{top}{os.pathsep}{ROOT}"}
