import re
from pathlib import Path

import pytest

from nearby.models.catalog import MINILM, MODELS, get_model
from nearby.models.locate import models_root


def test_every_model_is_fully_described() -> None:
    for spec in MODELS.values():
        assert (spec.dim > 0 or spec.kind == "ocr") and spec.licence and spec.homepage
        names = [f.name for f in spec.files]
        assert len(names) == len(set(names))
        for f in spec.files:
            assert re.fullmatch(r"[0-9a-f]{64}", f.sha256) and f.size > 0
            assert f.source.version
            assert f.member == "*" or f.member.startswith(f.source.name.replace("-", "_"))


def test_unknown_model_names_the_known_ones() -> None:
    assert get_model("all-MiniLM-L6-v2") is MINILM
    with pytest.raises(KeyError, match="all-MiniLM-L6-v2"):
        get_model("clip-giant")


def test_models_folder_explicit_then_env_then_user_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEARBY_MODELS", str(tmp_path / "env"))
    assert models_root(tmp_path / "arg") == tmp_path / "arg"
    assert models_root() == tmp_path / "env"
    monkeypatch.delenv("NEARBY_MODELS")
    default = models_root()
    assert default.name == "models" and "Nearby" in str(default)
    assert str(default).startswith(str(tmp_path))  # the fixture's XDG_DATA_HOME, never /tmp by itself
