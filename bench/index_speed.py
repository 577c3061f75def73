"""Documents indexed per second, against the text model alone on the same passages.

The corpus is real English prose: the docstrings of the Python standard library, written out
as plain-text, Markdown and HTML files. The ratio pipeline/model is the figure that matters:
everything around the model (walking, hashing, extraction, splitting, SQLite writes) should
add little to the cost of embedding.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from nearby.core.extract import extract
from nearby.core.extract.passages import split_passages
from nearby.core.inference.text_embedder import TextEmbedder
from nearby.core.library import Library
from nearby.core.progress import run_to_end
from nearby.models.catalog import DEFAULT_TEXT_MODEL, MODELS

N_DOCS = 150
MODULES = ["os", "json", "pathlib", "collections", "itertools", "functools", "re", "datetime",
           "argparse", "logging", "subprocess", "threading", "asyncio", "email", "http", "csv",
           "sqlite3", "decimal", "fractions", "statistics", "textwrap", "unittest", "zipfile", "tarfile"]


def corpus_texts(count: int = N_DOCS) -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    warnings.simplefilter("ignore")
    for name in MODULES:
        module = importlib.import_module(name)
        for attr, obj in sorted(vars(module).items()):
            doc = inspect.getdoc(obj) if not attr.startswith("_") else None
            if doc and len(doc) > 400:
                texts.append((f"{name}.{attr}", doc))
        if hasattr(module, "__path__"):
            for sub in pkgutil.iter_modules(module.__path__):
                if sub.name.startswith("_"):  # __main__ modules run when imported
                    continue
                try:
                    doc = inspect.getdoc(importlib.import_module(f"{name}.{sub.name}"))
                except ImportError:  # platform-only modules (asyncio.windows_events …)
                    continue
                if doc and len(doc) > 400:
                    texts.append((f"{name}.{sub.name}", doc))
    return texts[:count]


def write_corpus(folder: Path) -> list[Path]:
    paths = []
    for i, (title, doc) in enumerate(corpus_texts()):
        if i % 3 == 0:
            path = folder / f"{title}.md"
            path.write_text(f"# {title}\n\n{doc}\n")
        elif i % 3 == 1:
            path = folder / f"{title}.html"
            body = "".join(f"<p>{p}</p>" for p in doc.split("\n\n"))
            path.write_text(f"<html><head><title>{title}</title></head><body>{body}</body></html>")
        else:
            path = folder / f"{title}.txt"
            path.write_text(doc)
        paths.append(path)
    return paths


def main() -> None:
    embedder = TextEmbedder()
    print(f"== indexing speed (provider {embedder.provider})")
    embedder.embed(["warm up the session"] * 4)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        paths = write_corpus(folder)
        t0 = time.perf_counter()
        passages = [p.text for path in paths for p in split_passages(extract(path).sections)]
        t_extract = time.perf_counter() - t0
        t0 = time.perf_counter()
        embedder.embed(passages)
        t_model = time.perf_counter() - t0
        library = Library(Path(tmp) / "bench.sqlite", embedder)
        t0 = time.perf_counter()
        for _ in library.index([folder]):
            pass
        t_pipeline = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _ in library.index([folder]):
            pass
        t_rescan = time.perf_counter() - t0
        library.close()
    words = sum(len(p.split()) for p in passages)
    print(f"corpus: {len(paths)} documents, {len(passages)} passages, {words / len(passages):.0f} words/passage")
    print(f"extract+split alone : {t_extract:7.2f} s")
    print(f"model alone         : {t_model:7.2f} s  ({len(passages) / t_model:6.1f} passages/s)")
    print(f"full index          : {t_pipeline:7.2f} s  ({len(paths) / t_pipeline:6.1f} docs/s, "
          f"{len(passages) / t_pipeline:6.1f} passages/s)")
    print(f"ratio full/model    : {t_pipeline / t_model:7.2f}x")
    print(f"re-index unchanged  : {t_rescan:7.3f} s  ({len(paths) / t_rescan:,.0f} docs/s)")
    per_model(t_pipeline)
    per_format()


def per_model(baseline_s: float) -> None:
    """Full index of the same corpus with each installed text model, against the default's time."""
    print("per text model (full index of the same corpus; ratio to the default model's run above):")
    for spec in MODELS.values():
        embedder = TextEmbedder(spec)
        if spec.kind != "text" or spec.name == DEFAULT_TEXT_MODEL or not embedder.is_installed():
            continue
        embedder.embed(["warm up the session"] * 4)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "corpus"
            folder.mkdir()
            write_corpus(folder)
            library = Library(Path(tmp) / "bench.sqlite", embedder, with_media=False)
            t0 = time.perf_counter()
            summary = run_to_end(library.index([folder]))
            took = time.perf_counter() - t0
            passages = library.status().passages
            library.close()
        print(f"  {spec.name:<22} {took:7.2f} s  ({passages / took:6.1f} passages/s, {summary.added} documents)  "
              f"{took / baseline_s:5.2f}× the default")


FORMAT_DOCS = 60  # documents per format: ~400 passages, ~5 s of model time each


def format_writers() -> dict[str, Callable[[Path, str, list[str]], object]]:
    """Writers of the same document in each format read since issue 29 (and Word, for reference)."""
    from html import escape

    from tests.core.test_formats import write_eml, write_epub, write_odf, write_pptx, write_xlsx
    from tests.documents import write_docx

    def rtf(path: Path, title: str, paragraphs: list[str]) -> None:
        body = "\\par\n".join(p.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}") for p in paragraphs)
        path.write_text(f"{{\\rtf1\\ansi{{\\info{{\\title {title}}}}}\n{body}\\par}}", encoding="ascii",
                        errors="replace")

    def csv(path: Path, title: str, paragraphs: list[str]) -> None:
        import csv as csv_module

        with open(path, "w", newline="") as handle:
            writer = csv_module.writer(handle)
            writer.writerow(["section", "text"])
            writer.writerows([f"{title} {i}", p] for i, p in enumerate(paragraphs))

    return {
        ".docx": lambda p, t, ps: write_docx(p, ps, title=t),
        ".odt": lambda p, t, ps: write_odf(p, "<office:text>" + "".join(f"<text:p>{escape(x)}</text:p>" for x in ps)
                                           + "</office:text>", title=escape(t)),
        ".epub": lambda p, t, ps: write_epub(p, [escape(x) for x in ps], title=escape(t)),
        ".xlsx": lambda p, t, ps: write_xlsx(p, {"Notes": [[x] for x in ps]}),
        ".pptx": lambda p, t, ps: write_pptx(p, [[x] for x in ps]),
        ".csv": csv,
        ".eml": lambda p, t, ps: write_eml(p, t, "\n\n".join(ps)),
        ".rtf": rtf,
    }


def per_format() -> None:
    """Each format's full index against the text model alone on that format's own passages."""
    embedder = TextEmbedder()
    embedder.embed(["warm up the session"] * 4)
    texts = corpus_texts()[:FORMAT_DOCS]
    print(f"per document format ({len(texts)} documents each; ratio full index / model alone, target ≤ 1.2×):")
    for suffix, write in format_writers().items():
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "corpus"
            folder.mkdir()
            for title, doc in texts:
                write(folder / f"{title}{suffix}", title, [p for p in doc.split("\n\n") if p.strip()])
            passages = [p.text for path in sorted(folder.iterdir()) for p in split_passages(extract(path).sections)]
            t0 = time.process_time()
            embedder.embed(passages)
            t_model = time.process_time() - t0
            library = Library(Path(tmp) / "bench.sqlite", embedder, with_media=False)
            t0 = time.process_time()
            summary = run_to_end(library.index([folder]))
            t_full = time.process_time() - t0
            library.close()
        print(f"  {suffix:<6} {len(passages):5} passages  model {t_model:6.2f} s  full {t_full:6.2f} s  "
              f"{t_full / t_model:5.2f}×  ({summary.added} indexed, {len(summary.failures)} skipped)")
