"""`nearby status` answered from the library file alone says exactly what the full path says,
imports neither numpy nor onnxruntime, and leaves to the full path what only it can answer."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from nearby.core.cli.status import print_status, quick_answer
from nearby.core.inference.providers import available_providers, noted_providers
from nearby.core.library import Library
from nearby.core.library_status import read_status
from nearby.core.progress import run_to_end
from nearby.core.storage.connection import connect
from tests.documents import write_notes
from tests.fakes import FakeEmbedder


def printed(status: object, as_json: bool) -> str:
    out = io.StringIO()
    print_status(status, as_json, out)  # type: ignore[arg-type]
    return out.getvalue()


@pytest.fixture
def indexed(tmp_path: Path, text_embedder: object) -> Path:
    folder = write_notes(tmp_path / "notes", {"rent.txt": "The rent is due on the first of the month.",
                                              "bread.txt": "Knead the dough and let it rise."})
    (tmp_path / "notes" / "broken.pdf").write_bytes(b"%PDF-1.4 cut short")
    library = Library(tmp_path / "lib.sqlite", text_embedder)  # type: ignore[arg-type]
    run_to_end(library.index([folder]))
    library.close()
    return tmp_path / "lib.sqlite"


def test_the_quick_answer_is_the_full_answer(indexed: Path, text_embedder: object) -> None:
    available = available_providers()  # noted by any run that imports onnxruntime
    assert noted_providers() == available
    library = Library(indexed, text_embedder)  # type: ignore[arg-type]
    full = library.status()
    library.close()
    quick = read_status(indexed, str(indexed))
    assert quick == full and full.items == 3 - 1 and full.skipped == 1
    for as_json in (True, False):
        assert printed(quick, as_json) == printed(full, as_json)


@pytest.mark.parametrize("case", ["no library", "empty file", "switch under way", "to migrate", "providers not noted",
                                  "model unknown"])
def test_what_only_the_full_path_can_answer_is_left_to_it(indexed: Path, tmp_path: Path, case: str) -> None:
    available_providers()
    path = indexed
    if case == "no library":
        path = tmp_path / "none.sqlite"
    elif case == "empty file":
        path = tmp_path / "empty.sqlite"
        path.write_bytes(b"")
    elif case == "switch under way":
        Path(f"{indexed}.switching").write_bytes(b"")
    elif case == "to migrate":  # a library from before the last migration
        conn = connect(indexed)
        conn.execute("DELETE FROM migrations WHERE name = (SELECT max(name) FROM migrations)")
        conn.close()
    elif case == "providers not noted":
        from nearby.core.inference.providers import _note_path

        _note_path().unlink()
    elif case == "model unknown":  # made with a model this Nearby does not know
        path = tmp_path / "fake.sqlite"
        notes = write_notes(tmp_path / "f", {"a.txt": "x y"})
        run_to_end(Library(path, FakeEmbedder(), with_media=False).index([notes]))
    assert read_status(path, str(path)) is None
    assert quick_answer(["--library", str(path), "status"]) is None


def test_the_command_answers_without_numpy_or_onnxruntime(indexed: Path, text_embedder: object) -> None:
    available_providers()  # noted by any run that imported onnxruntime (an index run, a full status)
    probe = ("import sys, json; from nearby.core.cli.entry import main; code = main(sys.argv[1:]); "
             "print(json.dumps([code, 'numpy' in sys.modules, 'onnxruntime' in sys.modules]), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe, "--library", str(indexed), "status", "--json"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert json.loads(done.stderr.strip().splitlines()[-1]) == [0, False, False], done.stderr
    library = Library(indexed, text_embedder)  # type: ignore[arg-type]
    assert json.loads(done.stdout) == library.status().to_json()
    library.close()
    assert quick_answer(["--library", str(indexed), "status", "--verbose"]) is None, "another command line"
