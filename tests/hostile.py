"""Hostile command lines for every `nearby` command: each must end in a message and exit code 2
(what was asked cannot be done as given) — never a traceback, never 1 for a bad argument, never
an abort (134). Used by tests/core/test_hostile_cli.py and bench/hostile_cli.py."""

from __future__ import annotations

import os
from pathlib import Path

LONG = "a" * 120_000


def hostile_cases(tmp: Path, corpus: Path, library: Path) -> list[list[str]]:
    """Argument lists (after `nearby`), each expected to exit 2 with a one-line message. ``library``
    holds ``corpus`` indexed; ``tmp`` is a scratch folder."""
    lib = ["--library", str(library)]
    not_utf8 = os.fsdecode(b"caf\xe9 au lait")
    plain_file = corpus / "garden.txt"
    foreign = tmp / "foreign.sqlite"
    _make_foreign(foreign)
    garbage = tmp / "garbage.sqlite"
    garbage.write_bytes(bytes(range(256)) * 40)
    return [
        [*lib, "search", ""],
        [*lib, "search", LONG],
        [*lib, "search", "-copyright"],
        [*lib, "search", "-k", "0", "garden"],
        [*lib, "search", "garden", "-k", "x"],
        [*lib, "search", "garden", "--after", "yesterday"],
        [*lib, "search", "garden", "--before", "2024-13-40"],
        [*lib, "search", "garden", "--kind", "video"],
        [*lib, "search", "garden", "--bogus"],
        [*lib, "similar", str(tmp / "never-indexed.txt"), "--after", "not-a-date"],
        [*lib, "arithmetic", ""],
        [*lib, "arithmetic", "king - king"],
        [*lib, "arithmetic", "1e-320:king"],
        [*lib, "arithmetic", "inf:king + queen"],
        [*lib, "arithmetic", "king +"],
        [*lib, "arithmetic", '"unclosed + queen'],
        [*lib, "arithmetic", LONG],
        [*lib, "compare", "", ""],
        [*lib, "compare", "cat"],
        [*lib, "compare", LONG, "b"],
        [*lib, "map", "--png", "/dev/full"],
        [*lib, "map", "--png", str(tmp / "no" / "such" / "folder" / "map.png")],
        [*lib, "map", "--png", str(tmp)],
        [*lib, "map", "--size", "hugexhuge"],
        [*lib, "index", str(tmp / "nope")],
        ["--library", str(tmp / "folder-not-file"), "index", str(corpus)],
        ["--library", str(plain_file / "lib.sqlite"), "index", str(corpus)],
        ["--library", "/proc/nearby-test.sqlite", "index", str(corpus)],
        ["--library", str(corpus), "status"],
        [*lib, "remove", str(tmp / "not-a-library-folder")],
        [*lib, "models", "install", "no-such-model"],
        [*lib, "models", "use", "no-such-model"],
        [*lib, "frobnicate"],
        [*lib],
        [*lib, "search", not_utf8, "--bogus"],
        ["--library", str(garbage), "search", "garden"],
        ["--library", str(garbage), "status"],
    ] + ([["--library", str(foreign), "status"], ["--library", str(foreign), "search", "x"]]
         if foreign.exists() else [])


def _make_foreign(path: Path) -> None:
    import sqlite3

    if not path.exists():
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE notes (body TEXT)")
