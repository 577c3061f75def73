"""Small records that long-running core work yields, and the token that cancels it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TypeVar

P = TypeVar("P")
R = TypeVar("R")


def run_to_end(work: Generator[P, None, R], on_progress: Callable[[P], None] | None = None) -> R:
    """Drive long core work to its end, handing each progress record to ``on_progress``;
    return what the work returns (an IndexSummary, for indexing)."""
    try:
        while True:
            record = next(work)
            if on_progress is not None:
                on_progress(record)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


class CancelToken:
    """Set from any thread; long work checks it between batches and stops cleanly."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


@dataclass(frozen=True)
class IndexProgress:
    """Where an indexing run is. ``total`` is 0 while files are still being listed."""

    phase: str  # "scanning", "indexing", "sweeping", "done"
    done: int
    total: int
    path: str = ""
    # Inside a long piece of work on the files in hand (the passages of a big document being read into
    # the text model): how far it is, so that progress moves with the work and not only per file.
    part_done: int = 0
    part_total: int = 0


@dataclass(frozen=True)
class FileFailure:
    """A file that was skipped, and why, in words a user can act on."""

    path: str
    reason: str


@dataclass(frozen=True)
class IndexSummary:
    """What an indexing run did. The last thing an index generator returns."""

    added: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    removed: int = 0
    still_skipped: int = 0  # files that failed before and have not changed since
    passages: int = 0
    failures: tuple[FileFailure, ...] = ()
    cancelled: bool = False
    seconds: float = 0.0
    # Run-wide problems, in words a person can act on: a model that would not load, so a kind was
    # left for the next run (its files are not marked as bad).
    problems: tuple[str, ...] = ()

    def __add__(self, other: IndexSummary) -> IndexSummary:
        """Two runs' work as one summary (the index queue runs several for one request)."""
        counts = {f: getattr(self, f) + getattr(other, f)
                  for f in ("added", "updated", "moved", "unchanged", "removed", "still_skipped", "passages")}
        return IndexSummary(**counts, failures=self.failures + other.failures,
                            cancelled=self.cancelled or other.cancelled, seconds=self.seconds + other.seconds,
                            problems=tuple(dict.fromkeys(self.problems + other.problems)))

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.moved or self.removed or self.failures or self.problems)

    def describe(self) -> str:
        parts = [f"{self.added} added", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        if self.moved:
            parts.append(f"{self.moved} moved")
        if self.removed:
            parts.append(f"{self.removed} removed")
        parts.append(f"{len(self.failures)} skipped")
        if self.still_skipped:
            parts.append(f"{self.still_skipped} still skipped")
        head = "Indexing cancelled" if self.cancelled else "Indexed"
        return f"{head}: {', '.join(parts)} ({self.passages} passages, {self.seconds:.1f} s)"
