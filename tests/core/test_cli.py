"""The `nearby` command, run through its installed entry point as a user would."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def nearby_command() -> list[str]:
    script = Path(sys.executable).with_name("nearby")
    return [str(script)] if script.exists() else [sys.executable, "-m", "nearby.core.cli"]


def nearby(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*nearby_command(), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL, check=False)


@pytest.fixture
def corpus(tmp_path: Path, models_dir: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "garden.txt").write_text("Tomatoes need sun, water and rich soil to grow well in summer.")
    (folder / "cars.txt").write_text("The mechanic replaced the brake pads and changed the engine oil.")
    (folder / "music.md").write_text("# Practice\n\nScales on the piano every day improve finger speed.")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.5 truncated")
    return folder


def test_index_search_similar_status_round_trip(corpus: Path, tmp_path: Path) -> None:
    lib = str(tmp_path / "lib.sqlite")
    done = nearby("--library", lib, "index", str(corpus))
    assert done.returncode == 0, done.stderr
    assert "3 added" in done.stderr and "1 skipped" in done.stderr
    assert "broken.pdf" in done.stderr and "damaged" in done.stderr
    assert done.stdout == ""

    found = nearby("--library", lib, "search", "growing vegetables", "--json", "-k", "2", "--all")
    hits = json.loads(found.stdout)
    assert len(hits) == 2 and Path(hits[0]["path"]).name == "garden.txt"
    good = nearby("--library", lib, "search", "growing vegetables", "--json", "-k", "2")  # good matches only
    assert [Path(h["path"]).name for h in json.loads(good.stdout)] == ["garden.txt"]
    assert "1 weaker match not shown" in good.stderr and "--all" in good.stderr
    nothing = nearby("--library", lib, "search", "quantum chromodynamics lattice simulation")
    assert nothing.stdout.startswith("nothing matches well; the closest (weaker) matches:")
    assert " 1. " in nothing.stdout and " 4. " not in nothing.stdout  # the closest few, offered as weaker
    for hit in hits:
        assert {"path", "kind", "score", "snippet"} <= hit.keys()
        assert hit["kind"] == "document" and 0.0 <= hit["score"] <= 1.0
    assert hits[0]["snippet"].startswith("Tomatoes need sun")

    text = nearby("--library", lib, "search", "growing vegetables", "-k", "1")
    assert text.returncode == 0 and "garden.txt" in text.stdout and "Tomatoes" in text.stdout

    similar = json.loads(nearby("--library", lib, "similar", str(corpus / "garden.txt"), "--json").stdout)
    assert str(corpus / "garden.txt") not in [h["path"] for h in similar] and len(similar) == 2
    both = [str(corpus / "garden.txt"), similar[0]["path"]]  # several files: like them together, none of them
    together = json.loads(nearby("--library", lib, "similar", *both, "--json").stdout)
    assert len(together) == 1 and together[0]["path"] not in both

    status = json.loads(nearby("--library", lib, "status", "--json").stdout)
    assert status["items"] == 3 and status["skipped"] == 1 and status["model"] == "all-MiniLM-L6-v2"
    assert status["provider"] == "CPUExecutionProvider" and status["folders"] == [str(corpus)]

    skipped = json.loads(nearby("--library", lib, "skipped", "--json").stdout)
    assert [Path(s["path"]).name for s in skipped] == ["broken.pdf"]


def test_library_env_var_sets_the_default_library(corpus: Path, tmp_path: Path) -> None:
    env = {"NEARBY_LIBRARY": str(tmp_path / "env-lib.sqlite")}
    assert nearby("index", str(corpus), env=env).returncode == 0
    assert (tmp_path / "env-lib.sqlite").exists()
    assert json.loads(nearby("status", "--json", env=env).stdout)["items"] == 3


def test_reindex_without_paths_updates_known_folders(corpus: Path, tmp_path: Path) -> None:
    lib = str(tmp_path / "lib.sqlite")
    nearby("--library", lib, "index", str(corpus))
    (corpus / "cars.txt").unlink()
    again = nearby("--library", lib, "index")
    assert again.returncode == 0 and "1 removed" in again.stderr


def test_errors_say_what_to_do(corpus: Path, tmp_path: Path) -> None:
    lib = str(tmp_path / "lib.sqlite")
    missing = nearby("--library", lib, "index", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    nearby("--library", lib, "index", str(corpus))
    not_indexed = nearby("--library", lib, "similar", str(tmp_path / "elsewhere.txt"))
    assert not_indexed.returncode == 1 and "index its folder" in not_indexed.stderr


def test_missing_model_is_explained(corpus: Path, tmp_path: Path) -> None:
    result = nearby("--library", str(tmp_path / "l.sqlite"), "index", str(corpus),
                    env={"NEARBY_MODELS": str(tmp_path / "no-models")})
    assert result.returncode == 1
    assert "not installed" in result.stderr and "nearby.models.install" in result.stderr


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
def test_interrupt_leaves_a_usable_library(corpus: Path, tmp_path: Path) -> None:
    lib = str(tmp_path / "lib.sqlite")
    assert nearby("--library", lib, "index", str(corpus)).returncode == 0
    assert nearby("--library", lib, "search", "engine repair", "-k", "1").returncode == 0


def test_a_search_warms_its_model_and_index_before_the_cli_is_imported(corpus: Path, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from nearby.core.cli import entry as cli_entry
    from nearby.core.cli import warm_start

    assert warm_start.command_of(["--library", "x.sqlite", "search", "q"]) == "search"
    assert warm_start.command_of(["--library=x.sqlite", "-k", "status"]) == "status"
    assert warm_start.library_argument(["--library=~/x.sqlite", "search", "q"]) == Path.home() / "x.sqlite"
    assert warm_start.warm_start(tmp_path / "none.sqlite") is None, "no library file yet: nothing to warm"
    lib = tmp_path / "lib.sqlite"
    assert nearby("--library", str(lib), "index", str(corpus)).returncode == 0
    embedder = warm_start.warm_start(lib)
    assert embedder is not None and embedder.name == "all-MiniLM-L6-v2"
    assert cli_entry.main(["--library", str(lib), "search", "growing vegetables", "-k", "1", "--json"]) == 0
    assert Path(json.loads(capsys.readouterr().out)[0]["path"]).name == "garden.txt"
