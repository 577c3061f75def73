"""core/ and models/ never import the GUI, and the layers run desktop → core → models."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint_imports() -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_import_contracts_hold() -> None:
    done = lint_imports()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken" in done.stdout


def test_no_gui_import_hides_inside_a_function() -> None:
    # lint-imports sees function-level imports too; this also catches ones behind a string check.
    gui_import = re.compile(r"^\s*(from|import)\s+(PySide6|desktop)\b", re.MULTILINE)
    for package in ("core", "models"):
        for source in (ROOT / package).rglob("*.py"):
            assert not gui_import.search(source.read_text()), source
