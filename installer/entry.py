"""The bundle's one executable (installer/build.py freezes this file as `Nearby`).

    Nearby [PATH…]              the window (a double-click); folders named are added (a launcher's %F)
    Nearby --self-test          index the bundled sample, search, compare; exit 0 only if all is right
    Nearby --cli ARGS…          the `nearby` command line (`Nearby --cli search "tax deadline"`)
    Nearby --version, --help

The default models travel inside the bundle and are read from there (NEARBY_BUNDLED_MODELS), so
nothing is downloaded at first start (or ever); a model installed later goes to the user's models
folder, which is looked at first.
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        os.environ.setdefault("NEARBY_BUNDLED_MODELS", os.path.join(bundle, "models"))
    args = sys.argv[1:]
    if args[:1] == ["--map-layout"]:  # the map's layout process (core/mapping/layout.py starts it)
        from nearby.core.mapping.tsne_process import main as layout_process

        return layout_process(args[1:])
    if args[:1] == ["--self-test"]:
        from nearby.core.cli import main as cli

        return cli(["self-test", *args[1:]])
    if args[:1] == ["--cli"]:  # run(), not main(): it leaves without an abort on every path
        from nearby.core.cli.entry import run as cli_entry

        cli_entry(args[1:])
    if args[:1] in (["--help"], ["-h"]):
        from nearby.desktop.app import parser

        print(parser("Nearby").format_help().rstrip())
        print(MORE_HELP)
        return 0
    from nearby.desktop.app import main as app

    return app(args)


MORE_HELP = """
the bundle's other uses:
  --self-test           index the bundled sample collection in a throw-away library, search it and
                        check every answer; exit 0 only if all is right (nothing is left behind)
  --cli ARGS...         the `nearby` command line: Nearby --cli --help, Nearby --cli search "tax deadline"
                        (install.sh and the .deb put it on PATH as `nearby`)"""


if __name__ == "__main__":
    raise SystemExit(main())
