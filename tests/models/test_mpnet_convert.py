"""The mpnet converter against a plain numpy reference of MPNet, on a tiny random checkpoint
written the way the registry parts carry the real one (safetensors in a zip split in pieces)."""

from __future__ import annotations

import io
import json
import math
import struct
import zipfile

import numpy as np
import onnxruntime as ort

from nearby.models.convert import mpnet

HIDDEN, HEADS, LAYERS, VOCAB, POSITIONS, INNER = 16, 4, 2, 50, 40, 32


def _checkpoint(rng: np.random.Generator) -> dict[str, np.ndarray]:
    def r(*shape: int) -> np.ndarray:
        return rng.normal(0, 0.3, shape).astype(np.float32)

    w = {"embeddings.word_embeddings.weight": r(VOCAB, HIDDEN),
         "embeddings.position_embeddings.weight": r(POSITIONS, HIDDEN),
         "embeddings.LayerNorm.weight": 1 + r(HIDDEN), "embeddings.LayerNorm.bias": r(HIDDEN),
         "encoder.relative_attention_bias.weight": r(32, HEADS)}
    for i in range(LAYERS):
        p = f"encoder.layer.{i}"
        for n in "qkvo":
            w[f"{p}.attention.attn.{n}.weight"], w[f"{p}.attention.attn.{n}.bias"] = r(HIDDEN, HIDDEN), r(HIDDEN)
        w[f"{p}.intermediate.dense.weight"], w[f"{p}.intermediate.dense.bias"] = r(INNER, HIDDEN), r(INNER)
        w[f"{p}.output.dense.weight"], w[f"{p}.output.dense.bias"] = r(HIDDEN, INNER), r(HIDDEN)
        for n in ("attention.LayerNorm", "output.LayerNorm"):
            w[f"{p}.{n}.weight"], w[f"{p}.{n}.bias"] = 1 + r(HIDDEN), r(HIDDEN)
    return w


def _safetensors(w: dict[str, np.ndarray]) -> bytes:
    header, blobs, offset = {}, [], 0
    for name, array in w.items():
        data = array.tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def _reference(w: dict[str, np.ndarray], ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """MPNet's encoder written out in numpy, as Hugging Face's MPNetModel computes it."""
    from scipy.special import erf

    def ln(x: np.ndarray, p: str) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + 1e-5) * w[p + ".weight"] + w[p + ".bias"]

    def lin(x: np.ndarray, p: str) -> np.ndarray:
        return x @ w[p + ".weight"].T + w[p + ".bias"]

    real = (ids != 1).astype(int)
    x = ln(w["embeddings.word_embeddings.weight"][ids]
           + w["embeddings.position_embeddings.weight"][np.cumsum(real, 1) * real + 1], "embeddings.LayerNorm")
    length, d = ids.shape[1], HIDDEN // HEADS
    bias = w["encoder.relative_attention_bias.weight"][mpnet.relative_buckets(length)].transpose(2, 0, 1)[None]
    bias = bias + ((1 - mask) * -1e9)[:, None, None, :]
    for i in range(LAYERS):
        p = f"encoder.layer.{i}"

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(t.shape[0], length, HEADS, d).transpose(0, 2, 1, 3)

        q, k, v = (split(lin(x, f"{p}.attention.attn.{n}")) for n in "qkv")
        s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d) + bias
        s = np.exp(s - s.max(-1, keepdims=True))
        c = ((s / s.sum(-1, keepdims=True)) @ v).transpose(0, 2, 1, 3).reshape(-1, length, HIDDEN)
        x = ln(lin(c, f"{p}.attention.attn.o") + x, f"{p}.attention.LayerNorm")
        inner = lin(x, f"{p}.intermediate.dense")
        x = ln(lin(0.5 * inner * (1 + erf(inner / math.sqrt(2))), f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
    return x


def test_the_converted_graph_computes_mpnet() -> None:
    rng = np.random.default_rng(7)
    w = _checkpoint(rng)
    config = {"num_attention_heads": HEADS, "num_hidden_layers": LAYERS, "pad_token_id": 1, "layer_norm_eps": 1e-5,
              "relative_attention_num_buckets": 32}
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("all-mpnet-base-v2/config.json", json.dumps(config))
        zf.writestr("all-mpnet-base-v2/model.safetensors", _safetensors(w))
        zf.writestr("all-mpnet-base-v2/tokenizer.json", '{"version": "1.0"}')
    whole = zipped.getvalue()
    parts = [whole[i : i + 4096] for i in range(0, len(whole), 4096)]  # what the install step joins
    assert len(parts) > 2
    joined = b"".join(parts)

    session = ort.InferenceSession(mpnet.convert(joined), providers=["CPUExecutionProvider"])
    ids = np.array([[0, 5, 9, 23, 2, 1, 1], [0, 7, 8, 9, 10, 11, 2]], dtype=np.int64)  # padded, and not
    mask = (ids != 1).astype(np.int64)
    got = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
    want = _reference(w, ids, mask)
    assert got.shape == (2, 7, HIDDEN)
    assert np.abs((got - want) * mask[:, :, None]).max() < 1e-4
    assert mpnet.tokenizer(joined) == b'{"version": "1.0"}'


def test_relative_buckets_are_exact_near_and_logarithmic_far() -> None:
    b = mpnet.relative_buckets(300)
    assert b[0, 0] == 0 and b[5, 0] == 5 and b[0, 5] == 16 + 5  # keys behind vs ahead of the query
    assert b[0, 7] == 23 and b[0, 8] > 23  # exact to 8 apart, then log buckets
    assert b[0, 299] == 31 and b[299, 0] == 15  # far away: the last bucket of each side
