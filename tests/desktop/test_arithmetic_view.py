"""Concept arithmetic in the window: answer words, contributions, the mix builder, Add to mix."""

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.core.search.expression import parse_expression
from nearby.desktop.main_window import MainWindow
from nearby.desktop.mix_bar import expression_of

DATA = Path(__file__).resolve().parent.parent / "data" / "arithmetic"


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, text_embedder: object) -> MainWindow:
    notes = tmp_path / "notes"
    notes.mkdir()
    for name, text in json.loads((DATA / "notes.json").read_text()).items():
        (notes / name).write_text(text)
    library = Library(tmp_path / "lib.sqlite", text_embedder, with_media=False)  # type: ignore[arg-type]
    run_to_end(library.index([notes]))
    run_to_end(library.words.prepare())
    win = MainWindow(library, update_on_start=False)
    qtbot.addWidget(win)
    win.show()
    return win


def type_query(qtbot: QtBot, win: MainWindow, text: str) -> list:  # type: ignore[type-arg]
    with qtbot.waitSignal(win.search_finished, timeout=20_000) as blocker:
        win.search_field.setText(text)
        win.run_search()
    return blocker.args[0]


def test_an_expression_shows_answer_words_and_files_with_contributions(qtbot: QtBot, window: MainWindow) -> None:
    hits = type_query(qtbot, window, "Paris - France + Italy")
    assert window.search.answers.isVisible() and ">rome<" in window.search.answers.text()
    assert Path(hits[0].path).name == "rome.txt"
    assert [c[0] for c in hits[0].meta["contributions"]] == ["Paris", "France", "Italy"]
    assert [c[2] for c in hits[0].meta["contributions"]] == [1, -1, 1]
    grab = window.results.grab()  # the bars are drawn: the row paints without error
    assert not grab.isNull()
    with qtbot.waitSignal(window.search_finished, timeout=20_000):
        window.search.answers.linkActivated.emit("rome")  # a word answer is a search of its own
        window.run_search()
    assert window.search_field.text() == "rome" and not window.search.answers.isVisible()


def test_the_mix_builder_toggles_signs_and_adds_files(qtbot: QtBot, window: MainWindow) -> None:
    type_query(qtbot, window, "king - man + woman")
    mix = window.search.mix
    assert mix.isVisible() and [t.text for t in mix.terms] == ["king", "man", "woman"]
    mix._update(1, sign=1)  # noqa: SLF001 - what the chip's +/− button does
    assert window.search_field.text() == "king + man + woman"
    hits = type_query(qtbot, window, "bread recipe")
    bread = next(h for h in hits if h.name == "bread-recipe.txt")
    window.search.add_to_mix(bread)
    assert parse_expression(window.search_field.text())[-1].text == bread.path
    with qtbot.waitSignal(window.search_finished, timeout=20_000) as done:
        window.search_field.setText(window.search_field.text() + " - bread + cake")
        window.run_search()
    assert Path(done.args[0][0].path).name == "cake-recipe.txt"
    assert bread.path not in [h.path for h in done.args[0]]


def test_a_bad_expression_shows_a_message_in_the_banner(qtbot: QtBot, window: MainWindow) -> None:
    window.search_field.setText("snow + 1e309:ice")
    window.run_search()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)
    assert "weight" in window.banner.text


def test_expressions_written_back_read_the_same() -> None:
    for text in ("king - man + woman", '2:"/a/b c.jpg" - summer', "- summer + winter"):
        assert parse_expression(expression_of(parse_expression(text))) == parse_expression(text)
