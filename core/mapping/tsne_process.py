"""The map's layout process: `python -m nearby.core.mapping.tsne_process FOLDER`.

Reads FOLDER/vectors.npy (and FOLDER/start.npy, where to begin, if there), prints "progress N"
lines as t-SNE iterates, writes FOLDER/layout.npy.
Started by core/mapping/layout.py so that openTSNE never runs (or is imported) in the process of
the window; reads and writes only that folder, and nothing else.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from nearby.core.mapping.layout import LAYOUT_FILE, START_FILE, VECTORS_FILE, tsne


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m nearby.core.mapping.tsne_process FOLDER", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    vectors = np.load(folder / VECTORS_FILE, allow_pickle=False)
    begin = np.load(folder / START_FILE, allow_pickle=False) if (folder / START_FILE).is_file() else None
    for what, value in tsne(vectors, begin):
        if what == "progress":
            print(f"progress {value}", flush=True)
        else:
            partial = folder / (LAYOUT_FILE + ".partial.npy")
            np.save(partial, value)
            partial.replace(folder / LAYOUT_FILE)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
