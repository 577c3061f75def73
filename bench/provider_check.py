"""Which execution providers this machine offers, which one Nearby picks, and what each gives.

    python -m bench.provider_check

For the text, picture and music models it runs the same inputs on the CPU (the baseline, same
run) and on the provider Nearby picks, and prints agreement with the reference and the speed.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nearby.core.inference import providers
from nearby.core.inference.text_embedder import TextEmbedder
from nearby.models.catalog import EFFICIENTNET_LITE2, MUSICNN_MTT
from nearby.models.dev.golden_efficientnet import golden_input as golden_pixels
from nearby.models.dev.golden_musicnn import golden_input as golden_mel
from nearby.models.locate import model_dir

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "models" / "minilm_golden.json"
PASSAGE = ("The committee reviewed the quarterly figures, discussed the hiring plan for the support team, "
           "and agreed to move the product launch to March so that the documentation can be finished. ") * 2
BATCH, ROUNDS = 64, 5


def timed_ms(fn: Callable[[], object], items: int) -> float:
    fn()  # warm-up: CUDA allocates and tunes on the first runs
    t0 = time.perf_counter()
    for _ in range(ROUNDS):
        fn()
    return (time.perf_counter() - t0) / (ROUNDS * items) * 1000


def text(provider_env: str) -> dict[str, object]:
    os.environ[providers.PROVIDER_ENV] = provider_env
    embedder = TextEmbedder()
    golden = json.loads(GOLDEN.read_text())
    chosen = embedder.provider
    vectors = embedder.embed(golden["sentences"])
    cosine = float((vectors * np.array(golden["vectors"], dtype=np.float32)).sum(axis=1).min())
    texts = [PASSAGE + str(i) for i in range(BATCH)]
    return {"model": "text", "provider": chosen, "min_cosine_vs_fp32": round(cosine, 5),
            "ms_per_item": round(timed_ms(lambda: embedder.embed(texts), BATCH), 3)}


def onnx_model(name: str, path: Path, feeds: dict[str, np.ndarray], provider_env: str) -> tuple[dict, list]:  # type: ignore[type-arg]
    os.environ[providers.PROVIDER_ENV] = provider_env
    session = providers.create_session(str(path))
    outputs = session.run(None, feeds)
    items = next(iter(feeds.values())).shape[0]
    ms = timed_ms(lambda: session.run(None, feeds), items)
    return {"model": name, "provider": session.get_providers()[0], "ms_per_item": round(ms, 3)}, outputs


def compare(name: str, path: Path, feeds: dict[str, np.ndarray]) -> list[dict]:  # type: ignore[type-arg]
    cpu, reference = onnx_model(name, path, feeds, "cpu")
    best, outputs = onnx_model(name, path, feeds, "")
    best["max_abs_diff_vs_cpu"] = float(max(np.abs(a - b).max() for a, b in zip(outputs, reference, strict=True)))
    return [cpu, best]


def main() -> None:
    import onnxruntime as ort

    print(f"onnxruntime {ort.__version__}; available providers: {ort.get_available_providers()}")
    print(f"Nearby's order: {providers.candidate_providers(ort.get_available_providers())}")
    results = [text("cpu"), text("")]
    pixels = np.repeat(golden_pixels(), 16, axis=0)
    results += compare("picture", model_dir(EFFICIENTNET_LITE2) / "model.onnx", {"pixels": pixels})
    mel = np.repeat(golden_mel(), 16, axis=0)
    results += compare("music", model_dir(MUSICNN_MTT) / "model.onnx", {"mel": mel})
    base: dict[str, float] = {}
    for r in results:  # the first run of each model is the CPU baseline
        base.setdefault(str(r["model"]), float(str(r["ms_per_item"])))
    for r in results:
        r["speedup_vs_cpu"] = round(base[str(r["model"])] / float(str(r["ms_per_item"])), 2)
        print(json.dumps(r))


if __name__ == "__main__":
    main()
