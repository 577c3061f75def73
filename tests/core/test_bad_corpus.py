"""A corpus of bad input, generated here (no committed binaries), indexed beside good files in a
process of its own: every bad file is skipped with a reason a person can read (or, where it is
only odd, indexed), within bounded time and memory, and the good files are still found."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np

from tests.documents import write_docx, write_notes, write_pdf
from tests.staged import ROOT
from tests.system_decoders import encode, ffmpeg_folder

EVAL = ROOT / "tests" / "data" / "eval"
GOOD = {"bread.txt": "Knead the dough and bake the bread until the crust is golden and it sounds hollow.",
        "lease.txt": "The tenant pays the rent on the first day of each month to the landlord."}
# How long the whole run may take and how much memory it may hold (it loads every model).
LIMIT_S = 300
LIMIT_MB = 1200  # measured: 387 MB


def _png(width: int, height: int, rows: bytes | None = None) -> bytes:
    """A PNG whose header says width x height; its pixel data may say otherwise (or nothing)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(rows if rows is not None else b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _zip_bomb(path: Path, unpacked_mb: int) -> None:
    """A .docx whose document part unpacks to ``unpacked_mb`` MB of spaces (a few hundred KB packed)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            block = b" " * 2**20
            for _ in range(unpacked_mb):
                part.write(block)


def _docx_with_comment(path: Path) -> None:
    write_docx(path, ["The orchard harvest was picked in October."])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:body>", b"<w:body><!-- a comment -->", 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def make_corpus(folder: Path) -> dict[str, str]:
    """Write the bad files; return name → the words its skip reason must contain ('' = indexed)."""
    rng = np.random.default_rng(12)
    expected: dict[str, str] = {}
    for ext in (".txt", ".md", ".html", ".pdf", ".docx", ".jpg", ".png", ".gif", ".tif", ".wav", ".mp3", ".flac"):
        (folder / f"empty{ext}").write_bytes(b"")
        expected[f"empty{ext}"] = "empty"
    photo = (EVAL / "images" / "chelsea.jpg").read_bytes()
    (folder / "half.jpg").write_bytes(photo[: len(photo) // 2])
    expected["half.jpg"] = "damaged"
    (folder / "half.png").write_bytes((EVAL / "images" / "drawing-0001.png").read_bytes()[:300])
    expected["half.png"] = "damaged"
    pdf = write_pdf(folder / "whole.pdf", ["The annual report of the rowing club."]).read_bytes()
    (folder / "whole.pdf").unlink()
    (folder / "half.pdf").write_bytes(pdf[: len(pdf) // 2])
    expected["half.pdf"] = "pdf"
    docx = write_docx(folder / "whole.docx", ["A letter about the garden fence."]).read_bytes()
    (folder / "whole.docx").unlink()
    (folder / "half.docx").write_bytes(docx[: len(docx) // 2])
    expected["half.docx"] = "damaged"
    song = (EVAL / "songs" / "evening.ogg").read_bytes()
    (folder / "half.ogg").write_bytes(song[:2000])
    expected["half.ogg"] = "audio"
    for name in ("garbage.pdf", "garbage.docx", "garbage.png", "garbage.wav", "garbage.mp3", "garbage.jpg"):
        (folder / name).write_bytes(rng.integers(0, 256, 5000, dtype=np.uint8).tobytes())
        expected[name] = {".pdf": "pdf", ".docx": "damaged", ".wav": "audio", ".mp3": "audio"}.get(
            Path(name).suffix, "not a picture")
    (folder / "binary.txt").write_bytes(rng.integers(0, 32, 5000, dtype=np.uint8).tobytes())
    expected["binary.txt"] = "not text"
    (folder / "png-named.pdf").write_bytes((EVAL / "images" / "drawing-0001.png").read_bytes())
    expected["png-named.pdf"] = "pdf"
    (folder / "text-named.jpg").write_text("this is not a picture at all")
    expected["text-named.jpg"] = "not a picture"
    _zip_bomb(folder / "bomb.docx", 260)
    expected["bomb.docx"] = "unpack"
    (folder / "deep.html").write_text("<html><body>" + "<div>" * 150_000 + "Deep inside the lighthouse keeper "
                                      "logbook." + "</div>" * 150_000 + "</body></html>")
    expected["deep.html"] = ""
    (folder / "strip.png").write_bytes(_png(20000, 1, b"\0" + b"\x80" * 60000))
    expected["strip.png"] = ""  # odd but real: indexed, in bounded memory
    (folder / "claims-huge.png").write_bytes(_png(30000, 30000))
    expected["claims-huge.png"] = "pixels"
    (folder / "claims-64mp.png").write_bytes(_png(8000, 8000))
    expected["claims-64mp.png"] = "too large"
    (folder / "oneline.txt").write_text("x" * 12_000_000)
    expected["oneline.txt"] = ""  # one 12-million-letter word: cut to a passage, not a hang
    (folder / "utf16.txt").write_text("The harbour ferry timetable changes in winter.", encoding="utf-16")
    expected["utf16.txt"] = ""
    (folder / "latin1.txt").write_bytes("Le café de la gare ouvre à six heures du matin.".encode("latin-1"))
    expected["latin1.txt"] = ""
    _docx_with_comment(folder / "comment.docx")
    expected["comment.docx"] = ""
    (folder / "drawing.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
    return expected


_RUN = """
import json, resource, sys
from pathlib import Path
from nearby.core.library import Library
from nearby.core.progress import run_to_end
def peak_mb():
    # This process's own peak: VmHWM belongs to its memory map, made anew at exec; ru_maxrss keeps
    # the forking parent's size (a test run late in a long pytest session read 1.2 GB here).
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
library = Library(Path(sys.argv[1]))
summary = run_to_end(library.index([Path(sys.argv[2])]))
found = {Path(h.path).name for h in library.search("bread dough rent landlord", k=10)}
indexed = [r[0] for r in library._new_store().conn.execute("SELECT path FROM items")]
print(json.dumps({"failures": {Path(f.path).name: f.reason for f in summary.failures}, "found": sorted(found),
                  "indexed": sorted(Path(p).name for p in indexed),
                  "peak_mb": peak_mb()}))
"""


def test_a_generated_corpus_of_bad_files_is_skipped_with_reasons_and_hurts_nothing(tmp_path: Path,
                                                                                   models_dir: Path) -> None:
    folder = write_notes(tmp_path / "mixed", GOOD)
    shutil.copy(EVAL / "images" / "launch.jpg", folder / "launch.jpg")
    expected = make_corpus(folder)
    run = subprocess.run([sys.executable, "-c", _RUN, str(tmp_path / "lib.sqlite"), str(folder)],
                         capture_output=True, text=True, timeout=LIMIT_S, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    failures, indexed = result["failures"], set(result["indexed"])
    for name, words in expected.items():
        if words:
            assert name in failures, f"{name} was not skipped"
            assert words in failures[name].lower(), f"{name}: {failures[name]!r}"
            assert "Traceback" not in failures[name] and "Error" not in failures[name], failures[name]
            assert "does not exist" not in failures[name], failures[name]
        else:
            assert name in indexed, f"{name} was not indexed: {failures.get(name)}"
    assert {"bread.txt", "lease.txt", "launch.jpg"} <= indexed
    assert {"bread.txt", "lease.txt"} <= set(result["found"])
    assert "drawing.svg" not in failures and "drawing.svg" not in indexed  # not a type Nearby reads
    assert result["peak_mb"] < LIMIT_MB, f"peak {result['peak_mb']:.0f} MB"


NEW_FORMATS = (".odt", ".ods", ".odp", ".epub", ".xlsx", ".pptx", ".csv", ".tsv", ".eml", ".mbox", ".rtf",
               ".m4a", ".aac", ".wma", ".heic")


def make_new_format_corpus(folder: Path) -> dict[str, str]:
    """Bad files of every format added since the first corpus (OpenDocument, OOXML, EPUB, tables,
    mail, RTF, and what system decoders read): name → words its skip reason must contain."""
    from tests.core.test_formats import write_epub, write_odf, write_pptx, write_xlsx

    rng = np.random.default_rng(29)
    png = (EVAL / "images" / "drawing-0001.png").read_bytes()
    expected: dict[str, str] = {}
    for ext in NEW_FORMATS:
        (folder / f"empty{ext}").write_bytes(b"")
        expected[f"empty{ext}"] = "empty"
        (folder / f"png-named{ext}").write_bytes(png)
        (folder / f"garbage{ext}").write_bytes(rng.integers(0, 256, 5000, dtype=np.uint8).tobytes())
    good = {".odt": lambda p: write_odf(p, "<office:text><text:p>A letter about the garden fence.</text:p>"
                                        "</office:text>"),
            ".epub": lambda p: write_epub(p, ["The lighthouse keeper kept a log of every storm."]),
            ".xlsx": lambda p: write_xlsx(p, {"Seeds": [["Runner beans sown along the south fence", "12"]]}),
            ".pptx": lambda p: write_pptx(p, [["Revenue grew thanks to the new bakery branch"]])}
    for ext, make in good.items():
        whole = make(folder / f"whole{ext}").read_bytes()
        (folder / f"whole{ext}").unlink()
        (folder / f"half{ext}").write_bytes(whole[: len(whole) // 2])
        expected[f"half{ext}"] = "damaged"
        _zip_bomb(folder / f"bomb{ext}", 260)
        expected[f"bomb{ext}"] = "unpack"
    (folder / "nested.rtf").write_bytes(b"{\\rtf1 " + b"{" * 200_000 + b"deep")
    expected["nested.rtf"] = "nests deeper"
    (folder / "unclosed.rtf").write_bytes(b"{\\rtf1\\ansi The lease lets the tenant keep a cat.\\par {\\b bold")
    expected["unclosed.rtf"] = ""  # cut short: what is there is read
    (folder / "oneline.csv").write_text("name,note\n" + "x" * 12_000_000 + ",1\n")
    expected["oneline.csv"] = "field larger"  # a 12-million-letter cell: refused with a reason
    (folder / "wide.csv").write_text(",".join(f"c{i}" for i in range(50_000)) + "\n" + "1," * 50_000 + "\n")
    expected["wide.csv"] = ""
    (folder / "many.mbox").write_text("".join(f"From a@b Thu Jan  1 00:00:00 2025\nSubject: note {i}\n\n"
                                              f"Pick up the parcel number {i}.\n\n" for i in range(20_000)))
    expected["many.mbox"] = ""
    for ext in (".m4a", ".aac", ".wma", ".heic"):  # refused by their first bytes, before FFmpeg runs
        expected[f"garbage{ext}"] = expected[f"png-named{ext}"] = f"not a {ext[1:]} file"
    song = encode(EVAL / "songs" / "evening.ogg", folder / "whole.m4a", "aac").read_bytes()
    (folder / "whole.m4a").unlink()
    (folder / "half.m4a").write_bytes(song[: len(song) // 2])  # FFmpeg writes its index (moov) last
    expected["half.m4a"] = "could not decode"
    heic = (ROOT / "tests" / "data" / "formats" / "launch.heic").read_bytes()
    (folder / "half.heic").write_bytes(heic[: len(heic) // 2])
    expected["half.heic"] = "ffmpeg"
    for ext in (".odt", ".ods", ".odp", ".epub", ".xlsx", ".pptx"):
        expected[f"garbage{ext}"] = expected[f"png-named{ext}"] = "damaged or not what its name says"
    expected["garbage.rtf"] = expected["png-named.rtf"] = "not an rtf document"
    expected["garbage.eml"] = expected["png-named.eml"] = "not an e-mail"
    for ext in (".csv", ".tsv", ".mbox"):  # text formats: binary refused, or indexed as the text it is
        expected.setdefault(f"garbage{ext}", "?")
        expected.setdefault(f"png-named{ext}", "?")
    return expected


def test_the_new_readers_skip_bad_files_with_reasons_in_bounded_memory(tmp_path: Path, models_dir: Path) -> None:
    """Issue 29's readers under a bad-input corpus, FFmpeg on PATH: no crash, no hang (the run ends
    inside its limit), a reason for each refused file, the good files indexed, peak memory under 1 GB."""
    folder = write_notes(tmp_path / "mixed", GOOD)
    expected = make_new_format_corpus(folder)
    env = {**os.environ, "PATH": f"{ffmpeg_folder(tmp_path / 'bin')}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run([sys.executable, "-c", _RUN, str(tmp_path / "lib.sqlite"), str(folder)],
                         capture_output=True, text=True, timeout=LIMIT_S, cwd=ROOT, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    failures, indexed = result["failures"], set(result["indexed"])
    for name, words in expected.items():
        assert "Traceback" not in failures.get(name, "") and "Error" not in failures.get(name, ""), failures[name]
        if words == "?":
            assert name in failures or name in indexed, name  # either, never lost without a word
        elif words:
            assert name in failures, f"{name} was not skipped"
            assert words in failures[name].lower(), f"{name}: {failures[name]!r}"
        else:
            assert name in indexed, f"{name} was not indexed: {failures.get(name)}"
    assert {"bread.txt", "lease.txt"} <= set(result["found"])
    assert result["peak_mb"] < 1024, f"peak {result['peak_mb']:.0f} MB"
    print(f"new readers' bad corpus: {len(expected)} files, peak {result['peak_mb']:.0f} MB")
