"""Duplicates found on a generated library, against the truth it was made with (issue 26).

Pictures: 18 photos each saved again resized, re-encoded, cropped 8%, turned a right angle,
brightened and as a burst shot (shifted, with sensor noise), among 30 other photos. Documents: 16
texts each as .txt, .docx, .pdf, .html and a lightly edited .txt, among 60 other texts. Songs: 6
pieces each re-encoded as FLAC and MP3 (and M4A where FFmpeg is on PATH), among 6 others from the
same instruments (each piece backwards). Precision and recall count pairs of files put in one group (target ≥ 0.95 and
≥ 0.90 per kind); then the time for 100k items (vectors written straight into a library: only the
search for duplicates is timed; target ≤ 60 s on 2 cores).

    python -m bench duplicates
"""

from __future__ import annotations

import itertools
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from nearby.core.library import Library
from nearby.core.progress import run_to_end

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "data" / "eval"


def make_pictures(folder: Path) -> dict[str, str]:
    """name → group (the source photo), for the variants and the distinct photos."""
    from PIL import Image, ImageEnhance

    sources = sorted(p for d in ("images", "images-heldout", "images-heldout2") for p in (EVAL / d).glob("*.jpg"))
    truth: dict[str, str] = {}
    rng = np.random.default_rng(26)
    for number, source in enumerate(sources):
        with Image.open(source) as im:
            photo = im.convert("RGB")
        name = f"p{number:02}"
        photo.save(folder / f"{name}.jpg", quality=92)
        truth[f"{name}.jpg"] = name
        if number >= 18:
            continue
        w, h = photo.size
        variants = {
            "small.jpg": photo.resize((w // 2, h // 2)),
            "q50.jpg": photo,
            "crop.jpg": photo.crop((int(w * 0.04), int(h * 0.04), int(w * 0.96), int(h * 0.96))),
            "turned.jpg": photo.rotate(90, expand=True),
            "bright.jpg": ImageEnhance.Brightness(photo).enhance(1.3),
            "burst.jpg": Image.fromarray(np.clip(np.asarray(photo.crop((int(w * 0.02), 0, w, h)), dtype=np.int16)
                                                 + rng.normal(0, 6, (h, w - int(w * 0.02), 3)), 0, 255)
                                         .astype(np.uint8)),
        }
        for suffix, image in variants.items():
            image.save(folder / f"{name}-{suffix}", quality=50 if suffix == "q50.jpg" else 90)
            truth[f"{name}-{suffix}"] = name
    return truth


def make_documents(folder: Path) -> dict[str, str]:
    from bench.index_speed import corpus_texts
    from tests.documents import write_docx, write_pdf

    truth: dict[str, str] = {}
    # Distinct texts: the corpus holds some docstrings many times (every int constant has int's),
    # and some nearly (a subclass's docstring quoting its parent's): those are left out.
    from nearby.core.search.duplicates import word_grams

    texts: list[tuple[str, str]] = []
    kept: list[set[int]] = []
    for title, doc in corpus_texts(400):
        grams = word_grams(doc)
        if all(len(grams & other) < 0.3 * min(len(grams), len(other)) for other in kept):
            texts.append((title, doc))
            kept.append(grams)
    texts = texts[:76]
    for number, (title, doc) in enumerate(texts):
        name = f"d{number:02}"
        paragraphs = [p for p in doc.split("\n\n") if p.strip()]
        (folder / f"{name}.txt").write_text(doc)
        truth[f"{name}.txt"] = name
        if number >= 16:
            continue
        write_docx(folder / f"{name}.docx", paragraphs, title=title)
        write_pdf(folder / f"{name}.pdf", ["\n".join(paragraphs)], title=title)
        (folder / f"{name}.html").write_text("<html><body>" + "".join(f"<p>{p}</p>" for p in paragraphs)
                                             + "</body></html>")
        edited = doc.replace(".", ". Note well.", 2) + "\n\nEdited on Monday."
        (folder / f"{name}-edited.txt").write_text(edited)
        for suffix in (".docx", ".pdf", ".html", "-edited.txt"):
            truth[f"{name}{suffix}"] = name
    return truth


def make_songs(folder: Path) -> dict[str, str]:
    import soundfile as sf

    truth: dict[str, str] = {}
    ffmpeg = shutil.which("ffmpeg")
    for number, source in enumerate(sorted((EVAL / "songs").glob("*.ogg"))):
        name = f"s{number:02}"
        audio, rate = sf.read(source)
        shutil.copy(source, folder / f"{name}.ogg")
        sf.write(folder / f"{name}.flac", audio, rate)
        sf.write(folder / f"{name}.mp3", audio, rate, format="MP3")
        truth.update({f"{name}.ogg": name, f"{name}.flac": name, f"{name}.mp3": name})
        if ffmpeg:
            import subprocess

            subprocess.run([ffmpeg, "-loglevel", "error", "-i", str(source), "-c:a", "aac",
                            str(folder / f"{name}.m4a")], check=True)
            truth[f"{name}.m4a"] = name
        # Another piece from the same instruments, as long: the piece played backwards.
        sf.write(folder / f"{name}-reversed.ogg", audio[::-1], rate)
        truth[f"{name}-reversed.ogg"] = f"{name}-reversed"
    return truth


def pair_scores(truth: dict[str, str], groups: list[list[str]]) -> tuple[float, float, int, int]:
    """Precision and recall of the pairs put in one group; the true and found pair counts."""
    true_pairs = {frozenset(p) for g in _by_group(truth).values() for p in itertools.combinations(g, 2)}
    found = {frozenset(p) for g in groups for p in itertools.combinations(g, 2)}
    hits = len(true_pairs & found)
    return (hits / len(found) if found else 1.0), (hits / len(true_pairs) if true_pairs else 1.0), \
        len(true_pairs), len(found)


def _by_group(truth: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, group in truth.items():
        out.setdefault(group, []).append(name)
    return out


def quality() -> dict[str, tuple[float, float]]:
    print("== duplicates on a generated library (pairs in one group; target precision ≥ 0.95, recall ≥ 0.90)")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        makers = {"image": make_pictures, "document": make_documents, "song": make_songs}
        truths = {}
        for kind, make in makers.items():
            (root / kind).mkdir()
            truths[kind] = make(root / kind)
        library = Library(root / "lib.sqlite")
        summary = run_to_end(library.index([root / k for k in makers]))
        print(f"indexed {summary.added} files ({len(summary.failures)} skipped)")
        started = time.perf_counter()
        groups = library.duplicates()
        took = time.perf_counter() - started
        for kind, truth in truths.items():
            found = [[Path(f.path).name for f in g.files] for g in groups if g.kind == kind]
            precision, recall, true_pairs, found_pairs = pair_scores(truth, found)
            results[kind] = (precision, recall)
            print(f"  {kind:<9} precision {precision:.3f}  recall {recall:.3f}  "
                  f"({true_pairs} true pairs, {found_pairs} found)")
            wrong = [g for g in found if len({truth.get(n) for n in g}) > 1]
            for g in wrong[:3]:
                print(f"    mixed group: {', '.join(sorted(g))}")
            missed = [names for names in _by_group(truth).values()
                      if len(names) > 1 and not any(set(names) <= set(g) for g in found)]
            for names in missed[:3]:
                apart = [sorted(set(names) & set(g)) for g in found if set(names) & set(g)]
                alone = sorted(set(names) - {n for g in apart for n in g})
                print(f"    not one group: {apart} alone: {alone}")
        print(f"  search for duplicates: {took:.2f} s")
        library.close()
    return results


def speed(count: int = 100_000) -> float:
    """Seconds to find the duplicates of ``count`` items (70% documents, 25% pictures, 5% songs;
    clustered vectors, 2% of them near-copies of another), written straight into a library."""
    from bench.search_speed import _Words
    from nearby.core.storage.items import ItemRow
    from nearby.core.storage.store import Store

    rng = np.random.default_rng(7)
    dims = {"document": 384, "image": 1280, "song": 200}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "lib.sqlite", 384, 1280, 200)
        words = _Words(count)
        centres = {k: rng.normal(size=(200, d)).astype(np.float32) for k, d in dims.items()}
        made: dict[str, list[tuple[np.ndarray, str, list[int]]]] = {k: [] for k in dims}
        for first in range(0, count, 1000):
            with store.transaction():
                for item in range(first, min(count, first + 1000)):
                    kind = "document" if item % 20 < 14 else "image" if item % 20 < 19 else "song"
                    if made[kind] and rng.random() < 0.02:  # a near-copy of an earlier item
                        base, text, hashes = made[kind][int(rng.integers(len(made[kind])))]
                        vector = base + rng.normal(scale=0.02, size=base.shape).astype(np.float32)
                        hashes = [h ^ (1 << int(rng.integers(64))) for h in hashes]  # a bit or so apart
                    else:
                        vector = centres[kind][int(rng.integers(200))] + rng.normal(size=dims[kind]).astype(np.float32)
                        text = words.passage()
                        hashes = [int(h) for h in rng.integers(0, 2**63, 4)]
                    vector /= np.linalg.norm(vector)
                    made[kind].append((vector, text, hashes))
                    meta = {"width": 4000, "height": 3000, "dhash": [f"{h:016x}" for h in hashes]} \
                        if kind == "image" else {"duration": 200.0}
                    row = ItemRow(0, f"/bench/{kind}/{item}", kind, str(item), 1000 + item, item, f"{item:064x}",
                                  json.dumps(meta) if kind != "document" else "{}")
                    text_vector = rng.normal(size=384).astype(np.float32) if kind != "document" else vector
                    store.add_item(row, [(text, None)], (text_vector / np.linalg.norm(text_vector))[None, :],
                                   vector if kind != "document" else None)
        store.close()
        library = Library(Path(tmp) / "lib.sqlite", with_media=False)
        started, wall = time.process_time(), time.perf_counter()
        groups = library.duplicates()
        cpu, took = time.process_time() - started, time.perf_counter() - wall
        library.close()
    print(f"  {count:,} items: {took:.1f} s wall, {cpu:.1f} s CPU, {len(groups)} groups (target ≤ 60 s on 2 cores)")
    return took


def main() -> None:
    quality()
    speed()
