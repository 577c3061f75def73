"""Read connections lent to whichever thread asks, and taken back after the call.

A thread pool's threads come and go (Qt retires idle ones after 30 s); a connection per thread
kept until the library closes would pile up one per thread ever used. Lending them instead keeps
as many as were ever used at once, at most KEEP_IDLE idle ones.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from nearby.core.storage.store import Store

# Idle connections kept for the next reader: a search and a status refresh at once is the usual peak.
KEEP_IDLE = 2


class ReaderPool:
    """Store connections for readers: borrowed for one call, then kept (or closed) for the next."""

    def __init__(self, open_store: Callable[[], Store], keep_idle: int = KEEP_IDLE) -> None:
        self._open = open_store
        self._keep = keep_idle
        self._idle: list[Store] = []
        self._lent = 0
        self._closed = False
        self._lock = threading.Lock()
        self._returned = threading.Condition(self._lock)
        self._exclusive = False

    @contextmanager
    def borrow(self) -> Iterator[Store]:
        """A connection for the duration of a with-block; another thread may get it afterwards."""
        with self._lock:
            self._returned.wait_for(lambda: not self._exclusive)
            store = self._idle.pop() if self._idle else None
            self._lent += 1
        try:
            if store is None:
                store = self._open()
            yield store
        finally:
            with self._lock:
                self._lent -= 1
                keep = store is not None and not self._closed and len(self._idle) < self._keep
                if keep and store is not None:
                    self._idle.append(store)
                self._returned.notify_all()
            if not keep and store is not None:
                store.close()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """No reader inside while the with-block runs: it waits for the lent connections to come
        back and holds new borrowers until it ends (what a model switch needs for the moment the
        library's vectors and its embedder change together). Keep it short."""
        with self._lock:
            self._returned.wait_for(lambda: not self._exclusive)
            self._exclusive = True
            self._returned.wait_for(lambda: self._lent == 0)
        try:
            yield
        finally:
            with self._lock:
                self._exclusive = False
                self._returned.notify_all()

    def drop_idle(self) -> None:
        """Close the idle connections (the file's contents were replaced): readers open fresh ones."""
        with self._lock:
            idle, self._idle = self._idle, []
        for store in idle:
            store.close()

    @property
    def open_connections(self) -> int:
        """Connections open now: idle ones plus those lent out."""
        with self._lock:
            return len(self._idle) + self._lent

    def close(self) -> None:
        """Close the idle connections; those lent out close when they come back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for store in idle:
            store.close()
