"""The GUI-thread garbage collector: automatic collection off, due generations collected by the timer."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from nearby.desktop.gc_guard import GuiThreadCollector, collect_on_gui_thread


class Node:
    def __init__(self) -> None:
        self.other: object = self


def test_automatic_collection_is_off_and_installed_once(qtbot: QtBot) -> None:
    first = collect_on_gui_thread()
    assert not gc.isenabled()
    assert collect_on_gui_thread() is first
    assert first.timer.isActive()


def test_garbage_made_in_a_worker_thread_is_freed_by_the_gui_thread(qtbot: QtBot) -> None:
    collector = collect_on_gui_thread()
    freed_on: list[str] = []
    refs: list[weakref.ref[Node]] = []

    class Watched(Node):
        def __del__(self) -> None:
            freed_on.append(threading.current_thread().name)

    def make_garbage() -> None:
        for _ in range(gc.get_threshold()[0] * 3):  # well past generation 0's threshold
            node = Watched()
            refs.append(weakref.ref(node))
            del node

    worker = threading.Thread(target=make_garbage, name="worker")
    worker.start()
    worker.join()
    assert not freed_on, "the worker thread collected garbage itself"
    qtbot.waitUntil(lambda: all(ref() is None for ref in refs), timeout=5000)
    assert set(freed_on) == {threading.main_thread().name}
    assert collector.collections >= 1


def test_a_check_with_nothing_due_collects_nothing(qtbot: QtBot) -> None:
    parent = QObject()
    collector = GuiThreadCollector(parent)
    gc.collect()
    assert collector.check() is None
