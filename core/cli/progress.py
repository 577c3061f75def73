"""Progress on the CLI's stderr: redrawn on a terminal, a line now and then in a log."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TextIO

from nearby.core.cli.output import printable
from nearby.core.progress import CancelToken, IndexProgress

# Progress lines on a terminal are redrawn ~10 times a second; in a log (not a terminal) a line
# every few seconds is enough and keeps CI logs readable.
TTY_REFRESH_S = 0.1
LOG_REFRESH_S = 5.0


class IndexProgressPrinter:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last = 0.0
        self.phase = ""

    def show(self, p: IndexProgress) -> None:
        if p.phase.endswith("done"):
            return
        now = time.monotonic()
        if now - self.last < (TTY_REFRESH_S if self.tty else LOG_REFRESH_S) and p.phase == self.phase:
            return
        self.last, self.phase = now, p.phase
        if p.total:
            text = f"{p.phase}: {p.done}/{p.total} {printable(Path(p.path).name)}"
        elif p.phase.startswith("waiting"):
            text = f"{p.phase} ({p.done} s)"
        else:
            text = f"{p.phase}: {p.done} files"
        if self.tty:
            self.stream.write("\r\033[K" + text[:120])
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\r\033[K")


def every_tenth(label: str, stream: TextIO = sys.stderr) -> Callable[[IndexProgress], None]:
    """A progress callback that prints "label: N%" at each further tenth of the work."""
    shown = -1

    def show(p: IndexProgress) -> None:
        nonlocal shown
        percent = 100 * p.done // max(p.total, 1)
        if percent // 10 != shown:
            shown = percent // 10
            print(f"{label}: {percent}%", file=stream, flush=True)

    return show


@contextmanager
def interrupt_cancels(cancel: CancelToken) -> Iterator[None]:
    """While long work runs, Ctrl-C (SIGINT) cancels: the work stops between batches, writes what
    is ready and returns its summary. A KeyboardInterrupt raised inside the work would instead
    kill the generator mid-file and lose its summary. A second Ctrl-C stops at once."""
    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        if cancel.cancelled:
            raise KeyboardInterrupt
        cancel.cancel()

    try:
        previous = signal.signal(signal.SIGINT, on_interrupt)
    except ValueError:  # not the main thread: signals cannot be handled here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
