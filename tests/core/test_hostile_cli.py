"""Hostile arguments to every command, through the installed `nearby` as a person types them:
each is a message and exit code 2, never a traceback or an abort."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from nearby.models.locate import MODELS_ENV
from tests.conftest import INSTALLED_MODELS
from tests.core.test_cli import nearby
from tests.hostile import hostile_cases


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> tuple[Path, Path, Path]:
    tmp = tmp_path_factory.mktemp("hostile")
    corpus = tmp / "corpus"
    corpus.mkdir()
    (corpus / "garden.txt").write_text("Tomatoes need sun, water and rich soil to grow well in summer.")
    (corpus / "cars.txt").write_text("The mechanic replaced the brake pads and changed the engine oil.")
    (corpus / "evil\x1b[2J\x1b]52;c;aGk=\x07\u202egpj.txt").write_text("Seedlings of tomatoes on the windowsill.")
    (tmp / "folder-not-file").mkdir()
    library = tmp / "lib.sqlite"
    done = nearby("--library", str(library), "index", str(corpus), env=_env(tmp))
    assert done.returncode == 0, done.stderr
    return tmp, corpus, library


def _env(tmp: Path) -> dict[str, str]:
    """The user folders of this module's throw-away home (its fixture outlives each test's own)."""
    home = tmp / "home"
    return {"HOME": str(home), "XDG_CACHE_HOME": str(home / "cache"), "XDG_STATE_HOME": str(home / "state"),
            "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
            MODELS_ENV: str(INSTALLED_MODELS)}


def test_every_hostile_argument_gets_a_message_and_exit_code_2(indexed: tuple[Path, Path, Path]) -> None:
    tmp, corpus, library = indexed
    problems = []
    for args in hostile_cases(tmp, corpus, library):
        done = nearby(*args, env=_env(tmp))
        last = (done.stderr.strip().splitlines() or [""])[-1]
        if done.returncode != 2 or "Traceback" in done.stderr or not last.startswith("nearby"):
            problems.append(f"{[a[:60] for a in args[2:]]}: rc {done.returncode}: {done.stderr[-400:]}")
    assert not problems, "\n".join(problems)
    assert not (tmp / "folder-not-file" / "library.nearby.sqlite").exists()

    foreign = tmp / "foreign.sqlite"
    assert not Path(f"{foreign}-wal").exists(), "another program's database is left as it was"


def test_an_argument_error_in_a_warmed_command_never_aborts(indexed: tuple[Path, Path, Path]) -> None:
    """The search's model loads on a thread from the first instant; an argument error exits while
    it is inside onnxruntime (it aborted with rc 134 in 5 of 15 tries)."""
    tmp, _, library = indexed
    codes = [nearby("--library", str(library), "search", "garden", "--bogus", env=_env(tmp)).returncode
             for _ in range(12)]
    assert codes == [2] * 12


def test_names_are_printed_safely_and_dash_words_are_query_words(indexed: tuple[Path, Path, Path]) -> None:
    tmp, _, library = indexed
    found = nearby("--library", str(library), "search", "tomatoes", "-k", "5", "--all", env=_env(tmp))
    assert found.returncode == 0 and "\x1b" not in found.stdout and "\u202e" not in found.stdout
    assert "evil\\x1b[2J" in found.stdout and "\\u202egpj.txt" in found.stdout
    as_json = json.loads(nearby("--library", str(library), "search", "tomatoes", "--json", "--all",
                                env=_env(tmp)).stdout)
    assert any("\x1b" in hit["path"] for hit in as_json), "JSON keeps the name exactly (escaped by JSON)"
    unquoted = nearby("--library", str(library), "search", "tomatoes", "-seedlings", "--all", "--json",
                      env=_env(tmp))
    assert unquoted.returncode == 0, unquoted.stderr
    assert all("Seedlings" not in hit["snippet"] for hit in json.loads(unquoted.stdout))
    not_utf8 = nearby("--library", str(library), "search", os.fsdecode(b"tomat\xe9s"), env=_env(tmp))
    assert not_utf8.returncode == 0 and "Traceback" not in not_utf8.stderr


def test_a_damaged_library_is_said_to_be_damaged_by_every_command(indexed: tuple[Path, Path, Path]) -> None:
    tmp, corpus, library = indexed
    cut = tmp / "cut.sqlite"
    cut.write_bytes(library.read_bytes()[:20_000])  # a copy cut short
    for command in (["search", "garden"], ["status"], ["similar", str(corpus / "garden.txt")], ["skipped"]):
        done = nearby("--library", str(cut), *command, env=_env(tmp))
        assert done.returncode == 1 and "damaged" in done.stderr and "Traceback" not in done.stderr, command
    empty = tmp / "empty.sqlite"  # a library cut short by a crash: damaged too, and left as it is
    empty.write_bytes(b"")
    for command in (["search", "garden"], ["status"]):
        done = nearby("--library", str(empty), *command, env=_env(tmp))
        assert done.returncode == 1 and "empty file" in done.stderr and "Traceback" not in done.stderr
    assert empty.stat().st_size == 0, "an empty file is not made a library by a search's warm start"


def test_index_of_a_file_deleted_since_it_was_indexed_removes_it(indexed: tuple[Path, Path, Path]) -> None:
    tmp, corpus, library = indexed
    gone = corpus / "gone.txt"
    gone.write_text("a note about lighthouses that will be deleted")
    assert nearby("--library", str(library), "index", str(gone), env=_env(tmp)).returncode == 0
    gone.unlink()
    done = nearby("--library", str(library), "index", str(gone), env=_env(tmp))
    assert done.returncode == 0 and "1 removed" in done.stderr, done.stderr
    found = nearby("--library", str(library), "search", "lighthouses", "--json", "--all", env=_env(tmp))
    assert all("gone.txt" not in hit["path"] for hit in json.loads(found.stdout))
