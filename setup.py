"""The package list, found rather than written by hand (pyproject.toml holds everything else).

One import namespace, `nearby`, over the design card's top-level folders: core/ is installed as
nearby.core, desktop/ as nearby.desktop, models/ as nearby.models (pyproject's package-dir). Every
folder with an __init__.py under them is a package — except models/dev, the developer scripts.
A hand-kept list once left nearby.core.mapping out and the installed `nearby` could not start.
"""

from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
NAMESPACE = {"core": "nearby.core", "desktop": "nearby.desktop", "models": "nearby.models"}
NOT_INSTALLED = {("models", "dev")}
# Folders of data shipped inside a package (the sample collection): listed as data packages too, or
# setuptools warns for each of them that it "would be ignored" (the files ship either way).
DATA_FOLDERS = ("desktop/sample",)


def packages() -> list[str]:
    found = []
    for folder, package in NAMESPACE.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT / folder).parts
            if (folder, *parts[:1]) not in NOT_INSTALLED and "__pycache__" not in parts:
                found.append(".".join((package, *parts)))
    return sorted(found)


def data_packages() -> dict[str, list[str]]:
    """Each data folder (and its sub-folders) as a package holding all its files."""
    found = {}
    for top in DATA_FOLDERS:
        folder, rest = top.split("/", 1)
        for sub in [ROOT / top, *sorted(p for p in (ROOT / top).rglob("*") if p.is_dir())]:
            if "__pycache__" in sub.parts:
                continue
            parts = sub.relative_to(ROOT / folder).parts
            found[".".join((NAMESPACE[folder], *parts))] = ["*"]
    return found


data = data_packages()
setup(packages=sorted({*packages(), *data}), package_data=data)
