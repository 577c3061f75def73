"""Switching a library's text model while it is being searched (`python -m bench switch`).

A library of ~10k passages of real prose is indexed with MiniLM; then `use_text_model` moves it
to the multilingual model while another thread searches it without pause. Printed: how many of
those searches were answered (and how slowly at worst), how long the switch took against a fresh
index with the new model (the baseline, same files, same run), and whether the switched library
answers 20 queries exactly as the fresh one does (top 10, same files, same scores).
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

from nearby.core.extract.passages import split_section
from nearby.core.inference.text_embedder import TextEmbedder
from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.models.catalog import MINILM, USE_MULTILINGUAL
from tests.documents import write_prose_corpus

QUERIES = ("how to read a file line by line", "parse command line arguments", "send an email", "compress data",
           "date and time formatting", "run a process and wait for it", "regular expressions", "thread safety",
           "random numbers", "decode JSON", "network sockets", "unit testing", "logging to a file",
           "sorting a list", "temporary directory", "hash a password", "calendar of a month", "HTTP server",
           "read a CSV spreadsheet", "fractions and decimals")


def write_library_files(folder: Path, passages: int) -> int:
    """Standard-library docstrings, one file each, then copies of them (each with a line of its
    own, so no two files are the same) until about ``passages`` passages."""
    files = write_prose_corpus(folder / "base", 1000)
    sources = sorted((folder / "base").iterdir())
    sizes = [len(split_section(p.read_text(encoding="utf-8"))) for p in sources]
    total, copies = sum(sizes), 0
    while total < passages:
        i = copies % files
        target = folder / f"copy{copies // files}" / sources[i].name
        target.parent.mkdir(exist_ok=True)
        target.write_text(sources[i].read_text(encoding="utf-8") + f"\n\nCopy number {copies}.", encoding="utf-8")
        total += sizes[i]
        copies += 1
    return files + copies


def same_answers(a: list[list[tuple[str, float]]], b: list[list[tuple[str, float]]]) -> int:
    """Queries whose top 10 are the same files in the same order with scores within 0.001 (two
    runs of a model over differently-sized batches differ in the last float digits)."""
    return sum(len(x) == len(y) and all(p == q and abs(s - t) <= 1e-3 for (p, s), (q, t) in zip(x, y, strict=True))
               for x, y in zip(a, b, strict=True))


def answers(library: Library) -> list[list[tuple[str, float]]]:
    return [[(Path(h.path).name, round(h.score, 4)) for h in library.search(q, k=10)] for q in QUERIES]


def main(passages: int = 10_000) -> None:
    print(f"== switching the text model of a {passages:,}-passage library while searching it")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "files"
        folder.mkdir()
        files = write_library_files(folder, passages)
        library = Library(Path(tmp) / "lib.sqlite", TextEmbedder(MINILM), with_media=False)
        t0 = time.perf_counter()
        run_to_end(library.index([folder]))
        status = library.status()
        print(f"library: {files} files, {status.passages:,} passages, indexed with MiniLM in "
              f"{time.perf_counter() - t0:.0f} s")

        done = threading.Event()
        answered, failed, slowest = 0, [], 0.0

        def search_all_along() -> None:
            nonlocal answered, slowest
            i = 0
            while not done.is_set():
                started = time.perf_counter()
                try:
                    if library.search(QUERIES[i % len(QUERIES)], k=10):
                        answered += 1
                except Exception as exc:  # what a person would see as an error
                    failed.append(repr(exc))
                slowest = max(slowest, time.perf_counter() - started)
                i += 1
                time.sleep(0.05)

        searcher = threading.Thread(target=search_all_along)
        searcher.start()
        t0 = time.perf_counter()
        run_to_end(library.use_text_model(TextEmbedder(USE_MULTILINGUAL)))
        t_switch = time.perf_counter() - t0
        done.set()
        searcher.join()
        print(f"during the switch: {answered} searches answered, {len(failed)} failed, slowest {slowest * 1000:.0f} ms"
              + (f" (first failure: {failed[0]})" if failed else ""))

        fresh = Library(Path(tmp) / "fresh.sqlite", TextEmbedder(USE_MULTILINGUAL), with_media=False)
        t0 = time.perf_counter()
        run_to_end(fresh.index([folder]))
        t_fresh = time.perf_counter() - t0
        same = same_answers(answers(library), answers(fresh))
        print(f"switch (index again + vocabulary + adopt): {t_switch:.0f} s; fresh index with the new model "
              f"(baseline): {t_fresh:.0f} s; ratio {t_switch / t_fresh:.2f}×")
        print(f"after the switch: {same}/{len(QUERIES)} queries answer as the fresh library does (top 10: "
              f"same files, same order, scores within 0.001); model {library.status().model}")
        library.close()
        fresh.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
