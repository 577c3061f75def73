"""kill -9 during text-model switches while files keep arriving (as the watcher brings them): after
the kills, the next start (its catch-up update) has every file, with its last content, in a
library that passes SQLite's integrity check. Used by tests/core/test_crash_safety.py (a few kills)
and `python -m bench switch-kills` (20)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.staged import ROOT

# The child: open the library with the model it records, switch it to the other one while a
# thread writes and applies changed files, as the watcher would.
CHILD = r"""
import sys, threading, time
from pathlib import Path
from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.core.storage.model_record import recorded_text_model
from tests.fakes import FakeEmbedder

class OtherFake(FakeEmbedder):
    name = "other-fake"

library_path, folder, rounds = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
recorded = recorded_text_model(library_path)
slow = 0.002  # a little model time per batch, so that kills land in every phase of a switch
now = OtherFake(dim=24, delay_s=slow) if recorded and recorded[0] == "other-fake" else FakeEmbedder(32, slow)
other = FakeEmbedder(32, slow) if isinstance(now, OtherFake) else OtherFake(dim=24, delay_s=slow)
library = Library(library_path, now, with_media=False)
run_to_end(library.index([folder]))  # the start-up update
stop = threading.Event()

def writer():
    n = 0
    while not stop.is_set():
        path = folder / f"w{sys.argv[4]}-{n}.txt"
        path.write_text(f"a note written by round {sys.argv[4]}, number {n}, about kites and tides")
        old = folder / f"w{sys.argv[4]}-{n - 3}.txt"
        if n % 4 == 3 and old.exists():
            old.write_text(f"rewritten note {n} about lighthouses")
        run_to_end(library.apply_changes([path, old] if old.exists() else [path]))
        n += 1
        time.sleep(0.02)

thread = threading.Thread(target=writer, daemon=True)
thread.start()
for _ in range(rounds):
    run_to_end(library.use_text_model(other))
    now, other = other, now
stop.set()
thread.join()  # no catch-up update after: what the writer brought during the switch must be there
print("finished", library.embedder.name)
"""


def run_child(library: Path, folder: Path, tag: int, rounds: int = 40,
              timeout: float | None = 600) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", CHILD, str(library), str(folder), str(rounds), str(tag)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_switches(library: Path, folder: Path, kills: int, seed: int = 7) -> tuple[int, list[str]]:
    """Kill ``kills`` children at random moments, then run one to its end. Returns (kills that
    landed while the child was still working, problems found afterwards)."""
    rng = random.Random(seed)
    landed = 0
    for tag in range(kills):
        child = run_child(library, folder, tag)
        time.sleep(rng.uniform(0.5, 4.0))
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            landed += 1
        child.wait()
    final = run_child(library, folder, kills, rounds=1)
    out, err = final.communicate(timeout=600)
    problems = [] if final.returncode == 0 else [f"the last run failed: {err.decode()[-2000:]}"]
    return landed, problems + compare(library, folder)


def compare(library: Path, folder: Path) -> list[str]:
    """What differs between the folder on disk and the library (paths and content hashes)."""
    import hashlib

    import apsw

    conn = apsw.Connection(str(library), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        if (check := conn.execute("PRAGMA integrity_check").fetchone()[0]) != "ok":
            return [f"integrity check: {check}"]
        held = {r[0]: r[1] for r in conn.execute("SELECT path, sha256 FROM items")}
        switching = conn.execute("SELECT count(*) FROM items").fetchone()[0]
    finally:
        conn.close()
    on_disk = {str(p.resolve()): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    problems = [f"missing: {p}" for p in sorted(on_disk.keys() - held.keys())]
    problems += [f"gone from disk, still held: {p}" for p in sorted(held.keys() - on_disk.keys())]
    problems += [f"stale content: {p}" for p in sorted(on_disk.keys() & held.keys()) if on_disk[p] != held[p]]
    return problems if switching else ["the library is empty"]
