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

# With the word answers of concept arithmetic inside (396 MB), and faiss for the passage graph
# (issue 28: +22 MB once its OpenBLAS is served by scipy's, installer/build.py share_openblas; +63 MB
# as it comes). Over issue 27's 400 MB: said so in the issue notes, not hidden.
BUNDLE_LIMIT_MB = 425
BUILD_TIMEOUT_S = 1800
GLIBC_FLOOR = (2, 35)  # Ubuntu 22.04; this build host's Python asks for it (installer/build.py)
GLIBCXX_FLOOR = (3, 4, 29)  # GCC 11's libstdc++: RHEL 9, Ubuntu 22.04


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
    done = subprocess.run([sys.executable, str(ROOT / "installer" / "build.py"), "--out", str(out), "--fast"],
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    assert "bundle:" in done.stdout, done.stdout
    return out / "dist"


def test_the_bundle_is_small_licensed_and_packaged(built: Path) -> None:
    bundle = built / "Nearby"
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()) / (1 << 20)
    assert size <= BUNDLE_LIMIT_MB, f"{size:.0f} MB"
    notices = (bundle / "THIRD-PARTY-NOTICES.txt").read_text(encoding="utf-8")
    for needed in ("onnxruntime", "numpy", "PySide6", "all-MiniLM-L6-v2", "efficientnet-lite2", "Apache-2.0"):
        assert needed in notices, needed
    models = bundle / "_internal" / "models"
    assert {p.name for p in models.iterdir()} >= {"all-MiniLM-L6-v2", "efficientnet-lite2", "musicnn-mtt", "ppocr-v4"}
    assert list((models / "glove-6b-100d-words").glob("text-all-MiniLM-L6-v2-*.i8.npz")), "the word answers ship made"
    archive = next(built.glob("Nearby-*-linux-*.tar.gz"))
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"Nearby/Nearby", "Nearby/install.sh", "Nearby/uninstall.sh", "Nearby/nearby.desktop"} <= names
    sizes = {int(p.parent.parent.name.split("x")[0]) for p in (bundle / "icons").glob("hicolor/*x*/apps/nearby.png")}
    assert sizes >= {16, 32, 48, 64, 128, 256, 512} and (bundle / "icons/hicolor/scalable/apps/nearby.svg").is_file()
    sums = (built / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == 2 and all(len(line.split()[0]) == 64 for line in sums)
    done = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=built, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_bundle_starts_on_glibc_2_35_and_leaves_desktop_libraries_to_the_system(built: Path) -> None:
    """Copies of the build host's libstdc++, libexpat and glibc's libmvec asked for glibc 2.36: the
    bundle would not start on Ubuntu 22.04, Debian 11 or RHEL 9. The floors come from the files."""
    sys.path.insert(0, str(ROOT))
    from installer.elf import floor

    bundle = built / "Nearby"
    glibc, culprits = floor(bundle, "GLIBC")
    assert glibc <= GLIBC_FLOOR, [str(p.relative_to(bundle)) for p in culprits]
    glibcxx, culprits = floor(bundle, "GLIBCXX")
    assert glibcxx <= GLIBCXX_FLOOR, [str(p.relative_to(bundle)) for p in culprits]
    inside = {p.name for p in (bundle / "_internal").iterdir()}
    for system_library in ("libstdc++.so.6", "libgcc_s.so.1", "libmvec.so.1", "libexpat.so.1", "libX11.so.6",
                           "libglib-2.0.so.0", "libdbus-1.so.3", "libsystemd.so.0", "libgcrypt.so.20"):
        assert system_library not in inside, system_library
    copies: dict[tuple[int, bytes], str] = {}  # no native library twice (numpy's and scipy's libgfortran were)
    import hashlib

    for path in (bundle / "_internal").rglob("*.so*"):
        if path.is_file() and not path.is_symlink():
            key = (path.stat().st_size, hashlib.sha256(path.read_bytes()).digest())
            assert key not in copies, f"{path.name} is a copy of {copies[key]}"
            copies[key] = path.name


def test_every_bundled_file_is_traced_to_its_origin_and_none_is_gpl(built: Path) -> None:
    """The file-level audit (installer/licences.py) as it landed in licenses/FILES.txt: every file
    in the bundle is there with what shipped it; nothing GPL without a linking exception; GNU Readline
    (GPL-3) gone; every Python distribution named in FILES.txt is in the notices, with its text."""
    sys.path.insert(0, str(ROOT))
    from installer.licences import forbidden

    bundle = built / "Nearby"
    listed = {}
    for line in (bundle / "licenses" / "FILES.txt").read_text(encoding="utf-8").splitlines():
        name, origin, licence = line.split("\t")
        listed[name] = (origin, licence)
    own = ("THIRD-PARTY-NOTICES.txt", "licenses/", "install.sh", "uninstall.sh", "nearby.desktop")
    for path in bundle.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        name = path.relative_to(bundle).as_posix()
        name = name.removeprefix("_internal/")
        assert name in listed or name.startswith(own), f"{name}: not traced to its origin"
    assert [f"{n}: {o} ({lic})" for n, (o, lic) in listed.items() if forbidden(lic)] == []
    assert not any("readline" in name.lower() for name in listed)
    assert not list(bundle.rglob("libreadline*")) and not list(bundle.rglob("readline.cpython*"))
    notices = (bundle / "THIRD-PARTY-NOTICES.txt").read_text(encoding="utf-8")
    distributions = {o.split(": ", 1)[1].rsplit(" ", 1)[0] for o, _ in listed.values() if o.startswith("distribution")}
    assert {"watchdog", "platformdirs", "tinytag", "joblib", "threadpoolctl", "cloudpickle"} <= {
        d.split(":")[0] for d in distributions}
    for dist in distributions:
        assert dist in notices, dist
    assert "FFmpeg" not in notices, "named though not shipped (QtMultimedia is left out)"
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in (bundle / "licenses" / "Qt-LGPL-3.0.txt").read_text()
    assert (bundle / "licenses" / "distribution" / "onnxruntime" / "ThirdPartyNotices.txt").is_file()


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
    """install.sh moves the unpacked folder into place (400 MB are not copied and left behind), puts
    the icons at every size, the menu entry and the command in the user's folders; uninstall.sh
    takes them back with the cache and the log, and the library only when asked."""
    unpacked = tmp_path / "unpacked"
    with tarfile.open(next(built.glob("Nearby-*-linux-*.tar.gz"))) as tar:
        tar.extractall(unpacked, filter="tar")
    home = tmp_path / "home"
    env = _isolated_env(home)
    done = subprocess.run(["sh", str(unpacked / "Nearby" / "install.sh")], capture_output=True, text=True, env=env,
                          timeout=300, check=False, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert not (unpacked / "Nearby").exists() and "Moved" in done.stdout, done.stdout
    entry = (home / "data" / "applications" / "nearby.desktop").read_text()
    app = home / "data" / "Nearby-app" / "Nearby"
    assert f'Exec="{app}" %F' in entry and "Icon=nearby" in entry
    for size in ("16x16", "48x48", "256x256", "512x512"):
        assert (home / "data" / "icons" / "hicolor" / size / "apps" / "nearby.png").is_file(), size
    cli = subprocess.run([str(home / ".local" / "bin" / "nearby"), "status", "--json"], capture_output=True, text=True,
                         env=env, timeout=120, check=False)
    assert cli.returncode == 0 and '"items": 0' in cli.stdout, cli.stderr
    (home / "cache" / "Nearby" / "thumbnails").mkdir(parents=True)
    (home / "cache" / "Nearby" / "thumbnails" / "a.png").write_bytes(b"x")
    assert (home / "state" / "Nearby").is_dir(), "the CLI wrote its log"
    (home / "data" / "Nearby").mkdir(parents=True, exist_ok=True)
    (home / "data" / "Nearby" / "library.nearby.sqlite").write_bytes(b"")
    again = tmp_path / "uninstall.sh"
    shutil.copy(home / "data" / "Nearby-app" / "uninstall.sh", again)
    removed = subprocess.run(["sh", str(home / "data" / "Nearby-app" / "uninstall.sh")], env=env, capture_output=True,
                             text=True, timeout=60, check=False, stdin=subprocess.DEVNULL)
    assert removed.returncode == 0, removed.stderr
    assert not app.exists() and not (home / "data" / "applications" / "nearby.desktop").exists()
    assert not list((home / "data" / "icons").rglob("nearby.*")) and not (home / ".local" / "bin" / "nearby").exists()
    assert not (home / "cache" / "Nearby").exists() and not (home / "state" / "Nearby").exists()
    assert (home / "data" / "Nearby" / "library.nearby.sqlite").exists(), "nobody was asked: the library is kept"
    forget = subprocess.run(["sh", str(again), "--remove-library"], env=env, capture_output=True, text=True, timeout=60,
                            check=False, stdin=subprocess.DEVNULL)
    assert forget.returncode == 0 and not (home / "data" / "Nearby").exists(), forget.stderr


def test_the_deb_installs_self_tests_and_removes_cleanly(built: Path, tmp_path: Path) -> None:
    """dpkg into a root of its own (its scripts run outside a chroot there; the system's libraries it
    depends on are this machine's), `nearby` on PATH runs the self-test, then a purge takes every file."""
    if shutil.which("dpkg") is None:
        pytest.fail("dpkg is needed for this test (Debian/Ubuntu); the .deb is built and checked where it exists")
    deb = next(built.glob("nearby_*.deb"))
    info = subprocess.run(["dpkg-deb", "--field", str(deb), "Depends"], capture_output=True, text=True, check=True)
    assert info.stdout.startswith("libc6 (>= 2.35)") and "libstdc++6" in info.stdout
    root = tmp_path / "root"
    for folder in ("var/lib/dpkg/updates", "var/lib/dpkg/info"):
        (root / folder).mkdir(parents=True)
    (root / "var" / "lib" / "dpkg" / "status").write_text("")
    dpkg = ["dpkg", f"--root={root}", "--force-script-chrootless", "--force-not-root", "--log=/dev/null"]
    # dpkg looks for ldconfig and start-stop-daemon on PATH; a CI's PATH may lack the sbin folders
    sbin = ["/usr/local/sbin", "/usr/sbin", "/sbin"]
    tools = {**os.environ, "PATH": os.pathsep.join([os.environ.get("PATH", ""), *sbin])}
    done = subprocess.run([*dpkg, "--force-depends", "-i", str(deb)], capture_output=True, text=True, timeout=600,
                          env=tools, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (root / "usr" / "share" / "applications" / "nearby.desktop").read_text().count("Exec=/opt/nearby/Nearby %F")
    assert (root / "usr" / "share" / "icons" / "hicolor" / "512x512" / "apps" / "nearby.png").is_file()
    assert (root / "usr" / "share" / "doc" / "nearby" / "copyright").is_file()
    for path in (root / "opt" / "nearby", root / "opt" / "nearby" / "_internal", root / "usr" / "bin" / "nearby"):
        assert path.stat().st_mode & 0o777 == 0o755, f"{path}: every user runs the app, whatever the build's umask"
    env = _isolated_env(tmp_path / "home")
    version = subprocess.run([str(root / "usr" / "bin" / "nearby"), "--version"], capture_output=True, text=True,
                             env=env, timeout=120, check=False)
    assert version.returncode == 0 and version.stdout.startswith("nearby "), version.stderr
    test = subprocess.run([str(root / "usr" / "bin" / "nearby"), "self-test"], capture_output=True, text=True, env=env,
                          timeout=900, check=False)
    assert test.returncode == 0 and "checks passed" in test.stdout, test.stdout[-3000:] + test.stderr[-3000:]
    home = tmp_path / "home"
    assert not home.exists() or [p for p in home.rglob("*") if p.is_file()] == [], "the self-test left files behind"
    purged = subprocess.run([*dpkg, "--purge", "nearby"], capture_output=True, text=True, timeout=300, env=tools,
                            check=False)
    assert purged.returncode == 0, purged.stderr
    left = [p for p in root.rglob("*") if not p.is_dir() and "var/lib/dpkg" not in p.as_posix()]
    assert left == [] and not (root / "opt" / "nearby").exists(), left[:10]


def test_the_bundle_says_its_version_and_all_its_uses(built: Path, tmp_path: Path) -> None:
    env = _isolated_env(tmp_path / "home")
    exe = str(built / "Nearby" / "Nearby")
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert version.returncode == 0 and version.stdout.strip().startswith("Nearby 0."), version.stderr
    helped = subprocess.run([exe, "--help"], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert helped.returncode == 0
    for option in ("--self-test", "--cli", "--version", "--library", "PATH"):
        assert option in helped.stdout, option
    cli = subprocess.run([exe, "--cli", "--version"], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert cli.returncode == 0 and cli.stdout.startswith("nearby 0."), cli.stderr


def test_the_bundles_first_arithmetic_needs_no_preparation(built: Path, tmp_path: Path) -> None:
    """The word answers ship made for the bundled text model: the first arithmetic answers at once
    (it spent 50–200 s embedding 55,000 words), and nothing is written to prepare them."""
    env = _isolated_env(tmp_path / "home")
    done = subprocess.run([str(built / "Nearby" / "Nearby"), "--cli", "--library", str(tmp_path / "lib.sqlite"),
                           "arithmetic", "king - man + woman", "--json"], capture_output=True, text=True, env=env,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "queen" in done.stdout and "preparing" not in done.stderr
    assert not list((tmp_path / "home").rglob("text-*")), "the words were prepared again in the user's folders"


def test_the_bundled_cli_never_aborts_at_exit(built: Path, tmp_path: Path) -> None:
    """`Nearby --cli search` aborted with rc 134 ("terminate called without an active exception")
    about 3 runs in 10: it left through the interpreter's teardown with the model loading on a
    thread. Twenty searches and five argument errors."""
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
             for extra in [[]] * 20 + [["--bogus"]] * 5]
    assert codes == [0] * 20 + [2] * 5
