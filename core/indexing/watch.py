"""Watching the library's folders: files added, changed, moved or deleted reach the index within
seconds, through the same index queue as every other write.

The platform's own notifications (inotify, FSEvents, ReadDirectoryChangesW) through watchdog.
Events are collected, not acted on one by one: a batch goes out once the folders have been quiet
for ``quiet_s`` (a file being written fires many events), or ``max_wait_s`` after its first event
at the latest (a 10k-file copy streams in batches instead of waiting for the end). What a batch
says is decided when it goes out, by looking at the disk: a path that exists is changed (or new),
one that does not is deleted, whatever order its events came in. Missed events (the app was
closed, the machine slept, a network drive) are caught by the rescan at start (`nearby index`, the
window's start-up update), not here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from nearby.core.indexing.scan import DEFAULT_EXCLUDED, is_hidden
from nearby.core.kinds import kind_of

log = logging.getLogger(__name__)

QUIET_S = 1.0
MAX_WAIT_S = 3.0

Batch = Callable[[list[Path], list[Path]], None]  # (changed or new, deleted)


class FolderWatcher:
    """Watches folders (recursively) and hands batches of changed and deleted files to ``on_batch``,
    on its own thread. Start with ``start``; ``stop`` ends it (waiting for a batch in hand)."""

    def __init__(self, on_batch: Batch, excluded: frozenset[str] = DEFAULT_EXCLUDED,
                 quiet_s: float = QUIET_S, max_wait_s: float = MAX_WAIT_S) -> None:
        self.on_batch = on_batch
        self.excluded = excluded
        self.quiet_s, self.max_wait_s = quiet_s, max_wait_s
        self._paths: set[Path] = set()
        self._first = self._last = 0.0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._observer: Any = None
        self._tried = False  # start() was called (whether or not watching could begin)
        self._watched: dict[str, Any] = {}
        self._thread = threading.Thread(target=self._deliver, name="nearby-watch", daemon=True)

    @property
    def started(self) -> bool:
        return self._tried

    def start(self, folders: Iterable[Path | str] = ()) -> None:
        """Start watching. Without watchdog (or the platform's notifications) nothing is watched and
        a warning is logged: the start-up rescan still brings the library up to date."""
        self._tried = True
        try:
            from watchdog.observers import Observer
        except ImportError as exc:
            log.warning("folder watching is unavailable (%s); changes are seen at the next update", exc)
            return
        self._observer = Observer()
        self._observer.daemon = True
        for folder in folders:
            self.watch(folder)
        self._observer.start()
        self._thread.start()

    def watch(self, folder: Path | str) -> bool:
        """Watch one more folder (a folder added to the library). False if it cannot be watched now
        (missing: an unplugged drive), which the next start-up rescan makes up for."""
        key = str(Path(folder))
        if key in self._watched or self._observer is None:
            return key in self._watched
        if not Path(key).is_dir():
            return False
        try:
            self._watched[key] = self._observer.schedule(_Handler(self), key, recursive=True)
        except OSError as exc:  # e.g. the inotify watch limit: the start-up rescan still catches up
            log.warning("cannot watch %s (%s); changes there are seen at the next update", key, exc)
            return False
        return True

    @property
    def folders(self) -> list[str]:
        return sorted(self._watched)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    # -- events ---------------------------------------------------------------------------------

    def noticed(self, path: str) -> None:
        candidate = Path(path)
        # Hidden names count below the watched folder only: a library folder may itself lie in a
        # dot-folder (~/.notes/journal), and its files are then watched like any other's.
        folder = max((Path(f) for f in self._watched if candidate.is_relative_to(f)), key=lambda f: len(f.parts),
                     default=None)
        below = candidate.relative_to(folder).parts if folder is not None else candidate.parts[1:]
        if any(is_hidden(part, self.excluded) for part in below):
            return
        with self._lock:
            now = time.monotonic()
            if not self._paths:
                self._first = now
            self._last = now
            self._paths.add(candidate)
        self._wake.set()

    def _deliver(self) -> None:
        while not self._stopping:
            self._wake.wait()
            with self._lock:
                if not self._paths:
                    self._wake.clear()
                    continue
                now = time.monotonic()
                due = min(self._last + self.quiet_s, self._first + self.max_wait_s)
                if now < due and not self._stopping:
                    wait = due - now
                else:
                    batch, self._paths = self._paths, set()
                    wait = 0.0
            if wait:
                time.sleep(min(wait, 0.25))
                continue
            changed = sorted(p for p in batch if p.is_file() and kind_of(p) is not None)
            deleted = sorted(p for p in batch if not p.exists())
            if changed or deleted:
                try:
                    self.on_batch(changed, deleted)
                except Exception:  # a failing batch must not end the watching
                    log.exception("applying %d changed and %d deleted files failed", len(changed), len(deleted))


class _Handler:
    """watchdog's handler interface, forwarding every path an event names to the watcher."""

    def __init__(self, watcher: FolderWatcher) -> None:
        self.watcher = watcher

    def dispatch(self, event: Any) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reads, not changes
        for path in (event.src_path, getattr(event, "dest_path", "")):
            if path:
                self.watcher.noticed(str(path))
