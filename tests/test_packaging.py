"""`pip install .` the way a user or a packager does it: the wheel built from the sources, installed
into a fresh virtual environment, every module imported from there, `nearby --help` and `nearby
self-test` run from there. (A hand-kept package list once left nearby.core.mapping out of the wheel
and the installed `nearby` died with ModuleNotFoundError; every other route went around the list.)

Offline: the wheel is built without build isolation (the test extras bring setuptools), and the
fresh environment reads its third-party dependencies from this one's site-packages through a .pth
line — Nearby itself comes only from the wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from tests.staged import ROOT

SOURCES = ("core", "desktop", "models", "pyproject.toml", "setup.py", "README.md")
FOLDERS = {"core": "nearby.core", "desktop": "nearby.desktop", "models": "nearby.models"}
IMPORT_EVERY_MODULE = """
import importlib, pathlib, pkgutil, sys
import nearby.core, nearby.desktop, nearby.models
where = {pathlib.Path(p).resolve() for m in (nearby.core, nearby.desktop, nearby.models) for p in m.__path__}
assert all(str(p).startswith(sys.prefix) for p in where), where
count = 0
for package in (nearby.core, nearby.desktop, nearby.models):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)
        count += 1
print("imported", count)
"""


def _source_packages() -> set[str]:
    found = set()
    for folder, package in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT / folder).parts
            if parts[:1] != ("dev",) and "__pycache__" not in parts:  # models/dev: developer scripts
                found.add(".".join((package, *parts)))
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the sources (a build writes build/ and *.egg-info beside them)."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                           "-q", "-w", str(work / "out"), str(src)], capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return next((work / "out").glob("nearby-*.whl"))


@pytest.fixture(scope="module")
def fresh(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed (Nearby's dependencies from this one)."""
    env_dir = tmp_path_factory.mktemp("fresh") / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # Only the dependencies: a plain path line, so this environment's editable-install hook is not run.
    (Path(purelib) / "nearby-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q",
                           "--disable-pip-version-check", str(wheel)], capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return env_dir


def _in(fresh: Path, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEARBY_", "XDG_", "PYTHON"))}
    home = tmp_path / "home"
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
               XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(home / "state"),
               QT_QPA_PLATFORM="offscreen", PATH=f"{fresh / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    return env


def test_the_wheel_holds_every_package(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    packaged = {str(Path(n).parent).replace("/", ".") for n in names if n.endswith("/__init__.py")}
    assert _source_packages() - packaged == set(), "setup.py's package discovery missed these"
    assert not any("/dev/" in n for n in names), "the developer scripts (models/dev) are not installed"
    assert "nearby/models/phrases.txt" in names and any(n.startswith("nearby/desktop/sample/") for n in names)


def test_the_installed_nearby_imports_every_module_and_starts(fresh: Path, tmp_path: Path) -> None:
    env = _in(fresh, tmp_path)
    python = str(fresh / "bin" / "python")
    done = subprocess.run([python, "-c", IMPORT_EVERY_MODULE], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert int(done.stdout.split()[-1]) >= 100
    helped = subprocess.run([str(fresh / "bin" / "nearby"), "--help"], capture_output=True, text=True, cwd=tmp_path,
                            env=env, timeout=300, check=False)
    assert helped.returncode == 0 and "usage: nearby" in helped.stdout, helped.stderr
    assert (fresh / "bin" / "nearby-desktop").is_file() and (fresh / "bin" / "nearby-models").is_file()


def test_the_installed_nearby_passes_its_self_test_and_leaves_nothing_behind(fresh: Path, tmp_path: Path,
                                                                               models_dir: Path) -> None:
    env = {**_in(fresh, tmp_path), "NEARBY_MODELS": str(models_dir)}
    done = subprocess.run([str(fresh / "bin" / "nearby"), "self-test"], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=900, check=False)
    assert done.returncode == 0 and "checks passed" in done.stdout, done.stdout[-3000:] + done.stderr[-3000:]
    home = tmp_path / "home"
    left = sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file()) if home.exists() else []
    assert left == [], "the self-test wrote outside its temporary folder"
