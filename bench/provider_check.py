"""Which execution providers this machine offers, which one Nearby picks, and what each gives.

    python -m bench.provider_check

For every provider that starts, it embeds the golden sentences (tests/models) and a batch of
passage-length texts, and prints cosine against the fp32 reference and the speed, with the CPU
measured in the same run as the baseline.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np

from core import providers
from core.text_embedder import TextEmbedder

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "models" / "minilm_golden.json"
PASSAGE = ("The committee reviewed the quarterly figures, discussed the hiring plan for the support team, "
           "and agreed to move the product launch to March so that the documentation can be finished. ") * 2
BATCH, ROUNDS = 64, 5


def measure(provider_env: str) -> dict[str, object]:
    os.environ[providers.PROVIDER_ENV] = provider_env
    embedder = TextEmbedder()
    golden = json.loads(GOLDEN.read_text())
    t0 = time.perf_counter()
    chosen = embedder.provider  # loads the session
    load_s = time.perf_counter() - t0
    vectors = embedder.embed(golden["sentences"])
    cosine = float((vectors * np.array(golden["vectors"], dtype=np.float32)).sum(axis=1).min())
    texts = [PASSAGE + str(i) for i in range(BATCH)]
    embedder.embed(texts)  # warm-up: CUDA allocates and tunes on the first batches
    t0 = time.perf_counter()
    for _ in range(ROUNDS):
        embedder.embed(texts)
    per_passage_ms = (time.perf_counter() - t0) / (ROUNDS * BATCH) * 1000
    return {"asked": provider_env or "(default)", "chosen": chosen, "load_s": round(load_s, 2),
            "min_cosine_vs_fp32": round(cosine, 5), "ms_per_passage": round(per_passage_ms, 2)}


def main() -> None:
    import onnxruntime as ort

    print(f"onnxruntime {ort.__version__}; available providers: {ort.get_available_providers()}")
    print(f"Nearby's order: {providers.candidate_providers(ort.get_available_providers())}")
    results = [measure("cpu"), measure("")]
    base = results[0]["ms_per_passage"]
    for r in results:
        r["speedup_vs_cpu"] = round(float(base) / float(r["ms_per_passage"]), 2)  # type: ignore[arg-type]
        print(json.dumps(r))


if __name__ == "__main__":
    main()
