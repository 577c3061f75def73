"""Indexing and searching never touch the network: proven with a Python audit hook.

The hook sees every socket operation made through Python's socket module (which onnxruntime,
tokenizers and every library here would have to use from Python) and is installed before
Nearby is imported, in a fresh interpreter.
"""

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

HOOK = textwrap.dedent("""
    import json, sys
    attempts = []
    def hook(event, args):
        if event.startswith(("socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
                             "socket.sendto", "socket.bind", "urllib.Request", "http.client.connect")):
            attempts.append([event, repr(args)[:200]])
    sys.addaudithook(hook)
    {body}
    print("ATTEMPTS=" + json.dumps(attempts))
""")


def run_guarded(body: str) -> list[list[str]]:
    code = HOOK.replace("{body}", textwrap.dedent(body))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("ATTEMPTS="))
    return json.loads(line.removeprefix("ATTEMPTS="))


def test_the_guard_sees_a_connection_attempt() -> None:
    attempts = run_guarded("""
        import socket
        try:
            socket.create_connection(("127.0.0.1", 9), timeout=0.2)
        except OSError:
            pass
    """)
    assert any(event == "socket.connect" for event, _ in attempts)


def test_index_and_search_make_no_network_attempt(tmp_path: Path, models_dir: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("The lighthouse keeper logged every passing ship in a notebook.")
    (docs / "b.html").write_text("<p>Fresh bread is best eaten warm.</p><img src='http://example.com/x.png'>")
    eval_set = Path(__file__).resolve().parent.parent / "data" / "eval"
    shutil.copy(eval_set / "images" / "chelsea.jpg", docs / "cat.jpg")  # picture model, bridge, text reader
    shutil.copy(eval_set / "songs" / "evening.ogg", docs / "evening.ogg")  # music model
    attempts = run_guarded(f"""
        from core.cli import main
        assert main(["--library", {str(tmp_path / 'lib.sqlite')!r}, "index", {str(docs)!r}]) == 0
        assert main(["--library", {str(tmp_path / 'lib.sqlite')!r}, "search", "boats at sea", "--json"]) == 0
        assert main(["--library", {str(tmp_path / 'lib.sqlite')!r}, "similar", {str(docs / 'a.txt')!r}]) == 0
        assert main(["--library", {str(tmp_path / 'lib.sqlite')!r}, "similar", {str(docs / 'cat.jpg')!r}]) == 0
        assert main(["--library", {str(tmp_path / 'lib.sqlite')!r}, "status"]) == 0
    """)
    assert attempts == []
