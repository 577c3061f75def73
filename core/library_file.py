"""Which library file, and which text model reads it: light enough to import first (the CLI's
warm start loads the model while the rest of Nearby is still being imported)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

from nearby.core.inference.text_embedder import Embedder, TextEmbedder, UnavailableTextModel
from nearby.core.storage.model_record import recorded_text_model
from nearby.models.catalog import DEFAULT_TEXT_MODEL, MODELS

LIBRARY_ENV = "NEARBY_LIBRARY"
LIBRARY_FILE = "library.nearby.sqlite"


def default_library_path() -> Path:
    """$NEARBY_LIBRARY, else a library file in the platform's user data folder."""
    env = os.environ.get(LIBRARY_ENV)
    return Path(env).expanduser() if env else Path(user_data_dir("Nearby", appauthor=False)) / LIBRARY_FILE


def library_text_model(path: Path) -> Embedder:
    """The text model a library file was made with (the default one for a new library). A model
    this Nearby does not know still opens the library; searching then says what to do."""
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
