"""Admission everywhere: a watched change, an update and a named file pass what a full scan of
their folder passes; unplugged drives are offline, not empty; moves come only from places that
can be seen."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from nearby.core.indexing import indexer
from nearby.core.indexing.watch import FolderWatcher
from nearby.core.library import Library
from nearby.core.progress import CancelToken, IndexSummary, run_to_end
from tests.documents import write_notes
from tests.fakes import FakeEmbedder

GARDEN = "a note about the garden"


def library_of(tmp_path: Path) -> Library:
    return Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)


def paths(library: Library) -> set[str]:
    return {h.path for h in library.browse(limit=10_000)}


def test_a_watched_link_to_a_private_file_is_not_followed(tmp_path: Path) -> None:
    """docs/x.txt → ~/private/diary.txt, reported by the watcher: refused as a full scan refuses
    it, never indexed under the private path (outside every folder, out of reach of the sweep)."""
    docs = write_notes(tmp_path / "docs", {"note.txt": GARDEN})
    private = write_notes(tmp_path / "private", {"diary.txt": "dear diary, the secret plans"})
    library = library_of(tmp_path)
    run_to_end(library.index([docs]))
    (docs / "x.txt").symlink_to(private / "diary.txt")
    summary = run_to_end(library.apply_changes([docs / "x.txt"]))
    assert str(private / "diary.txt") not in paths(library) and str(docs / "x.txt") not in paths(library)
    assert any("outside the indexed folders" in f.reason for f in summary.failures)
    assert not library.search('"secret plans"', k=5)
    full = run_to_end(library.index([docs]))  # the full scan says the same
    assert paths(library) == {str((docs / "note.txt").resolve())} and full.added == 0


def test_a_named_file_in_a_hidden_folder_of_a_library_folder_is_not_indexed(tmp_path: Path) -> None:
    docs = write_notes(tmp_path / "docs", {"a.txt": GARDEN, ".git/config.txt": "remote origin url"})
    library = library_of(tmp_path)
    run_to_end(library.index([docs]))
    run_to_end(library.apply_changes([docs / ".git" / "config.txt"]))
    assert paths(library) == {str(docs.resolve() / "a.txt")}


def test_a_late_change_in_a_removed_folder_is_not_a_new_root(tmp_path: Path) -> None:
    docs = write_notes(tmp_path / "docs", {"a.txt": GARDEN})
    library = library_of(tmp_path)
    run_to_end(library.index([docs]))
    library.remove_folder(docs)
    (docs / "b.txt").write_text("written after the folder left the library")
    assert run_to_end(library.apply_changes([docs / "b.txt"])) == IndexSummary()
    assert paths(library) == set() and library.folders() == []


def test_a_library_folder_inside_a_dot_folder_is_watched(tmp_path: Path) -> None:
    journal = tmp_path / ".notes" / "journal"
    journal.mkdir(parents=True)
    batches: list[list[Path]] = []
    arrived = threading.Event()

    def on_batch(changed: list[Path], deleted: list[Path]) -> None:
        batches.append(changed)
        arrived.set()

    watcher = FolderWatcher(on_batch, quiet_s=0.1, max_wait_s=0.5)
    watcher.start([journal])
    try:
        (journal / "today.txt").write_text("walked to the lake")
        (journal / ".draft.txt").write_text("hidden below the folder: not reported")
        assert arrived.wait(30), "a change in a library folder under a dot-folder was not reported"
    finally:
        watcher.stop()
    assert [p.name for batch in batches for p in batch] == ["today.txt"]


def test_a_mount_inside_a_library_folder_is_not_crossed(tmp_path: Path) -> None:
    docs = write_notes(tmp_path / "docs", {"a.txt": GARDEN})
    (docs / "etc").mkdir()
    elsewhere = write_notes(tmp_path / "elsewhere", {"passwd.txt": "root:x:0:0:root"})
    done = subprocess.run(["mount", "--bind", str(elsewhere), str(docs / "etc")], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"bind mounts need privileges this run lacks: {done.stderr.decode().strip()}")
    try:
        library = library_of(tmp_path)
        run_to_end(library.index([docs]))
        assert paths(library) == {str(docs.resolve() / "a.txt")}
        run_to_end(library.apply_changes([docs / "etc" / "passwd.txt"]))
        assert paths(library) == {str(docs.resolve() / "a.txt")}
        run_to_end(library.index([docs / "etc"]))  # added by the person as a folder of its own: read
        assert str((docs / "etc").resolve() / "passwd.txt") in paths(library)
    finally:
        subprocess.run(["umount", str(docs / "etc")], check=False)


def test_an_unplugged_drives_empty_mount_point_is_offline_not_empty(tmp_path: Path) -> None:
    drive, home = tmp_path / "media" / "usb", tmp_path / "home"
    drive.mkdir(parents=True)
    home.mkdir()
    for i in range(40):
        (drive / f"photo-notes-{i}.txt").write_text(f"trip notes {i} from the mountains")
    (home / "copy.txt").write_text("trip notes 7 from the mountains")
    library = library_of(tmp_path)
    run_to_end(library.index([drive]))
    kept = paths(library)
    assert len(kept) == 40
    shutil.rmtree(drive)  # unmounted: the mount point stays, empty
    drive.mkdir()
    summary = run_to_end(library.index([drive]))
    assert summary.removed == 0 and paths(library) == kept
    assert any("cannot be reached or is empty" in p for p in summary.problems)
    # a copy elsewhere of a file on the unplugged drive is a new file, not the drive's file moved
    run_to_end(library.index([home]))
    assert str(drive.resolve() / "photo-notes-7.txt") in paths(library)
    assert str(home.resolve() / "copy.txt") in paths(library)


def test_a_file_moved_within_a_reachable_folder_is_adopted(tmp_path: Path) -> None:
    docs = write_notes(tmp_path / "docs", {"keep.txt": "something to keep the folder from being empty",
                                           "old/a.txt": GARDEN})
    library = library_of(tmp_path)
    run_to_end(library.index([docs]))
    (docs / "new").mkdir()
    os.rename(docs / "old" / "a.txt", docs / "new" / "a.txt")
    summary = run_to_end(library.index([docs]))
    assert summary.moved == 1 and str(docs.resolve() / "new" / "a.txt") in paths(library)


def test_a_folder_gone_mid_index_can_be_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut off mid-run (the folder vanished, the run was stopped): some of its files are in the
    library but the folder is not yet one of its folders; `remove` still takes them out."""
    gone = tmp_path / "gone"
    gone.mkdir()
    for i in range(30):
        (gone / f"{i}.txt").write_text(f"note {i} about the garden")
    monkeypatch.setattr(indexer, "FLUSH_PASSAGES", 4)  # committed in small batches, as a big folder is
    library = library_of(tmp_path)
    cancel = CancelToken()
    run_to_end(library.index([gone], cancel), lambda p: cancel.cancel() if p.done >= 10 else None)
    held = len(paths(library))
    assert held and library.folders() == []
    shutil.rmtree(gone)
    assert library.remove_folder(gone) == held
    assert paths(library) == set()


def test_an_unreadable_sub_folder_is_reported_and_its_entries_kept(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    docs = write_notes(tmp_path / "docs", {"a.txt": GARDEN, "locked/b.txt": "a locked note about taxes"})
    library = library_of(tmp_path)
    run_to_end(library.index([docs]))
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:  # the tests run as root, who reads any folder: refuse as for a user
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    summary = run_to_end(library.index([docs]))
    monkeypatch.undo()
    assert any("could not be read (Permission denied)" in p and "locked" in p for p in summary.problems)
    assert summary.removed == 0 and len(paths(library)) == 2, "not seen is not gone"


def test_a_folder_path_past_the_system_limit_is_reported(tmp_path: Path) -> None:
    docs = write_notes(tmp_path / "docs", {"a.txt": GARDEN})
    cwd = os.getcwd()
    try:  # made with relative steps: PATH_MAX (4,096 bytes on Linux) limits whole paths only
        os.chdir(docs)
        for _ in range(22):
            os.mkdir("d" * 200)
            os.chdir("d" * 200)
        with open("deep.txt", "w") as handle:
            handle.write("a note too deep to reach")
    finally:
        os.chdir(cwd)
    library = library_of(tmp_path)
    summary = run_to_end(library.index([docs]))
    assert len(paths(library)) == 1
    assert any("could not be read" in p for p in summary.problems), summary.problems


def test_a_file_moved_onto_a_path_that_failed_before_leaves_the_skipped_list(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "report.txt").write_bytes(b"\x00\x01\x02 binary junk \xff\xfe" * 50)
    (docs / "draft.txt").write_text("the quarterly report on sales in the north")
    (docs / "keep.txt").write_text("another note to keep the folder company")
    library = library_of(tmp_path)
    run_to_end(library.index([docs]))
    assert [Path(p).name for p, _ in library.failures()] == ["report.txt"]
    os.replace(docs / "draft.txt", docs / "report.txt")  # the good file takes the bad one's name
    summary = run_to_end(library.index([docs]))
    assert summary.moved == 1 and library.failures() == []
    assert str(docs.resolve() / "report.txt") in paths(library)
