"""Indexing that is killed (kill -9) at any moment loses nothing committed, leaves a library that
passes SQLite's integrity check, and the next run resumes without redoing finished files and ends
with exactly what an uninterrupted run makes; a second indexer on the same library waits for the
first instead of doing its work again."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import apsw

from nearby.core.library import WAITING_FOR_WRITER, Library
from nearby.core.progress import run_to_end
from tests.documents import write_prose_corpus
from tests.fakes import FakeEmbedder

KILLS = 3  # `python -m bench crash` does 20


def _integrity(library: Path) -> str:
    conn = apsw.Connection(str(library))
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def _items(library: Path) -> list[tuple[str, str, int]]:
    conn = apsw.Connection(str(library))
    try:
        return [(r[0], r[1], r[2]) for r in conn.execute(
            "SELECT i.path, i.sha256, count(p.id) FROM items i JOIN passages p ON p.item_id = i.id "
            "GROUP BY i.id ORDER BY i.path")]
    finally:
        conn.close()


def kill_while_indexing(cli: list[str], library: Path, after_s: float) -> tuple[bool, int]:
    """Start `nearby index`, SIGKILL it after ``after_s``; return (the library passes the integrity
    check, how many files it holds twice). A library not made yet counts as intact."""
    proc = subprocess.Popen(cli, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(after_s)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    if not library.exists():
        return True, 0
    kept = _items(library)
    return _integrity(library) == "ok", len(kept) - len({path for path, _, _ in kept})


def test_kill_9_during_indexing_loses_nothing_and_the_next_run_finishes_the_same(tmp_path: Path,
                                                                                  models_dir: Path) -> None:
    docs = tmp_path / "docs"
    assert write_prose_corpus(docs, 120) == 120
    lib = tmp_path / "killed.sqlite"
    cli = [sys.executable, "-m", "nearby.core.cli", "--library", str(lib), "index", str(docs)]
    rng = random.Random(11)
    for _ in range(KILLS):
        assert kill_while_indexing(cli, lib, rng.uniform(2.0, 6.0)) == (True, 0)  # intact, nothing doubled
    committed = len(_items(lib)) if lib.exists() else 0
    finished = subprocess.run(cli, capture_output=True, text=True, timeout=600, check=False)
    assert finished.returncode == 0, finished.stderr
    unchanged = int(re.search(r"(\d+) unchanged", finished.stderr).group(1))  # type: ignore[union-attr]
    assert unchanged == committed  # every file committed before the kills was kept, none redone
    assert _integrity(lib) == "ok"
    fresh = tmp_path / "fresh.sqlite"
    assert subprocess.run([*cli[:4], str(fresh), *cli[5:]], capture_output=True, timeout=600).returncode == 0
    assert _items(lib) == _items(fresh)  # the same files, contents and passages as an uninterrupted run


def test_a_second_indexer_waits_for_the_first_instead_of_doing_its_work(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    assert write_prose_corpus(docs, 40) == 40
    first = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    second = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)  # another process, as it were
    running = first.index([docs])
    while next(running).phase != "indexing":  # the first run holds the library's writer lock now
        pass
    phases: list[str] = []
    results = {}
    waiter = threading.Thread(target=lambda: results.setdefault(
        "second", run_to_end(second.index([docs]), lambda p: phases.append(p.phase))))
    waiter.start()
    deadline = time.monotonic() + 10
    while WAITING_FOR_WRITER not in phases and time.monotonic() < deadline:
        time.sleep(0.05)
    assert WAITING_FOR_WRITER in phases and "indexing" not in phases  # waiting, not working
    results["first"] = run_to_end(running)
    waiter.join(timeout=30)
    assert results["first"].added == 40
    assert results["second"].added == 0 and results["second"].unchanged == 40  # nothing done twice


def test_kill_9_during_model_switches_with_files_arriving_loses_nothing(tmp_path: Path) -> None:
    """`python -m bench switch-kills` does 20."""
    from tests.switch_kills import kill_switches

    folder = tmp_path / "notes"
    folder.mkdir()
    for i in range(40):
        (folder / f"n{i}.txt").write_text(f"note {i} about gardens, rent and rockets")
    landed, problems = kill_switches(tmp_path / "lib.sqlite", folder, kills=3)
    assert landed >= 1 and problems == []
