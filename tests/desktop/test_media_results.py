"""Pictures and songs in the window: thumbnails, kind filter, the play button."""

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from nearby.core.library import Library
from nearby.desktop.main_window import MainWindow
from nearby.desktop.results import display_title

EVAL = Path(__file__).resolve().parent.parent / "data" / "eval"


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, text_embedder: object) -> MainWindow:
    shutil.copy(EVAL / "songs" / "evening.ogg", tmp_path / "evening.ogg")
    shutil.copy(EVAL / "songs" / "friday.ogg", tmp_path / "friday.ogg")
    shutil.copy(EVAL / "images" / "chelsea.jpg", tmp_path / "chelsea.jpg")
    win = MainWindow(Library(tmp_path / "lib.sqlite", text_embedder), update_on_start=False)  # type: ignore[arg-type]
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.indexing_finished, timeout=60_000):
        win.index_folders([str(tmp_path)])
    return win


def search(qtbot: QtBot, win: MainWindow, text: str, kind_row: int = 0) -> list:  # type: ignore[type-arg]
    win.kind_filter.setCurrentIndex(kind_row)
    with qtbot.waitSignal(win.search_finished, timeout=10_000) as blocker:
        win.search_field.setText(text)
        win.run_search()
    return blocker.args[0]


def click_media_box(qtbot: QtBot, win: MainWindow, row: int) -> None:
    index = win.model.index(row)
    option = QStyleOptionViewItem()
    option.rect = win.results.visualRect(index)
    qtbot.mouseClick(win.results.viewport(), Qt.MouseButton.LeftButton,
                     pos=win.delegate.media_box(option.rect).center())


def test_kind_filter_and_counts(qtbot: QtBot, window: MainWindow) -> None:
    hits = search(qtbot, window, "calm piano", kind_row=3)
    assert hits and {h.kind for h in hits} == {"song"} and hits[0].name == "evening.ogg"
    assert window.stats_label.text().startswith("1 photo · 2 songs · all-MiniLM-L6-v2")
    photos = search(qtbot, window, "a cat", kind_row=2)
    assert [h.name for h in photos] == ["chelsea.jpg"] and Path(photos[0].thumbnail).is_file()


def test_the_play_button_plays_and_pauses_the_song(qtbot: QtBot, window: MainWindow,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr("nearby.desktop.player.QDesktopServices.openUrl", lambda url: opened.append(url.toLocalFile()))
    hits = search(qtbot, window, "calm piano", kind_row=3)
    click_media_box(qtbot, window, 0)
    if not window.search.player.available:  # no audio libraries (Linux without libpulse0): the system player
        assert opened == [hits[0].path]
        return
    assert window.search.player.current == hits[0].path
    qtbot.waitUntil(lambda: window.delegate.playing == hits[0].path, timeout=5_000)
    click_media_box(qtbot, window, 0)
    qtbot.waitUntil(lambda: window.delegate.playing == "", timeout=5_000)


def test_without_in_app_audio_songs_open_in_the_system_player(qtbot: QtBot, window: MainWindow,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr("nearby.desktop.player.QDesktopServices.openUrl", lambda url: opened.append(url))
    window.search.player.available = False
    hits = search(qtbot, window, "electronic dance beat", kind_row=3)
    click_media_box(qtbot, window, 0)
    assert [u.toLocalFile() for u in opened] == [hits[0].path]


def test_songs_show_their_tags_as_title() -> None:
    from nearby.core.search.hits import SearchHit

    tagged = SearchHit("/m/01.flac", "song", "x", 0.5, meta={"title": "Clair de Lune", "artist": "Debussy"})
    assert display_title(tagged) == "Clair de Lune — Debussy"
    assert display_title(SearchHit("/d/a.pdf", "document", "a", 0.5, page=3)) == "a.pdf  ·  p. 3"


def test_find_similar_from_the_row(qtbot: QtBot, window: MainWindow) -> None:
    hits = search(qtbot, window, "calm piano", kind_row=3)
    index = window.model.index(0)
    option = QStyleOptionViewItem()
    option.rect = window.results.visualRect(index)
    option.font = window.results.font()
    with qtbot.waitSignal(window.search_finished) as blocker:
        qtbot.mouseClick(window.results.viewport(), Qt.MouseButton.LeftButton,
                         pos=window.delegate.similar_box(option).center())
    assert window.caption.text().endswith(f"similar to {hits[0].name}")
    assert [h.kind for h in blocker.args[0]] == ["song"]


def test_results_read_well_to_a_screen_reader(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "calm piano", kind_row=3)
    spoken = window.model.index(0).data(Qt.ItemDataRole.AccessibleTextRole)
    assert spoken.startswith("SONG: evening.ogg, score ") and "Sounds like" in spoken


def test_a_tile_needing_more_pixels_than_its_thumbnail_is_drawn_from_the_original(qtbot: QtBot,
                                                                                  tmp_path: Path) -> None:
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QColor, QImage, QPainter

    from nearby.desktop.results import draw_picture
    from nearby.desktop.thumbnails import pictures

    thumbnail, original = tmp_path / "thumb.jpg", tmp_path / "photo.jpg"
    blue = QImage(256, 192, QImage.Format.Format_RGB32)
    blue.fill(QColor("blue"))
    blue.save(str(thumbnail))  # stands in for the cached thumbnail
    red = QImage(1200, 900, QImage.Format.Format_RGB32)
    red.fill(QColor("red"))
    red.save(str(original))

    def paint(ratio: float) -> QColor:
        canvas = QImage(round(160 * ratio), round(160 * ratio), QImage.Format.Format_ARGB32)
        canvas.setDevicePixelRatio(ratio)
        painter = QPainter(canvas)
        draw_picture(painter, QRect(0, 0, 160, 160), str(thumbnail), original=str(original))
        painter.end()
        return canvas.pixelColor(canvas.width() // 2, canvas.height() // 2)

    cache = pictures()
    paint(1.0)
    qtbot.waitUntil(lambda: cache.get(str(thumbnail)) is not None, timeout=5000)
    assert paint(1.0).blue() > 200, "160 px at 1x: the thumbnail is sharp enough"
    assert paint(2.0).blue() > 200, "at 2x the thumbnail is drawn while the original loads"
    qtbot.waitUntil(lambda: cache.get(str(original), 512) is not None, timeout=5000)
    assert paint(2.0).red() > 200 and paint(2.0).blue() < 60, "then the original, decoded at 512 px"
    assert cache.get(str(original), 512).width() == 512
    assert cache.bytes > 0


def test_the_facts_name_what_the_picture_model_is_sure_of_and_the_colours() -> None:
    from nearby.desktop.detail_pane import seen_text

    meta = {"labels": ["Egyptian Mau", "tabby cat", "crutch"], "label_shares": [0.48, 0.16, 0.02], "looks": ["orange"]}
    assert seen_text("image", meta) == "Egyptian Mau (48%), tabby cat (16%), orange"
    assert seen_text("image", {"labels": ["spotlight"], "label_shares": [0.05], "looks": []}) == "no clear object"
    assert seen_text("image", {"labels": ["crossword"]}) == "crossword", "libraries from before the shares"
    assert seen_text("song", {"labels": ["piano", "slow"]}) == "piano, slow"
