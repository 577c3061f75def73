"""Python's cyclic garbage collector runs on the GUI thread only.

Left automatic, the collector runs in whichever thread happens to allocate when a threshold is
crossed — often a worker searching or indexing. If the garbage it finds holds a Qt object (a closed
window's widgets sit in reference cycles through their connected slots), Qt deletes it from that
worker thread, which crashes the process ("Segmentation fault … Garbage-collecting"). So the
automatic collector is turned off and a timer on the GUI thread does the same work: it looks at the
collector's counts twice a second and collects the generations whose thresholds were crossed, as
the automatic collector would, but on the thread that owns the widgets.

Reference counting, which frees almost everything, is untouched: only cycles wait for the timer.
"""

from __future__ import annotations

import gc
import logging
import time

from PySide6.QtCore import QCoreApplication, QObject, QTimer

log = logging.getLogger(__name__)

# Checks per second are cheap (reading three counters); a collection only runs when one is due.
CHECK_INTERVAL_MS = 500
# A collection longer than this is logged: it held the GUI thread (the 50-ms budget of a frame).
SLOW_COLLECTION_S = 0.05


class GuiThreadCollector(QObject):
    """Collects cyclic garbage on the thread it lives on (the GUI thread), generation by generation."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        self.collections = 0

    def check(self) -> int | None:
        """Collects the oldest generation whose threshold was crossed; returns it (None: nothing due)."""
        counts = gc.get_count()
        due = None
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                due = generation
                break
        if due is None:
            return None
        started = time.perf_counter()
        gc.collect(due)
        self.collections += 1
        took = time.perf_counter() - started
        if took > SLOW_COLLECTION_S:
            log.debug("garbage collection of generation %d took %.0f ms", due, took * 1000)
        return due


def collect_on_gui_thread() -> GuiThreadCollector:
    """Turns automatic collection off and installs the GUI-thread collector (once per application).

    Objects alive now (modules, models, the window being built) are moved out of the collector's
    view (``gc.freeze``): they live as long as the app, and full collections stay short without
    walking them each time. (No collection first: at start-up there is little garbage, and a full
    collection of the whole heap would delay the first frame by ~50 ms.)
    """
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("collect_on_gui_thread needs a QApplication: create it first")
    existing = app.findChild(GuiThreadCollector)
    if existing is not None:
        return existing
    gc.freeze()
    gc.disable()
    return GuiThreadCollector(app)
