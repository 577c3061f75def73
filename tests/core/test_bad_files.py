"""Files that must not be opened, or that give nothing usable, are skipped with a reason; the good
files beside them are indexed and found; nothing hangs and nothing else is lost."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nearby.core.library import Library
from nearby.core.progress import run_to_end
from tests.documents import write_notes
from tests.fakes import FakeEmbedder

GOOD = {"bread.txt": "Knead the dough and bake the bread until the crust is golden.",
        "lease.txt": "The tenant pays the rent on the first day of each month."}


def _index(library: Library, folder: Path) -> dict[str, str]:
    summary = run_to_end(library.index([folder]))
    return {Path(f.path).name: f.reason for f in summary.failures}


def _found(library: Library) -> set[str]:
    return {Path(h.path).name for h in library.search("bread dough rent", k=10)}


def test_pipes_devices_and_links_out_of_the_folder_are_never_opened(tmp_path: Path) -> None:
    folder = write_notes(tmp_path / "notes", GOOD)
    os.mkfifo(folder / "pipe.txt")  # reading it would block for ever
    (folder / "zeros.txt").symlink_to("/dev/zero")  # reading it would never end
    secret = write_notes(tmp_path / "elsewhere", {"secret.txt": "a private note outside the folder"})
    (folder / "secret-link.txt").symlink_to(secret / "secret.txt")
    (folder / "inside-link.txt").symlink_to(folder / "bread.txt")  # inside: followed
    (folder / "empty.txt").write_text("")
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    failures = _index(library, folder)
    assert "not a regular file" in failures["pipe.txt"] and "not a regular file" in failures["zeros.txt"]
    assert "outside the indexed folders" in failures["secret-link.txt"]
    assert "empty" in failures["empty.txt"]
    assert _found(library) >= {"bread.txt", "lease.txt", "inside-link.txt"}
    assert "secret.txt" not in {Path(h.path).name for h in library.search("private note", k=10)}
    assert _index(library, folder) == {}  # the same bad files are not reported again


def test_a_huge_file_is_refused_by_its_size_before_it_is_hashed(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from nearby.core.indexing import indexer

    folder = write_notes(tmp_path / "notes", GOOD)
    with (folder / "huge.txt").open("wb") as fh:  # sparse: 50 GB on paper, nothing on disk
        fh.truncate(50 * 2**30)
    hashed: list[Path] = []
    real = indexer.file_sha256
    monkeypatch.setattr(indexer, "file_sha256", lambda p: hashed.append(p) or real(p))
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    failures = _index(library, folder)
    assert "too large" in failures["huge.txt"] and "51,200 MB" in failures["huge.txt"]
    assert folder / "huge.txt" not in hashed and _found(library) >= {"bread.txt", "lease.txt"}


def test_a_name_that_is_not_utf8_is_skipped_with_a_readable_name(tmp_path: Path) -> None:
    folder = write_notes(tmp_path / "notes", GOOD)
    bad = os.path.join(os.fsencode(folder), b"caf\xe9-latin1.txt")
    with open(bad, "wb") as fh:
        fh.write(b"notes written on an old computer")
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    failures = _index(library, folder)
    assert failures == {"caf\\xe9-latin1.txt": "its name is not valid text (UTF-8): rename it to index it"}
    assert _found(library) >= {"bread.txt", "lease.txt"}
    assert [Path(p).name for p, _ in library.failures()] == ["caf\\xe9-latin1.txt"]
    assert _index(library, folder) == {}  # kept as skipped, not reported again


def test_a_song_of_nan_samples_is_skipped_and_song_search_keeps_working(tmp_path: Path, models_dir: Path) -> None:
    import shutil

    from tests.staged import ROOT

    folder = tmp_path / "music"
    folder.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "eval" / "songs" / "evening.ogg", folder / "evening.ogg")
    samples = np.full(16_000 * 8, np.nan, dtype=np.float32)  # float WAV: the standard library cannot write it
    import soundfile as sf

    sf.write(folder / "broken.wav", samples, 16_000, subtype="FLOAT")
    library = Library(tmp_path / "lib.sqlite")
    failures = _index(library, folder)
    assert "broken.wav" in failures and "evening.ogg" not in failures
    hits = library.search("calm piano", k=5, kind="song")
    assert [Path(h.path).name for h in hits] == ["evening.ogg"]
    assert all(np.isfinite(h.score) for h in library.search("music", k=5))
    assert library.similar(folder / "evening.ogg", k=3) == []  # nothing else to be like, and no error


def test_an_unplugged_folder_keeps_its_entries_and_says_so(tmp_path: Path) -> None:
    drive = write_notes(tmp_path / "usb-drive", GOOD)
    other = write_notes(tmp_path / "notes", {"hike.txt": "Packing list for the mountain hike and the summit."})
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    run_to_end(library.index([drive, other]))
    drive.rename(tmp_path / "unplugged")  # the drive is gone, as far as Nearby can tell
    summary = run_to_end(library.index(library.folders()))  # what `nearby index` and the window's start do
    assert summary.removed == 0 and library.status().items == 3
    assert any("cannot be reached" in p and str(drive) in p for p in summary.problems)
    (tmp_path / "unplugged").rename(drive)  # plugged in again: nothing to redo
    again = run_to_end(library.index(library.folders()))
    assert again.added == 0 and again.unchanged == 3 and not again.problems
    (drive / "lease.txt").unlink()  # a file deleted from a folder that is there: it leaves
    assert run_to_end(library.index([drive])).removed == 1
    assert library.remove_folder(other) == 1 and library.status().items == 1  # forgetting a folder
    assert other.is_dir() and (other / "hike.txt").is_file()  # … touches none of its files


def _cli(library: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nearby.core.cli", "--library", str(library), *args],
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_library_is_private_to_its_owner(tmp_path: Path) -> None:
    folder = write_notes(tmp_path / "notes", GOOD)
    old = tmp_path / "old" / "lib.sqlite"  # a library made before the rule, readable by everyone
    from nearby.core.storage.store import Store

    Store(old, 32).close()
    old.chmod(0o644)
    library = tmp_path / "new" / "lib.sqlite"
    assert _cli(library, "index", str(folder)).returncode == 0
    for own in (library, library.parent):
        assert stat.S_IMODE(own.stat().st_mode) & 0o077 == 0, oct(own.stat().st_mode)
    _cli(old, "status")
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


def test_a_damaged_or_empty_library_gets_words_not_a_traceback_and_is_left_alone(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    done = _cli(empty, "status")
    assert done.returncode == 1 and "empty file, not a Nearby library" in done.stderr and "Traceback" not in done.stderr
    assert empty.stat().st_size == 0  # not silently turned into a new library
    folder = write_notes(tmp_path / "notes", GOOD)
    damaged = tmp_path / "damaged.sqlite"
    assert _cli(damaged, "index", str(folder)).returncode == 0
    data = bytearray(damaged.read_bytes())
    data[4096:] = bytes(len(data) - 4096)  # every page after the first zeroed
    damaged.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(f"{damaged}{suffix}").unlink(missing_ok=True)
    done = _cli(damaged, "search", "bread")
    assert done.returncode == 1 and "damaged" in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_a_reader_that_stops_early_is_no_error(tmp_path: Path) -> None:
    command = f"{sys.executable} -m nearby.core.cli --library {tmp_path / 'lib.sqlite'} models | head -1"
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout.strip() and "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_nearbys_own_folders_are_never_indexed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = write_notes(tmp_path / "home", GOOD)
    cache = write_notes(home / "AppCache" / "Nearby", {"thumb-note.txt": "a cached thumbnail's caption about bread"})
    monkeypatch.setenv("NEARBY_CACHE", str(cache))  # as on macOS/Windows: the cache is not a dot-folder
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    run_to_end(library.index([home]))
    assert _found(library) == {"bread.txt", "lease.txt"}


def _pdf_with_stream(stream: bytes) -> bytes:
    """A one-page PDF whose page content is ``stream``, Flate-compressed."""
    import zlib

    packed = zlib.compress(stream, 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref


def test_a_pdf_compression_bomb_is_refused_before_pdfium_inflates_it(tmp_path: Path) -> None:
    """A stream of a few hundred kilobytes that inflates to 300 MB (pdfium inflates it whole:
    2 GB took 3.1 GB of memory) is skipped as a bomb; a good PDF beside it is read."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "bomb.pdf").write_bytes(_pdf_with_stream(b"BT (A) Tj ET\n" + b" " * (300 << 20)))
    (folder / "fine.txt").write_text("a fine note about the garden")
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    skipped = _index(library, folder)
    assert "compression bomb" in skipped["bomb.pdf"]
    assert {Path(h.path).name for h in library.browse()} == {"fine.txt"}
