"""The self-test: index the sample collection into a throw-away library and check what comes back.

    nearby self-test [--sample DIR]        # from a source checkout or an install
    Nearby --self-test                     # inside the bundle (installer/build.py)

Every model the default install has is used once (text, pictures, text in pictures is tried, songs,
word vectors); each check prints a line; the exit code is 0 only if all of them pass. Nothing is
written outside a temporary folder, and nothing goes to the network (the bundle's test runs it in a
network namespace with no interface but loopback).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from nearby.core.cache import CACHE_ENV
from nearby.core.library import Library
from nearby.core.progress import run_to_end


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


def default_sample() -> Path:
    """The sample collection: beside the bundle's executable's files, else in the source tree."""
    bundled = getattr(sys, "_MEIPASS", None)
    if bundled:
        return Path(bundled) / "sample"
    return Path(__file__).resolve().parent.parent / "desktop" / "sample"  # shipped with the app (package data)


def _first(library: Library, query: str, kind: str | None = None) -> str:
    hits = library.search(query, k=3, kind=kind)
    return Path(hits[0].path).name if hits else "nothing"


def _search_check(library: Library, query: str, kind: str | None, wanted: str) -> Callable[[], tuple[bool, str]]:
    def run() -> tuple[bool, str]:
        got = _first(library, query, kind)
        return got == wanted, f"first {got}"

    return run


@contextlib.contextmanager
def _cache_in(folder: Path) -> Iterator[None]:
    """The cache folder (thumbnails, the side index, label vectors) inside the self-test's temporary
    folder while it runs: a self-test leaves nothing in the person's cache."""
    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(CACHE_ENV, None)
        else:
            os.environ[CACHE_ENV] = before


def run_self_test(sample: Path | None = None, out: TextIO = sys.stdout) -> bool:
    """Run every check; print one line each; True when all pass."""
    sample = sample or default_sample()
    if not sample.is_dir():
        print(f"FAIL the sample collection is missing ({sample})", file=out)
        return False
    checks: list[Check] = []

    def check(name: str, run: Callable[[], tuple[bool, str]]) -> None:
        started = time.perf_counter()
        try:
            passed, detail = run()
        except Exception as exc:  # a self-test reports every failure, whatever raised it
            passed, detail = False, f"{type(exc).__name__}: {exc}"
        checks.append(Check(name, passed, detail))
        print(f"{'ok  ' if passed else 'FAIL'} {name}: {detail} ({time.perf_counter() - started:.1f} s)", file=out,
              flush=True)

    with tempfile.TemporaryDirectory(prefix="nearby-self-test-") as tmp, _cache_in(Path(tmp) / "cache"):
        library = Library(Path(tmp) / "self-test.nearby.sqlite")
        try:
            def index() -> tuple[bool, str]:
                summary = run_to_end(library.index([sample]))
                files = sum(1 for p in sample.rglob("*") if p.is_file())
                return summary.added == files and not summary.failures, summary.describe()

            check("index the sample", index)
            for query, kind, wanted in (("how to bake bread", None, "bread.txt"),
                                        ("rent and notice period", None, "lease.txt"),
                                        ("a photo of a cat", "image", "cat.jpg"),
                                        ("rocket launch", "image", "rocket-launch.jpg"),
                                        ("calm piano", "song", "evening.ogg"),
                                        ("electronic dance music", "song", "friday.ogg"),
                                        ('"crisp"', None, "bread.txt")):
                label = f"search {query!r}" + (f" ({kind}s)" if kind else "")
                check(label, _search_check(library, query, kind, wanted))

            def similar() -> tuple[bool, str]:
                hits = library.similar(sample / "pictures" / "cat.jpg", k=3)
                names = [Path(h.path).name for h in hits]
                return bool(hits) and "cat.jpg" not in names and hits[0].kind == "image", f"{names}"

            check("similar to cat.jpg", similar)

            def arithmetic() -> tuple[bool, str]:
                words = [w for w, _ in library.arithmetic("king - man + woman", k=3, n_words=3).words]
                return "queen" in words, f"{words}"

            check("arithmetic king - man + woman", arithmetic)

            def similarity_map() -> tuple[bool, str]:
                drawn = run_to_end(library.update_map())
                points = len(drawn.points) if drawn else 0
                groups = len(drawn.clusters) if drawn else 0
                return points == library.status().items and groups >= 1, f"{points} files in {groups} groups"

            check("similarity map", similarity_map)
        finally:
            library.close()
    failed = [c for c in checks if not c.passed]
    print(f"self-test: {len(checks) - len(failed)} of {len(checks)} checks passed", file=out)
    return not failed
