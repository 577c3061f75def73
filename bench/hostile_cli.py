"""Hostile command lines, many times: `python -m bench.hostile_cli [RUNS]` (default 200 runs of
the installed `nearby`, cycling through tests/hostile.py's cases; --bundle DIR runs the bundle's
`Nearby --cli search` 20 times too). Counts tracebacks, aborts (rc 134) and exit codes other than 2."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from tests.hostile import hostile_cases


def nearby() -> list[str]:
    script = Path(sys.executable).with_name("nearby")
    return [str(script)] if script.exists() else [sys.executable, "-m", "nearby.core.cli"]


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv and argv[0].isdigit() else 200
    bundle = Path(argv[argv.index("--bundle") + 1]) if "--bundle" in argv else None
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        corpus, library = tmp / "corpus", tmp / "lib.sqlite"
        corpus.mkdir()
        (tmp / "folder-not-file").mkdir()
        (corpus / "garden.txt").write_text("Tomatoes need sun, water and rich soil to grow well in summer.")
        (corpus / "cars.txt").write_text("The mechanic replaced the brake pads and changed the engine oil.")
        subprocess.run([*nearby(), "--library", str(library), "index", str(corpus)], capture_output=True, check=True)
        cases = hostile_cases(tmp, corpus, library)
        codes: Counter[int] = Counter()
        tracebacks = 0
        for i in range(runs):
            done = subprocess.run([*nearby(), *cases[i % len(cases)]], capture_output=True, text=True,
                                  errors="replace", stdin=subprocess.DEVNULL, check=False)
            codes[done.returncode] += 1
            tracebacks += "Traceback" in done.stderr
        print(f"nearby: {runs} hostile runs over {len(cases)} cases: exit codes {dict(codes)}, "
              f"tracebacks {tracebacks}, aborts (134) {codes[134]}")
        if bundle is not None:
            exe = bundle / ("Nearby.exe" if os.name == "nt" else "Nearby")
            aborts = Counter(subprocess.run([str(exe), "--cli", "--library", str(library), "search", "tomatoes"],
                                            capture_output=True, check=False).returncode for _ in range(20))
            print(f"bundle: 20 runs of Nearby --cli search: exit codes {dict(aborts)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
