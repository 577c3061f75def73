"""A picture of a map (PNG) without a display: Pillow draws the points by group and the names."""

from __future__ import annotations

from pathlib import Path

from nearby.core.mapping.similarity_map import SimilarityMap

# Twelve colours that stay apart for most eyes (Tableau-like), cycled over the groups.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac", "#1f77b4", "#8c564b")
MARGIN = 40
DOT = 3


def render_png(the_map: SimilarityMap, path: Path, size: tuple[int, int] = (1600, 1200)) -> Path:
    """Draw the map into a PNG file of ``size`` pixels; returns the path."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = size
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    if the_map.points:
        xs = [p.x for p in the_map.points]
        ys = [p.y for p in the_map.points]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        scale = min((width - 2 * MARGIN) / max(x1 - x0, 1e-9), (height - 2 * MARGIN) / max(y1 - y0, 1e-9))

        def to_px(x: float, y: float) -> tuple[float, float]:
            return MARGIN + (x - x0) * scale, MARGIN + (y - y0) * scale

        for p in the_map.points:
            px, py = to_px(p.x, p.y)
            draw.ellipse((px - DOT, py - DOT, px + DOT, py + DOT), fill=PALETTE[p.cluster % len(PALETTE)])
        font = ImageFont.load_default(size=max(12, height // 60))
        taken: list[tuple[float, float, float, float]] = []
        for c in sorted(the_map.clusters, key=lambda c: -c.size):  # the biggest groups are named first
            px, py = to_px(c.x, c.y)
            left, top, right, bottom = draw.textbbox((px, py), c.label, font=font, anchor="mm")
            shift_x = max(0.0, 4 - left) - max(0.0, right - width + 4)  # kept inside the picture
            box = (left + shift_x - 4, top - 2, right + shift_x + 4, bottom + 2)
            if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken):
                continue  # no label over another: the smaller group stays unnamed at this size
            taken.append(box)
            draw.rectangle(box, fill="white", outline="#dddddd")
            draw.text((px + shift_x, py), c.label, fill="#222222", font=font, anchor="mm")
    image.save(path, "PNG")
    return path
