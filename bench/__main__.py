"""Run the benchmarks: `python -m bench` (all), or name some: index, media, search, arithmetic, map
(and search-large: 1M passages too, ~45 minutes on 2 cores, most of it building the graph;
map-large: a 100k-file layout, ~4 minutes; switch: a 10k-passage library changing its text model
while searched, ~6 minutes). startup: the window's first paint, from source and bundled, and
`nearby status` against its anchor; gui: the longest the window's GUI thread is blocked while
indexing, searching and mapping; crash: kill -9 twenty times while indexing; switch-kills: kill -9
twenty times during text-model switches while files arrive; hostile: 200 runs of hostile command
lines; duplicates: duplicate groups on a generated library against its truth, and 100k items timed
(~4 minutes)."""

from __future__ import annotations

import sys

from bench import (
    arithmetic_speed,
    crash_safety,
    duplicates_eval,
    gui_probe,
    hostile_cli,
    index_speed,
    map_speed,
    media_speed,
    search_speed,
    startup_speed,
    switch_speed,
)


def main(argv: list[str]) -> int:
    if argv[:1] == ["search"] and len(argv) > 1:  # `python -m bench search --passages N --json`
        return search_speed.contract(argv[1:])
    wanted = set(argv) or {"index", "media", "search", "arithmetic", "map", "startup"}
    if "index" in wanted:
        index_speed.main()
    if "media" in wanted:
        media_speed.main()
    if "search" in wanted or "search-large" in wanted:
        search_speed.main((10_000, 100_000, 1_000_000) if "search-large" in wanted else (10_000, 100_000))
    if "arithmetic" in wanted:
        arithmetic_speed.main()
    if "map" in wanted or "map-large" in wanted:
        map_speed.main((10_000, 100_000) if "map-large" in wanted else (10_000,))
    if "startup" in wanted:
        startup_speed.main()
    if "gui" in wanted:
        gui_probe.main()
    if "crash" in wanted:
        crash_safety.main()
    if "switch" in wanted:
        switch_speed.main()
    if "switch-kills" in wanted:
        _switch_kills()
    if "hostile" in wanted:
        hostile_cli.main([])
    if "duplicates" in wanted:
        duplicates_eval.main()
    return 0


def _switch_kills() -> None:
    """kill -9 at 20 moments of model switches while files arrive (tests/switch_kills.py)."""
    import tempfile
    from pathlib import Path

    from tests.switch_kills import kill_switches

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "notes"
        folder.mkdir()
        for i in range(200):
            (folder / f"n{i}.txt").write_text(f"note {i} about gardens, rent and rockets")
        landed, problems = kill_switches(Path(scratch) / "lib.sqlite", folder, kills=20)
        print(f"switch-kills: {landed} of 20 kills landed mid-work; afterwards {len(problems)} problems"
              + "".join(f"\n  {p}" for p in problems[:10]))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
