"""The app icon at every size a desktop asks for, drawn from desktop/icon.svg by Qt's SVG renderer:

    python installer/icons.py OUT        # OUT/hicolor/<n>x<n>/apps/nearby.png, 16–512, + scalable/apps/nearby.svg

The freedesktop icon theme layout, as install.sh and the .deb install it (menus, docks and task
switchers pick the size they draw).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

SVG = Path(__file__).resolve().parent.parent / "desktop" / "icon.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(out: Path, svg: Path = SVG, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    made = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = out / "hicolor" / f"{size}x{size}" / "apps" / "nearby.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target)):
            raise SystemExit(f"could not write {target}")
        made.append(target)
    scalable = out / "hicolor" / "scalable" / "apps" / "nearby.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(svg, scalable)
    return [*made, scalable]


if __name__ == "__main__":
    render(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("icons"))
