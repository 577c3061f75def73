"""A plain `pip install .` gets every package: pyproject.toml lists them by hand, and one left out
(nearby.core.mapping) made the installed `nearby` die with ModuleNotFoundError."""

from __future__ import annotations

import tomllib

from tests.staged import ROOT

FOLDERS = {"core": "nearby.core", "desktop": "nearby.desktop", "models": "nearby.models"}


def test_every_package_folder_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = set()
    for folder, package in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT / folder).parts
            if parts[:1] != ("dev",):  # models/dev: developer scripts, not installed
                found.add(".".join((package, *parts)))
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
