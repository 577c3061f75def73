"""core/ and models/ never import the GUI, and the layers run desktop → core → models."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.staged import ROOT, staged_namespace, tool_env


def lint_imports() -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("lint-imports")
    top = staged_namespace()
    try:
        return subprocess.run([str(exe)], cwd=ROOT, env=tool_env(top), capture_output=True, text=True,
                              timeout=120, check=False)
    finally:
        shutil.rmtree(top)


def test_import_contracts_hold() -> None:
    done = lint_imports()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 4 kept, 0 broken" in done.stdout


def test_no_gui_import_hides_inside_a_function() -> None:
    # lint-imports sees function-level imports too; this also catches ones behind a string check.
    gui_import = re.compile(r"^\s*(from|import)\s+(PySide6|desktop|nearby\.desktop)\b", re.MULTILINE)
    for package in ("core", "models"):
        for source in (ROOT / package).rglob("*.py"):
            assert not gui_import.search(source.read_text()), source
