"""The `nearby map` command: the library as a 2-D map, as JSON or as a PNG.

    nearby map                       # make (or bring up to date) the map; print its groups
    nearby map --json                # {"points": [{"path", "kind", "x", "y", "cluster"}], "clusters": [...]}
    nearby map --png map.png --size 1600x1200
    nearby map --kind image --new    # pictures in their own space, laid out again in full
    nearby map --arithmetic "king - man + woman" --json
                                     # ... and the expression placed on it: "arithmetic": {"terms": [{"text",
                                     # "weight", "x", "y"}], "result": {"x", "y"}, "words": [{"text", "x", "y"}],
                                     # "files": [{"path", "x", "y"}]}
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from nearby.core.cli.progress import every_tenth
from nearby.core.errors import BadRequest
from nearby.core.files import check_output_file
from nearby.core.kinds import KINDS
from nearby.core.library import Library
from nearby.core.progress import run_to_end

DEFAULT_SIZE = (1600, 1200)


def add_command(sub: Any) -> None:
    p = sub.add_parser("map", help="the library as a 2-D map of meaning (JSON or PNG)")
    p.add_argument("--kind", choices=KINDS, help="one kind, in its own space (default: every kind together)")
    p.add_argument("--json", action="store_true", help="print the points and the named groups as JSON")
    p.add_argument("--png", metavar="FILE", help="draw the map into a PNG file")
    p.add_argument("--size", default="x".join(map(str, DEFAULT_SIZE)), help="PNG size, WxH (default 1600x1200)")
    p.add_argument("--new", action="store_true", help="lay the whole map out again")
    p.add_argument("--arithmetic", metavar="EXPR", help='concept arithmetic placed on the map (every kind): its '
                   'terms, result point, answer words and files, e.g. "king - man + woman"')


def run(args: argparse.Namespace, library: Library) -> int | None:
    if args.command != "map":
        return None
    size = re.fullmatch(r"(\d{2,5})x(\d{2,5})", args.size)
    if size is None:
        print(f"nearby: --size must look like 1600x1200, not {args.size!r}", file=sys.stderr)
        return 2
    if args.png:
        check_output_file(Path(args.png))  # before the work, not after
    if args.arithmetic is not None and args.kind is not None:
        print("nearby: --arithmetic is drawn on the map of every kind (its words live in the text space); "
              "leave out --kind", file=sys.stderr)
        return 2
    the_map = run_to_end(library.update_map(args.kind, args.new), every_tenth("mapping"))
    if the_map is None:
        return 130
    placed = None
    if args.arithmetic is not None:
        the_map, placed, answers = library.map_arithmetic(args.arithmetic, cwd=Path.cwd())
        if the_map is None or placed is None:
            return 130
        if not args.json:
            terms = ", ".join(f"{t} at ({x:.1f}, {y:.1f})" for t, _, x, y in placed.terms)
            print(f"{answers.expression}: {terms}; the result at ({placed.result[0]:.1f}, {placed.result[1]:.1f})")
            for word, x, y in placed.words:
                print(f"  {word:<20} ({x:.1f}, {y:.1f})")
    if args.png:
        from nearby.core.mapping.render import render_png

        try:
            render_png(the_map, args.png, (int(size.group(1)), int(size.group(2))))
        except OSError as exc:  # a full disk, /dev/full: the PNG's fault, not the library's
            raise BadRequest(f"The map could not be written to {args.png} ({exc.strerror or exc}).") from exc
        print(f"map drawn in {args.png}", file=sys.stderr)
    if args.json:
        out = the_map.to_json()
        if placed is not None:
            out["arithmetic"] = placed.to_json()
        print(json.dumps(out, ensure_ascii=False))
    elif not args.png and placed is None:
        print(f"{len(the_map.points)} files in {len(the_map.clusters)} groups")
        for c in sorted(the_map.clusters, key=lambda c: -c.size):
            print(f"{c.size:>6}  {c.label}")
    return 0
