"""The first frame: painted before the core is loaded, then handed over to the full window."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from nearby.models.locate import models_root

HEAVY = ("numpy", "onnxruntime", "faiss", "nearby.core.library", "nearby.desktop.main_window", "importlib.metadata")


def _env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
                XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"),
                NEARBY_MODELS=str(models_root()), NEARBY_STARTUP_PROBE="1")


def test_the_first_frame_is_painted_before_the_core_is_loaded(tmp_path: Path) -> None:
    """Whatever the first frame needs and nothing more: the modules loaded when it is painted are
    noted by the child, and none of the heavy ones is among them; the full window follows in the
    same process, at the first frame's place."""
    probe = (
        "import sys\n"
        "from nearby.desktop import first_frame, app\n"
        "seen = {}\n"
        "class Probe(first_frame.FirstFrame):\n"
        "    def paintEvent(self, event):\n"
        "        if 'modules' not in seen:\n"
        "            seen['modules'] = set(sys.modules)\n"
        f"            print('heavy-at-first-paint', sorted(m for m in {HEAVY!r} if m in sys.modules), flush=True)\n"
        "            print('first-frame-at', self.geometry().getRect(), flush=True)\n"
        "        super().paintEvent(event)\n"
        "    def hand_over(self, window):\n"
        "        super().hand_over(window)\n"
        "        print('window-at', window.geometry().getRect(), window.isVisible(), self.isVisible(), flush=True)\n"
        "first_frame.FirstFrame = Probe\n"
        "sys.exit(app.main(['--library', sys.argv[1]]))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "library.sqlite")], env=_env(tmp_path),
                          capture_output=True, text=True, timeout=300)
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stderr
    assert "heavy-at-first-paint []" in lines, done.stdout
    order = [line.split()[0] for line in lines]
    assert order.index("first-paint") < order.index("window-at") < order.index("window-ready")
    first_at = next(line for line in lines if line.startswith("first-frame-at")).split(" ", 1)[1]
    window_at = next(line for line in lines if line.startswith("window-at")).split(" ", 1)[1]
    assert window_at == f"{first_at} True False"  # same place and size; the first frame gone


def test_a_library_that_cannot_be_opened_ends_the_start_with_a_message(tmp_path: Path) -> None:
    """Past the first frame, a library that is not a library: the app says so and exits 1 (a dialog,
    accepted here by the offscreen platform's absent user through a zero timer)."""
    bad = tmp_path / "library.sqlite"
    bad.write_bytes(b"this is not a database, just text" * 100)
    accept = (
        "import sys\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication, QMessageBox\n"
        "from nearby.desktop import app\n"
        "def critical(parent, title, text):\n"
        "    print('dialog', title, '|', text, flush=True)\n"
        "QMessageBox.critical = staticmethod(critical)\n"
        "sys.exit(app.main(['--library', sys.argv[1]]))\n"
    )
    done = subprocess.run([sys.executable, "-c", accept, str(bad)], env=_env(tmp_path), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "dialog Nearby cannot open its library" in done.stdout
    assert "window-ready" not in done.stdout


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_close_the_window_and_the_library_cleanly(tmp_path: Path, stop: int) -> None:
    """Ctrl-C in the terminal or a logout's SIGTERM: the window closes as its close button does, no
    traceback, exit status 0, the library closed (SQLite's log folded in and removed)."""
    library = tmp_path / "library.sqlite"
    env = dict(_env(tmp_path), NEARBY_STARTUP_PROBE="stay")
    with subprocess.Popen([sys.executable, "-m", "nearby.desktop.app", "--library", str(library)], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as app:
        assert app.stdout is not None
        for line in app.stdout:  # the window is up and running
            if line.startswith("window-ready"):
                break
        assert Path(f"{library}-wal").exists()  # (open: SQLite's write-ahead log beside it)
        app.send_signal(stop)
        out, err = app.communicate(timeout=120)
    assert app.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert library.exists() and not Path(f"{library}-wal").exists()
