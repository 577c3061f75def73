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


def corpus_texts() -> list[tuple[str, str]]:
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
    return texts[:N_DOCS]


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
