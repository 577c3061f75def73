"""Run the benchmarks: `python -m bench` (all), or name some: index, media, search, arithmetic."""

from __future__ import annotations

import sys

from bench import arithmetic_speed, index_speed, media_speed, search_speed


def main(argv: list[str]) -> int:
    wanted = set(argv) or {"index", "media", "search", "arithmetic"}
    if "index" in wanted:
        index_speed.main()
    if "media" in wanted:
        media_speed.main()
    if "search" in wanted:
        search_speed.main()
    if "arithmetic" in wanted:
        arithmetic_speed.main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
