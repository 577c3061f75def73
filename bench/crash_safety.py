"""kill -9 during indexing, 20 times at random moments (`python -m bench crash`): each time the
library must pass SQLite's integrity check with no file doubled; then one run finishes the work, and
must keep every file committed before (none redone) and end equal to an uninterrupted run's library.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.core.test_crash_safety import _items, kill_while_indexing
from tests.documents import write_prose_corpus

KILLS = 20


def main(kills: int = KILLS) -> None:
    print(f"== kill -9 during indexing, {kills} times")
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        files = write_prose_corpus(docs, 200)
        lib = Path(tmp) / "killed.sqlite"
        cli = [sys.executable, "-m", "nearby.core.cli", "--library", str(lib), "index", str(docs)]
        rng = random.Random(2026)
        passed = doubled = 0
        for _ in range(kills):
            intact, twice = kill_while_indexing(cli, lib, rng.uniform(1.0, 8.0))
            passed += intact
            doubled += twice
        committed = len(_items(lib)) if lib.exists() else 0
        t0 = time.perf_counter()
        done = subprocess.run(cli, capture_output=True, text=True, check=True)
        t_resume = time.perf_counter() - t0
        unchanged = int(re.search(r"(\d+) unchanged", done.stderr).group(1))  # type: ignore[union-attr]
        fresh = Path(tmp) / "fresh.sqlite"
        t0 = time.perf_counter()
        subprocess.run([*cli[:4], str(fresh), *cli[5:]], capture_output=True, check=True)
        t_fresh = time.perf_counter() - t0
        same = _items(lib) == _items(fresh)
        print(f"{files} files: integrity checks passed {passed}/{kills}; files doubled {doubled}; committed before "
              f"the last run {committed}, of which redone {committed - unchanged}; the finishing run {t_resume:.1f} s "
              f"vs an uninterrupted one {t_fresh:.1f} s; equal to the uninterrupted library: {same}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else KILLS)
