"""What a library holds and how it runs (`nearby status`, the window's status bar), and a quick
read of it from the library file alone.

The full answer (Library.status) is read through the open library, which imports numpy,
onnxruntime and the index: ~0.35 s of CPU for `nearby status`, where a bare apsw count takes
~0.13 s. ``read_status`` answers the same from SQL and the model folders, importing neither,
and returns None wherever it cannot be sure of giving the same answer (no library there yet, one
to migrate, a model switch under way, a joint model installed, providers not yet noted): the
full path answers those. tests/core/test_status.py holds the two to the same output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class LibraryStatus:
    path: str
    items: int
    passages: int
    skipped: int
    by_kind: dict[str, int]
    folders: list[str]
    model: str
    provider: str
    media_models: dict[str, str] = field(default_factory=dict)  # kind → model, for kinds indexed
    switching_to: str | None = None  # a text model a switch under way (or interrupted) is moving to
    # Formats read through a decoder of the system's, and which one (core/media/decoders.py).
    decoders: dict[str, dict[str, object]] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def read_status(path: Path, shown_as: str) -> LibraryStatus | None:
    """The status of the library at ``path`` (``shown_as``: its path as the full answer gives
    it), or None where only the full answer can be sure."""
    import apsw

    from nearby.core.inference.providers import candidate_providers, noted_providers
    from nearby.core.library_file import shadow_path
    from nearby.core.media import decoders
    from nearby.core.storage.migrations import migrations
    from nearby.models.catalog import DEFAULT_AUDIO_MODEL, DEFAULT_IMAGE_MODEL, DEFAULT_OCR_MODEL, GLOVE_WORDS, MODELS
    from nearby.models.locate import missing_files, model_dir, models_root
    from nearby.models.manifest import find_joint_models
    from nearby.models.spec import VOCABULARY_FILE

    if not path.is_file() or path.stat().st_size == 0 or shadow_path(path).exists():
        return None
    available = noted_providers()
    if available is None or find_joint_models(models_root())[0]:
        return None
    try:
        conn = apsw.Connection(f"file:{path}?mode=ro", flags=apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI)
    except apsw.Error:
        return None
    try:
        conn.set_busy_timeout(2_000)
        one = conn.execute
        done = {r[0] for r in one("SELECT name FROM migrations")}
        if done != {m.name for m in migrations(1)}:
            return None  # a library to migrate (or made by a newer Nearby): the full path says what happens
        recorded = one("SELECT model FROM vector_tables WHERE name = 'passage_embeddings'").fetchone()
        counts = [int(one(f"SELECT count(*) FROM {table}").get) for table in ("items", "passages", "failures")]
        by_kind = {str(kind): int(n) for kind, n in one("SELECT kind, count(*) FROM items GROUP BY kind")}
        folders = [str(r[0]) for r in one("SELECT path FROM folders ORDER BY path")]
    except apsw.Error:
        return None
    finally:
        conn.close()
    text = MODELS.get(recorded[0]) if recorded else None
    if text is None or text.kind != "text" or missing_files(text, model_dir(text).parent):
        return None  # no model recorded yet, or one not known or not installed: the full path explains
    media = {kind: name for kind, name in (("image", DEFAULT_IMAGE_MODEL), ("song", DEFAULT_AUDIO_MODEL))
             if not missing_files(MODELS[name], model_dir(MODELS[name]).parent)}
    ocr = MODELS[DEFAULT_OCR_MODEL]
    if "image" in media and not missing_files(ocr, model_dir(ocr).parent):  # as Library._media_models
        media["ocr"] = ocr.name
    if (model_dir(GLOVE_WORDS) / VOCABULARY_FILE).is_file():
        media["words"] = GLOVE_WORDS.name
    return LibraryStatus(path=shown_as, items=counts[0], passages=counts[1], skipped=counts[2], by_kind=by_kind,
                         folders=folders, model=text.name, provider=candidate_providers(available)[0],
                         media_models=media, decoders=decoders.summary())


def decoder_lines(found: dict[str, dict[str, object]]) -> list[str]:
    """What the system decoders read here (LibraryStatus.decoders), in words, one line per group."""
    lines = []
    for group, shown in found.items():
        formats = "/".join(str(f) for f in shown["formats"])  # type: ignore[attr-defined]
        if shown["decoder"]:
            where = f" ({shown['program']})" if shown["program"] else ""
            lines.append(f"{formats} {group}: read through {shown['decoder']}{where}")
        else:
            lines.append(f"{formats} {group}: not read; {shown['install']}")
    return lines


def needs_decoder(reason: str) -> bool:
    """Whether a file was skipped for want of a system decoder (core/media/decoders.py)."""
    from nearby.core.media.decoders import MISSING

    return MISSING in reason


def decoder_advice(failures: list[tuple[str, str]]) -> str | None:
    """For `nearby skipped`: how many skipped files wait for a system decoder, and what to do."""
    from nearby.core.media.decoders import install_hint, worth_retrying

    waiting = [(path, reason) for path, reason in failures if needs_decoder(reason)]
    if not waiting:
        return None
    readable = all(worth_retrying(reason, Path(path).suffix) for path, reason in waiting)
    return (f"{len(waiting)} of these need a decoder of the system's: "
            + ("one is installed now, and `nearby index` reads them" if readable else
               f"{install_hint()}, then run `nearby index`"))
