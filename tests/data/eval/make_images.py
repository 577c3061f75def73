"""Rebuild the evaluation pictures from scikit-image's bundled sample photos (all CC0 or public
domain, see LICENSES.md) plus two drawn ones. Run from the repo root, with the wheel unpacked:

    pip download --no-deps --only-binary=:all: scikit-image==0.26.0 -d /tmp/ski
    unzip -o /tmp/ski/scikit_image-*.whl 'skimage/data/*' -d /tmp/ski/x
    python tests/data/eval/make_images.py /tmp/ski/x/skimage/data

The held-out pictures (`images-heldout/`, never tuned on: they check that a change to the picture
bridge helps pictures it was not fitted to) also take scikit-learn's two sample photos and
matplotlib's portrait; pass their folders too:

    pip download --no-deps --only-binary=:all: matplotlib==3.11.2 -d /tmp/ski
    unzip -o /tmp/ski/matplotlib-*.whl 'matplotlib/mpl-data/sample_data/*' -d /tmp/ski/x
    python tests/data/eval/make_images.py /tmp/ski/x/skimage/data \
        "$(python -c 'import sklearn, os; print(os.path.dirname(sklearn.__file__))')/datasets/images" \
        /tmp/ski/x/matplotlib/mpl-data/sample_data

A second held-out set (`images-heldout2/`, 24 everyday photos: fruit, animals, streets, signs, a
painting) comes from the sample data OpenCV ships (Debian's opencv-doc package); pass its examples
folder fourth:

    apt-get download opencv-doc && dpkg-deb -x opencv-doc_*.deb /tmp/ocv
    python tests/data/eval/make_images.py ... /tmp/ocv/usr/share/doc/opencv-doc/examples
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent / "images"
HELDOUT = Path(__file__).resolve().parent / "images-heldout"
MAX_SIDE = 512  # enough for a 260-px model input; keeps the repo small
PHOTOS = {  # scikit-image file → name a person might give it
    "chelsea.png": "chelsea.jpg", "coffee.png": "morning.jpg", "rocket.jpg": "launch.jpg",
    "astronaut.png": "portrait.jpg", "coins.png": "collection.jpg", "moon.png": "night-sky.jpg",
    "horse.png": "drawing.jpg", "hubble_deep_field.jpg": "deep-field.jpg", "camera.png": "scan-001.jpg",
    "retina.jpg": "eye-exam.jpg",
}
# Held-out pictures, by the argument their source folder comes in (1 scikit-image, 2 scikit-learn,
# 3 matplotlib) → camera-like names: they are searched by what they show, not by name.
HELDOUT_PHOTOS = {
    (1, "brick.png"): "IMG_1001.jpg", (1, "grass.png"): "IMG_1002.jpg", (1, "gravel.png"): "IMG_1003.jpg",
    (1, "cell.png"): "IMG_1004.jpg", (1, "page.png"): "IMG_1005.jpg", (2, "china.jpg"): "IMG_1006.jpg",
    (2, "flower.jpg"): "IMG_1007.jpg", (3, "grace_hopper.jpg"): "IMG_1008.jpg",
}
HELDOUT2 = Path(__file__).resolve().parent / "images-heldout2"
HELDOUT2_PHOTOS = [  # OpenCV's examples folder → IMG_2001 … in this order
    "data/aero1.jpg", "data/apple.jpg", "data/baboon.jpg", "data/board.jpg", "data/building.jpg",
    "data/butterfly.jpg", "data/fruits.jpg", "data/home.jpg", "data/messi5.jpg", "data/squirrel_cls.jpg",
    "data/starry_night.jpg", "data/leuvenA.jpg", "data/licenseplate_motion.jpg", "data/chicky_512.png",
    "data/smarties.png", "data/sudoku.png", "alphamat/input_images/plant.jpg", "hfs/data/000.jpg",
    "text/scenetext01.jpg", "text/scenetext02.jpg", "data/cards.png", "fuzzy/input.png",
    "data/ela_original.jpg", "data/aloeL.jpg", "data/orange.jpg", "data/basketball1.png",
    "data/box_in_scene.png", "text/scenetext03.jpg", "text/scenetext06.jpg", "data/rubberwhale1.png",
]


def crossword() -> Image.Image:
    im = Image.new("RGB", (400, 400), "white")
    draw, rng = ImageDraw.Draw(im), random.Random(1)
    for i in range(10):
        for j in range(10):
            box = (20 + i * 36, 20 + j * 36, 56 + i * 36, 56 + j * 36)
            draw.rectangle(box, outline="black", width=2, fill="black" if rng.random() < 0.2 else "white")
    return im


def clock() -> Image.Image:
    im = Image.new("RGB", (400, 400), "white")
    draw = ImageDraw.Draw(im)
    draw.ellipse((40, 40, 360, 360), outline="black", width=8)
    for k in range(12):
        a = k * math.pi / 6
        draw.line((200 + 140 * math.cos(a), 200 + 140 * math.sin(a), 200 + 155 * math.cos(a),
                   200 + 155 * math.sin(a)), fill="black", width=6)
    draw.line((200, 200, 200, 90), fill="black", width=8)
    draw.line((200, 200, 280, 230), fill="black", width=10)
    return im


def save_small(source: Path, target: Path) -> None:
    im = Image.open(source).convert("RGB")
    im.thumbnail((MAX_SIDE, MAX_SIDE))
    im.save(target, "JPEG", quality=85)


def main(sources: list[Path]) -> None:
    OUT.mkdir(exist_ok=True)
    for name, target in PHOTOS.items():
        save_small(sources[0] / name, OUT / target)
    crossword().save(OUT / "drawing-0001.png")
    clock().save(OUT / "drawing-0002.png")
    if len(sources) >= 3:
        HELDOUT.mkdir(exist_ok=True)
        for (which, name), target in HELDOUT_PHOTOS.items():
            save_small(sources[which - 1] / name, HELDOUT / target)
    if len(sources) == 4:
        HELDOUT2.mkdir(exist_ok=True)
        for i, name in enumerate(HELDOUT2_PHOTOS):
            save_small(sources[3] / name, HELDOUT2 / f"IMG_{2001 + i}.jpg")


if __name__ == "__main__":
    main([Path(a) for a in sys.argv[1:]])
