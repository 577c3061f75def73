"""`nearby self-test`: the sample collection indexed in a throw-away library, every answer checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.staged import ROOT


def _self_test(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nearby.core.cli", "self-test", *args], capture_output=True,
                          text=True, timeout=600, check=False)


def test_the_self_test_passes_on_the_shipped_sample(models_dir: Path) -> None:
    done = _self_test()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FAIL" not in done.stdout and "11 of 11 checks passed" in done.stdout
    assert (ROOT / "desktop" / "sample" / "LICENSES.md").is_file()


def test_the_self_test_fails_when_an_answer_is_wrong(tmp_path: Path, models_dir: Path) -> None:
    import shutil

    sample = tmp_path / "sample"
    shutil.copytree(ROOT / "desktop" / "sample", sample)
    (sample / "pictures" / "cat.jpg").unlink()  # the cat cannot be found any more
    done = _self_test("--sample", str(sample))
    assert done.returncode == 1
    assert "FAIL search 'a photo of a cat'" in done.stdout
    assert _self_test("--sample", str(tmp_path / "nowhere")).returncode == 1
