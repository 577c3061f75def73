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
            # A member is a path inside its package: never absolute, never climbing out.
            assert f.member == "*" or (not f.member.startswith("/") and ".." not in f.member.split("/"))
        for conversion in spec.conversions:
            assert all(spec.file(source) for source in conversion.sources)
        assert spec.disk_mb > 0 and spec.good_at
        if spec.kind == "text":
            assert spec.languages and spec.tensors is not None


def test_the_default_install_holds_an_english_and_a_multilingual_text_model() -> None:
    from nearby.models.install import default_models

    text = [MODELS[n] for n in default_models() if MODELS[n].kind == "text"]
    assert {"en"} < {lang for spec in text for lang in spec.languages}
    assert any(len(spec.languages) >= 10 for spec in text)
    assert not MODELS["all-mpnet-base-v2"].installed_by_default  # 418 MB: on request


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
