"""Progress on the CLI's stderr: redrawn on a terminal, a line now and then in a log."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from nearby.core.progress import IndexProgress

# Progress lines on a terminal are redrawn ~10 times a second; in a log (not a terminal) a line
# every few seconds is enough and keeps CI logs readable.
TTY_REFRESH_S = 0.1
LOG_REFRESH_S = 5.0


class IndexProgressPrinter:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last = 0.0

    def show(self, p: IndexProgress) -> None:
        if p.phase == "done":
            return
        now = time.monotonic()
        if now - self.last < (TTY_REFRESH_S if self.tty else LOG_REFRESH_S) and p.phase == "indexing":
            return
        self.last = now
        text = (f"{p.phase}: {p.done}/{p.total} {Path(p.path).name}" if p.total
                else f"{p.phase}: {p.done} files")
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
