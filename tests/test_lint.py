"""The code base stays clean by ruff's rules and type-checks (pyproject.toml), so drift fails CI early."""

import shutil
import subprocess
import sys

from tests.staged import ROOT, staged_namespace, tool_env


def test_ruff_finds_nothing() -> None:
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_core_models_desktop_and_bench_type_check() -> None:
    top = staged_namespace()
    try:
        packages = ["-p", "nearby.core", "-p", "nearby.models", "-p", "nearby.desktop", "-p", "bench"]
        done = subprocess.run([sys.executable, "-m", "mypy", *packages], cwd=ROOT, env=tool_env(top),
                              capture_output=True, text=True, timeout=600, check=False)
    finally:
        shutil.rmtree(top)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success" in done.stdout
