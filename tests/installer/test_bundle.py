"""The double-click bundle, built from the working tree as `python installer/build.py` does, then
run as a person's machine would: its self-test inside a network namespace with no interface but
loopback (or, where namespaces are not allowed, under strace with every network call refused)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.staged import ROOT

BUNDLE_LIMIT_MB = 450
BUILD_TIMEOUT_S = 1800


def _isolated_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEARBY_", "XDG_"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
               XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(home / "state"), QT_QPA_PLATFORM="offscreen")
    return env


def _namespace() -> list[str]:
    """A prefix that runs a command in a fresh network namespace (root: unshare -n; else in a user
    namespace too), or [] where neither is allowed (then the strace evidence alone decides)."""
    for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
        if shutil.which(prefix[0]) and subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    return []


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    done = subprocess.run([sys.executable, str(ROOT / "installer" / "build.py"), "--out", str(out)],
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    assert "bundle:" in done.stdout, done.stdout
    return out / "dist"


def test_the_bundle_is_small_licensed_and_packaged(built: Path) -> None:
    bundle = built / "Nearby"
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()) / (1 << 20)
    assert size < BUNDLE_LIMIT_MB, f"{size:.0f} MB"
    notices = (bundle / "THIRD-PARTY-NOTICES.txt").read_text(encoding="utf-8")
    for needed in ("onnxruntime", "numpy", "PySide6", "all-MiniLM-L6-v2", "efficientnet-lite2", "Apache-2.0"):
        assert needed in notices, needed
    models = bundle / "_internal" / "models"
    assert {p.name for p in models.iterdir()} >= {"all-MiniLM-L6-v2", "efficientnet-lite2", "musicnn-mtt", "ppocr-v4"}
    archive = next(built.glob("Nearby-*-linux-*.tar.gz"))
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"Nearby/Nearby", "Nearby/install.sh", "Nearby/uninstall.sh", "Nearby/nearby.desktop"} <= names


def test_the_bundles_self_test_passes_with_no_network(built: Path, tmp_path: Path) -> None:
    """No network to reach (a namespace with only loopback), and no attempt to (strace, every thread)."""
    from tests.core.test_no_network import QUIETING_ENV, STRACE, network_evidence

    namespace = _namespace()
    assert namespace or STRACE, "neither a network namespace nor strace is available here"
    log = tmp_path / "strace.log"
    tracer = [STRACE, "-f", "-qq", "-e", "trace=socket,connect,sendto,sendmsg,openat", "-o", str(log)] if STRACE else []
    env = {k: v for k, v in _isolated_env(tmp_path / "home").items() if k not in QUIETING_ENV}
    done = subprocess.run([*namespace, *tracer, str(built / "Nearby" / "Nearby"), "--self-test"], capture_output=True,
                          text=True, timeout=900, env=env, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "FAIL" not in done.stdout and "checks passed" in done.stdout
    if STRACE:
        assert network_evidence(log.read_text(errors="replace")) == []


def test_install_sh_puts_a_menu_entry_and_the_command_in_the_users_folders(built: Path, tmp_path: Path) -> None:
    unpacked = tmp_path / "unpacked"
    with tarfile.open(next(built.glob("Nearby-*-linux-*.tar.gz"))) as tar:
        tar.extractall(unpacked, filter="tar")
    home = tmp_path / "home"
    env = _isolated_env(home)
    done = subprocess.run(["sh", str(unpacked / "Nearby" / "install.sh")], capture_output=True, text=True, env=env,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    entry = (home / "data" / "applications" / "nearby.desktop").read_text()
    app = home / "data" / "Nearby-app" / "Nearby"
    assert f'Exec="{app}"' in entry and "Icon=nearby" in entry
    assert (home / "data" / "icons" / "hicolor" / "256x256" / "apps" / "nearby.png").is_file()
    cli = subprocess.run([str(home / ".local" / "bin" / "nearby"), "status", "--json"], capture_output=True, text=True,
                         env=env, timeout=120, check=False)
    assert cli.returncode == 0 and '"items": 0' in cli.stdout, cli.stderr
    assert subprocess.run(["sh", str(home / "data" / "Nearby-app" / "uninstall.sh")], env=env,
                          capture_output=True, timeout=60, check=False).returncode == 0
    assert not app.exists() and not (home / "data" / "applications" / "nearby.desktop").exists()


def test_the_bundled_cli_never_aborts_at_exit(built: Path, tmp_path: Path) -> None:
    """`Nearby --cli search` aborted with rc 134 ("terminate called without an active exception")
    about 3 runs in 10: it left through the interpreter's teardown with the model loading on a
    thread. Searches and argument errors, ten runs each."""
    env = _isolated_env(tmp_path / "home")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.txt").write_text("Tomatoes need sun, water and rich soil to grow well in summer.")
    exe, library = str(built / "Nearby" / "Nearby"), str(tmp_path / "lib.sqlite")
    indexed = subprocess.run([exe, "--cli", "--library", library, "index", str(notes)], capture_output=True,
                             text=True, timeout=300, env=env, check=False)
    assert indexed.returncode == 0, indexed.stderr[-2000:]
    codes = [subprocess.run([exe, "--cli", "--library", library, "search", "tomatoes", *extra], capture_output=True,
                            timeout=300, env=env, check=False).returncode
             for extra in [[]] * 10 + [["--bogus"]] * 10]
    assert codes == [0] * 10 + [2] * 10
