"""Switching a library's text model: search answers throughout, an interruption resumes, the end
result equals a library indexed from scratch with the new model, and libraries made with a model
that is missing or unknown open and explain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nearby.core.errors import LibraryError, ModelMissing
from nearby.core.indexing import switch
from nearby.core.library import Library
from nearby.core.progress import CancelToken, run_to_end
from nearby.core.storage import vector_index
from nearby.core.storage.store import Store
from tests.documents import write_notes
from tests.fakes import FakeEmbedder


class OtherFake(FakeEmbedder):
    name = "other-fake"


NOTES = {f"note{i:02}.txt": f"note {i} about {topic} and {topic} things, number {i}"
         for i, topic in enumerate(["bread", "rent", "taxes", "cats", "rockets", "gardens"] * 5)}


def _folder(tmp_path: Path, notes: dict[str, str] = NOTES) -> Path:
    return write_notes(tmp_path / "notes", notes)


def _indexed(path: Path, folder: Path, embedder: FakeEmbedder) -> Library:
    library = Library(path, embedder, with_media=False)
    run_to_end(library.index([folder]))
    return library


def _answers(library: Library) -> list[list[tuple[str, float]]]:
    return [[(Path(h.path).name, round(h.score, 5)) for h in library.search(q, k=5)]
            for q in ("bread things", "cats", "number 7 rockets")]


def test_search_answers_from_the_old_model_until_the_switch_ends_then_equals_a_fresh_index(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    library = _indexed(tmp_path / "lib.sqlite", folder, FakeEmbedder(dim=32))
    liked = library.like([next(folder.iterdir())])  # a person's likes and openings outlive the switch
    library.note_opened(liked[0])
    before = _answers(library)
    steps = library.use_text_model(OtherFake(dim=24))
    for seen, progress in enumerate(steps, 1):
        if progress.phase.endswith("replacing the library"):
            break
        if seen % 5 == 0:  # mid-switch: the old model and vectors still answer
            assert library.embedder.name == "fake-bag-of-words" and _answers(library) == before
    assert switch.shadow_path(library.path).exists()
    run_to_end(steps)
    assert library.embedder.name == "other-fake" and library.status().model == "other-fake"
    assert not switch.shadow_path(library.path).exists() and library.status().switching_to is None
    # the shadow's vector index came along with its contents: nothing to rebuild
    side = vector_index._read_meta(vector_index.folder_for(library.path))
    assert side is not None and side["dim"] == 24
    assert not vector_index.folder_for(switch.shadow_path(library.path)).exists()
    fresh = _indexed(tmp_path / "fresh.sqlite", folder, OtherFake(dim=24))
    assert _answers(library) == _answers(fresh)
    assert library.status().items == len(NOTES)
    assert [row.path for row, _ in library.likes()] == liked
    with library._readers.borrow() as reader:  # noqa: SLF001 - the openings table itself
        assert [row.path for row, _ in reader.opened_items(0)] == liked
    store = Store(library.path, 24)
    try:
        assert store.model_info() == ("other-fake", "1", 24)
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()
    # A new process reading the file sees the new model too (nothing kept in the old file's WAL).
    reopened = Library(library.path, OtherFake(dim=24), with_media=False)
    assert _answers(reopened) == _answers(fresh)


def test_an_interrupted_switch_leaves_the_old_model_in_charge_and_resumes(tmp_path: Path) -> None:
    many = {f"n{i:03}.txt": f"note {i} about {['bread', 'rent', 'cats'][i % 3]} number {i}" for i in range(300)}
    folder = _folder(tmp_path, many)
    library = _indexed(tmp_path / "lib.sqlite", folder, FakeEmbedder(dim=32))
    before = _answers(library)
    cancel = CancelToken()
    new = OtherFake(dim=24)
    steps = library.use_text_model(new, cancel=cancel)
    for progress in steps:
        if progress.phase == "switching: indexing" and progress.done >= 200:
            cancel.cancel()
    assert library.embedder.name == "fake-bag-of-words" and _answers(library) == before
    assert switch.pending_switch(library.path) == "other-fake"
    assert Library(library.path, FakeEmbedder(dim=32), with_media=False).status().switching_to == "other-fake"
    committed = Library(switch.shadow_path(library.path), OtherFake(dim=24), with_media=False).status().items
    assert committed >= 96  # whole batches were kept
    embedded_before = new.texts_embedded
    assert run_to_end(library.use_text_model(new)) is not None
    # Resumed: what the shadow had committed was not embedded again (only the rest, and the
    # calibration queries).
    from nearby.core.search.calibration import BACKGROUND_QUERIES

    assert new.texts_embedded - embedded_before <= len(many) - committed + len(BACKGROUND_QUERIES)
    fresh = _indexed(tmp_path / "fresh.sqlite", folder, OtherFake(dim=24))
    assert _answers(library) == _answers(fresh) and library.status().items == len(many)


def test_a_switch_refuses_while_a_folder_is_offline_and_changes_nothing(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    library = _indexed(tmp_path / "lib.sqlite", folder, FakeEmbedder(dim=32))
    folder.rename(tmp_path / "unplugged")
    with pytest.raises(LibraryError, match="cannot be reached"):
        run_to_end(library.use_text_model(OtherFake(dim=24)))
    assert library.embedder.name == "fake-bag-of-words" and library.status().items == len(NOTES)
    assert not switch.shadow_path(library.path).exists()


def test_a_library_made_with_an_unknown_model_opens_and_says_what_to_do(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    _indexed(tmp_path / "lib.sqlite", folder, FakeEmbedder(dim=32)).close()
    library = Library(tmp_path / "lib.sqlite", with_media=False)  # the library's own model: not in the catalog
    status = library.status()
    assert status.items == len(NOTES) and status.model == "fake-bag-of-words" and status.provider == "none"
    with pytest.raises(ModelMissing, match="fake-bag-of-words.*nearby models use"):
        library.search("bread")


def test_a_library_made_with_an_uninstalled_model_names_the_install_command(tmp_path: Path) -> None:
    from nearby.core.inference.text_embedder import TextEmbedder
    from nearby.models.catalog import MPNET

    store = Store(tmp_path / "lib.sqlite", MPNET.dim)
    store.check_model(MPNET.name, MPNET.version, MPNET.dim)
    store.close()
    library = Library(tmp_path / "lib.sqlite", with_media=False)
    assert isinstance(library.embedder, TextEmbedder) and library.embedder.name == MPNET.name
    library.embedder.folder = tmp_path / "no-models" / MPNET.name  # as on a machine without it
    with pytest.raises(ModelMissing, match=f"install {MPNET.name}.*nearby models use"):
        library.search("bread")


def _cli(*args: str, library: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nearby.core.cli", "--library", str(library), *args],
                          capture_output=True, text=True, timeout=600, check=False)


def test_models_json_lists_every_model_with_its_state(tmp_path: Path, models_dir: Path) -> None:
    done = _cli("models", "--json", library=tmp_path / "lib.sqlite")
    assert done.returncode == 0, done.stderr
    rows = {r["name"]: r for r in json.loads(done.stdout)}
    for row in rows.values():
        assert set(row) >= {"name", "kind", "languages", "dim", "size_mb", "installed", "active", "good_at"}
    assert rows["all-MiniLM-L6-v2"]["active"] and rows["all-MiniLM-L6-v2"]["installed"]
    assert rows["use-multilingual-v3"]["installed"] and not rows["use-multilingual-v3"]["active"]
    assert "es" in rows["use-multilingual-v3"]["languages"] and rows["use-multilingual-v3"]["dim"] == 512
    bad = _cli("models", "use", "efficientnet-lite2", library=tmp_path / "lib.sqlite")
    assert bad.returncode == 2 and "text model" in bad.stderr


def test_switching_to_the_multilingual_model_finds_notes_across_languages(tmp_path: Path, models_dir: Path) -> None:
    notes = {"gato.txt": "El gato duerme toda la tarde en el sofá del salón.",
             "steuer.txt": "Die Steuererklärung muss bis Ende Juli beim Finanzamt eingereicht werden.",
             "recette.txt": "Pour la pâte, mélangez la farine, le beurre et une pincée de sel.",
             "treno.txt": "Il treno per Milano parte alle otto dal binario tre.",
             "fiets.txt": "Mijn fiets heeft een lekke band en de remmen piepen."}
    folder = write_notes(tmp_path / "notas", notes)
    lib = tmp_path / "lib.sqlite"
    assert _cli("index", str(folder), library=lib).returncode == 0
    words = sorted(models_dir.glob("glove-*/text-use-multilingual-v3-*"))
    switched = _cli("models", "use", "use-multilingual-v3", library=lib)
    assert switched.returncode == 0, switched.stderr
    assert "now uses use-multilingual-v3" in switched.stderr
    # The 55,000 words are not embedded by the switch (minutes with a large model, even for an empty
    # library): the first arithmetic, or `nearby vocabulary`, makes them.
    assert sorted(models_dir.glob("glove-*/text-use-multilingual-v3-*")) == words
    assert words or "nearby vocabulary" in switched.stderr
    for query, wanted in (("my cat is sleeping", "gato.txt"), ("tax return deadline", "steuer.txt"),
                          ("pastry dough recipe", "recette.txt"), ("train to Milan", "treno.txt"),
                          ("bicycle repair", "fiets.txt")):
        hits = json.loads(_cli("search", query, "--json", "-k", "1", library=lib).stdout)
        assert Path(hits[0]["path"]).name == wanted, (query, hits)
    status = json.loads(_cli("status", "--json", library=lib).stdout)
    assert status["model"] == "use-multilingual-v3" and status["switching_to"] is None
    again = _cli("models", "use", "use-multilingual-v3", library=lib)
    assert again.returncode == 0 and "already uses" in again.stderr
    refused = _cli("models", "remove", "use-multilingual-v3", library=lib)
    assert refused.returncode == 1 and "switch to another first" in refused.stderr


def test_a_switch_cut_off_before_its_first_commit_starts_again(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    library = _indexed(tmp_path / "lib.sqlite", folder, FakeEmbedder(dim=32))
    switch.shadow_path(library.path).write_bytes(b"")  # killed right after SQLite made the file
    assert run_to_end(library.use_text_model(OtherFake(dim=24))) is not None
    assert library.embedder.name == "other-fake" and library.status().items == len(NOTES)


def test_files_changed_during_a_switch_are_in_the_library_after_it(tmp_path: Path) -> None:
    """The watcher (or an update) writes into the library while the switch fills its shadow: those
    changes are replayed into the shadow before it is adopted, none is lost; a removal too."""
    folder = _folder(tmp_path)
    extra = write_notes(tmp_path / "extra", {"x.txt": "an extra folder about kites"})
    library = _indexed(tmp_path / "lib.sqlite", folder, FakeEmbedder(dim=32))
    run_to_end(library.index([extra]))
    steps = library.use_text_model(OtherFake(dim=24))
    changed = False
    for progress in steps:
        if not changed and progress.phase.startswith("switching: indexing"):
            (folder / "late.txt").write_text("a note written during the switch about zeppelins")
            (folder / "note00.txt").write_text("note 0 rewritten during the switch about volcanoes")
            (folder / "note01.txt").unlink()
            run_to_end(library.apply_changes([folder / "late.txt", folder / "note00.txt"], [folder / "note01.txt"]))
            library.remove_folder(extra)
            changed = True
        if progress.phase.endswith("replacing the library"):
            break
    assert changed
    run_to_end(steps)
    assert library.embedder.name == "other-fake"
    names = {Path(h.path).name for h in library.browse(limit=1000)}
    assert "late.txt" in names and "note01.txt" not in names and "x.txt" not in names
    assert len(names) == len(NOTES)  # 30 - 1 deleted + 1 new
    assert Path(library.search("zeppelins", k=1)[0].path).name == "late.txt"
    assert Path(library.search("volcanoes rewritten", k=1)[0].path).name == "note00.txt"
    assert str(extra.resolve()) not in library.folders()


def test_a_switch_refuses_while_a_drives_empty_mount_point_stands_for_it(tmp_path: Path) -> None:
    """The drive is unplugged, its mount point is there and empty: a switch would re-read nothing
    there and drop the drive's files; it refuses, as for a missing folder."""
    folder = _folder(tmp_path)
    library = _indexed(tmp_path / "lib.sqlite", folder, FakeEmbedder(dim=32))
    for note in folder.iterdir():
        note.unlink()
    with pytest.raises(LibraryError, match="cannot be reached"):
        run_to_end(library.use_text_model(OtherFake(dim=24)))
    assert len(library.browse(limit=100)) == len(NOTES) and library.embedder.name == "fake-bag-of-words"


def test_an_index_run_in_flight_at_the_swap_ends_before_it_and_reaches_the_new_library(tmp_path: Path) -> None:
    """A long index run (a folder just added) is still writing when the switch is ready to swap:
    the swap waits for it and replays what it wrote, so no vector of the old model lands in the
    new library and no file of that run is lost."""
    import threading

    folder = _folder(tmp_path)
    library = _indexed(tmp_path / "lib.sqlite", folder, FakeEmbedder(dim=32))
    big = write_notes(tmp_path / "big", {f"b{i:03}.txt": f"big note {i} about lighthouses and tides"
                                         for i in range(150)})
    library.embedder.delay_s = 0.003  # type: ignore[attr-defined] # the old model, slow enough to be caught writing
    summaries: list[object] = []
    run = threading.Thread(target=lambda: summaries.append(run_to_end(library.index([big]))))
    run.start()
    assert _wait_until(lambda: library.queue.busy)
    run_to_end(library.use_text_model(OtherFake(dim=24)))
    run.join(120)
    assert not run.is_alive() and summaries
    assert library.embedder.name == "other-fake"
    names = {Path(h.path).name for h in library.browse(limit=1000)}
    assert {f"b{i:03}.txt" for i in range(150)} <= names and len(names) == len(NOTES) + 150
    assert Path(library.search("big note 7 about lighthouses", k=1)[0].path).name.startswith("b")


def _wait_until(condition, timeout_s: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_a_library_with_4k_pages_switches_and_keeps_its_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Libraries made before 64 KiB pages keep 4 KiB ones; SQLite's backup, which brings the shadow
    in, cannot copy between WAL files of two page sizes: the shadow is made with the library's. It
    can bring auto-vacuum's map of pages: a library made without one has it after the switch."""
    from nearby.core.storage import connection

    folder = _folder(tmp_path)
    monkeypatch.setattr(connection, "PAGE_SIZE", 4096)
    monkeypatch.setattr(connection, "AUTO_VACUUM", 0)  # nor auto-vacuum's map of pages
    library = _indexed(tmp_path / "lib.sqlite", folder, FakeEmbedder(dim=32))
    monkeypatch.setattr(connection, "PAGE_SIZE", 65536)
    monkeypatch.setattr(connection, "AUTO_VACUUM", 2)
    run_to_end(library.use_text_model(OtherFake(dim=24)))
    assert library.embedder.name == "other-fake" and library.status().items == len(NOTES)
    assert _answers(library) == _answers(_indexed(tmp_path / "fresh.sqlite", folder, OtherFake(dim=24)))
    store = Store(library.path, 24)
    try:
        assert store.conn.execute("PRAGMA page_size").fetchone()[0] == 4096
        assert store.conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # brought by the switch
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()
