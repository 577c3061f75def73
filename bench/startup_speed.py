"""Start-up to the first painted window (`python -m bench startup`), warm (a first launch is
discarded), median of five: the bundle (dist/Nearby, if built), the app from source, and the
baseline — a bare PySide6 window in a fresh process — measured in the same run.

Each launch runs with NEARBY_STARTUP_PROBE=1: the app prints "first-paint" once its first frame has
been painted (the window's place and colours, "Opening your library…"), then "window-ready" once the
full window, its library open, has been shown and painted, then closes. The times are taken from
outside: from the moment the process is started to each line, so the bundle's unpacking and imports
are counted.
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


def time_to_paint(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds to the first painted frame, and to the full window ready (the first, for a bare window)."""
    started = time.perf_counter()
    first = ready = None
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("first-paint"):
                first = time.perf_counter() - started
            elif line.startswith("window-ready"):
                ready = time.perf_counter() - started
                break
        proc.wait(timeout=60)
    if first is None:
        raise RuntimeError(f"{cmd[0]} exited without painting a window")
    return first, ready if ready is not None else first


def median_of(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    time_to_paint(cmd, env)  # warm the disk cache and the bytecode
    runs = [time_to_paint(cmd, env) for _ in range(RUNS)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    print("== start-up to the first painted frame, and to the full window ready (warm, median of 5)")
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"), HOME=home,
                   XDG_DATA_HOME=f"{home}/data", XDG_CONFIG_HOME=f"{home}/config", XDG_CACHE_HOME=f"{home}/cache",
                   NEARBY_STARTUP_PROBE="1", NEARBY_MODELS=str(models_root()))  # the installed models
        bare, _ = median_of([sys.executable, "-c", BARE_WINDOW], env)
        print(f"bare PySide6 window (baseline): {bare:.2f} s")

        def report(name: str, cmd: list[str], target: str) -> None:
            first, ready = median_of(cmd, env)
            print(f"{name:<30}: first paint {first:.2f} s ({first / bare:.2f}× the baseline; target ≤ 2×), "
                  f"window ready {ready:.2f} s ({ready / bare:.2f}×; target {target})")

        report("Nearby from source", [sys.executable, "-m", "nearby.desktop.app"], "< 1 s")
        library = f"{home}/with-files.sqlite"  # the sample collection indexed: the window opens browsing it
        subprocess.run([sys.executable, "-m", "nearby.core.cli", "--library", library, "index",
                        str(ROOT / "desktop" / "sample")], env=env, check=True, capture_output=True)
        status, anchor = cpu_of([sys.executable, "-m", "nearby.core.cli", "--library", library, "status"], env), \
            cpu_of([sys.executable, "-c", STATUS_ANCHOR, library], env)
        print(f"`nearby status` (CPU)         : {status:.2f} s  ({status / anchor:.2f}× its anchor, the same counts "
              f"read with apsw + sqlite-vec: {anchor:.2f} s; target ≤ 1.5×)")
        report("  … with 26 files indexed", [sys.executable, "-m", "nearby.desktop.app", "--library", library],
               "< 1 s")
        bundle = ROOT / "dist" / "Nearby" / ("Nearby.exe" if sys.platform == "win32" else "Nearby")
        if bundle.is_file():
            report("Nearby bundle (dist/Nearby)", [str(bundle)], "< 2 s")
        else:
            print("Nearby bundle: not built (python installer/build.py)")


if __name__ == "__main__":
    main()
