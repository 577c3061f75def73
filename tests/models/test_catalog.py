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


def test_the_default_install_is_one_of_each_kind_and_the_other_text_models_are_on_request() -> None:
    from nearby.models.install import default_models

    kinds = [MODELS[n].kind for n in default_models()]
    assert sorted(kinds) == sorted(set(kinds)) == ["audio", "image", "ocr", "text", "words"]
    text = [s for s in MODELS.values() if s.kind == "text"]
    assert any(len(spec.languages) >= 10 for spec in text)  # a multilingual one can be installed
    assert sum(s.disk_mb for s in MODELS.values() if s.installed_by_default) < 160  # the bundle's share


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


def test_a_bundles_models_are_used_until_the_person_installs_their_own(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from nearby.models.locate import BUNDLED_MODELS_ENV, is_bundled, missing_files, model_dir
    from tests.conftest import INSTALLED_MODELS

    bundled = tmp_path / "bundle" / "models"
    shutil.copytree(INSTALLED_MODELS / MINILM.name, bundled / MINILM.name)
    monkeypatch.setenv("NEARBY_MODELS", str(tmp_path / "user-models"))
    monkeypatch.setenv(BUNDLED_MODELS_ENV, str(bundled))
    assert model_dir(MINILM) == bundled / MINILM.name and not missing_files(MINILM)
    assert is_bundled(model_dir(MINILM))
    other = get_model("use-multilingual-v3")  # not in the bundle: installs go to the person's folder
    assert model_dir(other) == tmp_path / "user-models" / other.name and missing_files(other)
    shutil.copytree(bundled / MINILM.name, tmp_path / "user-models" / MINILM.name)
    assert model_dir(MINILM) == tmp_path / "user-models" / MINILM.name  # the person's own copy first
    assert model_dir(MINILM, tmp_path / "explicit") == tmp_path / "explicit" / MINILM.name
