"""Desktop tests collect cyclic garbage on the GUI thread, as the app does.

A closed window's widgets can sit in reference cycles; collected from a worker thread (a search
started by a later test) Qt would delete them there and crash. The app turns the automatic
collector off and collects on a GUI-thread timer (desktop/gc_guard.py); the tests do the same and
also collect after each test, so one test's windows never outlive it into the next.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from nearby.desktop.gc_guard import collect_on_gui_thread
from tests.desktop.windows import index_sample


@pytest.fixture(autouse=True)
def garbage_on_gui_thread(qapp: QApplication) -> Iterator[None]:
    collect_on_gui_thread()
    yield
    gc.collect()


@pytest.fixture(scope="module")
def sample_library(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Path:
    """The shipped sample collection indexed once per test module with the real models."""
    return index_sample(tmp_path_factory.mktemp("sample"))
