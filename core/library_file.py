"""Which library file, and which text model reads it: light enough to import first (the CLI's
warm start loads the model while the rest of Nearby is still being imported)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_data_dir

from nearby.core.errors import LibraryPlace

if TYPE_CHECKING:  # imported when used: `nearby status` needs none of it (core/cli/quick_status.py)
    from nearby.core.inference.text_embedder import Embedder

LIBRARY_ENV = "NEARBY_LIBRARY"
LIBRARY_FILE = "library.nearby.sqlite"


def default_library_path() -> Path:
    """$NEARBY_LIBRARY, else a library file in the platform's user data folder."""
    env = os.environ.get(LIBRARY_ENV)
    return Path(env).expanduser() if env else Path(user_data_dir("Nearby", appauthor=False)) / LIBRARY_FILE


SHADOW_SUFFIX = ".switching"  # a model switch's new library, beside the library (core/indexing/switch.py)


def shadow_path(library: Path) -> Path:
    return library.with_name(library.name + SHADOW_SUFFIX)


def check_library_place(path: Path) -> None:
    """Refuse a library file where none can be: a folder, a path through a regular file, a folder
    where nothing can be created (/proc, a read-only disk). An existing library is not probed: it
    may be read where it cannot be written.

    Raises:
        LibraryPlace: with what to do instead.
    """
    if path.is_dir():
        raise LibraryPlace(f"{path} is a folder; a library is a file: name one in it, e.g. {path / LIBRARY_FILE}.")
    if path.is_file():
        return
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise LibraryPlace(f"No library can be made at {path}: {ancestor} is a file, not a folder. "
                           "Choose another library file with --library.")
    probe = path.with_name(f".{path.name}.probe")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        probe.touch(exist_ok=False)
        probe.unlink()
    except OSError as exc:
        raise LibraryPlace(f"No library can be made at {path} ({exc.strerror or exc}). "
                           "Choose a file in a folder of yours with --library.") from None


def library_text_model(path: Path) -> Embedder:
    """The text model a library file was made with (the default one for a new library). A model
    this Nearby does not know still opens the library; searching then says what to do."""
    from nearby.core.inference.text_embedder import TextEmbedder, UnavailableTextModel
    from nearby.core.storage.model_record import recorded_text_model
    from nearby.models.catalog import DEFAULT_TEXT_MODEL, MODELS

    recorded = recorded_text_model(path)
    if recorded is None:
        return TextEmbedder()
    name, dim = recorded
    spec = MODELS.get(name)
    if spec is None or spec.kind != "text":
        return UnavailableTextModel(name, dim, (
            f"The library {path} was made with the text model {name}, which this version of Nearby does not "
            f"know (a newer Nearby made it, or the model was retired). Open it with that Nearby, or index it "
            f"again with a model this one has: `nearby models use {DEFAULT_TEXT_MODEL}`. Nothing was changed."))
    return TextEmbedder(spec)


def prefault_vectors(library: Path, dim: int) -> None:
    """Open the library's side index: its graphs read and mapped, and the log rows beyond them
    read (the CLI's warm start runs this on a thread while the rest is imported)."""
    from nearby.core.storage import vector_index
    from nearby.core.storage.connection import connect

    conn = connect(library)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'vector_index_state'").fetchone():
            vector_index.view(vector_index.Reader(library, conn, dim))
    finally:
        conn.close()
