"""Shared fixtures: every test gets its own data, config and log folders under tmp_path.

The installed model folder is found once, before any test moves the user folders, so tests
with the real model use the models the install step put in place.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # CI has no display

from nearby.models.catalog import MINILM  # noqa: E402
from nearby.models.locate import MODELS_ENV, missing_files, models_root  # noqa: E402
from tests.fakes import FakeEmbedder  # noqa: E402

INSTALLED_MODELS = models_root()


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache"),
                     ("XDG_STATE_HOME", "state")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("NEARBY_LOG_DIR", str(home / "log"))
    monkeypatch.setenv(MODELS_ENV, str(INSTALLED_MODELS))
    monkeypatch.delenv("NEARBY_LIBRARY", raising=False)
    monkeypatch.delenv("NEARBY_PROVIDER", raising=False)
    return home


@pytest.fixture(scope="session")
def models_dir() -> Path:
    missing = missing_files(MINILM, INSTALLED_MODELS)
    if missing:
        pytest.fail(f"the text model is not installed in {INSTALLED_MODELS} (missing {missing}); "
                    "run `python -m nearby.models.install` first (the README's test command does)")
    return INSTALLED_MODELS


@pytest.fixture(scope="session")
def text_embedder(models_dir: Path) -> Iterator[object]:
    from nearby.core.inference.text_embedder import TextEmbedder

    yield TextEmbedder(models_root=models_dir)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def library_path(tmp_path: Path) -> Path:
    return tmp_path / "library.nearby.sqlite"
