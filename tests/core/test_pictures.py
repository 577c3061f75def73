"""Pictures end to end with the real models: formats, orientation, metadata, bad files, the
bridge into the text space, mixed result lists, and look-alikes."""

import shutil
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageOps

from nearby.core.errors import UnsupportedFile
from nearby.core.library import Library
from nearby.core.media.images import open_picture
from nearby.core.progress import IndexSummary, run_to_end
from nearby.core.search.why import why_text
from nearby.core.settings import Settings

EVAL = Path(__file__).resolve().parent.parent / "data" / "eval" / "images"
FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif", "BMP": ".bmp", "TIFF": ".tiff"}


def index(library: Library, *folders: Path) -> IndexSummary:
    return run_to_end(library.index(list(folders)))


@pytest.fixture(scope="module")
def picture_library(tmp_path_factory: pytest.TempPathFactory, text_embedder: object) -> tuple[Library, Path]:
    root = tmp_path_factory.mktemp("pictures")
    shutil.copytree(EVAL, root / "photos")
    (root / "docs").mkdir()
    (root / "docs" / "bread.txt").write_text("Knead the dough, let it rise, and bake the loaf until golden.")
    (root / "docs" / "lease.txt").write_text("The tenant pays the rent on the first day of every month.")
    library = Library(root / "lib.sqlite", text_embedder)  # type: ignore[arg-type]
    summary = index(library, root)
    assert summary.added == 14 and not summary.failures
    return library, root


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_opens_upright_as_rgb(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"pic{FORMATS[fmt]}"
    Image.new("RGB" if fmt != "GIF" else "P", (64, 48), "red").save(path, fmt)
    picture = open_picture(path)
    assert (picture.image.mode, picture.image.size) == ("RGB", (64, 48))
    assert picture.meta["width"] == 64


def test_exif_orientation_date_and_camera(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    exif[0x010F], exif[0x0110] = "Canon", "EOS 80D"
    exif.get_ifd(0x8769)[0x9003] = "2019:07:14 18:30:00"
    path = tmp_path / "rotated.jpg"
    Image.new("RGB", (80, 40), "blue").save(path, "JPEG", exif=exif)
    picture = open_picture(path)
    assert picture.image.size == (40, 80)
    assert picture.meta["taken"] == "2019-07-14 18:30:00" and picture.meta["camera"] == "Canon EOS 80D"


def test_first_frame_of_an_animated_gif(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (32, 32), c) for c in ("red", "green", "blue")]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    assert open_picture(tmp_path / "anim.gif").image.getpixel((5, 5))[0] > 200


def png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


@pytest.mark.parametrize(("name", "make", "reason"), [
    ("empty.jpg", lambda p: p.write_bytes(b""), "empty"),
    ("notes.jpg", lambda p: p.write_text("this is a text file with the wrong extension"), "not a picture"),
    ("truncated.jpg", lambda p: p.write_bytes((EVAL / "chelsea.jpg").read_bytes()[:3000]), "damaged or truncated"),
    ("bomb.png", lambda p: p.write_bytes(png_claiming(100_000, 100_000)), "too large|more pixels"),
])
def test_bad_pictures_are_refused_with_a_reason(tmp_path: Path, name: str, make, reason: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    make(path)
    with pytest.raises(UnsupportedFile, match=reason):
        open_picture(path)


def test_bad_pictures_are_skipped_and_the_rest_indexed(tmp_path: Path, text_embedder: object) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(EVAL / "drawing-0002.png", folder / "clock.png")
    (folder / "zero.jpg").write_bytes(b"")
    (folder / "cut.jpg").write_bytes((EVAL / "chelsea.jpg").read_bytes()[:2000])
    (folder / "bomb.png").write_bytes(png_claiming(50_000, 50_000))
    library = Library(tmp_path / "lib.sqlite", text_embedder)  # type: ignore[arg-type]
    summary = index(library, folder)
    assert summary.added == 1 and {Path(f.path).name for f in summary.failures} == {"zero.jpg", "cut.jpg", "bomb.png"}
    assert library.search("a clock", k=1)[0].name == "clock.png"


def test_a_drawn_object_is_found_by_its_name(picture_library: tuple[Library, Path]) -> None:
    library, _ = picture_library
    for query, expected in (("a crossword puzzle", "drawing-0001.png"), ("a clock", "drawing-0002.png"),
                            ("a cat", "chelsea.jpg"), ("a cup of coffee", "morning.jpg"), ("a rocket", "launch.jpg")):
        hit = library.search(query, k=1, kind="image")[0]
        assert hit.name == expected, (query, hit.name, hit.snippet)


def test_a_picture_whose_classifier_did_not_see_the_thing_is_no_good_match(
        picture_library: tuple[Library, Path]) -> None:
    """Absent things ("a giraffe": the horse drawing was a green 0.83) show no picture above the
    cut-off, and say why; present ones still do."""
    library, _ = picture_library
    cut = Settings().min_score
    for query in ("a giraffe", "a zebra", "an elephant", "a shark", "a violin", "a tractor"):
        hits = library.search(query, k=3, kind="image")
        assert hits and all(h.score < cut for h in hits), [(h.name, h.score) for h in hits]
        assert query.split()[-1] in hits[0].why["unseen"] and "did not see" in why_text(hits[0].why, classes=False)
    for query, expected in (("a cat", "chelsea.jpg"), ("a rocket", "launch.jpg"), ("a clock", "drawing-0002.png"),
                            ("a cup of coffee", "morning.jpg"), ("a man with a camera on a tripod", "scan-001.jpg")):
        hit = library.search(query, k=1, kind="image")[0]
        assert hit.name == expected and hit.score >= cut and "unseen" not in hit.why, (query, hit.name, hit.score)


def test_no_good_match_by_class_names_alone_for_a_plant_or_from_a_picture_sure_of_something_else(
        picture_library: tuple[Library, Path]) -> None:
    """ImageNet has no class for a kitchen or a rose: the espresso photo its classifier is sure of was
    a 0.73 "kitchen" by closeness in words alone, and the red retina photo a 0.87 "rose". Both are held
    under the cut-off and say why; the moon's photo, which the classifier could not name, keeps its
    score for "the moon"."""
    library, _ = picture_library
    cut = Settings().min_score
    for query in ("a kitchen", "a birthday cake with candles", "a rose", "tulips", "a palm tree"):
        hits = library.search(query, k=50, kind="image")
        shown = [(h.name, round(h.score, 2)) for h in hits if h.score >= cut]
        assert not shown, (query, shown)
    rose = library.search("a rose", k=3, kind="image")
    assert rose and all(h.why.get("unseen") == ["rose"] for h in rose), [(h.name, h.why) for h in rose]
    moon = library.search("the moon", k=3, kind="image")
    assert any(h.name == "night-sky.jpg" and "unseen" not in h.why for h in moon), [(h.name, h.why) for h in moon]


def test_picture_hits_carry_description_thumbnail_and_metadata(picture_library: tuple[Library, Path]) -> None:
    library, _ = picture_library
    hit = library.search("a crossword puzzle", k=1, kind="image")[0]
    assert hit.kind == "image" and hit.snippet.startswith("Looks like crossword")
    assert hit.thumbnail and Path(hit.thumbnail).is_file()
    assert max(Image.open(hit.thumbnail).size) <= 256
    assert hit.meta["width"] == 400 and "crossword" in hit.meta["labels"]


def test_one_query_interleaves_documents_and_pictures(picture_library: tuple[Library, Path]) -> None:
    library, _ = picture_library
    for query, expected, kind in (("baking bread", "bread.txt", "document"), ("a rocket", "launch.jpg", "image")):
        hits = library.search(query, k=20)
        assert (hits[0].name, hits[0].kind) == (expected, kind)
        assert {h.kind for h in hits} == {"document", "image"}, "weaker matches of the other kind still appear"
        assert all(0 <= h.score <= 1 for h in hits) and hits == sorted(hits, key=lambda h: -h.score)
    assert [h.kind for h in library.search("rent", k=5, kind="document")] == ["document", "document"]


def test_an_edited_copy_finds_its_original(picture_library: tuple[Library, Path]) -> None:
    library, root = picture_library
    original = root / "photos" / "chelsea.jpg"
    ImageOps.mirror(Image.open(original)).save(root / "mirrored.jpg")
    index(library, root)
    hits = library.similar(root / "mirrored.jpg", k=3)
    assert hits[0].path == str(original) and hits[0].score > 0.8
    assert all(h.kind == "image" for h in hits)


def test_backgrounds_are_measured_per_kind(picture_library: tuple[Library, Path]) -> None:
    library, _ = picture_library
    store = library._new_store()  # noqa: SLF001 - checking what indexing stored
    measured = {kind: (mean, std) for kind, mean, std, _size in store.backgrounds()}
    assert "image" in measured and measured["image"][1] > 0


def test_heic_is_always_a_picture_read_by_pillow_heif_where_installed(tmp_path: Path) -> None:
    """HEIC is always a picture; the optional pillow-heif (GPL-2, not installed by the tests) reads
    it where installed and is then named as its decoder; else a system decoder does
    (tests/core/test_system_decoders.py)."""
    import importlib.util

    from nearby.core.kinds import kind_of
    from nearby.core.media import decoders
    from nearby.core.media.images import heif_supported

    assert kind_of(Path("IMG_0001.HEIC")) == "image"
    installed = importlib.util.find_spec("pillow_heif") is not None
    assert heif_supported() == installed
    assert (decoders.summary()["pictures"]["decoder"] == "pillow-heif") == installed
    if installed:
        import pillow_heif

        pillow_heif.from_pillow(Image.new("RGB", (96, 64), "green")).save(tmp_path / "IMG_0001.heic", quality=80)
        picture = open_picture(tmp_path / "IMG_0001.heic")
        assert picture.image.size == (96, 64) and picture.image.getpixel((10, 10))[1] > 100


def screenshot(path: Path) -> Path:
    from PIL import ImageDraw, ImageFont

    im = Image.new("RGB", (900, 420), "white")
    draw = ImageDraw.Draw(im)
    big, small = ImageFont.load_default(size=40), ImageFont.load_default(size=28)
    draw.text((40, 40), "Quarterly Sales Report 2024", fill="black", font=big)
    draw.text((40, 140), "Revenue grew twelve percent in Europe", fill=(40, 40, 40), font=small)
    draw.text((40, 220), "Meeting room B, Thursday 10:30", fill=(0, 0, 120), font=small)
    im.save(path)
    return path


def test_text_in_a_picture_is_read(tmp_path: Path) -> None:
    from nearby.core.media.ocr import TextReader

    lines = TextReader().read(Image.open(screenshot(tmp_path / "shot.png")).convert("RGB"))
    assert lines == ["Quarterly Sales Report 2024", "Revenue grew twelve percent in Europe",
                     "Meeting room B, Thursday 10:30"]
    assert TextReader().read(Image.open(EVAL / "chelsea.jpg").convert("RGB")) == []


def test_a_screenshot_is_found_by_the_words_in_it(tmp_path: Path, text_embedder: object) -> None:
    folder = tmp_path / "shots"
    folder.mkdir()
    screenshot(folder / "Screenshot 2024-10-03.png")
    shutil.copy(EVAL / "chelsea.jpg", folder / "chelsea.jpg")
    library = Library(tmp_path / "lib.sqlite", text_embedder)  # type: ignore[arg-type]
    index(library, folder)
    hit = library.search("how much did sales in Europe increase", k=1, kind="image")[0]
    assert hit.name == "Screenshot 2024-10-03.png" and "Revenue grew twelve percent" in hit.snippet
    assert hit.meta["text"].startswith("Quarterly Sales Report 2024")


def test_camera_photos_are_read_only_when_they_look_like_they_carry_writing(text_embedder: object) -> None:
    import numpy as np

    from nearby.core.media.pictures import PicturePipeline

    pipeline = PicturePipeline(text_embedder)  # type: ignore[arg-type]
    labels = pipeline.images.labels
    cat, menu = np.zeros(1000, np.float32), np.zeros(1000, np.float32)
    cat[labels.index("tabby cat")] = 1.0
    menu[labels.index("menu")] = 1.0
    assert pipeline._worth_reading({}, cat)  # noqa: SLF001 - no camera: a screenshot or a scan
    assert not pipeline._worth_reading({"camera": "Canon EOS 80D"}, cat)  # noqa: SLF001
    assert pipeline._worth_reading({"camera": "Canon EOS 80D"}, menu)  # noqa: SLF001


def test_deep_and_transparent_pictures_become_plain_rgb(tmp_path: Path) -> None:
    import numpy as np

    ramp = np.tile(np.linspace(0, 60000, 64, dtype=np.uint16), (48, 1))
    Image.fromarray(ramp).save(tmp_path / "deep.png")  # 16-bit greyscale, as scanners write
    deep = np.asarray(open_picture(tmp_path / "deep.png").image)
    assert deep[0, 0, 0] == 0 and deep[0, -1, 0] == 255, "the full 16-bit range maps onto 0–255"
    icon = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    icon.paste((200, 0, 0, 255), (8, 8, 24, 24))
    icon.save(tmp_path / "icon.png")
    flat = open_picture(tmp_path / "icon.png").image
    assert flat.getpixel((1, 1)) == (255, 255, 255) and flat.getpixel((16, 16)) == (200, 0, 0)


def test_pictures_survive_a_run_without_the_image_model(tmp_path: Path, text_embedder: object) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(EVAL / "chelsea.jpg", folder / "cat.jpg")
    (folder / "note.txt").write_text("Remember to buy cat food on the way home.")
    index(Library(tmp_path / "lib.sqlite", text_embedder), folder)  # type: ignore[arg-type]
    without_models = Library(tmp_path / "lib.sqlite", text_embedder, media=[])  # type: ignore[arg-type]
    summary = index(without_models, folder)
    assert summary.removed == 0 and without_models.status().by_kind == {"document": 1, "image": 1}
    (folder / "cat.jpg").unlink()
    assert index(without_models, folder).removed == 1


def test_words_naming_a_kind_favour_it_in_the_mixed_list(picture_library: tuple[Library, Path],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from nearby.core.search import rank
    from nearby.core.search.intent import intended_kind

    assert intended_kind("calm piano music") == "song" and intended_kind("a photo of a cat") == "image"
    assert intended_kind("photos of my notes") is None and intended_kind("a cat") is None
    assert intended_kind("how to tune a violin") is None and intended_kind("train tracks") is None, "other senses"
    library, _ = picture_library
    favoured = library.search("a photo of a cat", k=3)
    # The cat photo, or its mirrored copy that an earlier test added to this shared library.
    assert favoured[0].name in {"chelsea.jpg", "mirrored.jpg"}
    assert library.search("the note about the monthly rent", k=1)[0].name == "lease.txt"
    # A kind named is the kind asked for: the note about bread is no good match for a photo of bread.
    cut = Settings().min_score
    bread = next(h for h in library.search("a photo of bread", k=20) if h.name == "bread.txt")
    assert bread.score < cut <= next(h for h in library.search("bread", k=3) if h.name == "bread.txt").score
    monkeypatch.setattr(rank, "intended_kind", lambda query: None)
    plain = library.search("a photo of a cat", k=3)
    assert favoured[0].score > next(h.score for h in plain if h.name == "chelsea.jpg"), "the picture was lifted"


def test_colour_and_light_words_find_pictures(picture_library: tuple[Library, Path]) -> None:
    """The classifier knows objects, not colour: these come from the pixels (core/media/looks.py)."""
    library, _ = picture_library
    top = [h.name for h in library.search("a black and white photo", k=3, kind="image")]
    assert set(top) <= {"collection.jpg", "night-sky.jpg", "scan-001.jpg", "drawing.jpg", "drawing-0001.png",
                        "drawing-0002.png"}, top
    red = library.search("something red", k=1, kind="image")[0]
    assert red.name == "eye-exam.jpg" and "red" in red.snippet, "the description says what was seen"
    assert "red" in red.meta["looks"]
    # A trait many pictures share never stands out on meaning alone: the words themselves make
    # the pictures that have them good matches (core/search/look_words.py), and only those, all
    # the pictures have them whether their meaning is near the query or not (the drawings' is not).
    shown = library.search("black and white photos", k=20, min_score=0.35)
    assert {h.name for h in shown} == {"collection.jpg", "night-sky.jpg", "scan-001.jpg", "drawing.jpg",
                                       "drawing-0001.png", "drawing-0002.png"}, [(h.name, h.score) for h in shown]


def test_night_pictures_by_their_light_and_hour(tmp_path: Path, text_embedder: object) -> None:
    """'At night' is read from a dim picture and the hour the camera wrote; a picture without an hour
    is not judged either way."""
    night_sky = Image.open(EVAL / "deep-field.jpg")
    for name, taken, image in (("late.jpg", "2024:07:01 23:40:00", night_sky),
                               ("noon.jpg", "2024:07:01 12:10:00", night_sky),
                               ("lit-room.jpg", "2024:07:01 23:50:00", Image.open(EVAL / "drawing-0002.png"))):
        exif = Image.Exif()
        exif.get_ifd(0x8769)[0x9003] = taken
        image.convert("RGB").save(tmp_path / name, "JPEG", exif=exif)
    library = Library(tmp_path / "lib.sqlite", text_embedder)  # type: ignore[arg-type]
    index(library, tmp_path)
    shown = library.search("photos taken at night", k=5, min_score=0.35)
    assert [h.name for h in shown] == ["late.jpg"], [(h.name, h.score) for h in shown]
    assert "night" in shown[0].meta["looks"] and "night" in shown[0].snippet


def test_a_png_with_a_large_text_chunk_is_read_not_called_damaged(tmp_path: Path) -> None:
    """An editor's history or XMP in a PNG text chunk can pass Pillow's 1 MB default, which refused
    the picture as 'damaged or truncated (… MAX_TEXT_CHUNK)'."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("XML:com.adobe.xmp", "x" * (3 << 20), zip=True)
    path = tmp_path / "edited.png"
    Image.new("RGB", (64, 48), (200, 30, 30)).save(path, pnginfo=info)
    picture = open_picture(path)
    assert (picture.width, picture.height) == (64, 48)


def test_the_bridges_kept_vectors_stop_at_their_caps_and_stay_right(monkeypatch: pytest.MonkeyPatch) -> None:
    """Name words and colour phrases are embedded once each, up to NAME_TEXTS and LOOK_PHRASES kept;
    past the caps a text is embedded afresh, and every vector is the one the text model gives."""
    import numpy as np

    from nearby.core.media import bridge as bridge_module
    from tests.fakes import FakeEmbedder

    monkeypatch.setattr(bridge_module, "NAME_TEXTS", 3)
    monkeypatch.setattr(bridge_module, "LOOK_PHRASES", 2)
    text = FakeEmbedder()
    bridge = bridge_module.LabelBridge(text, ["cat", "dog", "boat"], mixed=3)
    probabilities = np.array([0.7, 0.2, 0.1], dtype=np.float32)
    names = [f"folder{i}" for i in range(6)]
    looks = ["blue sky", "green", "dark", "red"]
    first = [bridge.vector(probabilities, n, lk) for n, lk in zip(names, looks + looks[:2], strict=True)]
    assert len(bridge._name_vectors) == 3 and len(bridge._look_vectors) == 2  # noqa: SLF001
    again = [bridge.vector(probabilities, n, lk) for n, lk in zip(names, looks + looks[:2], strict=True)]
    assert all(np.allclose(a, b) for a, b in zip(first, again, strict=True))
    for name in names:
        assert np.allclose(bridge._kept({}, name, 0), text.embed_one(name))  # noqa: SLF001
