import os
import shutil
import time
from pathlib import Path

import pytest

from nearby.core.errors import ModelMismatch
from nearby.core.indexing import indexer as indexer_module
from nearby.core.indexing.indexer import index_paths
from nearby.core.library import Library
from nearby.core.progress import CancelToken, IndexProgress, IndexSummary, run_to_end
from nearby.core.storage.store import Store
from nearby.core.storage.vectors import PASSAGE_VECTORS
from tests.documents import write_docx, write_pdf
from tests.fakes import FakeEmbedder


def run(gen) -> tuple[list[IndexProgress], IndexSummary]:  # type: ignore[no-untyped-def]
    progress: list[IndexProgress] = []
    return progress, run_to_end(gen, progress.append)


def make_folder(root: Path) -> Path:
    docs = root / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "apples.txt").write_text("Apples grow on trees in the orchard. They are picked in autumn.")
    (docs / "sub" / "boats.md").write_text("# Boats\n\nSailing boats need wind. Motor boats need fuel.")
    write_pdf(docs / "tides.pdf", ["The tide rises twice a day.", "The moon pulls the sea."])
    write_docx(docs / "minutes.docx", ["The committee approved the garden budget."])
    (docs / ".hidden").mkdir()
    (docs / ".hidden" / "secret.txt").write_text("should not be indexed")
    (docs / "photo.jpg").write_bytes(b"\xff\xd8 not a document")
    return docs


@pytest.fixture
def store(library_path: Path) -> Store:
    return Store(library_path, 32)


def test_first_run_indexes_every_document_and_skips_the_rest(tmp_path: Path, store: Store,
                                                             fake_embedder: FakeEmbedder) -> None:
    docs = make_folder(tmp_path)
    progress, summary = run(index_paths(store, fake_embedder, [docs]))
    assert (summary.added, summary.updated, summary.removed, summary.failures) == (4, 0, 0, ())
    assert store.counts()["items"] == 4
    assert store.item_by_path(str(docs / "tides.pdf")) is not None
    assert store.item_by_path(str(docs / ".hidden" / "secret.txt")) is None
    assert progress[-1].phase == "done" and any(p.phase == "indexing" for p in progress)
    assert store.folders() == [str(docs)]


def test_second_run_embeds_nothing_when_nothing_changed(tmp_path: Path, store: Store,
                                                        fake_embedder: FakeEmbedder) -> None:
    docs = make_folder(tmp_path)
    run(index_paths(store, fake_embedder, [docs]))
    before = fake_embedder.texts_embedded
    os.utime(docs / "apples.txt")  # touched, same content: still nothing to embed
    _, summary = run(index_paths(store, fake_embedder, [docs]))
    assert summary.unchanged == 4 and summary.added == summary.updated == 0
    assert fake_embedder.texts_embedded == before


def test_changed_file_is_re_embedded_and_its_old_passages_dropped(tmp_path: Path, store: Store,
                                                                  fake_embedder: FakeEmbedder) -> None:
    docs = make_folder(tmp_path)
    run(index_paths(store, fake_embedder, [docs]))
    (docs / "apples.txt").write_text("Pears are softer than apples and ripen off the tree.")
    _, summary = run(index_paths(store, fake_embedder, [docs]))
    assert summary.updated == 1
    passages = [r[0] for r in store.conn.execute("SELECT text FROM passages")]
    assert any("Pears" in p for p in passages) and not any("orchard" in p for p in passages)


def test_deleted_file_and_deleted_folder_are_swept(tmp_path: Path, store: Store, fake_embedder: FakeEmbedder) -> None:
    docs = make_folder(tmp_path)
    run(index_paths(store, fake_embedder, [docs]))
    (docs / "apples.txt").unlink()
    _, summary = run(index_paths(store, fake_embedder, [docs]))
    assert summary.removed == 1 and store.counts()["items"] == 3
    shutil.rmtree(docs)  # the whole folder gone: offline (an unplugged drive?), kept until removed
    _, summary = run(index_paths(store, fake_embedder, [docs]))
    assert summary.removed == 0 and store.counts()["items"] == 3 and "cannot be reached" in summary.problems[0]
    with store.transaction():
        assert store.remove_folder(str(docs)) == 3
    assert store.counts()["items"] == 0 and store.folders() == []
    assert store.knn(PASSAGE_VECTORS, fake_embedder.embed_one("tide"), 10) == []


def test_moved_file_keeps_its_vectors(tmp_path: Path, store: Store, fake_embedder: FakeEmbedder) -> None:
    docs = make_folder(tmp_path)
    run(index_paths(store, fake_embedder, [docs]))
    old_id = store.item_by_path(str(docs / "apples.txt")).id  # type: ignore[union-attr]
    before = fake_embedder.texts_embedded
    (docs / "apples.txt").rename(docs / "sub" / "fruit.txt")
    _, summary = run(index_paths(store, fake_embedder, [docs]))
    assert summary.moved == 1 and summary.removed == 0
    assert fake_embedder.texts_embedded == before
    moved = store.item_by_path(str(docs / "sub" / "fruit.txt"))
    assert moved is not None and moved.id == old_id


def test_bad_files_are_reported_and_skipped_and_the_rest_indexed(tmp_path: Path, store: Store,
                                                                 fake_embedder: FakeEmbedder) -> None:
    docs = make_folder(tmp_path)
    (docs / "empty.txt").write_bytes(b"")
    (docs / "noise.txt").write_bytes(os.urandom(4096))
    (docs / "broken.pdf").write_bytes(b"%PDF-1.7 garbage")
    (docs / "broken.docx").write_bytes(b"not a zip")
    (docs / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    _, summary = run(index_paths(store, fake_embedder, [docs]))
    assert summary.added == 4
    reasons = {Path(f.path).name: f.reason for f in summary.failures}
    assert set(reasons) == {"empty.txt", "noise.txt", "broken.pdf", "broken.docx", "dangling.txt"}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["noise.txt"]
    assert "cannot be read" in reasons["dangling.txt"]
    assert len(store.failures()) == 5
    _, again = run(index_paths(store, fake_embedder, [docs]))
    assert again.failures == () and again.still_skipped == 5
    (docs / "empty.txt").write_text("Now it holds a sentence about bread and butter.")
    _, fixed = run(index_paths(store, fake_embedder, [docs]))
    assert fixed.added == 1 and len(store.failures()) == 4


def test_file_that_turns_bad_loses_its_old_passages(tmp_path: Path, store: Store, fake_embedder: FakeEmbedder) -> None:
    docs = make_folder(tmp_path)
    run(index_paths(store, fake_embedder, [docs]))
    (docs / "apples.txt").write_bytes(b"\x00\x01\x02" * 100)
    _, summary = run(index_paths(store, fake_embedder, [docs]))
    assert len(summary.failures) == 1
    assert store.item_by_path(str(docs / "apples.txt")) is None


def test_cancel_stops_early_keeps_committed_work_and_resumes(tmp_path: Path, store: Store,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.setattr(indexer_module, "FLUSH_PASSAGES", 4)  # commit after every fourth file
    docs = tmp_path / "many"
    docs.mkdir()
    for i in range(20):
        (docs / f"note{i:02}.txt").write_text(f"Note number {i} is about topic {i}.")
    embedder = FakeEmbedder()
    token = CancelToken()
    gen = index_paths(store, embedder, [docs], token)
    seen = 0
    try:
        while True:
            p = next(gen)
            seen += p.phase == "indexing"
            if seen == 6:
                token.cancel()
    except StopIteration as stop:
        summary = stop.value
    assert summary.cancelled
    partial = store.counts()["items"]
    assert 0 < partial < 20
    assert summary.added == partial, "documents not yet embedded at the cancel are not reported as added"
    _, rest = run(index_paths(store, embedder, [docs]))
    assert rest.added == 20 - partial and store.counts()["items"] == 20


def test_cancel_in_the_middle_of_embedding_answers_within_a_slice(tmp_path: Path, store: Store) -> None:
    import threading
    import time

    docs = tmp_path / "long"
    docs.mkdir()
    for i in range(3):  # three documents of ~40 passages each: one flush embeds them all at the end
        (docs / f"book{i}.txt").write_text("\n\n".join(f"Chapter {i}.{j}: " + "words about the sea " * 80
                                                        for j in range(40)))
    slow = FakeEmbedder(delay_s=0.2)  # every embedding call (a slice of passages) takes 0.2 s
    token = CancelToken()
    threading.Timer(1.0, token.cancel).start()
    started = time.monotonic()
    _, summary = run(index_paths(store, slow, [docs], token))
    took = time.monotonic() - started
    assert summary.cancelled and took < 2.0, took  # ~24 slices would take ~5 s: stopped after one or two
    assert summary.added == store.counts()["items"] < 3  # only documents embedded whole were written
    _, rest = run(index_paths(store, FakeEmbedder(), [docs]))
    assert store.counts()["items"] == 3 and rest.added == 3 - summary.added


def test_library_filled_by_another_model_is_refused(tmp_path: Path, store: Store) -> None:
    docs = make_folder(tmp_path)
    run(index_paths(store, FakeEmbedder(), [docs]))

    class Other(FakeEmbedder):
        name = "another-model"

    with pytest.raises(ModelMismatch):
        run(index_paths(store, Other(), [docs]))


def test_single_files_can_be_indexed(tmp_path: Path, store: Store, fake_embedder: FakeEmbedder) -> None:
    docs = make_folder(tmp_path)
    _, summary = run(index_paths(store, fake_embedder, [docs / "apples.txt"]))
    assert summary.added == 1 and store.folders() == []


def test_small_files_are_committed_while_a_huge_one_is_embedded(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """One huge text file in a batch held back every file read before it until all its passages
    were embedded (25-35 minutes on a busy machine): now what is embedded whole is written as
    the flush goes on."""
    import apsw

    from nearby.core.indexing import indexer
    from nearby.core.library import Library
    from nearby.core.progress import run_to_end
    from tests.fakes import FakeEmbedder

    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(5):
        (docs / f"a{i}.txt").write_text(f"a small note {i} about the garden")
    (docs / "b-huge.txt").write_text("\n\n".join(f"paragraph {i} of the huge zeppelin manual, " * 20
                                                  for i in range(200)))
    monkeypatch.setattr(indexer, "FLUSH_SECONDS", 0.3)  # the small files are read well within it: one flush
    seen: list[int] = []
    library_file = tmp_path / "lib.sqlite"

    class Watching(FakeEmbedder):
        def embed(self, texts):  # type: ignore[no-untyped-def]
            if any("zeppelin" in t for t in texts) and library_file.exists():
                conn = apsw.Connection(str(library_file), flags=apsw.SQLITE_OPEN_READONLY)
                seen.append(conn.execute("SELECT count(*) FROM items").fetchone()[0])
                conn.close()
                time.sleep(0.05)  # the huge file's passages take model time: ~1 s in all
            return super().embed(texts)

    library = Library(library_file, Watching(), with_media=False)
    summary = run_to_end(library.index([docs]))
    assert summary.added == 6 and len(library.browse()) == 6
    assert max(seen) == 5, f"the small files were written while the huge one was embedded: {seen[:5]}…"


def test_a_flush_past_the_length_window_keeps_each_passage_with_its_own_vector(tmp_path: Path) -> None:
    """Passages are embedded shortest first within windows of LENGTH_WINDOW: a document of ~1,200
    passages of varied lengths (three windows) still stores each passage's own vector."""
    from nearby.core.indexing import indexer
    from tests.fakes import FakeEmbedder

    folder = tmp_path / "long"
    folder.mkdir()
    words = ["harbour", "lantern", "orchard", "violin", "glacier", "meadow", "copper", "falcon", "thistle"]
    paragraphs = [" ".join(words[(i * 7 + j) % len(words)] for j in range(3 + (i * 37) % 60)) + f" item{i}."
                  for i in range(3000)]
    (folder / "long.md").write_text("\n\n".join(paragraphs))
    embedder = FakeEmbedder()
    library = Library(tmp_path / "lib.sqlite", embedder, with_media=False)
    run_to_end(library.index([folder]))
    store = library._new_store()  # noqa: SLF001 - reading what was stored
    try:
        rows = list(store.conn.execute("SELECT id, text FROM passages ORDER BY ord"))
        assert len(rows) > indexer.LENGTH_WINDOW * 2
        stored = store.vectors_by_ids("passage_embeddings", [r[0] for r in rows])
        expected = embedder.embed([r[1] for r in rows])
        for (passage_id, _), want in zip(rows, expected, strict=True):
            assert float(stored[passage_id] @ want) > 0.999
    finally:
        store.close()


def test_adding_a_parent_folder_keeps_a_hidden_folder_of_the_library_inside_it(tmp_path: Path) -> None:
    """The sample collection lives in a hidden folder (~/.local/share/Nearby/sample); adding the home
    folder, whose scan skips hidden folders, once dropped its files. Now they stay, and that folder's
    own update still sweeps what was deleted from it."""
    home = tmp_path / "home"
    sample = home / ".local" / "share" / "Nearby" / "sample"
    sample.mkdir(parents=True)
    for i in range(3):
        (sample / f"s{i}.txt").write_text(f"Sample note {i} about lighthouses and harbours.")
    (home / "Documents").mkdir()
    (home / "Documents" / "mine.txt").write_text("My own note about the garden fence.")
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    run_to_end(library.index([sample]))
    assert library.status().items == 3
    summary = run_to_end(library.index([home]))  # the parent: its scan does not enter .local
    assert summary.removed == 0 and library.status().items == 4
    assert sorted(library.folders()) == sorted([str(home.resolve()), str(sample.resolve())])
    run_to_end(library.index([home]))  # again: nothing lost either
    assert library.status().items == 4
    (sample / "s0.txt").unlink()
    run_to_end(library.index([Path(f) for f in library.folders()]))  # Update: every folder of the library
    assert library.status().items == 3
    (sample / "new.txt").write_text("A new sample note about tides.")
    run_to_end(library.index([Path(f) for f in library.folders()]))
    assert library.status().items == 4
    (home / "Documents" / "mine.txt").unlink()
    run_to_end(library.index([home]))
    assert library.status().items == 3


def test_a_big_documents_passages_move_the_progress_while_they_are_read(tmp_path: Path, store: Store) -> None:
    """One document of hundreds of passages: the run reports the model's reading of them, slice by
    slice, instead of standing still on that file."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "big.txt").write_text("\n\n".join(f"Paragraph {i} about the harbour, its cranes and ships. " * 8
                                              for i in range(300)))
    (docs / "small.txt").write_text("A short note.")
    records = []
    generator = index_paths(store, FakeEmbedder(), [docs])
    try:
        while True:
            records.append(next(generator))
    except StopIteration:
        pass
    parts = [(r.part_done, r.part_total) for r in records if r.part_total]
    assert len(parts) >= 5, parts
    assert [d for d, _ in parts] == sorted(d for d, _ in parts) and parts[-1][0] == parts[-1][1]
    assert store.counts()["items"] == 2
