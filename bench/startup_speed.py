"""Start-up to the first painted window (`python -m bench startup`), warm (a first launch is
discarded), median of five: the bundle (dist/Nearby, if built), the app from source, and the
baseline — a bare PySide6 window in a fresh process — measured in the same run.

Each launch runs with NEARBY_STARTUP_PROBE=1: the app prints "first-paint" once its window has been
shown and the event loop has painted it, then closes. The time is taken from outside: from the
moment the process is started to that line, so the bundle's unpacking and imports are counted.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nearby.models.locate import models_root

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
BARE_WINDOW = (
    "import sys\n"
    "from PySide6.QtCore import QTimer\n"
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication(sys.argv)\n"
    "w = QMainWindow(); w.resize(980, 680); w.show()\n"
    "QTimer.singleShot(0, lambda: (print('first-paint', flush=True), app.quit()))\n"
    "app.exec()\n"
)


STATUS_ANCHOR = (
    "import sys, apsw, sqlite_vec\n"
    "c = apsw.Connection(sys.argv[1]); c.enable_load_extension(True); c.load_extension(sqlite_vec.loadable_path())\n"
    "print([c.execute(f'SELECT count(*) FROM {t}').fetchone() for t in ('items', 'passages', 'failures')],\n"
    "      c.execute('SELECT kind, count(*) FROM items GROUP BY kind').fetchall(),\n"
    "      c.execute('SELECT path FROM folders').fetchall())\n"
)


def cpu_of(cmd: list[str], env: dict[str, str]) -> float:
    """Median CPU seconds (user + system) of a command run to its end, warm (a first run discarded)."""
    import resource

    def once() -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime

    once()
    return statistics.median(once() for _ in range(RUNS))


def time_to_paint(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("first-paint"):
                took = time.perf_counter() - started
                break
        else:
            raise RuntimeError(f"{cmd[0]} exited without painting a window")
        proc.wait(timeout=60)
    return took


def median_of(cmd: list[str], env: dict[str, str]) -> float:
    time_to_paint(cmd, env)  # warm the disk cache and the bytecode
    return statistics.median(time_to_paint(cmd, env) for _ in range(RUNS))


def main() -> None:
    print("== start-up to the first painted window (warm, median of 5)")
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"), HOME=home,
                   XDG_DATA_HOME=f"{home}/data", XDG_CONFIG_HOME=f"{home}/config", XDG_CACHE_HOME=f"{home}/cache",
                   NEARBY_STARTUP_PROBE="1", NEARBY_MODELS=str(models_root()))  # the installed models
        bare = median_of([sys.executable, "-c", BARE_WINDOW], env)
        print(f"bare PySide6 window (baseline): {bare:.2f} s")
        source = median_of([sys.executable, "-m", "nearby.desktop.app"], env)
        print(f"Nearby from source            : {source:.2f} s  ({source / bare:.2f}× the baseline; target < 1 s)")
        library = f"{home}/with-files.sqlite"  # the sample collection indexed: the window opens browsing it
        subprocess.run([sys.executable, "-m", "nearby.core.cli", "--library", library, "index",
                        str(ROOT / "desktop" / "sample")], env=env, check=True, capture_output=True)
        status, anchor = cpu_of([sys.executable, "-m", "nearby.core.cli", "--library", library, "status"], env), \
            cpu_of([sys.executable, "-c", STATUS_ANCHOR, library], env)
        print(f"`nearby status` (CPU)         : {status:.2f} s  ({status / anchor:.2f}× its anchor, the same counts "
              f"read with apsw + sqlite-vec: {anchor:.2f} s; target ≤ 1.5×)")
        filled = median_of([sys.executable, "-m", "nearby.desktop.app", "--library", library], env)
        print(f"  … with 26 files indexed     : {filled:.2f} s  ({filled / bare:.2f}× the baseline; target < 1 s)")
        bundle = ROOT / "dist" / "Nearby" / ("Nearby.exe" if sys.platform == "win32" else "Nearby")
        if bundle.is_file():
            frozen = median_of([str(bundle)], env)
            print(f"Nearby bundle (dist/Nearby)   : {frozen:.2f} s  ({frozen / bare:.2f}× the baseline; target < 2 s)")
        else:
            print("Nearby bundle: not built (python installer/build.py)")


if __name__ == "__main__":
    main()
